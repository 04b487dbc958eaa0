//! Instance actions. Start, stop, reboot, terminate, tag and untag go as one request per batch (up to 1,000
//! instances for state changes, 50 for tags); when AWS refuses a batch (one bad instance refuses the whole
//! request), each instance is tried alone so the results say which failed and why. Resize is stop, wait until
//! stopped, modify the type, start, wait until running, one instance at a time; a resize in doubt finishes one
//! an earlier call cut short (stopped, maybe with the new type) by starting it again if the plan saw it running.

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{AttributeValue, InstanceStateChange, Tag};
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, TargetResult};

use super::send::{Sent, changed, failed, home, sent, unchanged};
use super::waiters::{STATE_LIMIT, state_of, until_state};
use crate::context::AwsContext;
use crate::record::{str_field, tags_of, tags_value, text, with_field};
use escher_runtime::provider::args::Args;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Start,
    Stop,
    Reboot,
    Terminate,
}

impl Change {
    fn operation(self) -> &'static str {
        match self {
            Change::Start => "StartInstances",
            Change::Stop => "StopInstances",
            Change::Reboot => "RebootInstances",
            Change::Terminate => "TerminateInstances",
        }
    }

    /// The state an instance is in once the change is asked for (what a dry run reports).
    fn would_be(self) -> &'static str {
        match self {
            Change::Start => "pending",
            Change::Stop => "stopping",
            Change::Reboot => "running",
            Change::Terminate => "shutting-down",
        }
    }

    /// States in which the change has nothing to do (also what `is_done` reads off a record).
    pub(crate) fn already(self, state: &str) -> bool {
        match self {
            Change::Start => matches!(state, "running" | "pending"),
            Change::Stop => matches!(state, "stopped" | "stopping"),
            Change::Reboot => false,
            Change::Terminate => matches!(state, "terminated" | "shutting-down"),
        }
    }
}

/// One request for the given instances: the state changes AWS reports (none for reboot).
async fn request(
    client: &Client,
    change: Change,
    ids: &[String],
    dry_run: bool,
) -> Result<Sent<Vec<InstanceStateChange>>, ProviderError> {
    let what = format!("ec2 {} {}", change.operation(), ids.join(","));
    let ids = Some(ids.to_vec());
    match change {
        Change::Start => {
            let r = client.start_instances().set_instance_ids(ids).dry_run(dry_run).send().await;
            sent(&what, r.map(|o| o.starting_instances().to_vec()))
        }
        Change::Stop => {
            let r = client.stop_instances().set_instance_ids(ids).dry_run(dry_run).send().await;
            sent(&what, r.map(|o| o.stopping_instances().to_vec()))
        }
        Change::Reboot => {
            let r = client.reboot_instances().set_instance_ids(ids).dry_run(dry_run).send().await;
            sent(&what, r.map(|_| Vec::new()))
        }
        Change::Terminate => {
            let r = client.terminate_instances().set_instance_ids(ids).dry_run(dry_run).send().await;
            sent(&what, r.map(|o| o.terminating_instances().to_vec()))
        }
    }
}

