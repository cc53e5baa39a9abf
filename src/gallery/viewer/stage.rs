//! The photo itself, fitted to the screen in its own shape: its placeholder and the
//! grid's thumbnail (already loaded) under the screen-sized copy, so nothing flashes
//! blank while it arrives. Zoom by double-click or double-tap, pinch, the wheel or
//! the keys, up to past the original's pixels (the original is loaded then); pan
//! while zoomed; swipe sideways for the next photo and down to close. Everything
//! moves by transforms: nothing re-flows while a finger moves.

use leptos::prelude::*;

use crate::api::{links, ImageInfo, Thumbnail};
use crate::erased::Erase;

/// How far a finger must travel, in CSS pixels, for a swipe.
const SWIPE: f64 = 60.0;
/// Two taps this close in time (ms) and place (px) are a double tap.
const DOUBLE_TAP_MS: f64 = 300.0;
const TAP_SLOP: f64 = 12.0;
/// The zoom a key or a double tap of a photo no larger than the screen gives.
const STEP: f64 = 1.5;
const LEAST_DOUBLE_TAP: f64 = 2.0;

/// The zoom and pan of the photo (a scale, and an offset from the centre in CSS
/// pixels), and a swipe in progress.
#[derive(Clone, Copy)]
pub struct Zoom {
    scale: RwSignal<f64>,
    offset: RwSignal<(f64, f64)>,
    swipe: RwSignal<(f64, f64)>,
    /// Once zoomed, the original is shown (and kept for this photo).
    original: RwSignal<bool>,
    /// The photo's and the stage's size at scale 1, read when a gesture begins.
    sizes: StoredValue<Sizes>,
}

#[derive(Clone, Copy, Default)]
struct Sizes {
    box_width: f64,
    box_height: f64,
    stage_width: f64,
    stage_height: f64,
    /// The original's width in pixels.
    pixels: f64,
}

impl Sizes {
    /// The most the photo may be enlarged: twice its own pixels, at least 4×.
    fn limit(&self) -> f64 {
        (2.0 * self.native()).max(4.0)
    }

    /// The scale at which one pixel of the original is one CSS pixel.
    fn native(&self) -> f64 {
        if self.box_width > 0.0 && self.pixels > 0.0 {
            self.pixels / self.box_width
        } else {
            1.0
        }
    }
}

impl Zoom {
    pub fn new() -> Self {
        Zoom {
            scale: RwSignal::new(1.0),
            offset: RwSignal::new((0.0, 0.0)),
            swipe: RwSignal::new((0.0, 0.0)),
            original: RwSignal::new(false),
            sizes: StoredValue::new(Sizes::default()),
        }
    }

    /// Back to the whole photo on the screen (and a new photo's original unloaded).
    pub fn reset(self) {
        self.scale.set(1.0);
        self.offset.set((0.0, 0.0));
        self.swipe.set((0.0, 0.0));
        self.original.set(false);
    }

    fn zoomed(self) -> bool {
        self.scale.get_untracked() > 1.01
    }

    /// One step in or out, about the centre (the `+` and `-` keys).
    pub fn step(self, closer: bool) {
        let factor = if closer { STEP } else { 1.0 / STEP };
        self.zoom_to(self.scale.get_untracked() * factor, (0.0, 0.0));
    }

    /// To `scale`, keeping the point `at` (from the stage's centre) where it is.
    fn zoom_to(self, scale: f64, at: (f64, f64)) {
        let sizes = self.sizes.get_value();
        let before = self.scale.get_untracked();
        let scale = scale.clamp(1.0, sizes.limit());
        let (x, y) = self.offset.get_untracked();
        let keep = |point: f64, offset: f64| point - scale * (point - offset) / before;
        self.scale.set(scale);
        self.pan_to((keep(at.0, x), keep(at.1, y)));
        if scale > 1.01 {
            self.original.set(true);
        }
    }

