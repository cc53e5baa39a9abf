//! Single flight: one making of a thing at a time per key, however many ask for it
//! at once; each asker gets the same outcome. The making runs on a task of its own,
//! so it finishes (and is shared) even when the request that started it goes away.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, FutureExt, Shared};

use crate::error::{Error, Result};

type Making<T> = Shared<BoxFuture<'static, std::result::Result<T, Arc<Error>>>>;

/// The makings under way, by key.
pub struct Flights<T> {
    under_way: Mutex<HashMap<String, Making<T>>>,
}

impl<T> std::fmt::Debug for Flights<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let under_way = self.under_way.lock().map_or(0, |under_way| under_way.len());
        f.debug_struct("Flights")
            .field("under_way", &under_way)
            .finish()
    }
}

impl<T: Clone + Send + Sync + 'static> Flights<T> {
    pub fn new() -> Self {
        Flights {
            under_way: Mutex::new(HashMap::new()),
        }
    }

    /// The outcome of the making for `key`: the one under way, else `make()` begun
    /// now. `what` names it in the error if the making panics.
    pub async fn once<F>(&self, key: &str, what: &str, make: impl FnOnce() -> F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let making = {
            let mut under_way = self.lock();
            under_way
                .entry(key.to_owned())
                .or_insert_with(|| {
                    let what = what.to_owned();
                    tokio::spawn(make())
                        .map(move |joined| match joined {
                            Ok(made) => made.map_err(Arc::new),
                            Err(panic) => {
                                Err(Arc::new(Error::Internal(format!("{what} failed: {panic}"))))
                            }
                        })
                        .boxed()
                        .shared()
                })
                .clone()
        };
        let outcome = making.await;
        self.lock().remove(key);
        outcome.map_err(|error| again(&error))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Making<T>>> {
        self.under_way
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<T: Clone + Send + Sync + 'static> Default for Flights<T> {
    fn default() -> Self {
        Flights::new()
    }
}

/// The error a shared making ended with, for one of those who waited.
fn again(error: &Error) -> Error {
    match error {
        Error::NotFound(name) => Error::NotFound(name.clone()),
        Error::TooLarge { name, limit } => Error::TooLarge {
            name: name.clone(),
            limit: *limit,
        },
        Error::Storage { reason, .. } => Error::Storage {
            reason: reason.clone(),
            source: error.to_string().into(),
        },
        other => Error::Internal(other.to_string()),
    }
}
