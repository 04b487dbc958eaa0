//! The exactly-once contract every provider meets (`docs/providers.md`), as checks a provider crate runs in its
//! own tests against its own backend: the simulator in memory, AWS on moto.
//!
//! - **Creations carry their identity.** An action that creates resources marks each with the call's
//!   idempotency key ([`IDEMPOTENCY_TAG`](super::IDEMPOTENCY_TAG)); a call made again with the same key and
//!   [`in_doubt`](super::ProviderCall::in_doubt) set finds what the first call made and reports it as changed,
//!   creating nothing. A new key creates again: the look-up is by key, not by "something like it exists".
//! - **Done is told from the record.** For an action whose effect shows on its target, `is_done` says no for
//!   the target before the call and yes for the target as `describe` finds it after.

use std::future::Future;

use escher_compiler::plan::Value;

use super::interface::{Provider, ProviderCall, ProviderResponse, TargetStatus, resource_id};

/// Checks that `call` (a creating action over targets that exist) creates once per key. `created` counts the
/// resources of the created kind that exist now.
pub async fn creation_is_idempotent<F, Fut>(
    provider: &dyn Provider,
    call: &ProviderCall,
    created: F,
) -> Result<(), String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<usize, String>>,
{
    if call.targets.is_empty() {
        return Err("the call has no targets to create from".into());
    }
    let targets = call.targets.len();
    let before = created().await?;
    let first = ProviderCall { in_doubt: false, ..call.clone() };
    all_changed(provider, &first, "the first call").await?;
    let after_first = created().await?;
    if after_first != before + targets {
        return Err(format!("the first call made {} resources for {targets} targets", after_first - before));
    }
    let again = ProviderCall { in_doubt: true, ..call.clone() };
    all_changed(provider, &again, "the call made again in doubt").await?;
    let after_again = created().await?;
    if after_again != after_first {
        return Err(format!(
            "the call made again in doubt with the same key made {} more resources",
            after_again - after_first
        ));
    }
    let fresh =
        ProviderCall { in_doubt: true, idempotency_key: format!("{}-fresh", call.idempotency_key), ..call.clone() };
    all_changed(provider, &fresh, "a call with a new key").await?;
    let after_fresh = created().await?;
    if after_fresh != after_first + targets {
        return Err(format!(
            "a call in doubt with a new key made {} resources for {targets} targets: the look-up must be by key",
            after_fresh - after_first
        ));
    }
    Ok(())
}

/// Checks that `is_done` tells `call`'s effect from its targets' records: not done as the targets are before
/// the call, done as `describe` finds them after it.
pub async fn done_is_told_from_the_record(provider: &dyn Provider, call: &ProviderCall) -> Result<(), String> {
    for target in &call.targets {
        if provider.is_done(call, Some(target)) != Some(false) {
            return Err(format!("{} is said to be done before the call: {target:?}", id(target)));
        }
    }
    all_changed(provider, call, "the call").await?;
    let found = provider.describe(&call.targets).await.map_err(|error| format!("describe failed: {error}"))?;
    for target in &call.targets {
        let now = found.iter().find(|resource| resource_id(resource) == resource_id(target));
        if provider.is_done(call, now) != Some(true) {
            return Err(format!("{} is not said to be done after the call: {now:?}", id(target)));
        }
    }
    Ok(())
}

async fn all_changed(provider: &dyn Provider, call: &ProviderCall, what: &str) -> Result<(), String> {
    match provider.call(call).await {
        Ok(ProviderResponse::Targets(results)) => {
            let not_changed: Vec<_> = results.iter().filter(|r| r.status != TargetStatus::Changed).collect();
            if results.len() != call.targets.len() || !not_changed.is_empty() {
                return Err(format!("{what} did not change every target: {results:?}"));
            }
            Ok(())
        }
        Ok(ProviderResponse::Value(value)) => {
            Err(format!("{what} answered a value, not per-target results: {value:?}"))
        }
        Err(error) => Err(format!("{what} failed: {error}")),
    }
}

fn id(target: &Value) -> &str {
    resource_id(target).unwrap_or("(no id)")
}
