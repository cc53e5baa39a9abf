//! The bar at the top of the gallery: the title, and signing in or out.

use leptos::prelude::*;

use crate::api::links;
use crate::api::Session;
use crate::erased::Erase;

/// The title, and signing in or out.
#[component]
pub fn TopBar(session: Session) -> impl IntoView {
    view! {
        <header class="top">
            <h1><a href=links::GALLERY>"bucket-gallery"</a></h1>
            {if session.signed_in {
                view! {
                    <form method="post" action=links::SIGN_OUT class="signout">
                        <button type="submit" class="quiet" data-testid="sign-out">"Sign out"</button>
                        <button
                            type="submit"
                            class="quiet"
                            formaction=links::SIGN_OUT_EVERYWHERE
                            title="Ends the sessions of every browser signed in to this gallery"
                            data-testid="sign-out-everywhere"
                        >"Sign out everywhere"</button>
                    </form>
                }.erase()
            } else {
                view! { <a href=links::SIGN_IN class="signin-link" data-testid="sign-in">"Sign in"</a> }.erase()
            }}
        </header>
    }
    .erase()
}
