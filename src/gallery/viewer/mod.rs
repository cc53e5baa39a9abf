//! The viewer: one photo large, the ones before and after it a key, a swipe or a
//! click away (their details and screen copies fetched ahead, so moving is
//! instant), what is known of it, and what can be done with it (download under
//! its own name, copy its link, open the original, delete). The same component is
//! the dialog over the grid (overlay.rs) and the photo's own page (page.rs), which
//! without JavaScript is plain links.

/// What is known of a photo, in words.
pub mod details;
/// The viewer over the grid, with the history entry and focus that go with it.
pub mod overlay;
/// `/photo/{name}`: a photo's own page.
pub mod page;
/// The photo itself: fitted, zoomed, panned, swiped.
pub mod stage;

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{delete_image, view_photo};
use crate::api::links;
use crate::api::{ImageInfo, PhotoView};
use crate::erased::Erase;
use details::Details;
use stage::{Stage, Zoom};

/// The id of the viewer's title (the photo's name), which names the dialog.
const TITLE_ID: &str = "viewer-title";

/// The photo shown, and the full views fetched so far (its own and those of the
/// photos around it), by name.
#[derive(Clone, Copy)]
struct Model {
    current: RwSignal<ImageInfo>,
    views: RwSignal<HashMap<String, PhotoView>>,
    /// Names being fetched, so each is asked for once.
    asked: StoredValue<HashSet<String>>,
}

impl Model {
    fn new(start: ImageInfo, known: Option<PhotoView>) -> Self {
        let mut views = HashMap::new();
        if let Some(view) = known {
            views.insert(start.name.clone(), view);
        }
        Model {
            current: RwSignal::new(start),
            views: RwSignal::new(views),
            asked: StoredValue::new(HashSet::new()),
        }
    }

    /// The full view of the photo shown, once it is known.
    fn view(&self) -> Option<PhotoView> {
        let name = self.current.with(|current| current.name.clone());
        self.views.with(|views| views.get(&name).cloned())
    }

    /// The photo shown, as fully as it is known.
    fn photo(&self) -> ImageInfo {
        self.view()
            .map(|view| view.photo)
            .unwrap_or_else(|| self.current.get())
    }

    /// Fetches the view of `name` unless it is known or on its way; `then` runs
    /// with it once it is there.
    fn fetch(self, name: String, then: impl FnOnce(PhotoView) + 'static) {
        if let Some(view) = self.views.with_untracked(|views| views.get(&name).cloned()) {
            return then(view);
        }
        if !self
            .asked
            .try_update_value(|asked| asked.insert(name.clone()))
            .unwrap_or(false)
        {
            return;
        }
        spawn_local(async move {
            let fetched = view_photo(name.clone()).await;
            self.asked.update_value(|asked| {
                asked.remove(&name);
            });
            if let Ok(view) = fetched {
                self.views.update(|views| {
                    views.insert(name, view.clone());
                });
                then(view);
            }
        });
    }

    /// Forgets every view: after a delete, the neighbours of those left change.
    fn forget_all(self) {
        self.views.update(HashMap::clear);
    }
}

/// The viewer's name as a part of the app kept in a chunk of its own: its root
/// element carries it (see `crate::parts`).
pub const PART: &str = "viewer";

/// What the viewer is given (see [`Viewer`]).
pub struct ViewerArgs {
    pub start: ImageInfo,
    pub known: Option<PhotoView>,
    pub can_delete: bool,
    pub close_href: String,
    pub on_close: Callback<String>,
    pub on_deleted: Callback<String>,
}

/// The viewer, in a WASM chunk of its own: a gallery page fetches it once it is
/// idle (or when a photo is opened first), a photo's own page at once (the server
/// names it in the page).
#[lazy]
pub fn viewer(props: ViewerArgs) -> AnyView {
    let ViewerArgs {
        start,
        known,
        can_delete,
        close_href,
        on_close,
        on_deleted,
    } = props;
    view! { <Viewer start known can_delete close_href on_close on_deleted/> }.erase()
}

