//! The viewer over the grid: a tile opens it as a modal `<dialog>` (the rest of
//! the page inert, focus kept inside) and gives it a history entry at the photo's
//! address; the back button, Esc, a swipe down or the close button shut it, and
//! focus goes back to the tile of the photo last shown. A click that asks for
//! something else (a new tab, a modifier key) is left to the browser.

use std::collections::HashSet;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::{viewer, ViewerArgs};
use crate::api::{links, ImageInfo};

/// Opens the viewer from a tile; shared by the grid's tiles and the overlay.
#[derive(Clone, Copy)]
pub struct Opener {
    opened: RwSignal<Option<ImageInfo>>,
    /// The address the viewer was opened from (the grid's).
    from: StoredValue<String>,
    /// The photo last shown, whose tile gets the focus back.
    last: StoredValue<String>,
}

impl Opener {
    pub fn new() -> Self {
        Opener {
            opened: RwSignal::new(None),
            from: StoredValue::new(links::GALLERY.to_owned()),
            last: StoredValue::new(String::new()),
        }
    }

    /// For a click on a tile's link: opens the viewer on `image`, unless the
    /// click asks for something else.
    pub fn open_on_click(self, ev: &web_sys::MouseEvent, image: &ImageInfo) {
        if ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        ev.prevent_default();
        let location = window().location();
        let from = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        self.from.set_value(from);
        if let Ok(history) = window().history() {
            let _ =
                history.push_state_with_url(&JsValue::NULL, "", Some(&links::photo(&image.name)));
        }
        self.opened.set(Some(image.clone()));
    }

    /// The viewer is gone (its history entry left): focus to the tile last shown.
    fn finish(self) {
        if self.opened.get_untracked().is_none() {
            return;
        }
        // The photo shown last: the viewer names it on itself.
        if let Some(shown) = document()
            .query_selector(".viewer-dialog .viewer")
            .ok()
            .flatten()
            .and_then(|viewer| viewer.get_attribute("data-name"))
        {
            self.last.set_value(shown);
        }
        self.opened.set(None);
        let last = self.last.get_value();
        request_animation_frame(move || focus_tile(&last));
    }
}

impl Default for Opener {
    fn default() -> Self {
        Opener::new()
    }
}

/// The dialog, while a photo is open.
#[component]
pub fn ViewerOverlay(
    opener: Opener,
    can_delete: bool,
    /// Photos deleted from this page: the grid leaves them out.
    deleted: RwSignal<HashSet<String>>,
) -> impl IntoView {
    // Leaving the photo's history entry (back, or the close button) closes it.
    // Coming back to one once closed (forward) loads the photo's own page: this
    // page shows only the grid's address.
    let history = window_event_listener(leptos::ev::popstate, move |_| {
        let path = window().location().pathname().unwrap_or_default();
        if !path.starts_with(links::PHOTO_PREFIX) {
            opener.finish();
        } else if opener.opened.get_untracked().is_none() {
            let _ = window().location().reload();
        }
    });
    on_cleanup(move || history.remove());
    // The viewer's code, fetched while nothing else is (runs in the browser only).
    Effect::new(move |_| preload_when_idle());

    let close = Callback::new(move |last: String| {
        opener.last.set_value(last);
        // Back to the grid's entry; the popstate that follows closes the dialog.
        match window().history() {
            Ok(history) if history.back().is_ok() => {}
            _ => opener.finish(),
        }
    });
    let on_deleted = Callback::new(move |name: String| {
        deleted.update(|gone| {
            gone.insert(name);
        });
    });

    move || {
        opener.opened.get().map(|start| {
            let dialog = NodeRef::<leptos::html::Dialog>::new();
            Effect::new(move |_| {
                if let Some(dialog) = dialog.get() {
                    if !dialog.open() {
                        let _ = dialog.show_modal();
                    }
                }
            });
            opener.last.set_value(start.name.clone());
            let props = ViewerArgs {
                start,
                known: None,
                can_delete,
                close_href: opener.from.get_value(),
                on_close: close,
                on_deleted,
            };
            // The dialog opens once the viewer's code is here (fetched ahead
            // when the page is idle, so usually at once).
            Suspend::new(async move {
                let shown = viewer(props).await;
                view! {
                    // Named by the viewer's title: the name of the photo shown now.
                    <dialog class="viewer-dialog" node_ref=dialog aria-labelledby=super::TITLE_ID
                        // Esc: the viewer closes itself, through the history.
                        on:cancel=move |ev: web_sys::Event| ev.prevent_default()
                        on:keydown=keep_focus_inside>
                        {shown}
                    </dialog>
                }
            })
        })
    }
}

/// Fetches the viewer's code once the page has loaded (the first screen's
/// thumbnails are in: on a slow network the chunk must not hold them up) and the
/// browser has nothing else to do, so opening a photo does not wait for it.
fn preload_when_idle() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let when_idle = || {
        let fetch = Closure::once_into_js(|| {
            let _ = lazy_preload!(super::viewer);
        });
        if window()
            .request_idle_callback(fetch.unchecked_ref())
            .is_err()
        {
            let _ = window().set_timeout_with_callback(fetch.unchecked_ref());
        }
    };
    if document().ready_state() == "complete" {
        when_idle();
    } else {
        let loaded = Closure::once_into_js(when_idle);
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ = window().add_event_listener_with_callback_and_add_event_listener_options(
            "load",
            loaded.unchecked_ref(),
            &options,
        );
    }
}

/// Tab and Shift+Tab go round the dialog's controls, never out of it.
fn keep_focus_inside(ev: web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    if ev.key() != "Tab" {
        return;
    }
    let Some(dialog) = ev
        .current_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Ok(found) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        // Shown ones only (an element not rendered has no offset parent).
        .filter(|element| element.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let is = |element: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|active| active == element.unchecked_ref::<web_sys::Element>())
    };
    let inside = controls.iter().any(is);
    if ev.shift_key() && (is(first) || !inside) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && (is(last) || !inside) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// What Tab stops at inside the viewer.
const FOCUSABLE: &str = "a[href], button:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

/// Focuses the link of the tile showing `name`, if the grid has one.
fn focus_tile(name: &str) {
    use wasm_bindgen::JsCast;
    let Ok(tiles) = document().query_selector_all("li.tile") else {
        return;
    };
    for index in 0..tiles.length() {
        let Some(tile) = tiles
            .item(index)
            .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        if tile.get_attribute("data-name").as_deref() == Some(name) {
            if let Some(link) = tile
                .query_selector("a.frame")
                .ok()
                .flatten()
                .and_then(|link| link.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = link.focus();
            }
            return;
        }
    }
}
