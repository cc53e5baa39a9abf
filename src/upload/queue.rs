//! Where each file of an upload batch is, and what happens next: a few sent at a
//! time, in the order they came; one the network or the server failed (no answer,
//! a 5xx) tried again by itself after a wait that doubles, a few times; one the
//! server refused (a 4xx) not tried again, its reason shown; cancelled and retried
//! by hand. Also what the overall bar shows: files and bytes done, time left.
//! Pure state, the same on both sides; the widget drives it.

use crate::api::ImageInfo;

/// Files sent at once. More would only queue in the browser (it opens few
/// connections per host) while their bars sat at 0%, and would crowd the server.
pub const SENDS_AT_ONCE: usize = 3;
/// Tries after the first, by themselves, when the network or the server failed.
pub const AUTO_RETRIES: u32 = 3;

/// How long to wait, in milliseconds, before automatic try `retry` (1, 2, ...):
/// 1 s, 2 s, 4 s.
pub fn backoff_ms(retry: u32) -> f64 {
    1000.0 * f64::from(1u32 << retry.saturating_sub(1).min(10))
}

/// One file's state.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Its first bytes are being read, to refuse it before sending if need be.
    Checking,
    /// Waiting for its turn (or for the network to come back).
    Queued,
    /// On its way: bytes sent of all.
    Sending {
        sent: f64,
        total: f64,
    },
    /// Failed where trying again may work; tried again by itself at `at` (ms,
    /// the page's clock).
    Waiting {
        retry: u32,
        at: f64,
        reason: String,
    },
    Done(Box<ImageInfo>),
    /// Refused (the browser or the server said why) or out of tries.
    Failed(String),
    Cancelled,
}

/// How one send ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Stored(Box<ImageInfo>),
    /// The server refused it (4xx): why. Trying again cannot help.
    Refused(String),
    /// No answer, or the server failed (5xx): why. Trying again may help.
    Failed(String),
    /// Stopped by the page (cancel, or the network went away).
    Stopped,
}

impl State {
    /// Still to be sent or being sent: closing the page now loses it.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            State::Checking | State::Queued | State::Sending { .. } | State::Waiting { .. }
        )
    }

    /// Over and stored: a row that "clear finished" removes (cancelled ones too).
    pub fn is_finished(&self) -> bool {
        matches!(self, State::Done(_) | State::Cancelled)
    }

    /// Ready to be sent at `now`.
    pub fn is_due(&self, now: f64) -> bool {
        match self {
            State::Queued => true,
            State::Waiting { at, .. } => *at <= now,
            _ => false,
        }
    }

    /// The state after a send that ended as `sent`, at `now`; `retry` is the
    /// number of automatic tries already made, `cancelled` whether the person
    /// stopped it, `offline` whether the browser has no network (then nothing
    /// counts as a try: it waits for the network).
    pub fn after(sent: Sent, retry: u32, now: f64, cancelled: bool, offline: bool) -> State {
        match sent {
            Sent::Stored(image) => State::Done(image),
            _ if cancelled => State::Cancelled,
            Sent::Stopped => State::Queued,
            Sent::Failed(_) if offline => State::Queued,
            Sent::Failed(reason) if retry < AUTO_RETRIES => State::Waiting {
                retry: retry + 1,
                at: now + backoff_ms(retry + 1),
                reason,
            },
            Sent::Failed(reason) => State::Failed(format!("{reason} (tried {} times)", retry + 1)),
            Sent::Refused(reason) => State::Failed(reason),
        }
    }
}

/// The batch at a glance, for the overall bar.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Files that are or will be sent (not cancelled, not refused).
    pub files: usize,
    pub files_done: usize,
    pub failed: usize,
    pub bytes: f64,
    pub bytes_done: f64,
}

