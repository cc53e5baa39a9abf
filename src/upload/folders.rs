//! Folders dropped on the page: every file inside them, however deep (the
//! entries API: `webkitGetAsEntry`, then each directory's reader until it says
//! there is no more). Hidden files and folders (`.DS_Store`, `.thumbnails`) are
//! left out. The entries must be taken while the drop event is handled; reading
//! them may take a while after.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

/// The entries of a drop, if any of them is a folder (else `None`: the drop's
/// plain file list says it all).
pub fn entries_with_folders(data: &DataTransfer) -> Option<Vec<FileSystemEntry>> {
    let items = data.items();
    let entries: Vec<FileSystemEntry> = (0..items.length())
        .filter_map(|index| items.get(index))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect();
    entries
        .iter()
        .any(FileSystemEntry::is_directory)
        .then_some(entries)
}

/// Every file under `entries`, folders walked depth first, in name order.
pub async fn files_in(entries: Vec<FileSystemEntry>) -> Vec<File> {
    let mut files = Vec::new();
    let mut stack: Vec<FileSystemEntry> = entries.into_iter().rev().collect();
    while let Some(entry) = stack.pop() {
        if entry.name().starts_with('.') {
            continue;
        }
        if entry.is_directory() {
            let mut children = read_all(entry.unchecked_into()).await;
            children.sort_by_key(|child| std::cmp::Reverse(child.name()));
            stack.extend(children);
        } else if let Some(file) = file_of(entry.unchecked_into()).await {
            files.push(file);
        }
    }
    files
}

/// All entries of a directory: its reader gives them in batches until an empty one.
async fn read_all(directory: FileSystemDirectoryEntry) -> Vec<FileSystemEntry> {
    let reader = directory.create_reader();
    let mut all = Vec::new();
    loop {
        let (tx, rx) = oneshot::channel::<Vec<FileSystemEntry>>();
        let tx = Rc::new(RefCell::new(Some(tx)));
        let on_batch = {
            let tx = Rc::clone(&tx);
            Closure::once(move |batch: js_sys::Array| {
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(batch.iter().map(JsCast::unchecked_into).collect());
                }
            })
        };
        // An error drops the sender: the batch is then empty and reading ends.
        let on_error = Closure::once(move |_: JsValue| drop(tx.borrow_mut().take()));
        if reader
            .read_entries_with_callback_and_callback(
                on_batch.as_ref().unchecked_ref(),
                on_error.as_ref().unchecked_ref(),
            )
            .is_err()
        {
            break;
        }
        let batch = rx.await.unwrap_or_default();
        drop((on_batch, on_error));
        if batch.is_empty() {
            break;
        }
        all.extend(batch);
    }
    all
}

async fn file_of(entry: FileSystemFileEntry) -> Option<File> {
    let (tx, rx) = oneshot::channel::<File>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let on_file = {
        let tx = Rc::clone(&tx);
        Closure::once(move |file: File| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(file);
            }
        })
    };
    // A file that cannot be read is left out: the sender goes, the wait ends.
    let on_error = Closure::once(move |_: JsValue| drop(tx.borrow_mut().take()));
    entry.file_with_callback_and_callback(
        on_file.as_ref().unchecked_ref(),
        on_error.as_ref().unchecked_ref(),
    );
    let file = rx.await.ok();
    drop((on_file, on_error));
    file
}

/// The extensions of the files taken from folders (the rest are left out).
const IMAGE_EXTENSIONS: [&str; 11] = [
    "jpg", "jpeg", "jpe", "jfif", "png", "gif", "webp", "avif", "heic", "heif", "hif",
];

/// A folder's files that may be images (by extension; their bytes are judged
/// next); hidden ones left out unsaid, the rest counted in `skipped`.
pub fn only_images(files: Vec<File>, skipped: RwSignal<usize>) -> Vec<File> {
    let (images, others): (Vec<File>, Vec<File>) = files
        .into_iter()
        .filter(|file| !file.name().starts_with('.'))
        .partition(|file| {
            let name = file.name().to_ascii_lowercase();
            name.rsplit_once('.')
                .is_some_and(|(_, extension)| IMAGE_EXTENSIONS.contains(&extension))
        });
    if !others.is_empty() {
        skipped.update(|count| *count += others.len());
    }
    images
}
