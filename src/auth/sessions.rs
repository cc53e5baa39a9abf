//! Sessions the server can end: each sign-in is an object in the bucket
//! (`.gallery/sessions/{id}`), so every instance on the bucket agrees on which are
//! open; signing out deletes it, "sign out everywhere" deletes them all. A change
//! asks the bucket every time; viewing trusts an answer for a few seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::secret::random_hex;
use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::storage::Bucket;

/// How long a sign-in lasts.
pub const SESSION_DAYS: i64 = 30;
/// Where the sessions live, beside the gallery's other own objects.
const FOLDER: &str = ".gallery/sessions";
/// How long an instance believes a session is open, for requests that only view,
/// after the bucket last said so. Changes always ask the bucket.
const TRUSTED_FOR: Duration = Duration::from_secs(10);

/// The sessions in the bucket, and which this instance saw open lately.
#[derive(Debug, Clone)]
pub struct Sessions {
    bucket: Bucket,
    /// Session ids the bucket held, and when it last said so.
    seen_open: Arc<Mutex<HashMap<String, Instant>>>,
}

/// Whether a request only views or changes something: a change must see the
/// bucket's answer of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    View,
    Change,
}

impl Sessions {
    pub fn new(bucket: Bucket) -> Self {
        Sessions {
            bucket,
            seen_open: Arc::default(),
        }
    }

    /// Opens a session: 128 random bits, kept in the bucket until it is ended or
    /// lapses. Gives back its id for the cookie.
    pub async fn open(&self) -> Result<String> {
        let id = new_id();
        let now = Utc::now();
        let record = serde_json::json!({
            "signed_in_at": now.to_rfc3339(),
            "lapses_at": (now + chrono::Duration::days(SESSION_DAYS)).to_rfc3339(),
        });
        let bytes = Bytes::from(record.to_string());
        self.bucket
            .put(&object(&id)?, "application/json", bytes)
            .await?;
        self.remember(&id);
        Ok(id)
    }

    /// Whether the session `id` is open: the bucket holds it.
    pub async fn is_open(&self, id: &str, purpose: Purpose) -> Result<bool> {
        if purpose == Purpose::View && self.seen_lately(id) {
            return Ok(true);
        }
        match self.bucket.head(&object(id)?).await {
            Ok(_) => {
                self.remember(id);
                Ok(true)
            }
            Err(Error::NotFound(_)) => {
                self.forget(id);
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    /// Ends one session: after this, no instance takes its cookie for a change,
    /// and none for anything once [`TRUSTED_FOR`] has passed.
    pub async fn end(&self, id: &str) -> Result<()> {
        self.forget(id);
        self.bucket.delete(&object(id)?).await?;
        self.forget(id);
        Ok(())
    }

    /// Ends every session, this one's and every other browser's; how many.
    pub async fn end_all(&self) -> Result<usize> {
        self.forget_all();
        let open = self.bucket.list_folder(FOLDER).await?;
        for session in &open {
            self.bucket.delete(&session.name).await?;
        }
        self.forget_all();
        Ok(open.len())
    }

    /// Deletes the sessions that have lapsed (signed in more than
    /// [`SESSION_DAYS`] ago): their cookies are refused anyway. How many.
    pub async fn forget_lapsed(&self) -> Result<usize> {
        let lapsed_before = Utc::now() - chrono::Duration::days(SESSION_DAYS);
        let mut ended = 0;
        for session in self.bucket.list_folder(FOLDER).await? {
            if has_lapsed(session.last_modified, lapsed_before) {
                self.bucket.delete(&session.name).await?;
                ended += 1;
            }
        }
        Ok(ended)
    }

    fn seen_lately(&self, id: &str) -> bool {
        let seen = self.seen_open.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(id).is_some_and(|at| at.elapsed() < TRUSTED_FOR)
    }

    fn remember(&self, id: &str) {
        let mut seen = self.seen_open.lock().unwrap_or_else(|e| e.into_inner());
        seen.retain(|_, at| at.elapsed() < TRUSTED_FOR);
        seen.insert(id.to_string(), Instant::now());
    }

    fn forget(&self, id: &str) {
        let mut seen = self.seen_open.lock().unwrap_or_else(|e| e.into_inner());
        seen.remove(id);
    }

    fn forget_all(&self) {
        self.seen_open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

fn has_lapsed(last_modified: DateTime<Utc>, lapsed_before: DateTime<Utc>) -> bool {
    last_modified < lapsed_before
}

/// A new session id: 128 random bits in hex.
fn new_id() -> String {
    random_hex::<16>()
}

/// Whether `id` could be one of ours: 32 hex digits, so it names one object
/// under the folder and nothing else.
pub fn is_session_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn object(id: &str) -> Result<ObjectName> {
    if !is_session_id(id) {
        return Err(Error::BadRequest(format!("{id:?} is not a session id")));
    }
    ObjectName::parse(&format!("{FOLDER}/{id}"))
        .map_err(|error| Error::Internal(format!("a session's object name: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_new_each_time_and_name_one_object() {
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        assert!(is_session_id(&a));
        assert_eq!(
            object(&a).unwrap().as_str(),
            format!(".gallery/sessions/{a}")
        );
        assert!(object("../v1/x").is_err());
        assert!(!is_session_id("0123456789abcdef0123456789abcdeg"));
    }

    #[test]
    fn a_session_lapses_after_its_days() {
        let now = Utc::now();
        let before = now - chrono::Duration::days(SESSION_DAYS);
        assert!(has_lapsed(now - chrono::Duration::days(31), before));
        assert!(!has_lapsed(now - chrono::Duration::days(29), before));
    }

    #[tokio::test]
    async fn an_ended_session_is_not_open_and_others_stay_open() {
        let bucket = Bucket::open(&crate::storage::Settings::new("memory://")).unwrap();
        let sessions = Sessions::new(bucket.clone());
        let (mine, other) = (
            sessions.open().await.unwrap(),
            sessions.open().await.unwrap(),
        );
        // Another instance on the same bucket.
        let elsewhere = Sessions::new(bucket);
        assert!(elsewhere.is_open(&mine, Purpose::View).await.unwrap());

        sessions.end(&mine).await.unwrap();

        assert!(!sessions.is_open(&mine, Purpose::View).await.unwrap());
        assert!(!elsewhere.is_open(&mine, Purpose::Change).await.unwrap());
        assert!(elsewhere.is_open(&other, Purpose::Change).await.unwrap());

        assert_eq!(elsewhere.end_all().await.unwrap(), 1);
        assert!(!sessions.is_open(&other, Purpose::Change).await.unwrap());
    }
}
