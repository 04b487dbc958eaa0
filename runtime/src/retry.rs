//! When to retry a failed provider call, and after how long: a pure decision the run loop asks before each
//! retry, so every attempt is journaled, evented, rate-limited and cancellable by the loop itself.
//!
//! Only throttling, unavailability and timeouts are retried, with exponential backoff and full jitter (a delay
//! drawn evenly between zero and a ceiling that doubles from 200 ms up to 20 s), so callers throttled together do
//! not come back together. A throttle that says when to come back is believed.

use std::time::Duration;

use crate::provider::ProviderError;

/// The ceiling of the first retry's delay.
pub const FIRST_DELAY: Duration = Duration::from_millis(200);
/// The most any retry waits, unless the provider asks for longer.
pub const MAX_DELAY: Duration = Duration::from_secs(20);

/// Whether to retry after attempt number `attempt` (1 for the first call) failed with `error`, given the step
/// allows `max_retries` retries; if so, how long to wait first.
pub fn should_retry(attempt: u32, max_retries: u32, error: &ProviderError) -> Option<Duration> {
    retry_delay(attempt, max_retries, error, rand::random::<f64>())
}

/// [`should_retry`] with the jitter given: `unit`, in `0.0..=1.0`, places the delay between zero and the
/// attempt's ceiling.
pub fn retry_delay(attempt: u32, max_retries: u32, error: &ProviderError, unit: f64) -> Option<Duration> {
    if !error.is_retryable() || attempt > max_retries {
        return None;
    }
    if let ProviderError::Throttled { retry_after: Some(after), .. } = error {
        return Some(*after);
    }
    Some(backoff_ceiling(attempt).mul_f64(unit.clamp(0.0, 1.0)))
}

/// The longest wait after attempt number `attempt` failed: 200 ms, 400 ms, 800 ms, ... up to 20 s.
pub fn backoff_ceiling(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable() -> ProviderError {
        ProviderError::Unavailable("503".into())
    }

    #[test]
    fn refusals_and_bad_requests_are_never_retried() {
        for error in [
            ProviderError::Rejected("403 forbidden".into()),
            ProviderError::Invalid("no such parameter".into()),
            ProviderError::NotSimulated("no dry run".into()),
            ProviderError::Unsupported("no such action".into()),
        ] {
            assert_eq!(retry_delay(1, 10, &error, 0.5), None, "{error}");
        }
    }

    #[test]
    fn throttling_unavailability_and_timeouts_are_retried_until_the_retries_run_out() {
        let throttled = ProviderError::Throttled { message: "slow down".into(), retry_after: None };
        let timeout = ProviderError::Timeout("10m".into());
        for error in [throttled, timeout, unavailable()] {
            assert!(retry_delay(3, 3, &error, 0.5).is_some(), "the third retry of three is allowed: {error}");
            assert_eq!(retry_delay(4, 3, &error, 0.5), None, "a fourth is not: {error}");
        }
        assert_eq!(retry_delay(1, 0, &unavailable(), 0.5), None, "retry = 0 means one attempt only");
    }

    #[test]
    fn the_ceiling_doubles_from_200_ms_and_stops_at_20_s() {
        let ceilings: Vec<u128> = (1..=9).map(|attempt| backoff_ceiling(attempt).as_millis()).collect();
        assert_eq!(ceilings, [200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000]);
        assert_eq!(backoff_ceiling(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn the_delay_is_drawn_between_zero_and_the_ceiling() {
        assert_eq!(retry_delay(2, 5, &unavailable(), 0.0), Some(Duration::ZERO));
        assert_eq!(retry_delay(2, 5, &unavailable(), 0.5), Some(Duration::from_millis(200)));
        assert_eq!(retry_delay(2, 5, &unavailable(), 1.0), Some(Duration::from_millis(400)));
        for _ in 0..100 {
            let delay = should_retry(3, 5, &unavailable()).expect("retryable");
            assert!(delay <= Duration::from_millis(800), "{delay:?}");
        }
    }

    #[test]
    fn a_throttle_that_says_when_to_come_back_is_believed() {
        let error =
            ProviderError::Throttled { message: "rate exceeded".into(), retry_after: Some(Duration::from_secs(7)) };
        assert_eq!(retry_delay(1, 1, &error, 0.0), Some(Duration::from_secs(7)));
        assert_eq!(retry_delay(2, 1, &error, 0.0), None, "but only within the step's retries");
    }
}
