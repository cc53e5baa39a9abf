//! The upload widget: a plain form that works without JavaScript, enhanced once the
//! page hydrates with drag-and-drop anywhere on the page, paste, previews made from
//! the local file before any byte is sent, and per-file progress and errors.

use std::collections::VecDeque;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::{File, FileList, HtmlInputElement};

use super::transfer::send_file;
use crate::api::links;
use crate::api::{ImageInfo, FILE_FIELD, SUPPORTED_TYPES};

/// Files sent at once. More would only queue in the browser (it opens few
/// connections per host) while their bars sat at 0%, and would crowd the server.
const UPLOADS_AT_ONCE: usize = 3;

/// Where one file is on its way to the bucket.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Waiting,
    Sending { sent: f64, total: f64 },
    Done(Box<ImageInfo>),
    Failed(String),
}

/// One file picked, dropped or pasted.
#[derive(Debug, Clone)]
struct PendingUpload {
    id: u64,
    file_name: String,
    /// An object URL of the local file, shown at once.
    preview: String,
    looks_like_image: bool,
    progress: RwSignal<Progress>,
}

#[component]
pub fn UploadWidget(
    /// True once the WASM app runs: the plain form's button then steps aside.
    hydrated: RwSignal<bool>,
    /// Called with each image the bucket has stored.
    #[prop(into)]
    on_uploaded: Callback<ImageInfo>,
) -> impl IntoView {
    let uploads = RwSignal::new(Vec::<PendingUpload>::new());
    let next_id = StoredValue::new(0u64);
    let dragging = RwSignal::new(false);

    // Files wait in a queue that a few workers empty, one file per request. A File
    // lives only in the browser's one thread; the wrapper lets the (on the server
    // always empty) queue sit in thread-safe storage.
    let queue = StoredValue::new(VecDeque::<(SendWrapper<File>, RwSignal<Progress>)>::new());
    let workers = StoredValue::new(0usize);
    let work = move || async move {
        while let Some((file, progress)) = queue.try_update_value(VecDeque::pop_front).flatten() {
            progress.set(Progress::Sending {
                sent: 0.0,
                total: file.size(),
            });
            let outcome = send_file(&file, move |sent, total| {
                progress.set(Progress::Sending { sent, total });
            })
            .await;
            match outcome {
                Ok(image) => {
                    progress.set(Progress::Done(Box::new(image.clone())));
                    on_uploaded.run(image);
                }
                Err(error) => progress.set(Progress::Failed(error.message)),
            }
        }
        workers.update_value(|count| *count -= 1);
    };

    let start = move |files: Vec<File>| {
        for file in files {
            let id = next_id.get_value();
            next_id.set_value(id + 1);
            let upload = PendingUpload {
                id,
                file_name: file.name(),
                preview: web_sys::Url::create_object_url_with_blob(&file).unwrap_or_default(),
                looks_like_image: file.type_().starts_with("image/"),
                progress: RwSignal::new(Progress::Waiting),
            };
            queue.update_value(|queue| queue.push_back((SendWrapper::new(file), upload.progress)));
            uploads.update(|all| all.insert(0, upload));
        }
        while workers.get_value() < UPLOADS_AT_ONCE && queue.with_value(|queue| !queue.is_empty()) {
            workers.update_value(|count| *count += 1);
            spawn_local(work());
        }
    };

    // Files dropped anywhere on the page, or pasted, go the same way as picked ones.
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
        if let Some(files) = event.data_transfer().and_then(|data| data.files()) {
            event.prevent_default();
            start(file_vec(&files));
        }
    });
    let paste = window_event_listener(ev::paste, move |event| {
        if let Some(files) = event.clipboard_data().and_then(|data| data.files()) {
            if files.length() > 0 {
                event.prevent_default();
                start(file_vec(&files));
            }
        }
    });
    on_cleanup(move || {
        for handle in [drag_over, drag_leave, drop, paste] {
            handle.remove();
        }
    });

    let picked = move |event: ev::Event| {
        if let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            if let Some(files) = input.files() {
                start(file_vec(&files));
            }
            input.set_value("");
        }
    };

    // What a screen reader hears, politely: when a batch starts and when it ends,
    // never each percent (a memo: the words change only when the counts do).
    let summary = Memo::new(move |_| batch_summary(&uploads.read()));

    view! {
        <section class="uploader" class:dragging=move || dragging.get() data-testid="upload-area">
            <p class="visually-hidden" aria-live="polite" data-testid="upload-summary">{summary}</p>
            // Without JavaScript this form posts to the upload endpoint, which
            // redirects back here; with it, files upload as soon as they are picked.
            <form class="upload-form" method="post" action=links::api::UPLOAD enctype="multipart/form-data">
                <label class="dropzone">
                    <span class="dropzone-title">"Drop images anywhere on this page"</span>
                    <span class="muted">"or paste them: " {SUPPORTED_TYPES}</span>
                    <span class="choose" aria-hidden="true">"Choose images"</span>
                    <input
                        class="visually-hidden"
                        type="file"
                        name=FILE_FIELD
                        multiple
                        accept="image/jpeg,image/png,image/gif,image/webp,image/avif"
                        data-testid="file-input"
                        on:change=picked
                    />
                </label>
                <button type="submit" class="plain-submit" hidden=move || hydrated.get()>"Upload"</button>
            </form>
            <div class="drop-overlay" aria-hidden="true">"Drop to upload"</div>
            <ul class="uploads" aria-label="Uploads">
                <For each=move || uploads.get() key=|upload| upload.id let:upload>
                    <UploadRow upload/>
                </For>
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn UploadRow(upload: PendingUpload) -> impl IntoView {
    let progress = upload.progress;
    let state = move || match progress.get() {
        Progress::Waiting => "waiting",
        Progress::Sending { .. } => "sending",
        Progress::Done(_) => "done",
        Progress::Failed(_) => "failed",
    };
    let fraction = move || match progress.get() {
        Progress::Sending { sent, total } if total > 0.0 => sent / total,
        Progress::Waiting | Progress::Sending { .. } => 0.0,
        Progress::Done(_) | Progress::Failed(_) => 1.0,
    };
    let status = move || match progress.get() {
        Progress::Waiting => "Waiting…".to_owned(),
        Progress::Sending { .. } => format!("Uploading… {:.0}%", fraction() * 100.0),
        Progress::Done(image) if image.already_in_gallery => {
            format!("Already in the gallery, as {}", image.display_name)
        }
        Progress::Done(_) => "Uploaded".to_owned(),
        Progress::Failed(message) => message,
    };
    let file_name = upload.file_name.clone();
    let preview = upload.preview.clone();
    // The object URL pins the local file in memory until it is revoked.
    on_cleanup(move || {
        let _ = web_sys::Url::revoke_object_url(&preview);
    });
    view! {
        <li class="upload" data-testid="upload-item" data-file=file_name.clone() data-state=state>
            {if upload.looks_like_image {
                view! { <img class="preview" data-testid="upload-preview" src=upload.preview alt=format!("Preview of {file_name}")/> }.into_any()
            } else {
                view! { <div class="preview placeholder" data-testid="upload-preview">"?"</div> }.into_any()
            }}
            <div class="upload-body">
                <span class="upload-name">{upload.file_name.clone()}</span>
                <progress
                    max="1"
                    value=fraction
                    aria-label=format!("Upload of {}", upload.file_name)
                    data-testid="upload-progress"
                ></progress>
                <span class="upload-status" role=move || (state() == "failed").then_some("alert")>{status}</span>
            </div>
        </li>
    }
    .into_any()
}

/// "Uploading 5 files…", then "4 uploaded, 1 failed." (and how many were in the
/// gallery already); nothing before the first file.
fn batch_summary(uploads: &[PendingUpload]) -> String {
    let (mut busy, mut stored, mut already, mut failed) = (0, 0, 0, 0);
    for upload in uploads {
        match &*upload.progress.read() {
            Progress::Waiting | Progress::Sending { .. } => busy += 1,
            Progress::Done(image) if image.already_in_gallery => already += 1,
            Progress::Done(_) => stored += 1,
            Progress::Failed(_) => failed += 1,
        }
    }
    let files = |count: usize| {
        if count == 1 {
            "1 file".to_owned()
        } else {
            format!("{count} files")
        }
    };
    if busy > 0 {
        return format!("Uploading {}…", files(busy));
    }
    let mut parts = Vec::new();
    if stored > 0 {
        parts.push(format!("{stored} uploaded"));
    }
    if already > 0 {
        parts.push(format!("{already} already in the gallery"));
    }
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}.", parts.join(", "))
    }
}

fn carries_files(data: Option<web_sys::DataTransfer>) -> bool {
    data.is_some_and(|data| data.types().includes(&"Files".into(), 0))
}

fn file_vec(files: &FileList) -> Vec<File> {
    (0..files.length())
        .filter_map(|index| files.get(index))
        .collect()
}
