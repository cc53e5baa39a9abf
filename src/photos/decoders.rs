//! Where photos are decoded: each decode on a blocking thread of its own, holding
//! one of a bounded number of slots until it ends, so memory stays bounded. A
//! decoder that panics, or runs past [`TIME_LIMIT`], affects only its photo: the
//! panic becomes the reason no copies were made, and a decode that takes too long
//! is abandoned (its thread finishes in the background, still holding its slot,
//! so no more decodes run at once than allowed).

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;

use super::decode::RenderError;

/// How long one decode may take (a 50-megapixel HEIC takes about 5 s on one
/// core of a small machine).
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Runs `work` (a decode) on a blocking thread that holds `slot` until it ends.
pub async fn run<T: Send + 'static>(
    slot: OwnedSemaphorePermit,
    work: impl FnOnce() -> Result<T, RenderError> + Send + 'static,
) -> Result<T, RenderError> {
    run_within(TIME_LIMIT, slot, work).await
}

async fn run_within<T: Send + 'static>(
    limit: Duration,
    slot: OwnedSemaphorePermit,
    work: impl FnOnce() -> Result<T, RenderError> + Send + 'static,
) -> Result<T, RenderError> {
    let task = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        std::panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no reason given".to_owned());
            Err(RenderError::Broken(format!(
                "the decoder stopped: {message}"
            )))
        })
    });
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(done)) => done,
        Ok(Err(stopped)) => Err(RenderError::Broken(format!(
            "the decoder stopped: {stopped}"
        ))),
        Err(_) => Err(RenderError::Broken(format!(
            "decoding it took longer than {} s and was given up",
            limit.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::sync::Semaphore;

    use super::*;

    #[tokio::test]
    async fn a_panic_or_a_runaway_decode_becomes_a_reason_and_holds_its_slot_until_it_ends() {
        let slots = Arc::new(Semaphore::new(1));
        let slot = || Arc::clone(&slots).try_acquire_owned().expect("a free slot");

        let panicked = run(slot(), || -> Result<(), RenderError> { panic!("bad tile") }).await;
        assert_eq!(
            panicked,
            Err(RenderError::Broken("the decoder stopped: bad tile".into()))
        );

        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let slow = run_within(Duration::from_millis(50), slot(), move || {
            rx.recv().ok();
            Ok(())
        })
        .await;
        assert!(
            matches!(&slow, Err(RenderError::Broken(why)) if why.contains("longer than")),
            "{slow:?}"
        );
        assert!(
            Arc::clone(&slots).try_acquire_owned().is_err(),
            "the abandoned decode still holds its slot"
        );
        tx.send(()).unwrap();
        let freed =
            tokio::time::timeout(Duration::from_secs(5), Arc::clone(&slots).acquire_owned()).await;
        assert!(freed.is_ok(), "its slot is free once it ends");
        drop(freed);
        assert_eq!(run(slot(), || Ok(7)).await, Ok(7));
    }
}
