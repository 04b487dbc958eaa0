//! Virtual machines (`azure.vm.*`) on `Microsoft.Compute`. The list asks for `statusOnly=true`, which adds each
//! VM's power state; a single VM is read with `$expand=instanceView`. Every action's effect shows on the VM's
//! record except restart's.

use std::collections::BTreeMap;

use azure_core::http::Method;
use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde_json::{Value as Json, json};

use crate::context::{AzureContext, Subscription};
use crate::outcome::{Done, each_target, missing, unknown_action};
use crate::record::{Rec, field, has_tags, text, text_at, with};
use crate::versions::{COMPUTE, TAGS};

pub(crate) const VM: &str = "azure.vm.VirtualMachine";

pub(crate) async fn call(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.vm.list" => list(ctx, &args).await.map(ProviderResponse::Value),
        "azure.vm.start" | "azure.vm.deallocate" | "azure.vm.restart" | "azure.vm.delete" => {
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        "azure.vm.resize" => {
            args.str("vm_size")?;
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        "azure.vm.tag" => {
            args.tags("tags")?;
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        other => Err(unknown_action("VM", other)),
    }
}

async fn list(ctx: &AzureContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (group, tags, state) = (args.opt_str("resource_group")?, args.tags("tags")?, args.opt_str("state")?);
    let mut found = Vec::new();
    for home in ctx.listed(args.opt_str("subscription")?).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.Compute/virtualMachines", home.id);
        for vm in ctx.list(&home, ctx.url(&path, COMPUTE, &[("statusOnly", "true")])).await? {
            let record = record(&vm);
            if group.is_none_or(|g| field(&record, "resource_group").eq_ignore_ascii_case(g))
                && has_tags(&record, &tags)
                && state.is_none_or(|s| in_state(field(&record, "state"), s))
            {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

/// `stopped` also finds deallocated VMs, as the declaration says.
fn in_state(state: &str, wanted: &str) -> bool {
    state == wanted || (wanted == "stopped" && matches!(state, "deallocated" | "deallocating"))
}

/// A VM's record from its ARM document (with its instance view, when it has one).
pub(crate) fn record(vm: &Json) -> Value {
    let properties = vm.get("properties").unwrap_or(&Json::Null);
    let zone = vm.get("zones").and_then(|z| z.get(0)).and_then(Json::as_str);
    Rec::new(VM, vm)
        .str("state", power_state(properties))
        .str("vm_size", text_at(properties, &["hardwareProfile", "vmSize"]))
        .str("os_type", text_at(properties, &["storageProfile", "osDisk", "osType"]).to_ascii_lowercase())
        .opt_str("zone", zone)
        .time("created", text_at(properties, &["timeCreated"]))
        .build()
}

/// `PowerState/deallocated` is `deallocated`; `unknown` when the document has no instance view.
fn power_state(properties: &Json) -> String {
    let statuses = properties.get("instanceView").and_then(|v| v.get("statuses")).and_then(Json::as_array);
    statuses
        .into_iter()
        .flatten()
        .filter_map(|status| status.get("code").and_then(Json::as_str))
        .find_map(|code| code.strip_prefix("PowerState/"))
        .unwrap_or("unknown")
        .to_string()
}

/// The VM as it is now, with its full model and instance view; `None` when it is gone.
async fn fetch(ctx: &AzureContext, home: &Subscription, target: &Value) -> Result<Option<Json>, ProviderError> {
    ctx.find(home, ctx.url(field(target, "id"), COMPUTE, &[("$expand", "instanceView")])).await
}

pub(crate) async fn read(
    ctx: &AzureContext,
    home: &Subscription,
    target: &Value,
) -> Result<Option<Value>, ProviderError> {
    Ok(fetch(ctx, home, target).await?.as_ref().map(record))
}

async fn act(ctx: &AzureContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let Some(model) = fetch(ctx, &home, target).await? else {
        return if call.action == "azure.vm.delete" {
            Ok(Done::Unchanged(target.clone()))
        } else {
            Err(missing(target))
        };
    };
    let vm = record(&model);
    let id = field(&vm, "id").to_string();
    let state = field(&vm, "state");
    let (after, request): (Value, Option<Change>) = match call.action.as_str() {
        "azure.vm.start" if matches!(state, "running" | "starting") => (vm.clone(), None),
        "azure.vm.start" => {
            (with(&vm, "state", text("running")), Some((Method::Post, format!("{id}/start"), COMPUTE, None)))
        }
        "azure.vm.deallocate" if matches!(state, "deallocated" | "deallocating") => (vm.clone(), None),
        "azure.vm.deallocate" => {
            (with(&vm, "state", text("deallocated")), Some((Method::Post, format!("{id}/deallocate"), COMPUTE, None)))
        }
        "azure.vm.restart" if state != "running" => {
            return Err(ProviderError::Rejected(format!(
                "`{}` is {state}, and only a running VM restarts",
                field(&vm, "name")
            )));
        }
        "azure.vm.restart" => (vm.clone(), Some((Method::Post, format!("{id}/restart"), COMPUTE, None))),
        "azure.vm.resize" => {
            let size = args.str("vm_size")?;
            if field(&vm, "vm_size").eq_ignore_ascii_case(size) {
                (vm.clone(), None)
            } else {
                let body = json!({"properties": {"hardwareProfile": {"vmSize": size}}});
                (with(&vm, "vm_size", text(size)), Some((Method::Patch, id.clone(), COMPUTE, Some(body))))
            }
        }
        "azure.vm.tag" => {
            let tags = args.tags("tags")?;
            if has_tags(&vm, &tags) {
                (vm.clone(), None)
            } else {
                let body = json!({"operation": "Merge", "properties": {"tags": tags}});
                let path = format!("{id}/providers/Microsoft.Resources/tags/default");
                (merge_tags(&vm, &tags), Some((Method::Patch, path, TAGS, Some(body))))
            }
        }
        "azure.vm.delete" => {
            let keep_disks = args.bool_or("keep_disks", false)?;
            if call.dry_run {
                return Ok(Done::Changed(vm));
            }
            // A VM's disks go with it or stay as each says (`deleteOption`), whatever was chosen when it was
            // made: set them first, so `keep_disks` decides.
            if let Some(body) = disk_delete_options(&model, keep_disks) {
                ctx.act(&home, Method::Patch, ctx.url(&id, COMPUTE, &[]), Some(&body)).await?;
            }
            return if ctx.delete(&home, ctx.url(&id, COMPUTE, &[])).await? {
                Ok(Done::Changed(vm))
            } else {
                Ok(Done::Unchanged(vm))
            };
        }
        other => return Err(unknown_action("VM", other)),
    };
    let Some((method, path, version, body)) = request else { return Ok(Done::Unchanged(after)) };
    if !call.dry_run {
        ctx.act(&home, method, ctx.url(&path, version, &[]), body.as_ref()).await?;
    }
    Ok(Done::Changed(after))
}

/// The request that makes a change: method, path, api-version and body.
type Change = (Method, String, &'static str, Option<Json>);

fn merge_tags(vm: &Value, tags: &BTreeMap<String, String>) -> Value {
    let mut merged = match vm {
        Value::Record(fields) => match fields.get("tags") {
            Some(Value::Record(existing)) => existing.clone(),
            _ => BTreeMap::new(),
        },
        _ => BTreeMap::new(),
    };
    for (key, value) in tags {
        merged.insert(key.clone(), Value::String(value.clone()));
    }
    with(vm, "tags", Value::Record(merged))
}

/// The PATCH that makes every disk of the VM `Detach` (kept) or `Delete` (deleted with it); `None` when each
/// already says so. Data disks are sent whole: a PATCH replaces the list.
fn disk_delete_options(model: &Json, keep_disks: bool) -> Option<Json> {
    let wanted = if keep_disks { "Detach" } else { "Delete" };
    let storage = model.get("properties")?.get("storageProfile")?;
    let os_now = text_at(storage, &["osDisk", "deleteOption"]);
    // A VM made without the option keeps its disks (ARM's default is `Detach`).
    let current = |option: &str| if option.is_empty() { "Detach".to_string() } else { option.to_string() };
    let data: Vec<Json> = storage.get("dataDisks").and_then(Json::as_array).cloned().unwrap_or_default();
    let all_set = current(os_now) == wanted
        && data.iter().all(|disk| current(disk.get("deleteOption").and_then(Json::as_str).unwrap_or("")) == wanted);
    if all_set {
        return None;
    }
    let data: Vec<Json> = data
        .into_iter()
        .map(|mut disk| {
            disk["deleteOption"] = Json::String(wanted.into());
            disk
        })
        .collect();
    let mut storage_patch = json!({"osDisk": {"deleteOption": wanted}});
    if !data.is_empty() {
        storage_patch["dataDisks"] = Json::Array(data);
    }
    Some(json!({"properties": {"storageProfile": storage_patch}}))
}

/// Whether a VM's record already shows what `call` does.
pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.vm.delete" => Some(resource.is_none()),
        _ if resource.is_none() => Some(false),
        "azure.vm.start" => resource.map(|vm| matches!(field(vm, "state"), "running" | "starting")),
        "azure.vm.deallocate" => resource.map(|vm| matches!(field(vm, "state"), "deallocated" | "deallocating")),
        "azure.vm.resize" => {
            let size = args.str("vm_size").ok()?;
            resource.map(|vm| field(vm, "vm_size").eq_ignore_ascii_case(size))
        }
        "azure.vm.tag" => {
            let tags = args.tags("tags").ok()?;
            resource.map(|vm| has_tags(vm, &tags))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_power_state_comes_from_the_instance_view() {
        let vm = json!({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v",
            "properties": {"instanceView": {"statuses": [
                {"code": "ProvisioningState/succeeded"}, {"code": "PowerState/deallocated"}]}}});
        assert_eq!(field(&record(&vm), "state"), "deallocated");
        assert_eq!(field(&record(&json!({"id": "/subscriptions/s/x/v"})), "state"), "unknown");
        assert!(in_state("deallocated", "stopped"));
        assert!(!in_state("running", "stopped"));
    }

    #[test]
    fn keep_disks_sets_every_disk_to_detach_and_deleting_sets_delete() {
        let model = json!({"properties": {"storageProfile": {
            "osDisk": {"name": "os", "deleteOption": "Delete"},
            "dataDisks": [{"lun": 0, "name": "data", "createOption": "Attach", "deleteOption": "Delete"}]}}});
        let patch = disk_delete_options(&model, true).expect("a patch");
        assert_eq!(patch["properties"]["storageProfile"]["osDisk"]["deleteOption"], "Detach");
        assert_eq!(patch["properties"]["storageProfile"]["dataDisks"][0]["name"], "data");
        assert_eq!(patch["properties"]["storageProfile"]["dataDisks"][0]["deleteOption"], "Detach");
        assert!(disk_delete_options(&model, false).is_none(), "they already go with the VM");
        let unset = json!({"properties": {"storageProfile": {"osDisk": {"name": "os"}}}});
        assert!(disk_delete_options(&unset, true).is_none(), "ARM's default keeps them");
        assert!(disk_delete_options(&unset, false).is_some());
    }
}
