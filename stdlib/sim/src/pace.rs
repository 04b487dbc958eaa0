//! How long a simulated call takes: its latency, on average, as tokio's timer delivers it.
//!
//! tokio's timer fires on whole-millisecond ticks, rounds a deadline up to the next one, and the task wakes a
//! little after that: a plain 10 ms sleep lasted 10.7 to 11.2 ms here (more on a loaded machine). A simulated
//! cloud whose calls all run late by a tenth skews every figure measured against it, so each sleep is shortened
//! by how late the sleeps before it ran, learned as they go.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// The lateness learned so far, in microseconds. Starts at half a tick: the rounding's average.
#[derive(Debug)]
pub(crate) struct Pace {
    lateness_us: AtomicU64,
}

/// How much of each sleep's error the lateness takes in: enough to settle within a few dozen calls, little
/// enough that one slow wake-up does not swing it.
const LEARNING: f64 = 1.0 / 16.0;
/// Never shorten a sleep by more than this, whatever a stalled machine taught.
const MOST_LATENESS: Duration = Duration::from_millis(2);

impl Default for Pace {
    fn default() -> Self {
        Pace { lateness_us: AtomicU64::new(500) }
    }
}

impl Pace {
    /// Waits `latency`, on average over calls.
    pub async fn take(&self, latency: Duration) {
        if latency.is_zero() {
            return;
        }
        let lateness = Duration::from_micros(self.lateness_us.load(Ordering::Relaxed));
        let started = Instant::now();
        tokio::time::sleep(latency.saturating_sub(lateness)).await;
        let error = started.elapsed().as_secs_f64() - latency.as_secs_f64();
        // Calls running at once may each read the old value and overwrite each other's update: each update is
        // a small step toward the same mean, so a lost one only slows the learning.
        let learned = lateness.as_secs_f64() + LEARNING * error;
        let learned = learned.clamp(0.0, MOST_LATENESS.as_secs_f64());
        self.lateness_us.store((learned * 1e6) as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn calls_last_their_latency_on_average() {
        let pace = Pace::default();
        let latency = Duration::from_millis(5);
        // Let it learn, then measure.
        for _ in 0..40 {
            pace.take(latency).await;
        }
        let calls = 60;
        let started = std::time::Instant::now();
        for _ in 0..calls {
            pace.take(latency).await;
        }
        let average = started.elapsed() / calls;
        let off = average.as_secs_f64() - latency.as_secs_f64();
        assert!(off.abs() < 0.0005, "a 5 ms call took {average:?} on average");
    }

    #[tokio::test(start_paused = true)]
    async fn on_a_paused_clock_every_call_lasts_exactly_its_latency() {
        let pace = Pace::default();
        for _ in 0..200 {
            let started = Instant::now();
            pace.take(Duration::from_millis(10)).await;
            assert_eq!(started.elapsed(), Duration::from_millis(10));
        }
    }
}
