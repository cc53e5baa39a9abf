//! The page shell and the router. The gallery with its upload widget is served at
//! `/` and, for users of the classic Flask guide, at `/upload`; `/signin` signs in.
//! The shell sends the page's Content-Security-Policy, with this response's nonce.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_query_map;
use leptos_router::{SsrMode, StaticSegment};

use crate::api::links::{self, keys, Flash};
use crate::api::{ImageInfo, Session};
use crate::auth::current_session;
use crate::gallery::{gallery_page, DeleteConfirmPage, GalleryGrid};
use crate::upload::UploadWidget;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::headers::page_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/bucket-gallery.css"/>
        <Title text="bucket-gallery"/>
        <Meta name="description" content="Drop photos into a bucket and browse them as a gallery."/>
        <Router>
            <Routes fallback=|| view! { <p class="banner error">"There is no page here."</p> }>
                // Async: the server sends the page once the gallery is loaded, so it
                // is complete without JavaScript (streamed parts need a script to show).
                <Route path=StaticSegment("") view=GalleryPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("upload") view=GalleryPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("signin") view=SignInPage/>
                <Route path=StaticSegment("delete") view=DeleteConfirmPage/>
            </Routes>
        </Router>
    }
}

/// The gallery page: what a form upload said, the upload widget, the grid.
#[component]
fn GalleryPage() -> impl IntoView {
    // Set only in the browser, once the WASM app runs: end-to-end tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let uploaded = RwSignal::new(Vec::<ImageInfo>::new());
    let query = use_query_map();
    let flash = move || Flash::read(|key| query.read().get(key));

    // What this viewer may do (the page offers only that) and the images. Both are
    // made here and read in one <Transition>: resources created inside a Suspense,
    // or read by two of them, can stall a server-rendered response.
    let session = Resource::new(|| (), |_| current_session());
    let page = gallery_page();

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the gallery…"</p> }>
            {move || Suspend::new(async move {
                let session = session.await.unwrap_or_default();
                let page = page.await;
                view! {
                    <TopBar session/>
                    <main data-hydrated=move || hydrated.get().to_string()>
                        {move || flash().map(|flash| view! { <FlashBanner flash/> })}
                        {if session.can_upload {
                            view! {
                                <UploadWidget hydrated on_uploaded=move |image: ImageInfo| uploaded.update(|all| all.insert(0, image))/>
                            }.into_any()
                        } else {
                            view! {
                                <p class="signin-prompt" data-testid="signin-prompt">
                                    <a href=links::SIGN_IN>"Sign in"</a>" to upload images."
                                </p>
                            }.into_any()
                        }}
                        <GalleryGrid page uploaded can_delete=session.can_delete/>
                    </main>
                }
            })}
        </Transition>
    }
    .into_any()
}

/// What a plain form post did, in one line.
#[component]
fn FlashBanner(flash: Flash) -> impl IntoView {
    match flash {
        Flash::Error(message) => view! {
            <p class="banner error" role="alert" data-testid="form-error">{message}</p>
        }
        .into_any(),
        Flash::Deleted => view! {
            <p class="banner ok" role="status">"The image was deleted."</p>
        }
        .into_any(),
        Flash::Uploaded(count) => view! {
            <p class="banner ok" role="status">
                {if count == 1 { "1 image uploaded.".to_owned() } else { format!("{count} images uploaded.") }}
            </p>
        }
        .into_any(),
    }
}

/// The title, and signing in or out.
#[component]
fn TopBar(session: Session) -> impl IntoView {
    view! {
        <header class="top">
            <h1><a href=links::GALLERY>"bucket-gallery"</a></h1>
            {if session.signed_in {
                view! {
                    <form method="post" action=links::SIGN_OUT class="signout">
                        <button type="submit" class="quiet" data-testid="sign-out">"Sign out"</button>
                    </form>
                }.into_any()
            } else {
                view! { <a href=links::SIGN_IN class="signin-link" data-testid="sign-in">"Sign in"</a> }.into_any()
            }}
        </header>
    }
    .into_any()
}

/// Signing in with the admin token: a plain form, which works without JavaScript.
#[component]
fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get(keys::ERROR);
    let next = move || {
        query
            .read()
            .get(keys::NEXT)
            .unwrap_or_else(|| links::GALLERY.into())
    };
    view! {
        <header class="top">
            <h1><a href=links::GALLERY>"bucket-gallery"</a></h1>
        </header>
        <main class="signin">
            <h2>"Sign in"</h2>
            {move || error().map(|message| view! {
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
    .into_any()
}
