//! Small objects kept in memory for the image route (thumbnails, placeholders,
//! small originals), within a byte budget (`IMAGE_CACHE_MB`), so a busy gallery
//! does not ask the bucket for the same bytes again and again. A copy is served
//! without asking the bucket for `fresh_for` (`LISTING_CACHE_SECONDS`, the time
//! the server trusts what it knows of the bucket); after that, one metadata request
//! confirms it is still the object's version before it is served again, so an
//! object another tool replaced or deleted is noticed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::names::ObjectName;
use crate::sniff::ImageKind;
use crate::storage::ObjectInfo;

/// Objects larger than this are never kept: they stream from the bucket.
pub const LARGEST_KEPT: u64 = 2 * 1024 * 1024;
/// The budget when the machine's memory cannot be read.
const FALLBACK_BUDGET: u64 = 64 * 1024 * 1024;
/// The budget never exceeds this, however large the machine.
const LARGEST_BUDGET: u64 = 1024 * 1024 * 1024;

/// One object's bytes with what is known of them.
#[derive(Debug, Clone)]
pub struct HotObject {
    pub info: ObjectInfo,
    /// The type judged from the bytes (`None`: not a supported image).
    pub kind: Option<ImageKind>,
    pub bytes: Bytes,
}

#[derive(Debug, Clone)]
struct Entry {
    object: Arc<HotObject>,
    /// When the bucket last confirmed this version.
    confirmed: Instant,
}

#[derive(Debug, Clone, Copy)]
struct ByBytes;

impl Weighter<String, Entry> for ByBytes {
    fn weight(&self, name: &String, entry: &Entry) -> u64 {
        // The bytes, the name and a little for the entry itself.
        entry.object.bytes.len() as u64 + name.len() as u64 + 128
    }
}

/// What a look in memory found.
#[derive(Debug)]
pub enum Lookup {
    /// A copy the bucket confirmed within `fresh_for`: serve it as it is.
    Fresh(Arc<HotObject>),
    /// A copy older than that: serve it only if the bucket still holds this version.
    Stale(Arc<HotObject>),
    Missing,
}

/// The objects kept in memory, by name.
#[derive(Debug, Clone)]
pub struct HotObjects {
    cache: Option<Arc<Cache<String, Entry, ByBytes>>>,
    fresh_for: Duration,
    largest: u64,
}

impl HotObjects {
    /// At most `budget` bytes kept (0 keeps nothing), each trusted for `fresh_for`.
    pub fn new(budget: u64, fresh_for: Duration) -> Self {
        let cache = (budget > 0).then(|| {
            // Sized for thumbnails of about 32 KiB; the weights are what bound it.
            let items = usize::try_from(budget / (32 * 1024)).unwrap_or(usize::MAX);
            Arc::new(Cache::with_weighter(items.max(16), budget, ByBytes))
        });
        HotObjects {
            cache,
            fresh_for,
            // One object may take at most an eighth of the budget.
            largest: LARGEST_KEPT.min(budget / 8),
        }
    }

    /// Whether an object of this size would be kept.
    pub fn would_keep(&self, size: u64) -> bool {
        self.cache.is_some() && size <= self.largest
    }

    pub fn lookup(&self, name: &ObjectName) -> Lookup {
        let Some(entry) = self.cache.as_ref().and_then(|c| c.get(name.as_str())) else {
            return Lookup::Missing;
        };
        if entry.confirmed.elapsed() < self.fresh_for {
            Lookup::Fresh(entry.object)
        } else {
            Lookup::Stale(entry.object)
        }
    }

    /// Keeps an object (when it is small enough), as confirmed now.
    pub fn keep(&self, object: HotObject) {
        let Some(cache) = &self.cache else { return };
        if object.bytes.len() as u64 > self.largest {
            return;
        }
        let name = object.info.name.as_str().to_string();
        let entry = Entry {
            object: Arc::new(object),
            confirmed: Instant::now(),
        };
        cache.insert(name, entry);
    }

