//! Compute Engine (`gcp.compute.*`): instances, persistent disks, snapshots and VPC firewall rules. Instances and
//! disks are listed with `aggregatedList` (every zone and region in one list); snapshots and firewall rules are
//! global. Every change carries a `requestId` derived from the batch's idempotency key and the target, so a
//! retried or resumed batch gets the first request's operation back instead of acting twice, and is followed to
//! its end.

use std::time::Duration;

use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderCall, ProviderError, ProviderResponse};
use reqwest::Method;
use serde_json::{Value as Json, json};

use crate::api::{Request, Service};
use crate::context::{GcpContext, idempotency_label, request_id};
use crate::filters::keep;
use crate::labels;
use crate::operations::{self, last_segment};
use crate::outcome::{Done, each_target, gone, missing, unknown_action};
use crate::pace::Category;
use crate::record::{field, flag, has_tags, int_at, record, region_of_zone, tags, text, text_at, with, with_labels};
use crate::services::each_project;

pub(crate) const INSTANCE: &str = "gcp.compute.Instance";
pub(crate) const DISK: &str = "gcp.compute.Disk";
pub(crate) const SNAPSHOT: &str = "gcp.compute.Snapshot";
pub(crate) const FIREWALL: &str = "gcp.compute.FirewallRule";

pub(crate) async fn call(ctx: &GcpContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    let targets = &call.targets;
    match call.action.as_str() {
        "gcp.compute.instances" => instances(ctx, &args).await.map(ProviderResponse::Value),
        "gcp.compute.disks" => disks(ctx, &args).await.map(ProviderResponse::Value),
        "gcp.compute.snapshots" => snapshots(ctx, &args).await.map(ProviderResponse::Value),
        "gcp.compute.open_firewall_rules" => open_firewall_rules(ctx, &args).await.map(ProviderResponse::Value),
        "gcp.compute.start" | "gcp.compute.stop" | "gcp.compute.reset" | "gcp.compute.delete" => {
            each_target(targets, |target| on_instance(ctx, call, &args, target)).await
        }
        "gcp.compute.set_machine_type" => {
            args.str("machine_type")?;
            each_target(targets, |target| on_instance(ctx, call, &args, target)).await
        }
        "gcp.compute.label" => {
            labels::check(&args.tags("labels")?)?;
            each_target(targets, |target| on_instance(ctx, call, &args, target)).await
        }
        "gcp.compute.create_snapshots" | "gcp.compute.delete_disks" => {
            each_target(targets, |target| on_disk(ctx, call, &args, target)).await
        }
        "gcp.compute.delete_snapshots" => each_target(targets, |target| delete_snapshot(ctx, call, target)).await,
        "gcp.compute.disable_firewall_rules" | "gcp.compute.enable_firewall_rules" => {
            each_target(targets, |target| on_firewall(ctx, call, target)).await
        }
        other => Err(unknown_action("Compute Engine", other)),
    }
}

// ---- queries ----

async fn instances(ctx: &GcpContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    each_project(ctx, args, "gcp.compute.instances", |project| async move {
        let list = aggregated_list(&project, "instances", "compute.instances.aggregatedList");
        Ok(ctx.api.aggregated(list, "instances").await?.iter().map(|json| instance_record(&project, json)).collect())
    })
    .await
}

fn aggregated_list(project: &str, kind: &str, method_id: &'static str) -> Request {
    Request::get(Service::Compute, method_id, format!("compute/v1/projects/{project}/aggregated/{kind}"))
        .paced(Category::ComputeList, project)
}

pub(crate) fn instance_record(project: &str, instance: &Json) -> Value {
    let zone = last_segment(text_at(instance, &["zone"]));
    let scheduling = instance.get("scheduling").unwrap_or(&Json::Null);
    let preemptible = scheduling.get("preemptible").and_then(Json::as_bool).unwrap_or(false)
        || text_at(scheduling, &["provisioningModel"]) == "SPOT";
    let name = text_at(instance, &["name"]);
    record(INSTANCE, text_at(instance, &["id"]), name, region_of_zone(zone), project, instance.get("labels"))
        .str("state", text_at(instance, &["status"]).to_ascii_lowercase())
        .str("zone", zone)
        .str("machine_type", last_segment(text_at(instance, &["machineType"])))
        .bool("preemptible", preemptible)
        .time("created", text_at(instance, &["creationTimestamp"]))
        .build()
}

