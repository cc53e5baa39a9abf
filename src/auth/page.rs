//! The sign-in page: a plain form for the admin token, which works without
//! JavaScript; it says why the last attempt failed and goes back where it came from.

use leptos::prelude::*;

use crate::address;
use crate::api::links::{self, keys};
use crate::erased::Erase;

/// The sign-in page's name as a part of the app kept in a chunk of its own (see
/// `crate::parts`).
pub const PART: &str = "sign-in";

/// The sign-in page, whose code is a WASM chunk of its own.
#[lazy]
pub fn sign_in_page() -> AnyView {
    view! { <SignInPage/> }.erase()
}

/// Signing in with the admin token: a plain form, which works without JavaScript.
#[component]
pub fn SignInPage() -> impl IntoView {
    let error = address::query(keys::ERROR);
    let next = address::query(keys::NEXT).unwrap_or_else(|| links::GALLERY.into());
    view! {
        <header class="top">
            <h1><a href=links::GALLERY>"bucket-gallery"</a></h1>
        </header>
        <main class="signin" data-part=PART>
            <h2>"Sign in"</h2>
            {error.map(|message| view! {
                <p class="banner error" role="alert" data-testid="signin-error">{message}</p>
            })}
            <form method="post" action=links::SIGN_IN>
                <label for="token">"Admin token"</label>
                <input id="token" name=keys::TOKEN type="password" autocomplete="current-password" required/>
                <input type="hidden" name=keys::NEXT value=next/>
                <button type="submit">"Sign in"</button>
            </form>
            <p class="muted">
                "The token is the server's ADMIN_TOKEN setting; without one, the server prints a sign-in link when it starts."
            </p>
        </main>
    }
    .erase()
}
