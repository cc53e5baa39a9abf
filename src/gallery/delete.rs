//! Deleting from the page: the tile's delete button with its question (needs
//! JavaScript), and for a browser without it, a page that asks first.

use std::collections::HashSet;

use leptos::prelude::*;

use super::delete_image;
use crate::address;
use crate::api::links::{self, keys};
use crate::erased::Erase;

/// The delete page's name as a part of the app kept in a chunk of its own (see
/// `crate::parts`).
pub const PAGE_PART: &str = "delete-page";

/// The delete page, whose code is a WASM chunk of its own.
#[lazy]
pub fn delete_page() -> AnyView {
    view! { <DeleteConfirmPage/> }.erase()
}

/// `/delete?name=...`: the question before a delete, for a browser without
/// JavaScript. The form posts to the delete server function, which comes back to
/// the gallery.
#[component]
pub fn DeleteConfirmPage() -> impl IntoView {
    let name = address::query(keys::NAME).unwrap_or_default();
    let caption = name.rsplit('/').next().unwrap_or_default().to_owned();
    let image_url = links::image(&name);
    view! {
        <main class="confirm-delete" data-part=PAGE_PART>
            <h2>"Delete " <q>{caption}</q> "?"</h2>
            <img src=image_url alt=name.clone() class="confirm-preview"/>
            <p>"It is removed from the bucket for good."</p>
            <form method="post" action=links::api::DELETE>
                <input type="hidden" name="name" value=name/>
                <button type="submit" class="danger">"Delete"</button>
                " "
                <a href=links::GALLERY>"Keep it"</a>
            </form>
        </main>
    }
    .erase()
}

/// Delete, then a question before anything is removed; the tile leaves the grid
/// once the bucket has let the image go. Needs JavaScript (hidden until then).
#[component]
pub fn DeleteControl(
    name: String,
    caption: String,
    deleted: RwSignal<HashSet<String>>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = StoredValue::new(name);
    let confirm = move |_| {
        busy.set(true);
        let target = name.get_value();
        leptos::task::spawn_local(async move {
            match delete_image(target.clone()).await {
                Ok(()) => deleted.update(|gone| {
                    gone.insert(target);
                }),
                Err(error) => {
                    failed.set(Some(error.message));
                    busy.set(false);
                    asking.set(false);
                }
            }
        });
    };
    view! {
        <div class="delete needs-js">
            <Show when=move || asking.get() fallback=move || view! {
                <button type="button" class="quiet" data-testid="delete" on:click=move |_| asking.set(true)>
                    "Delete"
                </button>
            }>
                <p class="confirm" role="group" aria-label="Confirm delete">
                    <span>"Delete " <q>{caption.clone()}</q> "?"</span>
                    <button type="button" class="danger" data-testid="confirm-delete" disabled=move || busy.get() on:click=confirm>
                        "Delete"
                    </button>
                    <button type="button" class="quiet" data-testid="cancel-delete" on:click=move |_| asking.set(false)>
                        "Keep"
                    </button>
                </p>
            </Show>
            {move || failed.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        </div>
    }
    .erase()
}