/// The viewer, showing `start` first (`known`: its full view when the page has it).
#[component]
pub fn Viewer(
    start: ImageInfo,
    known: Option<PhotoView>,
    /// Whether the person may delete (the viewer then offers it).
    can_delete: bool,
    /// Where the close link goes without JavaScript.
    close_href: String,
    /// Closes the viewer (with JavaScript), told the name of the photo last shown.
    on_close: Callback<String>,
    /// A photo was deleted from the viewer.
    on_deleted: Callback<String>,
) -> impl IntoView {
    let model = Model::new(start, known);
    let zoom = Zoom::new();
    let info_open = RwSignal::new(false);
    let copied = RwSignal::new(None::<&'static str>);

    // The shown photo's view, then its neighbours' (fetched ahead: moving is instant).
    Effect::new(move |_| {
        let name = model.current.with(|current| current.name.clone());
        model.fetch(name, move |view| {
            for neighbour in [view.newer, view.older].into_iter().flatten() {
                model.fetch(neighbour.name, |_| {});
            }
        });
    });

    let newer = move || model.view().and_then(|view| view.newer);
    let older = move || model.view().and_then(|view| view.older);
    let go = move |target: Option<ImageInfo>| {
        let Some(target) = target else { return };
        zoom.reset();
        copied.set(None);
        replace_address(&links::photo(&target.name));
        model.current.set(target);
    };
    let close = move || on_close.run(model.current.with_untracked(|c| c.name.clone()));

    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let handled = match ev.key().as_str() {
            "ArrowLeft" => {
                go(newer());
                true
            }
            "ArrowRight" => {
                go(older());
                true
            }
            "Escape" => {
                close();
                true
            }
            "i" => {
                info_open.update(|open| *open = !*open);
                true
            }
            "+" | "=" => {
                zoom.step(true);
                true
            }
            "-" => {
                zoom.step(false);
                true
            }
            "0" => {
                zoom.reset();
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || keys.remove());

    let photo = Signal::derive(move || model.photo());
    let screens = Signal::derive(move || model.view().map(|view| view.screens).unwrap_or_default());
    let name = move || photo.with(|photo| photo.name.clone());
    let caption = move || photo.with(|photo| photo.display_name.clone());

    let on_gone = move |gone: String| {
        let next = older().or_else(newer);
        model.forget_all();
        on_deleted.run(gone);
        match next {
            Some(next) => go(Some(next)),
            None => close(),
        }
    };

    let go_to = Callback::new(move |image: ImageInfo| go(Some(image)));

    view! {
        <div class="viewer" data-testid="viewer" data-name=name data-part=PART>
            <Bar name=Signal::derive(name) caption=Signal::derive(caption) close_href can_delete copied
                on_close=Callback::new(move |()| close()) on_gone=Callback::new(on_gone)/>
            <Stage photo screens zoom on_swipe=Callback::new(move |to_older: bool| go(if to_older { older() } else { newer() })) on_dismiss=Callback::new(move |()| close())/>
            {move || newer().map(|newer| step_link(newer, false, go_to))}
            {move || older().map(|older| step_link(older, true, go_to))}
            <Details photo open=info_open/>
            // The neighbours' screen copies, fetched ahead and never shown here.
            <div class="viewer-ahead" aria-hidden="true">
                {move || [newer(), older()].into_iter().flatten().map(|neighbour| {
                    let screens = model.views.with(|views| views.get(&neighbour.name).map(|v| v.screens.clone())).unwrap_or_default();
                    view! { <img srcset=stage::srcset(&screens) sizes="100vw" alt=""/> }
                }).collect_view()}
            </div>
        </div>
    }
    .erase()
}

/// The link to the photo before (`to_older` false) or after the one shown.
fn step_link(image: ImageInfo, to_older: bool, go_to: Callback<ImageInfo>) -> AnyView {
    let (class, test_id, label, arrow) = if to_older {
        ("viewer-step older", "older-photo", "Next photo", "›")
    } else {
        ("viewer-step newer", "newer-photo", "Previous photo", "‹")
    };
    let label = format!("{label}: {}", image.display_name);
    view! {
        <a class=class href=links::photo(&image.name) data-testid=test_id aria-label=label
            on:click=move |ev| { ev.prevent_default(); go_to.run(image.clone()); }>
            <span aria-hidden="true">{arrow}</span>
        </a>
    }
    .erase()
}

/// The bar above the photo: close, its name, and what can be done with it.
#[component]
fn Bar(
    name: Signal<String>,
    caption: Signal<String>,
    close_href: String,
    can_delete: bool,
    /// What copying the link did, in words.
    copied: RwSignal<Option<&'static str>>,
    on_close: Callback<()>,
    on_gone: Callback<String>,
) -> impl IntoView {
    let copy_link = move |_| {
        let address = format!(
            "{}{}",
            window().location().origin().unwrap_or_default(),
            links::photo(&name.get_untracked())
        );
        let clipboard = window().navigator().clipboard();
        spawn_local(async move {
            let written =
                wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&address)).await;
            copied.set(Some(if written.is_ok() {
                "Link copied."
            } else {
                "The link could not be copied."
            }));
        });
    };

    view! {
        <header class="viewer-bar">
            <a class="viewer-close" href=close_href aria-label="Close" data-testid="viewer-close"
                on:click=move |ev| { ev.prevent_default(); on_close.run(()); }>
                <span aria-hidden="true">"×"</span>
            </a>
            <h1 class="viewer-title" id=TITLE_ID data-testid="viewer-title">{move || caption.get()}</h1>
            <nav class="viewer-actions" aria-label="Photo actions">
                <a href=move || links::download(&name.get()) download=move || caption.get() data-testid="download">"Download"</a>
                <a href=move || links::image(&name.get()) data-testid="original">"Original"</a>
                <button type="button" class="quiet needs-js" data-testid="copy-link" on:click=copy_link>"Copy link"</button>
                {can_delete.then(|| view! { <DeleteInViewer name caption on_gone/> })}
            </nav>
            <p class="viewer-said" aria-live="polite">{move || copied.get()}</p>
        </header>
    }
    .erase()
}

