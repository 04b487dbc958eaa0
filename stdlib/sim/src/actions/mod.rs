//! Actions: per-target state changes the way each cloud makes them, all-or-nothing per target, committed per
//! batch (or, in a dry run, computed and dropped).

mod aws_data;
mod aws_edge;
mod azure_compute;
mod azure_data;
mod dispatch;
mod ec2;
mod gcp_compute;
mod gcp_data;
pub(crate) mod local;
mod spec;
mod txn;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use escher_compiler::plan::Value;
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderError, TargetResult, TargetStatus};

use crate::estate::Estate;
use crate::estate::transitions::Transitions;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;
use spec::{Absent, ActionSpec, Change, Refused, refuse};
use txn::Txn;

/// The cloud actions the stdlib declares.
fn declared() -> impl Iterator<Item = &'static ActionSpec> {
    ec2::ACTIONS
        .iter()
        .chain(aws_data::ACTIONS)
        .chain(aws_edge::ACTIONS)
        .chain(azure_compute::ACTIONS)
        .chain(azure_data::ACTIONS)
        .chain(gcp_compute::ACTIONS)
        .chain(gcp_data::ACTIONS)
}

/// A declared action, or one the cloud-agnostic actions dispatch to that the stdlib does not declare.
fn spec_named(name: &str) -> Option<&'static ActionSpec> {
    declared().chain(gcp_data::INTERNAL).find(|s| s.name == name)
}

pub(crate) fn names() -> Vec<&'static str> {
    let mut names: Vec<&str> = declared().map(|s| s.name).collect();
    names.extend(dispatch::names());
    names.extend(local::NAMES);
    names
}

/// Whether `name` is an action on targets that [`run`] performs.
pub(crate) fn acts_on_targets(name: &str) -> bool {
    spec_named(name).is_some() || dispatch::routes(name).is_some()
}

/// One batch of one action.
pub(crate) struct Batch<'c> {
    pub action: &'c str,
    pub args: &'c BTreeMap<String, Value>,
    pub targets: &'c [Value],
    pub dry_run: bool,
    pub transition: Duration,
    /// The call's idempotency key: what the batch creates is tagged with it (and the target it was made for).
    pub idempotency_key: &'c str,
    /// An earlier call with this key may have acted: a target it already created something for is not
    /// created for again.
    pub in_doubt: bool,
}

/// Applies a batch, one result per target. `failure` names targets the simulator makes fail on purpose.
pub(crate) fn run(
    estate: &mut Estate,
    transitions: &mut Transitions,
    batch: &Batch,
    failure: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<TargetResult>, ProviderError> {
    let routes = routes(batch.action, batch.args)?;
    let mut txn = Txn::new(estate, batch.transition);
    let mut results = Vec::with_capacity(batch.targets.len());
    for given in batch.targets {
        results.push(apply_to(&mut txn, batch, &routes, given, failure)?);
    }
    let commit = txn.finish();
    if !batch.dry_run {
        commit.apply(estate, transitions);
    }
    Ok(results)
}

type Routes<'a> = Vec<(&'static ActionSpec, Cow<'a, BTreeMap<String, Value>>)>;

/// The per-cloud actions `action` applies, each with its arguments.
fn routes<'a>(action: &str, args: &'a BTreeMap<String, Value>) -> Result<Routes<'a>, ProviderError> {
    Ok(match spec_named(action) {
        Some(spec) => vec![(spec, Cow::Borrowed(args))],
        None => dispatch::routes(action)
            .ok_or_else(|| ProviderError::Unsupported(format!("the simulator has no action `{action}`")))?
            .into_iter()
            .map(|(spec, implements)| (spec, Cow::Owned(dispatch::args_for(implements, args))))
            .collect(),
    })
}

/// Whether `resource` (`None`: it does not exist) is already as `action` would leave it: the action applied to
/// that very record, in a transaction that is dropped, changes nothing. `None` when that cannot tell: actions
/// that create something (they change nothing on their target, so only their identity tag tells, which the
/// call itself looks for) and actions that put back a given record.
pub(crate) fn is_done(
    estate: &Estate,
    action: &str,
    args: &BTreeMap<String, Value>,
    resource: Option<&Value>,
) -> Option<bool> {
    let routes = routes(action, args).ok()?;
    let Some(Value::Record(record)) = resource else {
        let absent: Vec<Absent> = routes.iter().map(|(spec, _)| spec.absent).collect();
        return match absent.as_slice() {
            all if all.iter().all(|a| *a == Absent::Done) => Some(true),
            all if all.iter().all(|a| *a == Absent::Fail) => Some(false),
            _ => None,
        };
    };
    let (spec, args) = match routes.as_slice() {
        [only] => only,
        many => many.iter().find(|(spec, _)| spec.kind == record::kind(record))?,
    };
    if spec.absent == Absent::Create {
        return None;
    }
    let mut txn = Txn::new(estate, Duration::ZERO);
    let mark = txn.mark();
    let applied = (spec.apply)(&mut txn, &Args(args), record);
    if !txn.created_since(&mark).is_empty() {
        return None;
    }
    match applied {
        Ok(Change::Unchanged) => Some(true),
        Ok(Change::Changed) | Err(Refused::Target(_)) => Some(false),
        Err(Refused::Call(_)) => None,
    }
}

/// The value of the identity tag on what a call creates for one target.
fn identity(key: &str, target: &str) -> String {
    format!("{key}/{target}")
}

