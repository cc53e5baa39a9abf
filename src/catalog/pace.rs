//! How often the bucket may be walked: at least `LISTING_CACHE_SECONDS` apart,
//! and, for a walk that takes more than one request, far enough apart that walks
//! stay within `RECONCILE_REQUESTS_PER_HOUR`.

use std::time::Duration;

/// Bucket requests per hour that walks may take, unless
/// `RECONCILE_REQUESTS_PER_HOUR` says otherwise: a walk every 5 s while one
/// listing request holds the bucket (up to 1,000 objects), every 8 minutes at
/// 100,000 objects, every 90 minutes or so at 1,000,000.
pub const DEFAULT_WALK_REQUESTS_PER_HOUR: u32 = 720;

/// How often the bucket may be walked.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Never more often than this.
    pub floor: Duration,
    /// The bucket requests walks may make in an hour; 0: the bucket is walked
    /// only at the start and when the admin asks.
    pub requests_per_hour: u32,
}

impl Pace {
    /// A walk at least every `floor`, within the default budget.
    pub fn every(floor: Duration) -> Pace {
        Pace {
            floor,
            requests_per_hour: DEFAULT_WALK_REQUESTS_PER_HOUR,
        }
    }

    /// How long after a walk that took `requests` bucket requests (its listing,
    /// and whatever it wrote and read besides) the next may begin. A walk of
    /// one request is paced by the floor alone.
    pub fn interval(&self, requests: usize) -> Duration {
        if self.requests_per_hour == 0 {
            return Duration::MAX;
        }
        if requests <= 1 {
            return self.floor;
        }
        let requests = requests as f64;
        let budgeted =
            Duration::from_secs_f64(requests * 3600.0 / f64::from(self.requests_per_hour));
        budgeted.max(self.floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_stay_within_the_budget() {
        let pace = Pace::every(Duration::from_secs(5));
        assert_eq!(pace.interval(0), Duration::from_secs(5));
        assert_eq!(pace.interval(1), Duration::from_secs(5));
        assert_eq!(pace.interval(100), Duration::from_secs(500));
        assert_eq!(
            Pace::every(Duration::ZERO).interval(1),
            Duration::ZERO,
            "LISTING_CACHE_SECONDS=0: every time"
        );
        assert_eq!(pace.interval(1_000), Duration::from_secs(5000));
        let never = Pace {
            requests_per_hour: 0,
            ..pace
        };
        assert_eq!(never.interval(1), Duration::MAX);
    }
}
