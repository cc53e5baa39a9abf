//! The whole upload batch at a glance: one bar of the bytes sent, the files and
//! bytes done and the time left (or that the browser is offline), what folders
//! held that was left out, and what can be done with every row at once: retry all
//! that failed, clear the finished ones.

use leptos::prelude::*;

use super::queue::Totals;
use crate::erased::Erase;
use crate::sizes::human_bytes;

/// The whole batch: one bar of bytes, files and time left, and what can be done
/// with all rows at once.
#[component]
pub fn BatchBar(
    totals: Memo<Totals>,
    began: StoredValue<(f64, f64)>,
    online: RwSignal<bool>,
    skipped: RwSignal<usize>,
    on_retry_all: Callback<()>,
    on_clear: Callback<()>,
) -> impl IntoView {
    let words = move || {
        let totals = totals.get();
        if !online.get() {
            return "Offline: uploads go on when the network is back.".to_owned();
        }
        let mut words = format!(
            "{} of {} files · {} of {}",
            totals.files_done,
            totals.files,
            human_bytes(totals.bytes_done as u64),
            human_bytes(totals.bytes as u64)
        );
        let (start, done_then) = began.get_value();
        if let Some(left) = totals.time_left(done_then, js_sys::Date::now() - start) {
            words.push_str(" · ");
            words.push_str(&left);
        }
        words
    };
    view! {
        <div class="batch" data-testid="upload-batch">
            <progress max=move || totals.get().bytes.max(1.0) value=move || totals.get().bytes_done
                aria-label="All uploads" data-testid="batch-progress"></progress>
            <span class="batch-status" data-testid="batch-status">{words}</span>
            {move || (skipped.get() > 0).then(|| view! {
                <span class="muted" data-testid="batch-skipped">{left_out(skipped.get())}</span>
            })}
            <span class="batch-actions">
                <Show when=move || { totals.get().failed > 0 }>
                    <button type="button" class="quiet" data-testid="retry-all" on:click=move |_| on_retry_all.run(())>
                        "Retry all failed"
                    </button>
                </Show>
                <button type="button" class="quiet" data-testid="clear-finished" on:click=move |_| on_clear.run(())>
                    "Clear finished"
                </button>
            </span>
        </div>
    }
    .erase()
}

/// "3 files in the folders were not images and were left out."
fn left_out(count: usize) -> String {
    if count == 1 {
        "1 file in the folders was not an image and was left out.".to_owned()
    } else {
        format!("{count} files in the folders were not images and were left out.")
    }
}
