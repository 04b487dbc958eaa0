//! Amazon Route 53: `aws.route53.records`, `set_failover`, `set_values`, and `describe` for records. A change
//! rewrites the whole record set (UPSERT) from the set as Route 53 holds it now, so fields Escher does not model
//! (weights, alias targets, geo rules) are kept, then waits until the change is in sync. Route 53 has no
//! dry-run parameter: in a dry run its actions are reported not simulated. Both actions' effects show on the
//! record (`is_done`).

mod list;

use std::time::Duration;

use aws_sdk_route53::Client;
use aws_sdk_route53::error::ProvideErrorMetadata;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover,
    RrType,
};
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use crate::errors::classify;
use crate::outcome::{Done, each_target, not_simulated, unknown_action};
use crate::poll::{self, Look};
use crate::record::{field, str_field};
use escher_runtime::provider::args::Args;
use list::{record, record_sets, same_name, zone_id};

/// How long a change may take to reach every Route 53 server (AWS says usually within 60 seconds).
const IN_SYNC: Duration = Duration::from_secs(10 * 60);

pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "aws.route53.records" => return records(ctx, &args).await.map(ProviderResponse::Value),
        "aws.route53.set_failover" => {
            let role = args.str("role")?;
            if !matches!(role, "PRIMARY" | "SECONDARY") {
                return Err(ProviderError::Invalid(format!("failover role is PRIMARY or SECONDARY, not `{role}`")));
            }
            args.opt_str("health_check_id")?;
        }
        "aws.route53.set_values" => {
            if args.strings("values")?.is_empty() {
                return Err(ProviderError::Invalid("a record set needs at least one value".into()));
            }
            args.opt_int("ttl")?;
        }
        other => return Err(unknown_action("Route 53", other)),
    }
    if call.dry_run {
        return Ok(not_simulated(call, "Route 53"));
    }
    each_target(&call.targets, |target| act(ctx, call, &args, target)).await
}

async fn act(ctx: &AwsContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let account = Some(str_field(target, "account")).filter(|a| !a.is_empty());
    let client = ctx.route53(account).await?;
    let set = current(&client, target)
        .await?
        .ok_or_else(|| ProviderError::Rejected(format!("record {} not found", str_field(target, "id"))))?;
    let changed = match call.action.as_str() {
        "aws.route53.set_failover" => with_failover(&set, args, target)?,
        _ => with_values(&set, args, target)?,
    };
    let zone = str_field(target, "zone_id");
    match changed {
        None => Ok(Done::Unchanged(like(target, &set))),
        Some(changed) => {
            upsert(&client, zone, changed).await?;
            let now = current(&client, target).await?.ok_or_else(|| {
                ProviderError::Rejected(format!("record {} disappeared after the change", str_field(target, "id")))
            })?;
            Ok(Done::Changed(like(target, &now)))
        }
    }
}

async fn records(ctx: &AwsContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (wanted, record_type) = (args.strings("zones")?, args.opt_str("record_type")?);
    let mut seen = vec![false; wanted.len()];
    let mut found = Vec::new();
    for account in ctx.accounts().await? {
        let client = ctx.route53(Some(&account.id)).await?;
        for zone in list::zones(&client, ctx.page_size()).await? {
            let matches: Vec<usize> = (0..wanted.len()).filter(|&i| same_name(&wanted[i], zone.name())).collect();
            if !wanted.is_empty() && matches.is_empty() {
                continue;
            }
            matches.iter().for_each(|&i| seen[i] = true);
            for set in record_sets(&client, zone_id(&zone), None, ctx.page_size(), |_| true).await? {
                if record_type.is_none_or(|t| set.r#type().as_str() == t) {
                    found.push(record(zone_id(&zone), zone.name(), &account.id, &set));
                }
            }
        }
    }
    if let Some(missing) = wanted.iter().zip(&seen).find(|(_, seen)| !**seen).map(|(zone, _)| zone) {
        return Err(ProviderError::Rejected(format!("NoSuchHostedZone: no hosted zone named `{missing}`")));
    }
    Ok(Value::List(found))
}

