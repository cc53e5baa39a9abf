//! What is known of a photo, in words: its name, its size in pixels and bytes, its
//! type, when it was uploaded and taken, and by which camera (never where: the
//! gallery strips location on upload and never shows it). A `<details>` element:
//! it opens without JavaScript too; the `i` key toggles it.

use leptos::prelude::*;

use crate::api::ImageInfo;
use crate::erased::Erase;
use crate::sizes::human_bytes;

#[component]
pub fn Details(photo: Signal<ImageInfo>, open: RwSignal<bool>) -> impl IntoView {
    let facts = move || {
        let photo = photo.get();
        let mut rows = vec![
            ("Name", photo.display_name.clone()),
            ("File size", human_bytes(photo.size)),
            ("Type", photo.content_type.clone()),
            ("Uploaded", readable_time(&photo.uploaded_at)),
        ];
        if let Some(facts) = &photo.photo {
            if facts.width > 0 && facts.height > 0 {
                rows.insert(
                    1,
                    (
                        "Dimensions",
                        format!("{} × {} pixels", facts.width, facts.height),
                    ),
                );
            }
            if let Some(taken) = &facts.taken_at {
                rows.push(("Taken", readable_time(taken)));
            }
            if let Some(camera) = &facts.camera {
                rows.push(("Camera", camera.clone()));
            }
        }
        rows.into_iter()
            .map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> })
            .collect_view()
    };
    let on_toggle = move |ev: web_sys::Event| {
        let now = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        if now != open.get_untracked() {
            open.set(now);
        }
    };
    view! {
        <details class="viewer-info" data-testid="viewer-info" prop:open=move || open.get() on:toggle=on_toggle>
            <summary>"Info"</summary>
            <dl>{facts}</dl>
        </details>
    }
    .erase()
}

/// `2026-12-03T08:21:09.123Z` as `2026-12-03 08:21 UTC`; a camera's local
/// `2024-05-01T12:00:00` as `2024-05-01 12:00`. Anything else as it is.
fn readable_time(time: &str) -> String {
    let Some((date, clock)) = time.split_once('T') else {
        return time.to_owned();
    };
    let minutes: String = clock.chars().take(5).collect();
    let zone = if time.ends_with('Z') || time.ends_with("+00:00") {
        " UTC"
    } else {
        ""
    };
    format!("{date} {minutes}{zone}")
}

#[cfg(test)]
mod tests {
    use super::readable_time;

    #[test]
    fn times_read_as_people_write_them() {
        assert_eq!(
            readable_time("2026-12-03T08:21:09.123Z"),
            "2026-12-03 08:21 UTC"
        );
        assert_eq!(readable_time("2024-05-01T12:00:00"), "2024-05-01 12:00");
        assert_eq!(readable_time("yesterday"), "yesterday");
    }
}