fn apply_to(
    txn: &mut Txn,
    batch: &Batch,
    routes: &[(&ActionSpec, Cow<BTreeMap<String, Value>>)],
    given: &Value,
    failure: &dyn Fn(&str) -> Option<String>,
) -> Result<TargetResult, ProviderError> {
    let action = batch.action;
    let failed = |id: &str, error: String, resource: Value| TargetResult {
        id: id.to_string(),
        status: TargetStatus::Failed { error },
        resource,
    };
    let Value::Record(given_record) = given else {
        return Ok(failed("", format!("{action}: a target must be a resource record"), given.clone()));
    };
    let id = record::id(given_record);
    if id.is_empty() {
        return Ok(failed("", format!("{action}: the target has no `id`"), given.clone()));
    }
    let current = txn.get(id);
    let before: Record = current.as_deref().cloned().unwrap_or_else(|| given_record.clone());
    let kind = match (record::kind(&before), routes) {
        // A bare `{id}` names the one kind a per-cloud action takes.
        ("", [(spec, _)]) => spec.kind.to_string(),
        (kind, _) => kind.to_string(),
    };
    let Some((spec, args)) = routes.iter().find(|(spec, _)| spec.kind == kind) else {
        let error = match routes {
            [(spec, _)] => format!("{id} is a {kind}, not a {}", spec.kind),
            _ if kind.is_empty() => not_found("", id),
            _ => format!("{action} cannot act on {id}, a {kind}"),
        };
        return Ok(failed(id, error, Value::Record(before)));
    };
    if let Some(error) = failure(id) {
        return Ok(failed(id, error, Value::Record(before)));
    }
    let args = Args(args);
    let made_for_it = identity(batch.idempotency_key, id);
    if batch.in_doubt && !batch.dry_run && txn.any(|r| record::tag(r, IDEMPOTENCY_TAG) == Some(made_for_it.as_str())) {
        // An earlier call with this key already created what this target asked for.
        return Ok(TargetResult {
            id: id.to_string(),
            status: TargetStatus::Changed,
            resource: after(txn, id, before),
        });
    }
    let mark = txn.mark();
    // A dry run changes nothing, so a later step of the same dry run would find the estate as it was: judge its
    // targets by the records it was given, which carry what the earlier steps would have done (`stop.changed`
    // feeding a resize shows the instances stopped), unless this very batch has already changed the resource.
    let given_is_newer = batch.dry_run && !record::kind(given_record).is_empty() && !txn.wrote(id);
    let judged = match (&current, given_is_newer) {
        (Some(_), true) => Some(given_record),
        (current, _) => current.as_deref(),
    };
    let outcome = match (judged, spec.absent) {
        (_, Absent::Create) => (spec.apply)(txn, &args, given_record),
        (Some(current), _) => (spec.apply)(txn, &args, current),
        (None, Absent::Done) => Ok(Change::Unchanged),
        (None, Absent::Fail) => refuse(not_found(&kind, id)),
    };
    let status = match outcome {
        Ok(Change::Changed) => {
            stamp_created(txn, &mark, &made_for_it);
            TargetStatus::Changed
        }
        Ok(Change::Unchanged) => TargetStatus::Unchanged,
        Err(Refused::Target(error)) => {
            txn.rollback(mark);
            TargetStatus::Failed { error }
        }
        Err(Refused::Call(error)) => return Err(error),
    };
    Ok(TargetResult { id: id.to_string(), status, resource: after(txn, id, before) })
}

/// Tags what the target's change created with the call's identity, so a call in doubt finds it.
fn stamp_created(txn: &mut Txn, mark: &txn::Mark, identity: &str) {
    let stamp = BTreeMap::from([(IDEMPOTENCY_TAG.to_string(), identity.to_string())]);
    for created in txn.created_since(mark) {
        let mut stamped = created.as_ref().clone();
        record::merge_tags(&mut stamped, &stamp);
        txn.put(stamped);
    }
}

/// The target as the call leaves it; a removed one is its last record with `state` set to `deleted`.
fn after(txn: &Txn, id: &str, before: Record) -> Value {
    match txn.get(id) {
        Some(resource) => Value::Record(resource.as_ref().clone()),
        None => {
            let mut gone = before;
            gone.insert("state".into(), text("deleted"));
            Value::Record(gone)
        }
    }
}

/// The cloud's "not found" for a kind.
fn not_found(kind: &str, id: &str) -> String {
    match kind {
        "aws.ec2.Instance" => format!("InvalidInstanceID.NotFound: The instance ID '{id}' does not exist"),
        "aws.ec2.Volume" => format!("InvalidVolume.NotFound: The volume '{id}' does not exist."),
        "aws.ec2.Snapshot" => format!("InvalidSnapshot.NotFound: The snapshot '{id}' does not exist."),
        "aws.ec2.Image" => format!("InvalidAMIID.NotFound: The image id '[{id}]' does not exist"),
        "aws.ec2.SecurityGroupRule" => format!("InvalidSecurityGroupRuleId.NotFound: The rule '{id}' does not exist"),
        "aws.lambda.Function" => format!("ResourceNotFoundException: Function not found: {id}"),
        "aws.rds.Instance" => format!("DBInstanceNotFound: DBInstance {id} not found."),
        "aws.rds.Snapshot" => format!("DBSnapshotNotFound: DBSnapshot {id} not found."),
        "aws.route53.Record" => format!("InvalidChangeBatch: the record set {id} was not found"),
        "aws.s3.Bucket" => format!("NoSuchBucket: The specified bucket does not exist: {id}"),
        k if k.starts_with("azure.") => format!("ResourceNotFound: The Resource '{id}' was not found."),
        k if k.starts_with("gcp.") => format!("notFound: The resource '{id}' was not found"),
        _ => format!("{id} does not exist"),
    }
}