    /// Pans, never so far that the photo leaves an edge of the stage bare that it
    /// could cover.
    fn pan_to(self, (x, y): (f64, f64)) {
        let sizes = self.sizes.get_value();
        let scale = self.scale.get_untracked();
        let room = |photo: f64, stage: f64| ((photo * scale - stage) / 2.0).max(0.0);
        let (rx, ry) = (
            room(sizes.box_width, sizes.stage_width),
            room(sizes.box_height, sizes.stage_height),
        );
        self.offset.set((x.clamp(-rx, rx), y.clamp(-ry, ry)));
    }

    fn transform(self) -> String {
        let (x, y) = self.offset.get();
        let (sx, sy) = self.swipe.get();
        format!(
            "translate({}px, {}px) scale({})",
            x + sx,
            y + sy,
            self.scale.get()
        )
    }
}

impl Default for Zoom {
    fn default() -> Self {
        Zoom::new()
    }
}

/// What the pointers on the stage are doing.
#[derive(Clone, Default)]
struct Gesture {
    /// Each pointer down: its id and where it is (from the stage's centre).
    pointers: Vec<(i32, (f64, f64))>,
    /// Where the gesture began and the zoom then.
    began: Option<Began>,
    /// The last tap: when and where.
    last_tap: Option<(f64, (f64, f64))>,
}

#[derive(Clone, Copy)]
struct Began {
    at: (f64, f64),
    time: f64,
    offset: (f64, f64),
    scale: f64,
    /// Two fingers: how far apart they were.
    spread: Option<f64>,
    /// Whether any finger moved further than a tap.
    moved: bool,
}

