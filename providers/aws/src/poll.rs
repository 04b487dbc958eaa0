//! Waiting for a state transition (an RDS instance to be available, a Route 53 change to be in sync): ask
//! again and again, at a growing interval, until the resource is there, has failed, or time runs out. A timeout is
//! an error of its own kind, which the runtime may retry; the actions that wait are written so that a retry
//! picks up the wait where it was rather than acting twice.

use std::future::Future;
use std::time::{Duration, Instant};

use escher_runtime::provider::ProviderError;

/// What one look at the resource found.
pub(crate) enum Look<T> {
    /// The awaited state: stop waiting.
    Done(T),
    /// Not there yet.
    Pending,
    /// A state it will not leave by itself: stop with this refusal.
    Failed(String),
}

/// The first interval between looks, and the longest.
const FIRST: Duration = Duration::from_millis(250);
const LONGEST: Duration = Duration::from_secs(15);

/// Looks until `look` says done or failed, for at most `limit`. `what` names the wait in the timeout error.
pub(crate) async fn until<T, F, Fut>(what: &str, limit: Duration, mut look: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Look<T>, ProviderError>>,
{
    let started = Instant::now();
    let mut interval = FIRST;
    loop {
        match look().await? {
            Look::Done(value) => return Ok(value),
            Look::Failed(reason) => return Err(ProviderError::Rejected(reason)),
            Look::Pending => {}
        }
        if started.elapsed() >= limit {
            return Err(ProviderError::Timeout(format!("{what}: still not done after {}s", limit.as_secs())));
        }
        tokio::time::sleep(interval.min(limit.saturating_sub(started.elapsed()))).await;
        interval = (interval * 2).min(LONGEST);
    }
}