async fn disks(ctx: &GcpContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    each_project(ctx, args, "gcp.compute.disks", |project| async move {
        let list = aggregated_list(&project, "disks", "compute.disks.aggregatedList");
        Ok(ctx.api.aggregated(list, "disks").await?.iter().map(|json| disk_record(&project, json)).collect())
    })
    .await
}

pub(crate) fn disk_record(project: &str, disk: &Json) -> Value {
    let zone = Some(last_segment(text_at(disk, &["zone"]))).filter(|z| !z.is_empty());
    let region = match zone {
        Some(zone) => region_of_zone(zone),
        None => last_segment(text_at(disk, &["region"])),
    };
    let users: Vec<&str> = disk
        .get("users")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(last_segment)
        .collect();
    let customer_key = !text_at(disk, &["diskEncryptionKey", "kmsKeyName"]).is_empty();
    record(DISK, text_at(disk, &["id"]), text_at(disk, &["name"]), region, project, disk.get("labels"))
        .int("size_gb", int_at(disk, &["sizeGb"]).unwrap_or(0))
        .bool("attached", !users.is_empty())
        // Google encrypts every disk; `customer_managed_key` says whether with the customer's key.
        .bool("encrypted", true)
        .opt_str("zone", zone)
        .str("disk_type", last_segment(text_at(disk, &["type"])))
        .strings("users", users)
        .bool("customer_managed_key", customer_key)
        .time("created", text_at(disk, &["creationTimestamp"]))
        .build()
}

async fn snapshots(ctx: &GcpContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    each_project(ctx, args, "gcp.compute.snapshots", |project| async move {
        let listed = ctx.api.pages(snapshot_list(&project), "items").await?;
        Ok(listed.iter().map(|json| snapshot_record(&project, json)).collect())
    })
    .await
}

fn snapshot_list(project: &str) -> Request {
    Request::get(Service::Compute, "compute.snapshots.list", format!("compute/v1/projects/{project}/global/snapshots"))
        .paced(Category::ComputeList, project)
}

pub(crate) fn snapshot_record(project: &str, snapshot: &Json) -> Value {
    let region = snapshot.pointer("/storageLocations/0").and_then(Json::as_str).unwrap_or("");
    let name = text_at(snapshot, &["name"]);
    record(SNAPSHOT, text_at(snapshot, &["id"]), name, region, project, snapshot.get("labels"))
        .int("size_gb", int_at(snapshot, &["diskSizeGb"]).unwrap_or(0))
        .bool("encrypted", true)
        .time("created", text_at(snapshot, &["creationTimestamp"]))
        .str("source_disk", last_segment(text_at(snapshot, &["sourceDisk"])))
        .str("status", text_at(snapshot, &["status"]).to_ascii_lowercase())
        .build()
}

/// Ranges that mean "anywhere".
const ANYWHERE: [&str; 2] = ["0.0.0.0/0", "::/0"];

