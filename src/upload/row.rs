//! One file's row in the upload list: its small preview (drawn by the browser, or,
//! for a photo the browser cannot decode such as an iPhone's HEIC, a neutral
//! square until the server's own thumbnail replaces it once stored), name and size, its
//! progress, where it is in words (or why it failed), and what can be done with
//! it now: cancel while it waits or is sent, retry once it failed or was cancelled.

use leptos::prelude::*;

use super::pending::Upload;
use super::queue::State;
use crate::api::links;
use crate::erased::Erase;
use crate::sizes::human_bytes;

#[component]
pub fn UploadRow(
    upload: Upload,
    on_cancel: Callback<u64>,
    on_retry: Callback<u64>,
    /// Whether the browser is offline (waiting rows say so).
    online: RwSignal<bool>,
) -> impl IntoView {
    let state = upload.state;
    let id = upload.id;
    let name = upload.name.clone();
    let size = upload.size;
    let data_state = move || match state.get() {
        State::Checking => "checking",
        State::Queued => "waiting",
        State::Sending { .. } => "sending",
        State::Waiting { .. } => "retrying",
        State::Done(_) => "done",
        State::Failed(_) => "failed",
        State::Cancelled => "cancelled",
    };
    let fraction = move || match state.get() {
        State::Sending { sent, total } if total > 0.0 => sent / total,
        State::Done(_) => 1.0,
        _ => 0.0,
    };
    let status = move || match state.get() {
        State::Checking => "Checking…".to_owned(),
        State::Queued if !online.get() => "Waiting for the network…".to_owned(),
        State::Queued => "Waiting…".to_owned(),
        State::Sending { .. } => format!("Uploading… {}%", (fraction() * 100.0).round() as u32),
        State::Waiting { reason, .. } => format!("{reason}: trying again…"),
        State::Done(image) if image.already_in_gallery => "Already in the gallery, as ".to_owned(),
        State::Done(_) => "Uploaded".to_owned(),
        State::Failed(reason) => reason,
        State::Cancelled => "Cancelled".to_owned(),
    };
    let can_cancel = move || state.with(State::is_busy);
    let can_retry =
        move || state.with(|state| matches!(state, State::Failed(_) | State::Cancelled));
    let drawn = upload.drawn;
    // The server's thumbnail, for a stored photo the browser drew no preview of.
    let server_preview = move || match state.get() {
        State::Done(image) if !drawn.get() => image
            .photo
            .and_then(|photo| photo.thumbnails.into_iter().next())
            .map(|thumbnail| thumbnail.url),
        _ => None,
    };
    let label = name.clone();
    let cancel_label = format!("Cancel {name}");
    let retry_label = format!("Retry {name}");
    view! {
        <li class="upload" data-testid="upload-item" data-file=name.clone() data-state=data_state>
            <canvas class="preview" data-testid="upload-preview" node_ref=upload.canvas
                data-drawn=move || drawn.get().to_string() aria-hidden="true"
                hidden=move || server_preview().is_some()></canvas>
            {move || server_preview().map(|src| view! {
                <img class="preview" src=src alt="" data-testid="upload-server-preview"/>
            })}
            <div class="upload-body">
                <span class="upload-name">{name.clone()} <span class="muted">" · " {human_bytes(size as u64)}</span></span>
                <progress max="1" value=fraction aria-label=format!("Upload of {label}") data-testid="upload-progress"></progress>
                <span class="upload-status" role=move || (data_state() == "failed").then_some("alert")>
                    {status}
                    // A duplicate is no error: the photo that has its bytes, to open.
                    {move || match state.get() {
                        State::Done(image) if image.already_in_gallery => Some(view! {
                            <a href=links::photo(&image.name) data-testid="already-link">{image.display_name.clone()}</a>
                        }),
                        _ => None,
                    }}
                </span>
            </div>
            <div class="upload-actions">
                <Show when=can_cancel>
                    <button type="button" class="quiet" data-testid="upload-cancel"
                        aria-label=cancel_label.clone() on:click=move |_| on_cancel.run(id)>"Cancel"</button>
                </Show>
                <Show when=can_retry>
                    <button type="button" class="quiet" data-testid="upload-retry"
                        aria-label=retry_label.clone() on:click=move |_| on_retry.run(id)>"Retry"</button>
                </Show>
            </div>
        </li>
    }
    .erase()
}