impl Totals {
    /// From each file's state and size.
    pub fn of<'a>(files: impl IntoIterator<Item = (&'a State, f64)>) -> Totals {
        let mut totals = Totals::default();
        for (state, size) in files {
            match state {
                State::Cancelled => {}
                State::Failed(_) => totals.failed += 1,
                State::Done(_) => {
                    totals.files += 1;
                    totals.files_done += 1;
                    totals.bytes += size;
                    totals.bytes_done += size;
                }
                State::Sending { sent, .. } => {
                    totals.files += 1;
                    totals.bytes += size;
                    totals.bytes_done += sent.min(size);
                }
                State::Checking | State::Queued | State::Waiting { .. } => {
                    totals.files += 1;
                    totals.bytes += size;
                }
            }
        }
        totals
    }

    /// "about 2 min left", from the bytes sent since the batch began `elapsed_ms`
    /// ago with `done_at_start` bytes done; nothing until a rate is known.
    pub fn time_left(&self, done_at_start: f64, elapsed_ms: f64) -> Option<String> {
        let sent = self.bytes_done - done_at_start;
        if sent <= 0.0 || elapsed_ms < 1000.0 || self.bytes_done >= self.bytes {
            return None;
        }
        let seconds = (self.bytes - self.bytes_done) / (sent / elapsed_ms * 1000.0);
        Some(if seconds < 60.0 {
            format!("about {} s left", seconds.ceil().max(1.0))
        } else {
            format!("about {} min left", (seconds / 60.0).ceil())
        })
    }
}

/// "Uploading 5 files…", then "4 uploaded, 1 failed." (and how many were in the
/// gallery already, or cancelled); nothing before the first file.
pub fn summary(states: &[State]) -> String {
    let (mut busy, mut stored, mut already, mut failed, mut cancelled) = (0, 0, 0, 0, 0);
    for state in states {
        match state {
            State::Done(image) if image.already_in_gallery => already += 1,
            State::Done(_) => stored += 1,
            State::Failed(_) => failed += 1,
            State::Cancelled => cancelled += 1,
            _ => busy += 1,
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
    let parts: Vec<String> = [
        (stored, "uploaded"),
        (already, "already in the gallery"),
        (failed, "failed"),
        (cancelled, "cancelled"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, what)| format!("{count} {what}"))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}.", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Box<ImageInfo> {
        Box::new(ImageInfo::new("a.png", 10, "image/png", String::new()))
    }

    #[test]
    fn a_failure_is_tried_again_after_a_wait_that_doubles_then_given_up() {
        let mut retry = 0;
        let mut waits = Vec::new();
        loop {
            match State::after(Sent::Failed("no answer".into()), retry, 0.0, false, false) {
                State::Waiting {
                    retry: next, at, ..
                } => {
                    waits.push(at);
                    retry = next;
                }
                State::Failed(reason) => {
                    assert_eq!(reason, "no answer (tried 4 times)");
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(waits, [1000.0, 2000.0, 4000.0]);
    }

    #[test]
    fn a_refusal_is_never_tried_again_and_a_cancel_or_the_network_wins() {
        assert_eq!(
            State::after(
                Sent::Refused("x is not an image".into()),
                0,
                0.0,
                false,
                false
            ),
            State::Failed("x is not an image".into())
        );
        assert_eq!(
            State::after(Sent::Stopped, 0, 0.0, true, false),
            State::Cancelled
        );
        assert_eq!(
            State::after(Sent::Failed("no answer".into()), 2, 0.0, false, true),
            State::Queued,
            "offline: it waits for the network, no try counted"
        );
        assert_eq!(
            State::after(Sent::Stored(stored()), 0, 0.0, true, false),
            State::Done(stored())
        );
    }

    #[test]
    fn a_batch_is_said_once_it_starts_and_once_it_ends() {
        assert_eq!(summary(&[]), "");
        assert_eq!(
            summary(&[State::Queued, State::Done(stored())]),
            "Uploading 1 file…"
        );
        assert_eq!(
            summary(&[
                State::Done(stored()),
                State::Failed("no".into()),
                State::Cancelled
            ]),
            "1 uploaded, 1 failed, 1 cancelled."
        );
    }

    #[test]
    fn the_overall_bar_counts_what_will_be_sent() {
        let states = [
            (State::Done(stored()), 100.0),
            (
                State::Sending {
                    sent: 30.0,
                    total: 60.0,
                },
                50.0,
            ),
            (State::Queued, 50.0),
            (State::Failed("no".into()), 70.0),
            (State::Cancelled, 80.0),
        ];
        let totals = Totals::of(states.iter().map(|(state, size)| (state, *size)));
        assert_eq!(
            totals,
            Totals {
                files: 3,
                files_done: 1,
                failed: 1,
                bytes: 200.0,
                bytes_done: 130.0
            }
        );
        // 130 bytes in 13 s: 10 a second, 70 to go.
        assert_eq!(
            totals.time_left(0.0, 13_000.0).as_deref(),
            Some("about 7 s left")
        );
        assert_eq!(totals.time_left(0.0, 500.0), None, "too soon to tell");
    }
}
