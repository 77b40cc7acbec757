fn main() {
    lectern::start();
}