/// The record set a record names, as Route 53 holds it now; `None` when it (or its zone) is gone.
async fn current(client: &Client, target: &Value) -> Result<Option<ResourceRecordSet>, ProviderError> {
    let (zone, name) = (str_field(target, "zone_id"), str_field(target, "name"));
    let kind = RrType::from(str_field(target, "record_type"));
    let set_id = match field(target, "set_identifier") {
        Some(Value::String(id)) => Some(id.as_str()),
        _ => None,
    };
    let is_it =
        |s: &ResourceRecordSet| same_name(s.name(), name) && s.r#type() == &kind && s.set_identifier() == set_id;
    let past = |s: &ResourceRecordSet| !same_name(s.name(), name) || s.r#type() != &kind;
    let keep_going = |sets: &[ResourceRecordSet]| !sets.iter().any(is_it) && !sets.last().is_some_and(past);
    match record_sets(client, zone, Some((name, &kind, set_id)), None, keep_going).await {
        Ok(sets) => Ok(sets.into_iter().find(is_it)),
        Err(ProviderError::Rejected(message)) if message.contains("NoSuchHostedZone") => Ok(None),
        Err(error) => Err(error),
    }
}

/// The record of a set, keeping the target's account and zone name.
fn like(target: &Value, set: &ResourceRecordSet) -> Value {
    record(str_field(target, "zone_id"), str_field(target, "zone_name"), str_field(target, "account"), set)
}

/// The set with the failover role and health check, or `None` when it already has them.
fn with_failover(
    set: &ResourceRecordSet,
    args: &Args<'_>,
    target: &Value,
) -> Result<Option<ResourceRecordSet>, ProviderError> {
    let role = ResourceRecordSetFailover::from(args.str("role")?);
    let health_check = args.opt_str("health_check_id")?;
    if set.set_identifier().is_none() {
        return Err(ProviderError::Rejected(format!(
            "InvalidChangeBatch: {} has no set identifier, which a failover record needs",
            str_field(target, "id")
        )));
    }
    if set.failover() == Some(&role) && set.health_check_id() == health_check {
        return Ok(None);
    }
    let mut changed = set.clone();
    changed.failover = Some(role);
    changed.health_check_id = health_check.map(str::to_string);
    Ok(Some(changed))
}