/// The `srcset` of copies (`url 1280w, ...`).
pub fn srcset(copies: &[Thumbnail]) -> String {
    copies
        .iter()
        .map(|copy| format!("{} {}w", copy.url, copy.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The photo on the stage. `on_swipe` is told `true` for the older photo (a swipe
/// to the left), `on_dismiss` a swipe down.
#[component]
pub fn Stage(
    photo: Signal<ImageInfo>,
    screens: Signal<Vec<Thumbnail>>,
    zoom: Zoom,
    on_swipe: Callback<bool>,
    on_dismiss: Callback<()>,
) -> impl IntoView {
    let stage = NodeRef::<leptos::html::Div>::new();
    let frame = NodeRef::<leptos::html::Div>::new();
    let gesture = StoredValue::new(Gesture::default());
    let shape = move || {
        photo.with(|photo| {
            photo
                .photo
                .as_ref()
                .filter(|facts| facts.width > 0 && facts.height > 0)
                .map(|facts| (facts.width, facts.height))
        })
    };

    // Where a pointer is, from the stage's centre; and the sizes at scale 1.
    let locate = move |ev: &web_sys::PointerEvent| -> (f64, f64) {
        let Some(stage) = stage.get_untracked() else {
            return (0.0, 0.0);
        };
        let rect = stage.get_bounding_client_rect();
        (
            f64::from(ev.client_x()) - rect.left() - rect.width() / 2.0,
            f64::from(ev.client_y()) - rect.top() - rect.height() / 2.0,
        )
    };
    let measure = move || {
        let (Some(stage), Some(frame)) = (stage.get_untracked(), frame.get_untracked()) else {
            return;
        };
        let pixels = shape().map_or(0.0, |(width, _)| f64::from(width));
        zoom.sizes.set_value(Sizes {
            box_width: f64::from(frame.offset_width()),
            box_height: f64::from(frame.offset_height()),
            stage_width: f64::from(stage.client_width()),
            stage_height: f64::from(stage.client_height()),
            pixels,
        });
    };
    let begin = move |gesture: &mut Gesture, now: f64| {
        let at = match gesture.pointers.as_slice() {
            [(_, a)] => *a,
            [(_, a), (_, b), ..] => ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0),
            [] => return,
        };
        let spread = match gesture.pointers.as_slice() {
            [(_, a), (_, b), ..] => Some(distance(*a, *b)),
            _ => None,
        };
        let moved = gesture.began.is_some_and(|began| began.moved) || spread.is_some();
        gesture.began = Some(Began {
            at,
            time: now,
            offset: zoom.offset.get_untracked(),
            scale: zoom.scale.get_untracked(),
            spread,
            moved,
        });
    };

    let on_down = move |ev: web_sys::PointerEvent| {
        if ev.pointer_type() == "mouse" && ev.button() != 0 {
            return;
        }
        measure();
        let at = locate(&ev);
        if let Some(stage) = stage.get_untracked() {
            let _ = stage.set_pointer_capture(ev.pointer_id());
        }
        gesture.update_value(|gesture| {
            gesture.pointers.retain(|(id, _)| *id != ev.pointer_id());
            gesture.pointers.push((ev.pointer_id(), at));
            begin(gesture, js_sys::Date::now());
        });
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let at = locate(&ev);
        gesture.update_value(|gesture| {
            let Some(pointer) = gesture
                .pointers
                .iter_mut()
                .find(|(id, _)| *id == ev.pointer_id())
            else {
                return;
            };
            pointer.1 = at;
            let Some(began) = gesture.began.as_mut() else {
                return;
            };
            match gesture.pointers.as_slice() {
                [(_, a), (_, b), ..] => {
                    // Pinch: the scale follows the spread, about the fingers' middle.
                    let middle = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
                    let spread = distance(*a, *b);
                    if let Some(start) = began.spread.filter(|s| *s > 0.0) {
                        zoom.scale.set(began.scale);
                        zoom.offset.set(began.offset);
                        zoom.zoom_to(began.scale * spread / start, began.at);
                        let (x, y) = zoom.offset.get_untracked();
                        zoom.pan_to((x + middle.0 - began.at.0, y + middle.1 - began.at.1));
                    }
                }
                [(_, a)] => {
                    let (dx, dy) = (a.0 - began.at.0, a.1 - began.at.1);
                    if dx.hypot(dy) > TAP_SLOP {
                        began.moved = true;
                    }
                    if began.scale > 1.01 {
                        zoom.pan_to((began.offset.0 + dx, began.offset.1 + dy));
                    } else if began.moved {
                        // A swipe: the photo follows the finger, down only or sideways.
                        zoom.swipe
                            .set(if dy > dx.abs() { (0.0, dy) } else { (dx, 0.0) });
                    }
                }
                [] => {}
            }
        });
    };
    let on_up = move |ev: web_sys::PointerEvent| {
        let now = js_sys::Date::now();
        let at = locate(&ev);
        let mut swiped = None;
        let mut double_tap = None;
        gesture.update_value(|gesture| {
            let was_one = gesture.pointers.len() == 1;
            gesture.pointers.retain(|(id, _)| *id != ev.pointer_id());
            let Some(began) = gesture.began else { return };
            if was_one && ev.type_() == "pointerup" {
                let (dx, dy) = (at.0 - began.at.0, at.1 - began.at.1);
                if !began.moved && now - began.time < DOUBLE_TAP_MS {
                    let twice = gesture.last_tap.is_some_and(|(time, place)| {
                        now - time < DOUBLE_TAP_MS && distance(place, at) < 2.0 * TAP_SLOP
                    });
                    if twice {
                        gesture.last_tap = None;
                        double_tap = Some(at);
                    } else {
                        gesture.last_tap = Some((now, at));
                    }
                } else if began.scale <= 1.01 && began.moved {
                    if dx.abs() > SWIPE && dx.abs() > dy.abs() {
                        swiped = Some(Swiped::Sideways(dx < 0.0));
                    } else if dy > SWIPE && dy > dx.abs() {
                        swiped = Some(Swiped::Down);
                    }
                }
            }
            // A finger left a pinch: the other one pans on from here.
            gesture.began = None;
            begin(gesture, now);
        });
        zoom.swipe.set((0.0, 0.0));
        if zoom.scale.get_untracked() < 1.01 {
            zoom.scale.set(1.0);
            zoom.offset.set((0.0, 0.0));
        }
        if let Some(at) = double_tap {
            if zoom.zoomed() {
                zoom.scale.set(1.0);
                zoom.offset.set((0.0, 0.0));
            } else {
                let native = zoom.sizes.get_value().native();
                zoom.zoom_to(native.max(LEAST_DOUBLE_TAP), at);
            }
        }
        match swiped {
            Some(Swiped::Sideways(to_older)) => on_swipe.run(to_older),
            Some(Swiped::Down) => on_dismiss.run(()),
            None => {}
        }
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        measure();
        let Some(stage) = stage.get_untracked() else {
            return;
        };
        let rect = stage.get_bounding_client_rect();
        let at = (
            f64::from(ev.client_x()) - rect.left() - rect.width() / 2.0,
            f64::from(ev.client_y()) - rect.top() - rect.height() / 2.0,
        );
        let factor = (-ev.delta_y() / 300.0).exp();
        zoom.zoom_to(zoom.scale.get_untracked() * factor, at);
    };

    let style = move || {
        let shape = match shape() {
            Some((width, height)) => format!("--w:{width};--h:{height};"),
            None => String::new(),
        };
        format!("{shape}transform:{}", zoom.transform())
    };
    let sizes = move || match shape() {
        // As wide as the screen, unless the screen is wider than the photo's shape.
        Some((width, height)) => {
            format!("(min-aspect-ratio: {width}/{height}) calc(100vh * {width} / {height}), 100vw")
        }
        None => "100vw".to_owned(),
    };
    let layers = move || {
        let photo = photo.get();
        let original = links::image(&photo.name);
        let alt = photo.display_name.clone();
        let facts = photo.photo.clone();
        let still = facts
            .as_ref()
            .is_some_and(|facts| !facts.animated && !facts.thumbnails.is_empty());
        let under = facts.as_ref().filter(|facts| !facts.thumbnails.is_empty()).map(|facts| {
            let backdrop = format!("background-image:url({})", facts.placeholder);
            view! { <img class="under" srcset=photo.srcset() sizes="100vw" style=backdrop alt="" aria-hidden="true"/> }
        });
        let screens = screens.get();
        let shown = if still && !screens.is_empty() {
            let first = screens
                .first()
                .map(|copy| copy.url.clone())
                .unwrap_or_default();
            view! { <img class="screen" src=first srcset=srcset(&screens) sizes=sizes() alt=alt data-testid="viewer-photo"/> }.erase()
        } else if still {
            // The screen copies are not known yet: the largest thumbnail meanwhile.
            view! { <img class="screen" srcset=photo.srcset() sizes="100vw" alt=alt data-testid="viewer-photo"/> }.erase()
        } else {
            // Animated, or no copies: the original itself (it moves).
            view! { <img class="screen" src=original.clone() alt=alt data-testid="viewer-photo"/> }
                .erase()
        };
        let full = move || {
            (still && zoom.original.get()).then(|| {
                view! { <img class="full" src=original.clone() alt="" aria-hidden="true" data-testid="viewer-original"/> }
            })
        };
        view! { {under} {shown} {full} }
    };
    view! {
        <div class="stage" node_ref=stage
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
            on:wheel=on_wheel>
            <div class="photo-frame" node_ref=frame style=style class:unknown-shape=move || shape().is_none()
                class:moving=move || zoom.swipe.get() != (0.0, 0.0)
                data-testid="viewer-frame"
                data-scale=move || format!("{:.2}", zoom.scale.get())>
                {layers}
            </div>
        </div>
    }
    .erase()
}

enum Swiped {
    /// Sideways: `true` towards the older photo (the finger went left).
    Sideways(bool),
    Down,
}

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}
