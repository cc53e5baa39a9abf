//! The grid: the photos of one page of the bucket, newest first, with those just
//! uploaded from this page on top, a way to older ones, and why the bucket cannot
//! be used when it cannot.

use std::collections::HashSet;

use leptos::prelude::*;

use super::delete::DeleteControl;
use super::first_screen::likely_largest;
use super::more::{load_while_near, Older};
use super::viewer::overlay::{Opener, ViewerOverlay};
use crate::address;
use crate::api::links::{self, keys};
use crate::api::{ApiError, ErrorCode, ImageInfo, ImagePage};
use crate::erased::Erase;

/// The grid of images, newest first: those uploaded from this page, then the page
/// of the bucket the `cursor` query parameter names, then a link to older ones.
#[component]
pub fn GalleryGrid(
    /// The loaded page (see [`gallery_page`]).
    page: Result<ImagePage, ApiError>,
    /// Images uploaded since the page loaded, newest first.
    uploaded: RwSignal<Vec<ImageInfo>>,
    /// Whether the viewer may delete (the tiles then offer it).
    can_delete: bool,
) -> impl IntoView {
    let on_first_page = address::query(keys::CURSOR)
        .filter(|c| !c.is_empty())
        .is_none();
    let content = match page {
        Ok(page) => view! {
            {page.bucket_problem.clone().map(|reason| view! { <BucketDown reason stale=true/> })}
            {page.catching_up.map(|found| view! { <CatchingUp found/> })}
            <Grid page uploaded on_first_page can_delete/>
        }
        .erase(),
        Err(error) if error.code == ErrorCode::StorageUnavailable => view! {
            <BucketDown reason=error.message stale=false/>
        }
        .erase(),
        Err(error) => view! {
            <p class="banner error" role="alert">"The gallery could not be loaded: " {error.message}</p>
        }
        .erase(),
    };
    view! { <section class="gallery" aria-label="Gallery">{content}</section> }.erase()
}

/// The bucket cannot be used: why, and what still works.
#[component]
fn BucketDown(reason: String, stale: bool) -> impl IntoView {
    let consequence = if stale {
        "The images below are those listed before; uploads fail until the bucket is back."
    } else {
        "Images and uploads return as soon as the bucket does: reload this page to try again."
    };
    view! {
        <div class="banner error" role="alert" data-testid="bucket-down">
            <strong>"The bucket cannot be used right now"</strong>
            <p>{reason}</p>
            <p>{consequence}</p>
        </div>
    }
    .erase()
}

/// The server is walking the bucket for the first time: the page shows what it
/// found so far.
#[component]
fn CatchingUp(found: u64) -> impl IntoView {
    view! {
        <div class="banner" role="status" data-testid="catching-up">
            <strong>"Catching up with the bucket"</strong>
            <p>
                "This server is looking through the bucket (" {found} " photos found so far). "
                "The newest photos may be missing below until it is done: reload in a moment."
            </p>
        </div>
    }
    .erase()
}

