//! The upload widget: a plain form that works without JavaScript, enhanced once the
//! page hydrates: drop files or whole folders anywhere on the page, paste, or pick
//! files or a folder; each file is checked before a byte is sent (queue.rs,
//! precheck.rs), gets a small preview (preview.rs) and a row with its progress,
//! cancel and retry (row.rs); a few are sent at a time, in order; failures of the
//! network or the server are retried by themselves, going offline pauses the queue
//! and coming back resumes it; an overall bar shows files, bytes and time left,
//! and closing the tab while files are still on their way asks first.

use std::collections::VecDeque;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::{File, FileList, HtmlInputElement};

use super::batch::BatchBar;
use super::folders;
use super::pending::Upload;
use super::precheck::{judge, Limits, HEAD_BYTES};
use super::preview;
use super::queue::{self, Sent, State, Totals, SENDS_AT_ONCE};
use super::row::UploadRow;
use super::transfer::Transfer;
use crate::api::links;
use crate::api::{ImageInfo, FILE_FIELD, SUPPORTED_TYPES};
use crate::erased::Erase;
use crate::sizes::human_bytes;

#[component]
pub fn UploadWidget(
    /// True once the WASM app runs: the plain form's button then steps aside.
    hydrated: RwSignal<bool>,
    /// The largest file the gallery takes (0: not known).
    max_file_bytes: u64,
    /// The most pixels an image may have (0: not known).
    max_pixels: u64,
    /// Called with each image the bucket has stored.
    #[prop(into)]
    on_uploaded: Callback<ImageInfo>,
) -> impl IntoView {
    let uploads = RwSignal::new(Vec::<Upload>::new());
    let next_id = StoredValue::new(0u64);
    let dragging = RwSignal::new(false);
    let online = RwSignal::new(true);
    let skipped = RwSignal::new(0usize);
    // When the batch began, and how many bytes were done then (for time left).
    let began = StoredValue::new((0.0f64, 0.0f64));
    let workers = StoredValue::new(0usize);
    let to_preview = StoredValue::new(VecDeque::<Upload>::new());
    let previewing = StoredValue::new(false);

    // A few workers send the files that are due, one request each, in order.
    let work = move || async move {
        loop {
            if !online.get_untracked() {
                break;
            }
            let now = js_sys::Date::now();
            let due = uploads.with_untracked(|all| {
                all.iter()
                    .find(|upload| upload.state.with_untracked(|state| state.is_due(now)))
                    .cloned()
            });
            let Some(upload) = due else {
                // Only retries later: look again shortly (new files may come too).
                let later = uploads.with_untracked(|all| {
                    all.iter().any(|upload| {
                        upload
                            .state
                            .with_untracked(|s| matches!(s, State::Waiting { .. }))
                    })
                });
                if later {
                    sleep(250).await;
                    continue;
                }
                break;
            };
            send(upload, online, on_uploaded).await;
        }
        workers.update_value(|count| *count -= 1);
    };
    let pump = move || {
        while workers.get_value() < SENDS_AT_ONCE
            && online.get_untracked()
            && uploads.with_untracked(|all| {
                all.iter().any(|upload| {
                    upload
                        .state
                        .with_untracked(|s| matches!(s, State::Queued | State::Waiting { .. }))
                })
            })
        {
            workers.update_value(|count| *count += 1);
            spawn_local(work());
        }
    };

    // Previews, one at a time in the order the files came.
    let draw_previews = move || {
        if previewing.get_value() {
            return;
        }
        previewing.set_value(true);
        spawn_local(async move {
            while let Some(upload) = to_preview.try_update_value(VecDeque::pop_front).flatten() {
                // The row is drawn by now (this runs after the list changed).
                sleep(0).await;
                if let Some(canvas) = upload.canvas.get_untracked() {
                    let drawn = preview::draw(&upload.file, &canvas).await;
                    upload.drawn.set(drawn);
                }
            }
            previewing.set_value(false);
        });
    };

    let add = move |files: Vec<File>| {
        if files.is_empty() {
            return;
        }
        let now = js_sys::Date::now();
        let busy = uploads
            .with_untracked(|all| all.iter().any(|u| u.state.with_untracked(State::is_busy)));
        if !busy {
            let done = uploads.with_untracked(|all| totals_of(all).bytes_done);
            began.set_value((now, done));
        }
        let mut added = Vec::with_capacity(files.len());
        for file in files {
            let id = next_id.get_value();
            next_id.set_value(id + 1);
            added.push(Upload {
                id,
                name: file.name(),
                size: file.size(),
                state: RwSignal::new(State::Checking),
                canvas: NodeRef::new(),
                drawn: RwSignal::new(false),
                file: SendWrapper::new(file),
                retries: StoredValue::new(0),
                cancelled: StoredValue::new(false),
                stopper: StoredValue::new(None),
            });
        }
        uploads.update(|all| all.extend(added.iter().cloned()));
        // Each checked before any byte is sent; sending begins as soon as one passes.
        spawn_local(async move {
            for upload in added {
                let head = upload.head(HEAD_BYTES).await;
                let limits = Limits {
                    largest_file: max_file_bytes,
                    most_pixels: max_pixels,
                };
                match judge(&upload.name, upload.size as u64, limits, &head) {
                    Ok(()) => {
                        if upload.state.get_untracked() == State::Checking {
                            upload.state.set(State::Queued);
                        }
                        to_preview.update_value(|queue| queue.push_back(upload.clone()));
                        draw_previews();
                        pump();
                    }
                    Err(reason) => upload.state.set(State::Failed(reason)),
                }
            }
        });
    };

    let cancel = Callback::new(move |id: u64| {
        let Some(upload) = find(uploads, id) else {
            return;
        };
        upload.cancelled.set_value(true);
        match upload.state.get_untracked() {
            State::Sending { .. } => upload.stopper.with_value(|stopper| {
                if let Some(request) = stopper {
                    let _ = request.abort();
                }
            }),
            state if state.is_busy() => upload.state.set(State::Cancelled),
            _ => {}
        }
    });
    let retry = Callback::new(move |id: u64| {
        if let Some(upload) = find(uploads, id) {
            again(&upload);
            pump();
        }
    });
    let retry_all = move |_| {
        uploads.with_untracked(|all| {
            for upload in all {
                if upload
                    .state
                    .with_untracked(|s| matches!(s, State::Failed(_)))
                {
                    again(upload);
                }
            }
        });
        pump();
    };
    let clear_finished = move |_| {
        uploads.update(|all| all.retain(|upload| !upload.state.with_untracked(State::is_finished)));
    };

    // Files and folders dropped anywhere on the page, or pasted, go the same way.
    let drag_over = window_event_listener(ev::dragover, move |event| {
        if carries_files(event.data_transfer()) {
            event.prevent_default();
            dragging.set(true);
        }
    });
    let drag_leave = window_event_listener(ev::dragleave, move |event| {
        if event.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(ev::drop, move |event| {
        dragging.set(false);
        let Some(data) = event.data_transfer() else {
            return;
        };
        if let Some(entries) = folders::entries_with_folders(&data) {
            event.prevent_default();
            spawn_local(async move {
                let files = folders::files_in(entries).await;
                add(folders::only_images(files, skipped));
            });
        } else if let Some(files) = data.files() {
            event.prevent_default();
            add(file_vec(&files));
        }
    });
    let paste = window_event_listener(ev::paste, move |event| {
        if let Some(files) = event.clipboard_data().and_then(|data| data.files()) {
            if files.length() > 0 {
                event.prevent_default();
                add(file_vec(&files));
            }
        }
    });
    // Offline, nothing is sent (a send under way comes back to wait); online again, on it goes.
    let offline = window_event_listener(ev::offline, move |_| online.set(false));
    let back_online = window_event_listener(ev::online, move |_| {
        online.set(true);
        pump();
    });
    // Closing the page while files are on their way asks first.
    let leaving = window_event_listener(ev::beforeunload, move |event| {
        if uploads.with_untracked(|all| all.iter().any(|u| u.state.with_untracked(State::is_busy)))
        {
            event.prevent_default();
            event.set_return_value("Uploads are still on their way.");
        }
    });
    Effect::new(move |_| online.set(window().navigator().on_line()));
    on_cleanup(move || {
        for handle in [
            drag_over,
            drag_leave,
            drop,
            paste,
            offline,
            back_online,
            leaving,
        ] {
            handle.remove();
        }
    });

    let picked = move |event: ev::Event| {
        if let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            if let Some(files) = input.files() {
                add(file_vec(&files));
            }
            input.set_value("");
        }
    };
    let picked_folder = move |event: ev::Event| {
        if let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            if let Some(files) = input.files() {
                add(folders::only_images(file_vec(&files), skipped));
            }
            input.set_value("");
        }
    };

    // The folder picker (only with JavaScript: the plain form sends files).
    let folder_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            input.set_webkitdirectory(true);
        }
    });

    // What a screen reader hears, politely: when a batch starts and when it ends,
    // never each percent (a memo: the words change only when the counts do).
    let summary = Memo::new(move |_| {
        let states: Vec<State> = uploads
            .read()
            .iter()
            .map(|upload| upload.state.get())
            .collect();
        queue::summary(&states)
    });
    let totals = Memo::new(move |_| totals_of(&uploads.read()));

    view! {
        <section class="uploader" class:dragging=move || dragging.get() data-testid="upload-area" data-part=super::PART>
            <p class="visually-hidden" aria-live="polite" data-testid="upload-summary">{summary}</p>
            // Without JavaScript this form posts to the upload endpoint, which
            // redirects back here; with it, files upload as soon as they are picked.
            <form class="upload-form" method="post" action=links::api::UPLOAD enctype="multipart/form-data">
                <label class="dropzone">
                    <span class="dropzone-title">"Drop images or folders anywhere on this page"</span>
                    <span class="muted">"or paste them: " {SUPPORTED_TYPES}
                        {(max_file_bytes > 0).then(|| format!(", up to {} each", human_bytes(max_file_bytes)))}</span>
                    <span class="choose" aria-hidden="true">"Choose images"</span>
                    <input
                        class="visually-hidden"
                        type="file"
                        name=FILE_FIELD
                        multiple
                        accept="image/jpeg,image/png,image/gif,image/webp,image/avif,image/heic,image/heif,.heic,.heif"
                        data-testid="file-input"
                        on:change=picked
                    />
                </label>
                <label class="choose-folder needs-js">
                    <span>"Choose a folder"</span>
                    <input class="visually-hidden" type="file" multiple node_ref=folder_input
                        data-testid="folder-input" on:change=picked_folder/>
                </label>
                <button type="submit" class="plain-submit" hidden=move || hydrated.get()>"Upload"</button>
            </form>
            <div class="drop-overlay" aria-hidden="true">"Drop to upload"</div>
            <Show when=move || !uploads.with(Vec::is_empty)>
                <BatchBar totals began online skipped on_retry_all=Callback::new(retry_all)
                    on_clear=Callback::new(clear_finished)/>
            </Show>
            <ul class="uploads" aria-label="Uploads">
                <For each=move || uploads.get() key=|upload| upload.id let:upload>
                    <UploadRow upload on_cancel=cancel on_retry=retry online/>
                </For>
            </ul>
        </section>
    }
    .erase()
}

