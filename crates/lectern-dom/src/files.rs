//! Files the user gives the app: from a file chooser, a drop, or the clipboard.

use lectern_core::effect::FileRef;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A file's name and bytes.
pub struct FileBytes {
    pub name: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// The files of a `FileList` (from `<input type=file>` or a drop).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// Read a file whole. Size is checked by the caller before this (a 2 GB file is not read).
pub async fn read(file: &web_sys::File) -> FileBytes {
    let name = file.name();
    let bytes = match JsFuture::from(file.array_buffer()).await {
        Ok(buf) => Ok(js_sys::Uint8Array::new(&buf).to_vec()),
        Err(e) => Err(e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "the file could not be read".to_owned())),
    };
    FileBytes { name, bytes }
}

thread_local! {
    /// Files handed to the core as [`FileRef`]s, until an effect takes them.
    static HELD: std::cell::RefCell<(u32, std::collections::HashMap<u32, web_sys::File>)> =
        std::cell::RefCell::new((0, std::collections::HashMap::new()));
}

/// Keep `file` until an effect asks for it, and name it for the core (actions and effects are
/// data; a browser `File` is not).
pub fn hold(file: web_sys::File) -> FileRef {
    let name = file.name();
    let size = file.size().max(0.0) as u64;
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        h.0 = h.0.wrapping_add(1);
        let handle = h.0;
        h.1.insert(handle, file);
        FileRef { handle, name, size }
    })
}

/// The file held as `r`, taken out of the registry (each is read once).
pub fn take(r: &FileRef) -> Option<web_sys::File> {
    HELD.with(|h| h.borrow_mut().1.remove(&r.handle))
}