/// Delete, with a question first; then the viewer moves on (`on_gone`).
#[component]
fn DeleteInViewer(
    name: Signal<String>,
    caption: Signal<String>,
    on_gone: Callback<String>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let confirm = move |_| {
        busy.set(true);
        let target = name.get_untracked();
        spawn_local(async move {
            match delete_image(target.clone()).await {
                Ok(()) => {
                    asking.set(false);
                    failed.set(None);
                    on_gone.run(target);
                }
                Err(error) => failed.set(Some(error.message)),
            }
            busy.set(false);
        });
    };
    view! {
        // Without JavaScript, a page of its own asks first.
        <a class="no-js-only" href=move || links::delete_page(&name.get())>"Delete"</a>
        <span class="needs-js viewer-delete">
            <Show when=move || asking.get() fallback=move || view! {
                <button type="button" class="quiet" data-testid="viewer-delete" on:click=move |_| asking.set(true)>"Delete"</button>
            }>
                <span class="confirm" role="group" aria-label="Confirm delete">
                    <span>"Delete " <q>{caption}</q> "?"</span>
                    <button type="button" class="danger" data-testid="viewer-confirm-delete" disabled=move || busy.get() on:click=confirm>"Delete"</button>
                    <button type="button" class="quiet" on:click=move |_| asking.set(false)>"Keep"</button>
                </span>
            </Show>
            {move || failed.get().map(|message| view! { <span class="error" role="alert">{message}</span> })}
        </span>
    }
    .erase()
}

/// Shows `address` as the page's without a new history entry (moving between
/// photos: the back button still leaves the viewer).
fn replace_address(address: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(address));
    }
}