/// The set with the new values (and TTL), or `None` when it already has them.
fn with_values(
    set: &ResourceRecordSet,
    args: &Args<'_>,
    target: &Value,
) -> Result<Option<ResourceRecordSet>, ProviderError> {
    let values = args.strings("values")?;
    let ttl = args.opt_int("ttl")?;
    if set.alias_target().is_some() {
        return Err(ProviderError::Rejected(format!(
            "{} is an alias record: its answer is the alias target, not values",
            str_field(target, "id")
        )));
    }
    let mut current: Vec<&str> = set.resource_records().iter().map(|r| r.value()).collect();
    let mut wanted: Vec<&str> = values.iter().map(String::as_str).collect();
    current.sort_unstable();
    wanted.sort_unstable();
    if current == wanted && ttl.is_none_or(|t| set.ttl() == Some(t)) {
        return Ok(None);
    }
    let records = values
        .iter()
        .map(|v| ResourceRecord::builder().value(v).build().map_err(|e| ProviderError::Invalid(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut changed = set.clone();
    changed.resource_records = Some(records);
    if ttl.is_some() {
        changed.ttl = ttl;
    }
    Ok(Some(changed))
}

/// UPSERTs one set and waits until Route 53 reports the change in sync.
async fn upsert(client: &Client, zone: &str, set: ResourceRecordSet) -> Result<(), ProviderError> {
    let invalid = |e: aws_sdk_route53::error::BuildError| ProviderError::Invalid(e.to_string());
    let change = Change::builder().action(ChangeAction::Upsert).resource_record_set(set).build().map_err(invalid)?;
    let batch = ChangeBatch::builder().changes(change).comment("escher").build().map_err(invalid)?;
    let out = client
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(batch)
        .send()
        .await
        .map_err(|e| classify("route53 ChangeResourceRecordSets", &e))?;
    let Some(info) = out.change_info() else { return Ok(()) };
    if info.status() == &ChangeStatus::Insync {
        return Ok(());
    }
    let id = info.id().to_string();
    let id = id.as_str();
    poll::until(&format!("Route 53 change {id} to be in sync"), IN_SYNC, move || async move {
        match client.get_change().id(id).send().await {
            Ok(out) if out.change_info().is_some_and(|c| c.status() == &ChangeStatus::Insync) => Ok(Look::Done(())),
            Ok(_) => Ok(Look::Pending),
            // The change record expired: it was applied long ago.
            Err(error) if error.code() == Some("NoSuchChange") => Ok(Look::Done(())),
            Err(error) => Err(classify("route53 GetChange", &error)),
        }
    })
    .await
}

/// Whether a record shows what `action` leaves: its failover role and health check, or its values (and TTL when
/// one is given), compared as the actions compare them.
pub(crate) fn is_done(action: &str, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    let optional = |value: Option<&str>| value.map_or(Value::Null, |v| Value::String(v.to_string()));
    match action {
        "aws.route53.set_failover" => {
            let role = optional(Some(args.str("role").ok()?));
            let health_check = optional(args.opt_str("health_check_id").ok()?);
            Some(resource.is_some_and(|r| {
                field(r, "failover") == Some(&role) && field(r, "health_check_id") == Some(&health_check)
            }))
        }
        "aws.route53.set_values" => {
            let (mut wanted, ttl) = (args.strings("values").ok()?, args.opt_int("ttl").ok()?);
            wanted.sort_unstable();
            Some(resource.is_some_and(|r| {
                let ttl_kept = ttl.is_none_or(|t| field(r, "ttl") == Some(&Value::Int(t)));
                let alias = field(r, "alias") == Some(&Value::Bool(true));
                !alias && sorted_values(r) == wanted && ttl_kept
            }))
        }
        _ => None,
    }
}

fn sorted_values(record: &Value) -> Vec<String> {
    let mut values: Vec<String> = match field(record, "values") {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    values.sort_unstable();
    values
}

/// The current records of record sets; those gone are left out.
pub(crate) async fn describe(ctx: &AwsContext, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
    let mut found = Vec::new();
    for resource in resources {
        let account = Some(str_field(resource, "account")).filter(|a| !a.is_empty());
        let client = ctx.route53(account).await?;
        if let Some(set) = current(&client, resource).await? {
            found.push(like(resource, &set));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::done::tests::{call, record, text};

    fn set(failover: Value, health_check: Value, values: &[&str], ttl: i64) -> Value {
        let values = Value::List(values.iter().map(|v| text(v)).collect());
        let fields =
            [("failover", failover), ("health_check_id", health_check), ("values", values), ("ttl", Value::Int(ttl))];
        record(&fields, &[])
    }

    fn done(action: &str, args: &[(&str, Value)], now: &Value) -> Option<bool> {
        is_done(action, &call(action, args, vec![now.clone()]), Some(now))
    }

    #[test]
    fn failover_needs_the_role_and_the_same_health_check() {
        let action = "aws.route53.set_failover";
        let primary = set(text("PRIMARY"), text("hc-1"), &["10.0.0.1"], 60);
        assert_eq!(done(action, &[("role", text("SECONDARY"))], &primary), Some(false));
        assert_eq!(done(action, &[("role", text("PRIMARY"))], &primary), Some(false), "the health check goes");
        let with_check = [("role", text("PRIMARY")), ("health_check_id", text("hc-1"))];
        assert_eq!(done(action, &with_check, &primary), Some(true));
        assert_eq!(done(action, &[], &primary), None, "no role to compare");
    }

    #[test]
    fn values_are_compared_in_any_order_with_the_ttl_when_given() {
        let action = "aws.route53.set_values";
        let now = set(Value::Null, Value::Null, &["10.0.0.2", "10.0.0.1"], 60);
        let values = Value::List(vec![text("10.0.0.1"), text("10.0.0.2")]);
        assert_eq!(done(action, &[("values", values.clone())], &now), Some(true));
        assert_eq!(done(action, &[("values", values.clone()), ("ttl", Value::Int(60))], &now), Some(true));
        assert_eq!(done(action, &[("values", values), ("ttl", Value::Int(300))], &now), Some(false));
        assert_eq!(done(action, &[("values", Value::List(vec![text("10.0.0.9")]))], &now), Some(false));
        assert_eq!(is_done(action, &call(action, &[], vec![]), None), Some(false));
    }
}