#[component]
fn Grid(
    page: ImagePage,
    uploaded: RwSignal<Vec<ImageInfo>>,
    on_first_page: bool,
    can_delete: bool,
) -> impl IntoView {
    let deleted = RwSignal::new(HashSet::<String>::new());
    let ImagePage {
        images,
        next_cursor,
        ..
    } = page;
    let listed = StoredValue::new(images);
    let older = Older::new(next_cursor);
    let opener = Opener::new();
    let marker = NodeRef::<leptos::html::Div>::new();
    load_while_near(marker, older);
    // The page's own photos (those uploaded from it first); pages loaded by
    // scrolling follow, each a grid of its own, so their arrival never re-flows
    // a row already on screen (the last row of a justified grid changes when
    // photos join it).
    let tiles = move || {
        let listed = listed.get_value();
        let mut tiles = if on_first_page {
            uploaded.get()
        } else {
            Vec::new()
        };
        let mut shown: HashSet<String> = tiles.iter().map(|i| i.name.clone()).collect();
        tiles.extend(
            listed
                .into_iter()
                .filter(|image| shown.insert(image.name.clone())),
        );
        let gone = deleted.read();
        tiles.retain(|image| !gone.contains(&image.name));
        tiles
    };
    let later_pages = move || {
        let gone = deleted.read();
        older
            .pages
            .get()
            .into_iter()
            .enumerate()
            .map(|(number, page)| {
                let page: Vec<ImageInfo> = page
                    .into_iter()
                    .filter(|image| !gone.contains(&image.name))
                    .collect();
                (number, page)
            })
            .collect::<Vec<_>>()
    };
    let is_empty = move || tiles().is_empty();

    view! {
        <Show when=move || !is_empty() fallback=move || view! {
            <p class="empty" data-testid="empty-gallery">
                {if on_first_page { "No images yet. Drop some anywhere on this page to start." } else { "No older images." }}
            </p>
        }>
            <ul class="grid" data-testid="gallery">
                <For
                    each=move || {
                        let tiles = tiles();
                        let shapes: Vec<_> = tiles.iter().map(shape).collect();
                        let largest = likely_largest(&shapes, FIRST_SCREEN);
                        tiles
                            .into_iter()
                            .enumerate()
                            .map(move |(place, image)| (place, largest.contains(&place), image))
                    }
                    key=|(_, _, image)| image.name.clone()
                    let:((place, largest, image))
                >
                    <Tile image can_delete deleted opener first_screen=place < FIRST_SCREEN largest/>
                </For>
            </ul>
            <For each=later_pages key=|(number, page)| (*number, page.len()) let:((_, page))>
                <ul class="grid">
                    {page
                        .into_iter()
                        .map(|image| view! { <Tile image can_delete deleted opener first_screen=false largest=false/> })
                        .collect_view()}
                </ul>
            </For>
        </Show>
        <ViewerOverlay opener can_delete deleted/>
        // Near the screen, this loads older photos by itself (see more.rs).
        // Also the end of the grid the page waits for before painting (app.rs).
        <div class="more-marker" id=links::GRID_END node_ref=marker aria-hidden="true"></div>
        {move || older.failed.get().map(|message| view! {
            <p class="banner error" role="alert">"Older images could not be loaded: " {message}</p>
        })}
        <nav class="pager" aria-busy=move || older.loading.get().to_string()>
            {(!on_first_page).then(|| view! { <a href=links::GALLERY>"Newest"</a> })}
            {move || older.next.get().map(|cursor| view! {
                <a href=links::gallery_from(&cursor) data-testid="older">"Older images"</a>
            })}
        </nav>
    }
    .erase()
}

/// The screens that get the phone's rows (style/main.css has the same).
const PHONE: &str = "(max-width: 600px)";
/// Row heights of the justified grid, in CSS pixels (style/main.css has the same):
/// phones, then wider screens. Each tile's `sizes` follows from them.
const ROW_HEIGHT_PHONE: u32 = 88;
const ROW_HEIGHT: u32 = 200;
/// Tiles grow to fill their row: usually by less than this much (a row of
/// 4:3 photos grows by a fifth at most); a tile that grows more gets a copy a
/// little soft rather than one twice too large.
const MOST_GROWTH: (u64, u64) = (5, 4);

/// About as many tiles as the first screen shows: their thumbnails load at once,
/// the likely largest first (the largest paint waits for it); the rest as they
/// scroll in.
const FIRST_SCREEN: usize = 12;