async fn open_firewall_rules(ctx: &GcpContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let ports = args.ints("ports")?;
    // The ports are judged on the rule's `allowed` entries, which its record sums up.
    let mut judged = args.0.clone();
    judged.remove("ports");
    let mut found = Vec::new();
    for project in ctx.listed(args.opt_str("project")?)? {
        let list = Request::get(
            Service::Compute,
            "compute.firewalls.list",
            format!("compute/v1/projects/{project}/global/firewalls"),
        )
        .paced(Category::ComputeList, project.as_str());
        for rule in ctx.api.pages(list, "items").await? {
            let ingress = matches!(text_at(&rule, &["direction"]), "" | "INGRESS");
            let enabled = !rule.get("disabled").and_then(Json::as_bool).unwrap_or(false);
            let from_anywhere = source_ranges(&rule).iter().any(|range| ANYWHERE.contains(range));
            let allowed = allowed(&rule);
            let on_port =
                ports.is_empty() || ports.iter().any(|p| allowed.iter().any(|(_, from, to)| (*from..=*to).contains(p)));
            let record = firewall_record(&project, &rule);
            let open = ingress && enabled && from_anywhere && !allowed.is_empty() && on_port;
            if open && keep("gcp.compute.open_firewall_rules", &judged, &record)? {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

fn source_ranges(rule: &Json) -> Vec<&str> {
    rule.get("sourceRanges").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str).collect()
}

/// Each `allowed` entry's protocol and port ranges; an entry with no ports allows every port.
fn allowed(rule: &Json) -> Vec<(String, i64, i64)> {
    let mut ranges = Vec::new();
    for entry in rule.get("allowed").and_then(Json::as_array).into_iter().flatten() {
        let protocol = text_at(entry, &["IPProtocol"]).to_string();
        let ports: Vec<&str> =
            entry.get("ports").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str).collect();
        if ports.is_empty() {
            ranges.push((protocol.clone(), 0, 65_535));
        }
        for port in ports {
            let (from, to) = port.split_once('-').unwrap_or((port, port));
            if let (Ok(from), Ok(to)) = (from.parse(), to.parse()) {
                ranges.push((protocol.clone(), from, to));
            }
        }
    }
    ranges
}

pub(crate) fn firewall_record(project: &str, rule: &Json) -> Value {
    let allowed = allowed(rule);
    let protocol = allowed.first().map_or("all", |(protocol, _, _)| protocol.as_str());
    let from = allowed.iter().map(|(_, from, _)| *from).min().unwrap_or(0);
    let to = allowed.iter().map(|(_, _, to)| *to).max().unwrap_or(0);
    record(FIREWALL, text_at(rule, &["id"]), text_at(rule, &["name"]), "global", project, None)
        .str("protocol", protocol)
        .int("from_port", from)
        .int("to_port", to)
        .str("source", source_ranges(rule).join(","))
        .str("network", last_segment(text_at(rule, &["network"])))
        .bool("disabled", rule.get("disabled").and_then(Json::as_bool).unwrap_or(false))
        .build()
}

// ---- reading one resource ----

fn instance_path(project: &str, target: &Value) -> String {
    format!("compute/v1/projects/{project}/zones/{}/instances/{}", field(target, "zone"), field(target, "name"))
}

fn disk_path(project: &str, target: &Value) -> String {
    match field(target, "zone") {
        "" => {
            format!("compute/v1/projects/{project}/regions/{}/disks/{}", field(target, "region"), field(target, "name"))
        }
        zone => format!("compute/v1/projects/{project}/zones/{zone}/disks/{}", field(target, "name")),
    }
}

fn regional(target: &Value) -> bool {
    field(target, "zone").is_empty()
}

fn snapshot_path(project: &str, target: &Value) -> String {
    format!("compute/v1/projects/{project}/global/snapshots/{}", field(target, "name"))
}

fn firewall_path(project: &str, target: &Value) -> String {
    format!("compute/v1/projects/{project}/global/firewalls/{}", field(target, "name"))
}

async fn fetch(
    ctx: &GcpContext,
    method_id: &'static str,
    project: &str,
    path: String,
) -> Result<Option<Json>, ProviderError> {
    ctx.find(&Request::get(Service::Compute, method_id, path).in_project(project)).await
}

/// The resource as it is now, by its kind; `None` when it is gone.
pub(crate) async fn read(ctx: &GcpContext, target: &Value) -> Result<Option<Value>, ProviderError> {
    let project = ctx.home(target)?;
    Ok(match field(target, "kind") {
        INSTANCE => fetch(ctx, "compute.instances.get", &project, instance_path(&project, target))
            .await?
            .map(|json| instance_record(&project, &json)),
        DISK => {
            let method = if regional(target) { "compute.regionDisks.get" } else { "compute.disks.get" };
            fetch(ctx, method, &project, disk_path(&project, target)).await?.map(|json| disk_record(&project, &json))
        }
        SNAPSHOT => fetch(ctx, "compute.snapshots.get", &project, snapshot_path(&project, target))
            .await?
            .map(|json| snapshot_record(&project, &json)),
        FIREWALL => fetch(ctx, "compute.firewalls.get", &project, firewall_path(&project, target))
            .await?
            .map(|json| firewall_record(&project, &json)),
        other => return Err(ProviderError::Unsupported(format!("cannot read a `{other}`"))),
    })
}

// ---- changes ----

/// Sends a change with its `requestId` (of the batch, the method and the target) and follows its operation to
/// the end.
async fn change(ctx: &GcpContext, call: &ProviderCall, project: &str, request: Request) -> Result<(), ProviderError> {
    let what = request.describe();
    let request = request.query("requestId", request_id(&call.idempotency_key, &what)).in_project(project);
    let operation = ctx.send(&request).await?;
    operations::compute(&ctx.api, ctx.patience, project, operation, &what).await?;
    Ok(())
}

/// Waits while an instance is on its way to `settled` (stopping, to terminated), then answers it as it is.
async fn settle(
    ctx: &GcpContext,
    project: &str,
    target: &Value,
    passing: &[&str],
    settled: &str,
) -> Result<Value, ProviderError> {
    let started = tokio::time::Instant::now();
    loop {
        let Some(now) = read(ctx, target).await? else { return Err(missing(target)) };
        let state = field(&now, "state").to_string();
        if state == settled || !passing.contains(&state.as_str()) {
            return Ok(now);
        }
        if started.elapsed() >= ctx.patience.timeout {
            return Err(ProviderError::Rejected(format!(
                "`{}` in {project} was still {state} after {} s",
                field(target, "name"),
                ctx.patience.timeout.as_secs()
            )));
        }
        tokio::time::sleep(ctx.patience.poll_interval.max(Duration::from_millis(1))).await;
    }
}

async fn on_instance(
    ctx: &GcpContext,
    call: &ProviderCall,
    args: &Args<'_>,
    target: &Value,
) -> Result<Done, ProviderError> {
    let project = ctx.home(target)?;
    let path = instance_path(&project, target);
    let Some(json) = fetch(ctx, "compute.instances.get", &project, path.clone()).await? else {
        return gone(call, target);
    };
    let instance = instance_record(&project, &json);
    let state = field(&instance, "state");
    let post =
        |verb: &str, method_id: &'static str| Request::post(Service::Compute, method_id, format!("{path}/{verb}"));
    let (after, request) = match call.action.as_str() {
        // On the way already: an earlier call of this batch may have sent it, and sending it again with the same
        // `requestId` answers that call's operation to follow; otherwise someone else's change is waited out.
        "gcp.compute.start" => match state {
            "running" => return Ok(Done::Unchanged(instance)),
            "staging" | "provisioning" | "repairing" if !call.in_doubt => {
                let passing = ["staging", "provisioning", "repairing"];
                return settle(ctx, &project, target, &passing, "running").await.map(Done::Unchanged);
            }
            _ => (with(&instance, "state", text("running")), post("start", "compute.instances.start")),
        },
        "gcp.compute.stop" => match state {
            "terminated" | "stopped" => return Ok(Done::Unchanged(instance)),
            "stopping" if !call.in_doubt => {
                return settle(ctx, &project, target, &["stopping"], "terminated").await.map(Done::Unchanged);
            }
            _ => (with(&instance, "state", text("terminated")), post("stop", "compute.instances.stop")),
        },
        "gcp.compute.reset" if state != "running" => {
            return Err(ProviderError::Rejected(format!(
                "`{}` is {state}; only a running instance resets",
                field(&instance, "name")
            )));
        }
        "gcp.compute.reset" => (instance.clone(), post("reset", "compute.instances.reset")),
        "gcp.compute.delete" => {
            (instance.clone(), Request::new(Method::DELETE, Service::Compute, "compute.instances.delete", path.clone()))
        }
        "gcp.compute.set_machine_type" => {
            let wanted = args.str("machine_type")?;
            if field(&instance, "machine_type") == wanted {
                return Ok(Done::Unchanged(instance));
            }
            if state != "terminated" {
                return Err(ProviderError::Rejected(format!(
                    "`{}` is {state}: stop it before changing its machine type",
                    field(&instance, "name")
                )));
            }
            let body = json!({"machineType": format!("zones/{}/machineTypes/{wanted}", field(&instance, "zone"))});
            (
                with(&instance, "machine_type", text(wanted)),
                post("setMachineType", "compute.instances.setMachineType").body(body),
            )
        }
        "gcp.compute.label" => {
            let wanted = args.tags("labels")?;
            if has_tags(&instance, &wanted) {
                return Ok(Done::Unchanged(instance));
            }
            let all = labels::merged(&tags(&instance), &wanted)?;
            let body = json!({"labels": all, "labelFingerprint": text_at(&json, &["labelFingerprint"])});
            (with_labels(&instance, &wanted), post("setLabels", "compute.instances.setLabels").body(body))
        }
        other => return Err(unknown_action("Compute Engine", other)),
    };
    if !call.dry_run {
        change(ctx, call, &project, request).await?;
    }
    Ok(Done::Changed(after))
}

async fn on_disk(
    ctx: &GcpContext,
    call: &ProviderCall,
    args: &Args<'_>,
    target: &Value,
) -> Result<Done, ProviderError> {
    let project = ctx.home(target)?;
    let path = disk_path(&project, target);
    let get = if regional(target) { "compute.regionDisks.get" } else { "compute.disks.get" };
    let Some(json) = fetch(ctx, get, &project, path.clone()).await? else {
        return gone(call, target);
    };
    let disk = disk_record(&project, &json);
    let name = field(&disk, "name").to_string();
    if call.action == "gcp.compute.delete_disks" {
        let users = json.get("users").and_then(Json::as_array).map_or(0, Vec::len);
        if users > 0 {
            return Err(ProviderError::Rejected(format!(
                "resourceInUseByAnotherResource: disk `{name}` is in use by an instance"
            )));
        }
        if !call.dry_run {
            let method = if regional(target) { "compute.regionDisks.delete" } else { "compute.disks.delete" };
            change(ctx, call, &project, Request::new(Method::DELETE, Service::Compute, method, path.clone())).await?;
        }
        return Ok(Done::Changed(disk));
    }
    if call.action != "gcp.compute.create_snapshots" {
        return Err(unknown_action("Compute Engine", &call.action));
    }
    let marker = idempotency_label(&call.idempotency_key);
    if call.in_doubt && snapshot_made(ctx, &project, &name, &marker).await? {
        return Ok(Done::Changed(disk));
    }
    if !call.dry_run {
        let prefix = args.str("name_prefix").unwrap_or("escher");
        let body = json!({
            "name": snapshot_name(prefix, &name, chrono::Utc::now()),
            "labels": {IDEMPOTENCY_TAG: marker},
            "description": format!("Escher {}", call.idempotency_key),
        });
        let method =
            if regional(target) { "compute.regionDisks.createSnapshot" } else { "compute.disks.createSnapshot" };
        let request = Request::post(Service::Compute, method, format!("{path}/createSnapshot")).body(body);
        change(ctx, call, &project, request).await?;
    }
    Ok(Done::Changed(disk))
}

/// Whether an earlier call of this batch already snapshotted the disk: a snapshot of it carrying the batch's
/// label. The list asks Google to filter, and the answer is checked all the same.
async fn snapshot_made(ctx: &GcpContext, project: &str, disk: &str, marker: &str) -> Result<bool, ProviderError> {
    let list = snapshot_list(project).query("filter", format!("labels.{IDEMPOTENCY_TAG} = \"{marker}\""));
    let found = ctx.api.pages(list, "items").await?;
    Ok(found.iter().any(|snapshot| {
        last_segment(text_at(snapshot, &["sourceDisk"])) == disk
            && snapshot.pointer(&format!("/labels/{IDEMPOTENCY_TAG}")).and_then(Json::as_str) == Some(marker)
    }))
}

/// `PREFIX-DISK-YYYYMMDDHHMMSS`, made a valid Compute name: lowercase letters, digits and `-`, starting with a
/// letter, at most 63 characters (the disk's part is shortened, the time kept).
pub(crate) fn snapshot_name(prefix: &str, disk: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let clean = |text: &str| -> String {
        text.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
    };
    let stamp = at.format("%Y%m%d%H%M%S").to_string();
    let mut head = format!("{}-{}", clean(prefix), clean(disk));
    if !head.starts_with(|c: char| c.is_ascii_lowercase()) {
        head.insert_str(0, "s-");
    }
    head.truncate(63 - stamp.len() - 1);
    format!("{}-{stamp}", head.trim_end_matches('-'))
}

async fn delete_snapshot(ctx: &GcpContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let project = ctx.home(target)?;
    let path = snapshot_path(&project, target);
    let Some(json) = fetch(ctx, "compute.snapshots.get", &project, path.clone()).await? else {
        return gone(call, target);
    };
    if !call.dry_run {
        let request = Request::new(Method::DELETE, Service::Compute, "compute.snapshots.delete", path.clone());
        change(ctx, call, &project, request).await?;
    }
    Ok(Done::Changed(snapshot_record(&project, &json)))
}

async fn on_firewall(ctx: &GcpContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let project = ctx.home(target)?;
    let path = firewall_path(&project, target);
    let Some(json) = fetch(ctx, "compute.firewalls.get", &project, path.clone()).await? else {
        return Err(missing(target));
    };
    let rule = firewall_record(&project, &json);
    let disable = call.action == "gcp.compute.disable_firewall_rules";
    if flag(&rule, "disabled") == Some(disable) {
        return Ok(Done::Unchanged(rule));
    }
    if !call.dry_run {
        let request = Request::new(Method::PATCH, Service::Compute, "compute.firewalls.patch", path.clone())
            .body(json!({"disabled": disable}));
        change(ctx, call, &project, request).await?;
    }
    Ok(Done::Changed(with(&rule, "disabled", Value::Bool(disable))))
}

/// Whether `resource` already shows what `call` does.
pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    Some(match call.action.as_str() {
        "gcp.compute.start" => resource.is_some_and(|r| field(r, "state") == "running"),
        "gcp.compute.stop" => resource.is_some_and(|r| field(r, "state") == "terminated"),
        "gcp.compute.delete" | "gcp.compute.delete_disks" | "gcp.compute.delete_snapshots" => resource.is_none(),
        "gcp.compute.set_machine_type" => {
            let wanted = args.str("machine_type").ok()?;
            resource.is_some_and(|r| field(r, "machine_type") == wanted)
        }
        "gcp.compute.label" => {
            let wanted = args.tags("labels").ok()?;
            resource.is_some_and(|r| has_tags(r, &wanted))
        }
        "gcp.compute.disable_firewall_rules" => resource.is_some_and(|r| flag(r, "disabled") == Some(true)),
        "gcp.compute.enable_firewall_rules" => resource.is_some_and(|r| flag(r, "disabled") == Some(false)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names_are_valid_compute_names() {
        let at =
            chrono::DateTime::parse_from_rfc3339("2026-12-07T10:11:12Z").expect("time").with_timezone(&chrono::Utc);
        assert_eq!(snapshot_name("escher", "Data_Disk", at), "escher-data-disk-20261207101112");
        let long = snapshot_name("nightly", &"d".repeat(80), at);
        assert!(long.len() <= 63 && long.ends_with("-20261207101112"), "{long}");
        assert!(snapshot_name("9x", "d", at).starts_with("s-9x"));
    }

    #[test]
    fn open_rules_read_every_allowed_entry() {
        let rule = json!({"allowed": [{"IPProtocol": "tcp", "ports": ["80", "8000-8080"]}, {"IPProtocol": "udp"}]});
        assert_eq!(allowed(&rule), vec![("tcp".into(), 80, 80), ("tcp".into(), 8000, 8080), ("udp".into(), 0, 65_535)]);
        let record = firewall_record(
            "p",
            &json!({"name": "r", "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}], "sourceRanges": ["0.0.0.0/0"]}),
        );
        assert_eq!((field(&record, "protocol"), field(&record, "source")), ("tcp", "0.0.0.0/0"));
    }
}
