//! Loading older photos as the end of the grid scrolls near: a watcher on a marker
//! below the grid asks for the next page (`list_images` with the last cursor)
//! while there is one. Runs only in the browser; without JavaScript, and for
//! keyboard users, the "Older images" link does the same a page at a time.

use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::list_images;
use crate::api::ImageInfo;

/// How far below the screen the end may be when the next page is asked for.
const AHEAD: &str = "0px 0px 1500px 0px";

/// Pages loaded by scrolling, and the cursor of the one after them.
#[derive(Clone, Copy)]
pub struct Older {
    /// Each page as it came, oldest last.
    pub pages: RwSignal<Vec<Vec<ImageInfo>>>,
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub failed: RwSignal<Option<String>>,
}

impl Older {
    pub fn new(next: Option<String>) -> Self {
        Older {
            pages: RwSignal::new(Vec::new()),
            next: RwSignal::new(next),
            loading: RwSignal::new(false),
            failed: RwSignal::new(None),
        }
    }
}

/// Watches `marker`: while it is near the screen and a next page exists, loads it.
pub fn load_while_near(marker: NodeRef<leptos::html::Div>, older: Older) {
    // Made and read in the browser only; the server's copy stays empty.
    let watcher: StoredValue<Option<SendWrapper<web_sys::IntersectionObserver>>> =
        StoredValue::new(None);
    let near = RwSignal::new(false);
    // One page at a time; when it arrives and the marker is still near, the next.
    let load = move || {
        let Some(cursor) = older.next.get_untracked() else {
            return;
        };
        if older.loading.get_untracked() || !near.get_untracked() {
            return;
        }
        older.loading.set(true);
        spawn_local(async move {
            match list_images(None, Some(cursor)).await {
                Ok(page) => {
                    older.pages.update(|pages| pages.push(page.images));
                    older.next.set(page.next_cursor);
                    older.failed.set(None);
                }
                Err(error) => older.failed.set(Some(error.message)),
            }
            older.loading.set(false);
            // Still near the end (a short page, a tall screen): watch again, which
            // reports the marker's state afresh.
            watcher.with_value(|watcher| {
                if let (Some(watcher), Some(element)) = (watcher, marker.get_untracked()) {
                    watcher.unobserve(&element);
                    watcher.observe(&element);
                }
            });
        });
    };
    Effect::new(move |_| {
        let Some(element) = marker.get() else { return };
        let seen = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let is_near = entries.iter().any(|entry| {
                entry
                    .unchecked_into::<web_sys::IntersectionObserverEntry>()
                    .is_intersecting()
            });
            near.set(is_near);
            if is_near && older.failed.get_untracked().is_none() {
                load();
            }
        });
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin(AHEAD);
        if let Ok(observer) =
            web_sys::IntersectionObserver::new_with_options(seen.as_ref().unchecked_ref(), &options)
        {
            observer.observe(&element);
            watcher.set_value(Some(SendWrapper::new(observer)));
        }
        // The watcher calls it for as long as the page lives.
        seen.forget();
    });
    on_cleanup(move || {
        watcher.with_value(|watcher| {
            if let Some(watcher) = watcher {
                watcher.disconnect();
            }
        });
    });
}