#[component]
fn Tile(
    image: ImageInfo,
    can_delete: bool,
    deleted: RwSignal<HashSet<String>>,
    /// Opens the viewer on the tile's photo.
    opener: Opener,
    /// Whether the tile is likely on the first screen.
    first_screen: bool,
    /// Whether it is likely the largest there (see first_screen.rs).
    largest: bool,
) -> impl IntoView {
    let loading = if first_screen { "eager" } else { "lazy" };
    let priority = if largest { "high" } else { "auto" };
    let srcset = image.srcset();
    let opened = image.clone();
    let ImageInfo {
        name,
        display_name,
        photo,
        ..
    } = image;
    let caption = display_name;
    let (link, title, data_name) = (links::photo(&name), caption.clone(), name.clone());
    let (width, height) = shape(&opened);
    let shape = format!("--w:{width};--h:{height}");
    // The widest a tile of this shape grows to in a row `row` high, in whole
    // pixels (whole-number arithmetic: float formatting would add to the WASM).
    let widest = |row: u32| {
        let (grow, by) = MOST_GROWTH;
        (u64::from(row) * u64::from(width) * grow).div_ceil(u64::from(height) * by)
    };
    // Phones of more than two device pixels to the CSS pixel get copies for two
    // (the width asked for is scaled by 2 / that ratio, in steps): at a phone's
    // distance no eye tells them apart, and the first screen weighs a third less
    // on the networks where bytes cost most.
    let phone = widest(ROW_HEIGHT_PHONE);
    let sizes = format!(
        "{PHONE} and (min-resolution: 3dppx) {}px, {PHONE} and (min-resolution: 2.5dppx) {}px, \
         {PHONE} {phone}px, {}px",
        (phone * 2).div_ceil(3),
        (phone * 4).div_ceil(5),
        widest(ROW_HEIGHT)
    );
    let picture = match &photo {
        Some(photo) if photo.thumbnails.is_empty() => view! {
            <span class="no-preview" title=photo.problem.clone().unwrap_or_default()>"No preview"</span>
        }
        .erase(),
        Some(photo) => {
            let src = photo.thumbnails.first().map(|t| t.url.clone()).unwrap_or_default();
            let backdrop = format!("background-image:url({})", photo.placeholder);
            view! {
                <img src=src srcset=srcset sizes=sizes width=width height=height alt=caption.clone()
                    style=backdrop loading=loading fetchpriority=priority decoding="async"/>
                {photo.animated.then(|| view! { <span class="badge" title="Animated">"GIF"</span> })}
            }
            .erase()
        }
        None => {
            let current = |edge: u32| links::derived("current", edge, &name);
            let srcset = links::THUMBNAIL_EDGES
                .iter()
                .map(|&edge| format!("{} {edge}w", current(edge)))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <img src=current(320) srcset=srcset sizes=sizes alt=caption.clone()
                    loading=loading decoding="async"/>
            }
            .erase()
        }
    };
    let delete = can_delete.then(|| {
        let confirm_page = links::delete_page(&name);
        // One line of the same height with or without the WASM app: nothing
        // moves when the page hydrates.
        view! {
            <div class="tile-actions">
                <DeleteControl name=name.clone() caption=caption.clone() deleted/>
                // Without JavaScript, a page of its own asks first.
                <a class="delete no-js-only" href=confirm_page data-testid="delete-page">"Delete"</a>
            </div>
        }
    });
    view! {
        <li class="tile" data-testid="gallery-item" data-name=data_name style=shape>
            // Opens the viewer over the grid; without JavaScript (or in a new tab)
            // the photo's own page.
            <a href=link title=title class="frame"
                on:click=move |ev| opener.open_on_click(&ev, &opened)>
                {picture}
            </a>
            <span class="caption">{caption}</span>
            {delete}
        </li>
    }
    .erase()
}

/// A photo's shape before any byte of it arrives: no layout shift. Without facts
/// yet, a square tile whose thumbnail is made on first request.
fn shape(image: &ImageInfo) -> (u32, u32) {
    image
        .photo
        .as_ref()
        .filter(|photo| photo.width > 0 && photo.height > 0)
        .map_or((1, 1), |photo| (photo.width, photo.height))
}
