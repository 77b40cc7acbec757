//! Files the user gives the app: from a file chooser, a drop, or the clipboard.

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
