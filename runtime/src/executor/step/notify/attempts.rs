//! One delivery's attempts: each within a timeout, tried again on what may pass (a network error, a timeout, 429,
//! 5xx, a mail server's 4xx), after a pause that grows.

use std::future::Future;
use std::time::Duration;

pub(super) const ATTEMPTS: u32 = 3;
/// How long one attempt may take, from connecting to the server's answer.
pub(super) const TIMEOUT: Duration = Duration::from_secs(10);

/// How one attempt went.
pub(super) enum Attempt {
    Delivered,
    /// It may pass if tried again: why it did not this time.
    Retry(String),
    /// Trying again cannot help: why.
    Refused(String),
}

/// Runs `attempt` until it delivers, refuses, or has been tried [`ATTEMPTS`] times; why it was not delivered.
pub(super) async fn deliver<F, Fut>(mut attempt: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Attempt>,
{
    let mut last = String::new();
    for number in 1..=ATTEMPTS {
        match tokio::time::timeout(TIMEOUT, attempt()).await {
            Ok(Attempt::Delivered) => return Ok(()),
            Ok(Attempt::Refused(why)) => return Err(why),
            Ok(Attempt::Retry(why)) => last = why,
            Err(_) => last = format!("no answer within {} s", TIMEOUT.as_secs()),
        }
        if number < ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(500 * u64::from(number))).await;
        }
    }
    Err(format!("{last} (after {ATTEMPTS} attempts)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test(start_paused = true)]
    async fn what_may_pass_is_tried_three_times_and_a_refusal_once() {
        let tries = Cell::new(0);
        let failed = deliver(|| {
            tries.set(tries.get() + 1);
            async { Attempt::Retry("503".into()) }
        })
        .await;
        assert_eq!((tries.get(), failed), (3, Err("503 (after 3 attempts)".to_string())));

        tries.set(0);
        let refused = deliver(|| {
            tries.set(tries.get() + 1);
            async { Attempt::Refused("404".into()) }
        })
        .await;
        assert_eq!((tries.get(), refused), (1, Err("404".to_string())));

        tries.set(0);
        let second = deliver(|| {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move { if n < 2 { Attempt::Retry("429".into()) } else { Attempt::Delivered } }
        })
        .await;
        assert_eq!((tries.get(), second), (2, Ok(())));
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_that_hangs_times_out_and_counts_as_one() {
        let hung = deliver(std::future::pending::<Attempt>).await;
        assert_eq!(hung, Err("no answer within 10 s (after 3 attempts)".to_string()));
    }
}
