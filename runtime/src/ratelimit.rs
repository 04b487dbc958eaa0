//! Token buckets per (provider, account, region, rate class): GCRA buckets from `governor`, on a clock that reads
//! tokio's time so tests on a paused clock see exact waits. The run loop never awaits governor itself: it takes
//! a token or learns how long until one is free, and sleeps on tokio's timer, cancellably.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use crate::provider::{Bucket, EC2_MUTATING, EC2_NON_MUTATING};

/// Which bucket a call draws from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketKey {
    pub provider: String,
    pub account: String,
    pub region: String,
    pub rate_class: String,
}

/// The bucket for a rate class a provider does not name: the EC2 API's mutating bucket for classes that mutate,
/// its non-mutating bucket otherwise.
pub fn default_bucket(rate_class: &str) -> Bucket {
    if rate_class.contains("mutat") { EC2_MUTATING } else { EC2_NON_MUTATING }
}

/// Time since the limiter was made, as tokio measures it (paused and advanced in tests).
#[derive(Debug, Clone)]
pub struct TokioClock {
    start: tokio::time::Instant,
}

impl TokioClock {
    pub fn new() -> Self {
        TokioClock { start: tokio::time::Instant::now() }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(self.start.elapsed())
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Nanos>>;

/// Every bucket of a run, made on first use of its key.
#[derive(Debug, Default)]
pub struct RateLimits {
    clock: TokioClock,
    buckets: Mutex<HashMap<BucketKey, Arc<Limiter>>>,
}

impl RateLimits {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes a token from the key's bucket (made with `bucket` if this is its first use), or returns how long
    /// until one is free.
    pub fn try_acquire(&self, key: &BucketKey, bucket: Bucket) -> Result<(), Duration> {
        let limiter = self.limiter(key, bucket);
        limiter.check().map_err(|not_until| not_until.wait_time_from(self.clock.now()).max(Duration::from_nanos(1)))
    }

    /// Waits on tokio's timer until the key's bucket has a token, and takes it.
    pub async fn acquire(&self, key: &BucketKey, bucket: Bucket) {
        while let Err(wait) = self.try_acquire(key, bucket) {
            tokio::time::sleep(wait).await;
        }
    }

    fn limiter(&self, key: &BucketKey, bucket: Bucket) -> Arc<Limiter> {
        let mut buckets = match self.buckets.lock() {
            Ok(buckets) => buckets,
            Err(poisoned) => poisoned.into_inner(),
        };
        buckets
            .entry(key.clone())
            .or_insert_with(|| Arc::new(RateLimiter::direct_with_clock(quota(bucket), self.clock.clone())))
            .clone()
    }
}

/// A bucket as a GCRA quota: `capacity` at once, one more every `1 / per_second`. A bucket that never refills
/// is taken to refill once an hour, and one with no capacity to hold one token.
pub fn quota(bucket: Bucket) -> Quota {
    let period = if bucket.per_second > 0.0 && bucket.per_second.is_finite() {
        Duration::from_secs_f64(1.0 / bucket.per_second).max(Duration::from_nanos(1))
    } else {
        Duration::from_secs(3600)
    };
    let burst = NonZeroU32::new(bucket.capacity).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period).unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN)).allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rate_class: &str) -> BucketKey {
        BucketKey {
            provider: "sim".into(),
            account: "111".into(),
            region: "us-east-1".into(),
            rate_class: rate_class.into(),
        }
    }

    #[test]
    fn mutating_classes_default_to_the_ec2_mutating_bucket() {
        assert_eq!(default_bucket("ec2.mutating"), EC2_MUTATING);
        assert_eq!(default_bucket("rds.mutate"), EC2_MUTATING);
        assert_eq!(default_bucket("ec2.describe"), EC2_NON_MUTATING);
    }

    #[tokio::test(start_paused = true)]
    async fn a_bucket_lets_its_capacity_through_at_once_then_refills_at_its_rate() {
        let limits = RateLimits::new();
        let start = tokio::time::Instant::now();
        let mut times = Vec::new();
        for _ in 0..60 {
            limits.acquire(&key("ec2.mutating"), EC2_MUTATING).await;
            times.push(start.elapsed());
        }
        assert!(times[..50].iter().all(|t| t.is_zero()), "the first 50 do not wait");
        assert_eq!(times[50], Duration::from_millis(200));
        assert_eq!(times[59], Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn buckets_of_different_keys_do_not_share_tokens() {
        let limits = RateLimits::new();
        let tiny = Bucket { capacity: 1, per_second: 1.0 };
        assert_eq!(limits.try_acquire(&key("a.mutating"), tiny), Ok(()));
        assert_eq!(limits.try_acquire(&key("a.mutating"), tiny), Err(Duration::from_secs(1)));
        assert_eq!(limits.try_acquire(&key("b.mutating"), tiny), Ok(()));
    }
}