pub(crate) async fn change_state(
    ctx: &AwsContext,
    call: &ProviderCall,
    change: Change,
) -> Result<Vec<TargetResult>, ProviderError> {
    let (account, region) = home(&call.targets);
    let client = ctx.ec2(account, region).await?;
    let ids: Vec<String> = call.targets.iter().map(|t| str_field(t, "id").to_string()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if !call.dry_run && change == Change::Start {
        // Instances still stopping (a rollback right after a stop) cannot be started yet.
        for target in call.targets.iter().filter(|t| str_field(t, "state") == "stopping") {
            until_state(&client, str_field(target, "id"), "stopped", STATE_LIMIT).await?;
        }
    }
    match request(&client, change, &ids, call.dry_run).await? {
        Sent::Done(changes) => Ok(settle(&call.targets, change, &changes)),
        Sent::WouldSucceed => Ok(call
            .targets
            .iter()
            .map(|t| match change.already(str_field(t, "state")) {
                true => unchanged(t, t.clone()),
                false => changed(t, with_field(t, "state", text(change.would_be()))),
            })
            .collect()),
        Sent::Refused { error, .. } if ids.len() == 1 => Ok(vec![failed(&call.targets[0], error)]),
        Sent::Refused { .. } => {
            let mut results = Vec::with_capacity(ids.len());
            for (target, id) in call.targets.iter().zip(&ids) {
                let one = std::slice::from_ref(id);
                results.push(match request(&client, change, one, call.dry_run).await? {
                    Sent::Done(changes) => settle(std::slice::from_ref(target), change, &changes).remove(0),
                    Sent::WouldSucceed => changed(target, with_field(target, "state", text(change.would_be()))),
                    Sent::Refused { error, .. } => failed(target, error),
                });
            }
            Ok(results)
        }
    }
}

/// Per-target results from the state changes AWS reported.
fn settle(targets: &[Value], change: Change, changes: &[InstanceStateChange]) -> Vec<TargetResult> {
    targets
        .iter()
        .map(|target| {
            let id = str_field(target, "id");
            let found = changes.iter().find(|c| c.instance_id() == Some(id));
            let state = |s: Option<&aws_sdk_ec2::types::InstanceState>| {
                s.and_then(|s| s.name()).map(|n| n.as_str().to_string())
            };
            match found {
                // RebootInstances answers nothing per instance: success is for all of them.
                None if change == Change::Reboot => changed(target, target.clone()),
                None => failed(target, format!("AWS answered {} without {id}", change.operation())),
                Some(c) => {
                    let (before, now) = (state(c.previous_state()), state(c.current_state()));
                    let resource = with_field(target, "state", text(now.clone().unwrap_or_default()));
                    match before.as_deref().is_some_and(|b| change.already(b)) {
                        true => unchanged(target, resource),
                        false => changed(target, resource),
                    }
                }
            }
        })
        .collect()
}

/// Resizes each target: stop if running, wait, modify the type, start again if it was running, wait.
pub(crate) async fn resize(ctx: &AwsContext, call: &ProviderCall) -> Result<Vec<TargetResult>, ProviderError> {
    let args = Args(&call.args);
    let wanted = args.str("instance_type")?;
    let mut results = Vec::new();
    for target in &call.targets {
        let (account, region) = home(std::slice::from_ref(target));
        let client = ctx.ec2(account, region).await?;
        let id = str_field(target, "id");
        if str_field(target, "instance_type") == wanted {
            results.push(unchanged(target, target.clone()));
            continue;
        }
        let resized = with_field(target, "instance_type", text(wanted));
        let modify = |dry_run: bool| {
            client
                .modify_instance_attribute()
                .instance_id(id)
                .instance_type(AttributeValue::builder().value(wanted).build())
                .dry_run(dry_run)
                .send()
        };
        let what = format!("ec2 ModifyInstanceAttribute {id} instanceType={wanted}");
        if call.dry_run {
            results.push(match sent(&what, modify(true).await)? {
                Sent::WouldSucceed | Sent::Done(_) => changed(target, resized),
                Sent::Refused { error, .. } => failed(target, error),
            });
            continue;
        }
        let Some(state) = state_of(&client, id).await? else {
            results.push(failed(target, format!("{id} no longer exists")));
            continue;
        };
        let was_running = matches!(state.as_str(), "running" | "pending");
        // A call in doubt may find the instance stopped by an earlier call cut short: it ends running, as the
        // plan saw it.
        let start_after = was_running || (call.in_doubt && Change::Start.already(str_field(target, "state")));
        if was_running
            && let Sent::Refused { error, .. } = request(&client, Change::Stop, &[id.to_string()], false).await?
        {
            results.push(failed(target, error));
            continue;
        }
        if was_running || state == "stopping" {
            until_state(&client, id, "stopped", STATE_LIMIT).await?;
        }
        let outcome = sent(&what, modify(false).await)?;
        if start_after {
            // Started again whether or not the type changed: a failed resize must not leave it stopped.
            if let Sent::Refused { error, .. } = request(&client, Change::Start, &[id.to_string()], false).await? {
                results.push(failed(target, format!("{id} was stopped to resize and did not start again: {error}")));
                continue;
            }
            until_state(&client, id, "running", STATE_LIMIT).await?;
        }
        let now = if start_after { "running" } else { "stopped" };
        results.push(match outcome {
            Sent::Done(_) | Sent::WouldSucceed => changed(target, with_field(&resized, "state", text(now))),
            Sent::Refused { error, .. } => failed(target, error),
        });
    }
    Ok(results)
}

/// Tags (`untag = false`, with `tags`) or untags (`keys`) the batch in one request.
pub(crate) async fn retag(
    ctx: &AwsContext,
    call: &ProviderCall,
    untag: bool,
) -> Result<Vec<TargetResult>, ProviderError> {
    let args = Args(&call.args);
    let set = if untag { BTreeMap::new() } else { args.tags("tags")? };
    let remove = if untag { args.strings("keys")? } else { Vec::new() };
    let (account, region) = home(&call.targets);
    let client = ctx.ec2(account, region).await?;
    let after = |target: &Value| {
        let mut tags = tags_of(target);
        tags.extend(set.clone());
        tags.retain(|k, _| !remove.contains(k));
        (tags != tags_of(target), with_field(target, "tags", tags_value(&tags)))
    };
    let send = |ids: Vec<String>| async {
        let what = format!("ec2 {} {}", if untag { "DeleteTags" } else { "CreateTags" }, ids.join(","));
        let ids = Some(ids);
        if untag {
            let keys = remove.iter().map(|k| Tag::builder().key(k).build()).collect();
            sent(&what, client.delete_tags().set_resources(ids).set_tags(Some(keys)).dry_run(call.dry_run).send().await)
                .map(|s| s.map(|_| ()))
        } else {
            let tags = set.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
            sent(&what, client.create_tags().set_resources(ids).set_tags(Some(tags)).dry_run(call.dry_run).send().await)
                .map(|s| s.map(|_| ()))
        }
    };
    let ids: Vec<String> = call.targets.iter().map(|t| str_field(t, "id").to_string()).collect();
    let result_of = |target: &Value| {
        let (differs, resource) = after(target);
        if differs { changed(target, resource) } else { unchanged(target, resource) }
    };
    match send(ids.clone()).await? {
        Sent::Done(()) | Sent::WouldSucceed => Ok(call.targets.iter().map(result_of).collect()),
        Sent::Refused { error, .. } if ids.len() == 1 => Ok(vec![failed(&call.targets[0], error)]),
        Sent::Refused { .. } => {
            let mut results = Vec::new();
            for (target, id) in call.targets.iter().zip(ids) {
                results.push(match send(vec![id]).await? {
                    Sent::Done(()) | Sent::WouldSucceed => result_of(target),
                    Sent::Refused { error, .. } => failed(target, error),
                });
            }
            Ok(results)
        }
    }
}

trait MapSent<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Sent<U>;
}

impl<T> MapSent<T> for Sent<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Sent<U> {
        match self {
            Sent::Done(value) => Sent::Done(f(value)),
            Sent::WouldSucceed => Sent::WouldSucceed,
            Sent::Refused { code, error } => Sent::Refused { code, error },
        }
    }
}
