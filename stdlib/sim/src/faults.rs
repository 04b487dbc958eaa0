//! Deciding, per call, how long it takes and whether it fails. Every random decision is a hash of the seed, the
//! action, the call's idempotency key and how many times that key has been tried, so the same calls get the
//! same faults however concurrent calls interleave, and a retry gets a fresh draw.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use escher_runtime::provider::ProviderError;

use crate::config::{FaultKind, ForcedFault, SimConfig};
use crate::rng::{hash, unit};

/// What happens to one call.
pub(crate) struct CallFate {
    pub latency: Duration,
    pub error: Option<ProviderError>,
    /// Distinguishes the tries of one idempotency key in per-target draws.
    pub attempt: u64,
    pub key: String,
}

#[derive(Default)]
struct Counters {
    by_key: HashMap<String, u64>,
    by_action: HashMap<String, u64>,
}

#[derive(Default)]
pub(crate) struct Faults {
    counters: Mutex<Counters>,
}

impl Faults {
    pub(crate) fn decide(&self, config: &SimConfig, action: &str, idempotency_key: &str) -> CallFate {
        let (nth_call, attempt, key) = {
            let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
            let nth_call = bump(&mut counters.by_action, action);
            // Calls without a key (tests, describe) are told apart by their order instead.
            let key =
                if idempotency_key.is_empty() { format!("{action}#{nth_call}") } else { idempotency_key.to_string() };
            let attempt = bump(&mut counters.by_key, &key);
            (nth_call, attempt, key)
        };
        let attempt_text = attempt.to_string();
        let seed = config.seed.to_string();
        let draw = |what: &str| unit(hash(&[&seed, what, action, &key, &attempt_text]));
        let latency = config.latency + config.jitter.mul_f64(draw("jitter"));
        let forced = config.forced.iter().find_map(|fault| match fault {
            ForcedFault::NthCall { action: a, nth, kind } if a == action && *nth == nth_call => Some(*kind),
            ForcedFault::EveryCall { action: a, kind } if a == action => Some(*kind),
            _ => None,
        });
        let error = if let Some(kind) = forced {
            Some(error_of(kind, action, config))
        } else if draw("throttle") < config.throttle {
            Some(error_of(FaultKind::Throttled, action, config))
        } else if draw("fail") < config.fail {
            Some(error_of(FaultKind::Unavailable, action, config))
        } else {
            None
        };
        CallFate { latency, error, attempt, key }
    }

    /// Why the action fails on this target, if it does: a forced failure for its id, or a random one.
    pub(crate) fn target_failure(&self, config: &SimConfig, action: &str, fate: &CallFate, id: &str) -> Option<String> {
        let forced = config.forced.iter().any(|f| matches!(f, ForcedFault::Resource { id: forced } if forced == id));
        if forced {
            return Some(format!("InternalError: simulated failure forced for {id}"));
        }
        let draw = unit(hash(&[&config.seed.to_string(), "target", action, &fate.key, &fate.attempt.to_string(), id]));
        (draw < config.target_fail).then(|| format!("InternalError: simulated transient failure on {id}"))
    }
}

fn bump(counts: &mut HashMap<String, u64>, key: &str) -> u64 {
    let count = counts.entry(key.to_string()).or_insert(0);
    *count += 1;
    *count
}

fn error_of(kind: FaultKind, action: &str, config: &SimConfig) -> ProviderError {
    match kind {
        FaultKind::Throttled => ProviderError::Throttled {
            message: format!("{action}: request rate exceeded (simulated)"),
            retry_after: Some(config.retry_after),
        },
        FaultKind::Unavailable => ProviderError::Unavailable(format!("{action}: internal error (simulated 5xx)")),
        FaultKind::Timeout => ProviderError::Timeout(format!("{action}: no answer in time (simulated)")),
        FaultKind::Rejected => ProviderError::Rejected(format!("{action}: access denied (simulated)")),
    }
}