    /// The bucket's metadata says `current` is the object now: a kept copy of that
    /// version is trusted again for `fresh_for` and returned; another is dropped.
    pub fn confirm(&self, current: &ObjectInfo) -> Option<Arc<HotObject>> {
        let cache = self.cache.as_ref()?;
        let name = current.name.as_str();
        let entry = cache.get(name)?;
        if same_version(&entry.object.info, current) {
            let object = Arc::clone(&entry.object);
            cache.insert(
                name.to_string(),
                Entry {
                    object: Arc::clone(&object),
                    confirmed: Instant::now(),
                },
            );
            Some(object)
        } else {
            cache.remove(name);
            None
        }
    }

    /// Drops the copy of an object this server deleted (or found gone).
    pub fn forget(&self, name: &ObjectName) {
        if let Some(cache) = &self.cache {
            cache.remove(name.as_str());
        }
    }
}

/// Two descriptions of an object name the same bytes: same size and time, and the
/// same ETag when the bucket gives one.
fn same_version(kept: &ObjectInfo, current: &ObjectInfo) -> bool {
    kept.size == current.size
        && kept.last_modified == current.last_modified
        && kept.e_tag == current.e_tag
}

/// A modest share of the memory this process may use: a sixteenth of the
/// container's limit (cgroup v2 or v1) or else of the machine's memory, at most
/// 1 GiB.
pub fn default_budget() -> u64 {
    let memory = cgroup_limit().or_else(machine_memory);
    memory.map_or(FALLBACK_BUDGET, |bytes| (bytes / 16).min(LARGEST_BUDGET))
}

fn cgroup_limit() -> Option<u64> {
    [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|path| std::fs::read_to_string(path).ok())
    // "max", or a huge number, means no limit.
    .filter_map(|text| text.trim().parse::<u64>().ok())
    .find(|&bytes| bytes < 1 << 50)
}

fn machine_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn object(name: &str, size: usize, e_tag: &str) -> HotObject {
        HotObject {
            info: ObjectInfo {
                name: ObjectName::parse(name).unwrap(),
                size: size as u64,
                last_modified: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
                e_tag: Some(e_tag.to_string()),
            },
            kind: Some(ImageKind::Png),
            bytes: Bytes::from(vec![7; size]),
        }
    }

    #[test]
    fn a_kept_object_is_fresh_then_stale_then_confirmed_or_dropped() {
        let hot = HotObjects::new(1 << 20, Duration::from_millis(30));
        let kept = object("a.png", 1000, "v1");
        hot.keep(kept.clone());
        assert!(matches!(hot.lookup(&kept.info.name), Lookup::Fresh(_)));

        std::thread::sleep(Duration::from_millis(40));
        assert!(matches!(hot.lookup(&kept.info.name), Lookup::Stale(_)));
        assert!(hot.confirm(&kept.info).is_some());
        assert!(matches!(hot.lookup(&kept.info.name), Lookup::Fresh(_)));

        std::thread::sleep(Duration::from_millis(40));
        let replaced = object("a.png", 1000, "v2");
        assert!(hot.confirm(&replaced.info).is_none());
        assert!(matches!(hot.lookup(&kept.info.name), Lookup::Missing));
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let hot = HotObjects::new(100_000, Duration::from_secs(60));
        // An eighth of the budget at most per object.
        assert!(hot.would_keep(12_000));
        assert!(!hot.would_keep(13_000));
        for i in 0..100 {
            hot.keep(object(&format!("{i}.png"), 10_000, "v"));
        }
        let kept = (0..100)
            .filter(|i| {
                let name = ObjectName::parse(&format!("{i}.png")).unwrap();
                !matches!(hot.lookup(&name), Lookup::Missing)
            })
            .count();
        assert!(
            (1..=10).contains(&kept),
            "{kept} objects of 10 KB in 100 KB"
        );
    }

    #[test]
    fn a_budget_of_zero_keeps_nothing() {
        let hot = HotObjects::new(0, Duration::from_secs(60));
        let kept = object("a.png", 10, "v");
        hot.keep(kept.clone());
        assert!(!hot.would_keep(10));
        assert!(matches!(hot.lookup(&kept.info.name), Lookup::Missing));
    }

    #[test]
    fn the_default_budget_is_modest() {
        let budget = default_budget();
        assert!((1 << 20..=LARGEST_BUDGET).contains(&budget));
    }
}
