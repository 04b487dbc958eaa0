//! Token buckets per (provider, account, region, rate class): GCRA buckets from `governor`, on a clock that reads
//! tokio's time so tests on a paused clock see exact waits. The run loop never awaits governor itself: it takes
//! a token or learns how long until one is free, and sleeps on tokio's timer, cancellably.
//!
//! Calls that find a bucket empty wait in line for it ([`RateLimits::turn`]), so only the first in line watches
//! the clock: a thousand calls held back by one bucket do not all wake for every token.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use crate::provider::{Bucket, UNDECLARED_READS, UNDECLARED_WRITES};

/// Which bucket a call draws from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketKey {
    pub provider: String,
    pub account: String,
    pub region: String,
    pub rate_class: String,
}

/// The bucket for a rate class its provider does not name: the conservative floor, by whether the class reads.
pub fn default_bucket(reads: bool) -> Bucket {
    if reads { UNDECLARED_READS } else { UNDECLARED_WRITES }
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

/// One bucket: its tokens, and the line of calls waiting for them.
#[derive(Debug)]
struct Slot {
    limiter: Limiter,
    line: Arc<tokio::sync::Mutex<()>>,
    /// When the last call refused a token was told one would come.
    refused_until: Mutex<Option<Nanos>>,
}

/// The first place in a bucket's line, held until the call has its token.
pub type Turn = tokio::sync::OwnedMutexGuard<()>;

/// Every bucket of a run, made on first use of its key.
#[derive(Debug, Default)]
pub struct RateLimits {
    clock: TokioClock,
    buckets: Mutex<HashMap<BucketKey, Arc<Slot>>>,
}

impl RateLimits {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes a token from the key's bucket (made with `bucket` if this is its first use), or returns how long
    /// until one is free.
    pub fn try_acquire(&self, key: &BucketKey, bucket: Bucket) -> Result<(), Duration> {
        let slot = self.slot(key, bucket);
        slot.limiter.check().map_err(|not_until| {
            let now = self.clock.now();
            let wait = not_until.wait_time_from(now).max(Duration::from_nanos(1));
            *slot.refused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(now + Nanos::from(wait));
            wait
        })
    }

    /// Whether the key's bucket looks able to give a token soon: no call stands in its line, and the last call
    /// refused a token (if any) was told to wait until a time now past. A guess, for work worth doing ahead of
    /// the token only when one will come.
    pub fn likely_free(&self, key: &BucketKey, bucket: Bucket) -> bool {
        let slot = self.slot(key, bucket);
        let refused_until = *slot.refused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.line.try_lock().is_ok() && refused_until.is_none_or(|until| self.clock.now() >= until)
    }

    /// Waits for the first place in the line of calls waiting for the key's bucket (first come, first served).
    pub async fn turn(&self, key: &BucketKey, bucket: Bucket) -> Turn {
        let line = self.slot(key, bucket).line.clone();
        line.lock_owned().await
    }

    /// Waits on tokio's timer until the key's bucket has a token, and takes it.
    pub async fn acquire(&self, key: &BucketKey, bucket: Bucket) {
        while let Err(wait) = self.try_acquire(key, bucket) {
            tokio::time::sleep(wait).await;
        }
    }

    fn slot(&self, key: &BucketKey, bucket: Bucket) -> Arc<Slot> {
        let mut buckets = match self.buckets.lock() {
            Ok(buckets) => buckets,
            Err(poisoned) => poisoned.into_inner(),
        };
        buckets
            .entry(key.clone())
            .or_insert_with(|| {
                let limiter = RateLimiter::direct_with_clock(quota(bucket), self.clock.clone());
                Arc::new(Slot { limiter, line: Arc::default(), refused_until: Mutex::default() })
            })
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

    /// A bucket of 50 refilled 5 a second, as tests use it.
    const FIFTY: Bucket = Bucket { capacity: 50, per_second: 5.0 };

    #[test]
    fn classes_no_provider_names_get_the_floor_by_whether_they_read() {
        assert_eq!(default_bucket(false), UNDECLARED_WRITES);
        assert_eq!(default_bucket(true), UNDECLARED_READS);
    }

    #[tokio::test(start_paused = true)]
    async fn a_bucket_lets_its_capacity_through_at_once_then_refills_at_its_rate() {
        let limits = RateLimits::new();
        let start = tokio::time::Instant::now();
        let mut times = Vec::new();
        for _ in 0..60 {
            limits.acquire(&key("vm.write"), FIFTY).await;
            times.push(start.elapsed());
        }
        assert!(times[..50].iter().all(|t| t.is_zero()), "the first 50 do not wait");
        assert_eq!(times[50], Duration::from_millis(200));
        assert_eq!(times[59], Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn calls_in_a_buckets_line_get_its_tokens_in_the_order_they_lined_up() {
        let limits = Arc::new(RateLimits::new());
        let tiny = Bucket { capacity: 1, per_second: 1.0 };
        assert_eq!(limits.try_acquire(&key("a.mutating"), tiny), Ok(()));
        let start = tokio::time::Instant::now();
        let served = Arc::new(Mutex::new(Vec::new()));
        let mut calls = Vec::new();
        for call in 0..4 {
            let (limits, served) = (limits.clone(), served.clone());
            calls.push(tokio::spawn(async move {
                let _turn = limits.turn(&key("a.mutating"), tiny).await;
                limits.acquire(&key("a.mutating"), tiny).await;
                served.lock().expect("not poisoned").push((call, start.elapsed().as_secs()));
            }));
            tokio::task::yield_now().await;
        }
        for call in calls {
            call.await.expect("the call finishes");
        }
        assert_eq!(*served.lock().expect("not poisoned"), [(0, 1), (1, 2), (2, 3), (3, 4)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_buckets_line_lets_one_call_to_the_front_at_a_time_and_other_buckets_have_their_own() {
        let limits = Arc::new(RateLimits::new());
        let first = limits.turn(&key("a.mutating"), FIFTY).await;
        let elsewhere = limits.turn(&key("b.mutating"), FIFTY).await;
        let second = {
            let limits = limits.clone();
            tokio::spawn(async move { drop(limits.turn(&key("a.mutating"), FIFTY).await) })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!second.is_finished(), "the second call waits while the first is at the front");
        drop(first);
        second.await.expect("the second call comes to the front once the first leaves");
        drop(elsewhere);
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
