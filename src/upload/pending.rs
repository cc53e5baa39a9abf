//! One file of an upload batch: the file itself (it lives only in the browser),
//! where it is (queue.rs), its preview's canvas, and what its cancel needs.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use web_sys::{File, XmlHttpRequest};

use super::queue::State;

/// One file picked, dropped or pasted, and where it is.
#[derive(Clone)]
pub struct Upload {
    pub id: u64,
    pub name: String,
    pub size: f64,
    pub state: RwSignal<State>,
    /// Where its preview is drawn, and whether it was.
    pub canvas: NodeRef<leptos::html::Canvas>,
    pub drawn: RwSignal<bool>,
    /// The file itself: lives only in the browser's one thread (the wrapper lets
    /// the, on the server always empty, list sit in thread-safe storage).
    pub file: SendWrapper<File>,
    /// Automatic tries made so far, the person's cancel, and what stops a send.
    pub retries: StoredValue<u32>,
    pub cancelled: StoredValue<bool>,
    pub stopper: StoredValue<Option<SendWrapper<XmlHttpRequest>>>,
}

impl Upload {
    /// The first `bytes` of the file (empty when they cannot be read).
    pub async fn head(&self, bytes: u32) -> Vec<u8> {
        let Ok(head) = self.file.slice_with_i32_and_i32(0, bytes as i32) else {
            return Vec::new();
        };
        match wasm_bindgen_futures::JsFuture::from(head.array_buffer()).await {
            Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
            Err(_) => Vec::new(),
        }
    }
}