/// Sends one file and records how it ended.
async fn send(upload: Upload, online: RwSignal<bool>, on_uploaded: Callback<ImageInfo>) {
    let total = upload.size;
    upload.state.set(State::Sending { sent: 0.0, total });
    let state = upload.state;
    let sent = match Transfer::start(&upload.file, move |sent, total| {
        state.set(State::Sending { sent, total });
    }) {
        Ok(transfer) => {
            upload
                .stopper
                .set_value(Some(SendWrapper::new(transfer.stopper())));
            transfer.ended().await
        }
        Err(reason) => Sent::Failed(reason),
    };
    upload.stopper.set_value(None);
    let next = State::after(
        sent,
        upload.retries.get_value(),
        js_sys::Date::now(),
        upload.cancelled.get_value(),
        !online.get_untracked(),
    );
    match &next {
        State::Waiting { retry, .. } => upload.retries.set_value(*retry),
        State::Done(image) => on_uploaded.run(image.as_ref().clone()),
        _ => {}
    }
    upload.state.set(next);
}

/// A failed or cancelled file, to be sent again from the start.
fn again(upload: &Upload) {
    if upload
        .state
        .with_untracked(|s| matches!(s, State::Failed(_) | State::Cancelled))
    {
        upload.retries.set_value(0);
        upload.cancelled.set_value(false);
        upload.state.set(State::Queued);
    }
}

fn find(uploads: RwSignal<Vec<Upload>>, id: u64) -> Option<Upload> {
    uploads.with_untracked(|all| all.iter().find(|upload| upload.id == id).cloned())
}

fn totals_of(uploads: &[Upload]) -> Totals {
    let states: Vec<(State, f64)> = uploads
        .iter()
        .map(|upload| (upload.state.get(), upload.size))
        .collect();
    Totals::of(states.iter().map(|(state, size)| (state, *size)))
}

/// Waits `ms` milliseconds (0: lets the page render first).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn carries_files(data: Option<web_sys::DataTransfer>) -> bool {
    data.is_some_and(|data| data.types().includes(&"Files".into(), 0))
}

fn file_vec(files: &FileList) -> Vec<File> {
    (0..files.length())
        .filter_map(|index| files.get(index))
        .collect()
}
