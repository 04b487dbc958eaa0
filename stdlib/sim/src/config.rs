//! How the simulator misbehaves: latency, throttling, failures, and how long state transitions take. Parsed
//! from `key=value` lists for the command line (`--sim-faults "latency=50ms,throttle=0.05,fail=0.01,seed=7"`)
//! or from a JSON object with the same keys.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The default: no latency, no faults, transitions that complete at once.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Seeds every random decision; the same seed and the same calls give the same faults.
    pub seed: u64,
    /// Added to every call (`latency=50ms`).
    pub latency: Duration,
    /// Up to this much more, uniformly (`jitter=20ms`).
    pub jitter: Duration,
    /// The share of calls throttled (`throttle=0.05`).
    pub throttle: f64,
    /// The `retry_after` a throttled call suggests (`retry_after=1s`).
    pub retry_after: Duration,
    /// The share of calls that fail as a whole with a 5xx (`fail=0.01`).
    pub fail: f64,
    /// The share of targets an action fails on (`target_fail=0.02`).
    pub target_fail: f64,
    /// How long `stopping`, `pending` and the like last before the final state (`transition=2s`); zero makes
    /// every action leave its targets in the final state at once.
    pub transition: Duration,
    /// Failures that always happen, for tests (`fail_call=aws.ec2.stop#3`, `fail_action=...`, `fail_id=...`).
    pub forced: Vec<ForcedFault>,
    /// The process dies right after the `nth` call to `action` acted and its change was saved, before the answer
    /// reaches the run (`die_after=aws.ec2.stop#2`): the cloud did it, the run never heard. Only a host that
    /// saves the estate as it changes (the command line's `--estate-out`) acts on it.
    pub die_after: Option<(String, u64)>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 0,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            throttle: 0.0,
            retry_after: Duration::from_secs(1),
            fail: 0.0,
            target_fail: 0.0,
            transition: Duration::ZERO,
            forced: Vec::new(),
            die_after: None,
        }
    }
}

/// A failure that happens on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForcedFault {
    /// The `nth` call to `action`, counting from 1, fails as a whole: `fail_call=aws.ec2.stop#3` (add
    /// `:throttled`, `:timeout` or `:rejected` for another error than a 5xx).
    NthCall { action: String, nth: u64, kind: FaultKind },
    /// Every call to `action` fails as a whole: `fail_action=aws.ec2.stop`.
    EveryCall { action: String, kind: FaultKind },
    /// Every action fails on this resource, and only on it: `fail_id=i-0123456789abcdef0`.
    Resource { id: String },
}

/// How a forced call failure shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Throttled,
    Unavailable,
    Timeout,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown simulator setting `{0}`; the settings are {KEYS}")]
    UnknownKey(String),
    #[error("simulator setting `{key}`: {problem}")]
    BadValue { key: String, problem: String },
    #[error("simulator settings: {0}")]
    Syntax(String),
}

const KEYS: &str = "seed, latency, jitter, throttle, retry_after, fail, target_fail, transition, fail_call, fail_action, fail_id, \
     die_after";

impl SimConfig {
    /// Parses `key=value` pairs separated by commas, or a JSON object with the same keys (lists allowed for the
    /// `fail_*` keys).
    pub fn parse(text: &str) -> Result<SimConfig, ConfigError> {
        let mut config = SimConfig::default();
        for (key, value) in pairs(text)? {
            config.set(&key, &value)?;
        }
        Ok(config)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let bad = |problem: &str| ConfigError::BadValue { key: key.to_string(), problem: problem.to_string() };
        match key {
            "seed" => self.seed = value.parse().map_err(|_| bad("expected a whole number"))?,
            "latency" => self.latency = duration(value).ok_or_else(|| bad("expected a duration such as 50ms"))?,
            "jitter" => self.jitter = duration(value).ok_or_else(|| bad("expected a duration such as 20ms"))?,
            "retry_after" => self.retry_after = duration(value).ok_or_else(|| bad("expected a duration such as 1s"))?,
            "transition" => self.transition = duration(value).ok_or_else(|| bad("expected a duration such as 2s"))?,
            "throttle" => self.throttle = share(value).ok_or_else(|| bad("expected a share from 0 to 1"))?,
            "fail" => self.fail = share(value).ok_or_else(|| bad("expected a share from 0 to 1"))?,
            "target_fail" => self.target_fail = share(value).ok_or_else(|| bad("expected a share from 0 to 1"))?,
            "fail_call" => {
                let (call, kind) = with_kind(value)
                    .ok_or_else(|| bad("expected a kind of throttled, unavailable, timeout or rejected"))?;
                let (action, nth) = call.split_once('#').ok_or_else(|| bad("expected ACTION#N, as aws.ec2.stop#3"))?;
                let nth = nth.parse().ok().filter(|n| *n > 0).ok_or_else(|| bad("N counts calls from 1"))?;
                self.forced.push(ForcedFault::NthCall { action: action.to_string(), nth, kind });
            }
            "fail_action" => {
                let (action, kind) = with_kind(value)
                    .ok_or_else(|| bad("expected a kind of throttled, unavailable, timeout or rejected"))?;
                self.forced.push(ForcedFault::EveryCall { action: action.to_string(), kind });
            }
            "fail_id" => self.forced.push(ForcedFault::Resource { id: value.to_string() }),
            "die_after" => {
                let (action, nth) = value.split_once('#').ok_or_else(|| bad("expected ACTION#N, as aws.ec2.stop#2"))?;
                let nth = nth.parse().ok().filter(|n| *n > 0).ok_or_else(|| bad("N counts calls from 1"))?;
                self.die_after = Some((action.to_string(), nth));
            }
            _ => return Err(ConfigError::UnknownKey(key.to_string())),
        }
        Ok(())
    }
}

impl FromStr for SimConfig {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        SimConfig::parse(text)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FaultKind::Throttled => "throttled",
            FaultKind::Unavailable => "unavailable",
            FaultKind::Timeout => "timeout",
            FaultKind::Rejected => "rejected",
        })
    }
}

/// The settings as (key, value) text pairs, from either syntax.
fn pairs(text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let text = text.trim();
    if text.starts_with('{') {
        let object: std::collections::BTreeMap<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let mut pairs = Vec::new();
        for (key, value) in object {
            let values = match value {
                serde_json::Value::Array(items) => items,
                single => vec![single],
            };
            for value in values {
                let value = match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                pairs.push((key.clone(), value));
            }
        }
        return Ok(pairs);
    }
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| ConfigError::Syntax(format!("`{part}` is not key=value")))
        })
        .collect()
}

/// `50ms`, `2s`, `1m`, `1h`, `1.5s` or `0`.
fn duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

fn share(text: &str) -> Option<f64> {
    text.parse().ok().filter(|p: &f64| (0.0..=1.0).contains(p))
}

/// `ACTION` or `ACTION:KIND`; the kind defaults to a 5xx.
fn with_kind(text: &str) -> Option<(&str, FaultKind)> {
    let Some((action, kind)) = text.rsplit_once(':') else { return Some((text, FaultKind::Unavailable)) };
    let kind = match kind {
        "throttled" => FaultKind::Throttled,
        "unavailable" => FaultKind::Unavailable,
        "timeout" => FaultKind::Timeout,
        "rejected" => FaultKind::Rejected,
        _ => return None,
    };
    Some((action, kind))
}
