//! Azure listings. Without `subscription` they cover every subscription of the estate. A subscription or
//! resource group that does not exist is an error, as Resource Manager answers 404; a resource group exists
//! in the simulator when some resource is in it.

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::filter::{flag, in_state, is, older_than, open_to_internet, opens_port};
use super::{QueryFn, View, list};
use crate::record::{self, Record, has_tags};
use escher_runtime::provider::args::Args;

pub(crate) const QUERIES: &[(&str, QueryFn)] = &[
    ("azure.vm.list", vm_list),
    ("azure.disk.list", disk_list),
    ("azure.disk.snapshots", disk_snapshots),
    ("azure.functions.list", functions_list),
    ("azure.network.open_inbound_rules", open_inbound_rules),
    ("azure.sql.databases", sql_databases),
    ("azure.storage.containers", storage_containers),
];

type Listed = Result<Value, ProviderError>;

/// The subscription and resource group a listing is limited to.
pub(crate) struct Scope<'a> {
    subscription: Option<&'a str>,
    resource_group: Option<&'a str>,
}

impl Scope<'_> {
    pub(crate) fn holds(&self, resource: &Record) -> bool {
        is(resource, "subscription", self.subscription) && is(resource, "resource_group", self.resource_group)
    }
}

pub(crate) fn scope<'a>(view: &View, args: &Args<'a>) -> Result<Scope<'a>, ProviderError> {
    let scope = Scope { subscription: args.opt_str("subscription")?, resource_group: args.opt_str("resource_group")? };
    if let Some(subscription) = scope.subscription.filter(|s| !view.has_account("azure", s)) {
        return Err(ProviderError::Rejected(format!(
            "SubscriptionNotFound: The subscription '{subscription}' could not be found."
        )));
    }
    if let Some(group) = scope.resource_group {
        let exists = view.all().any(|r| {
            record::kinds_cloud(r) == "azure"
                && is(r, "subscription", scope.subscription)
                && record::field(r, "resource_group") == group
        });
        if !exists {
            return Err(ProviderError::Rejected(format!(
                "ResourceGroupNotFound: Resource group '{group}' could not be found."
            )));
        }
    }
    Ok(scope)
}

/// `state` also takes the agnostic word: `stopped` finds deallocated VMs.
fn vm_list(view: &View, args: &Args) -> Listed {
    let (scope, tags, state) = (scope(view, args)?, args.tags("tags")?, args.opt_str("state")?);
    Ok(list(
        view.of_kind("azure.vm.VirtualMachine").filter(|r| scope.holds(r) && has_tags(r, &tags) && in_state(r, state)),
    ))
}

fn disk_list(view: &View, args: &Args) -> Listed {
    let (scope, tags) = (scope(view, args)?, args.tags("tags")?);
    let (attached, encrypted) = (args.opt_bool("attached")?, args.opt_bool("encrypted")?);
    Ok(list(view.of_kind("azure.disk.Disk").filter(|r| {
        scope.holds(r) && has_tags(r, &tags) && flag(r, "attached", attached) && flag(r, "encrypted", encrypted)
    })))
}

fn disk_snapshots(view: &View, args: &Args) -> Listed {
    let (scope, tags, age) = (scope(view, args)?, args.tags("tags")?, args.opt_duration("older_than")?);
    Ok(list(
        view.of_kind("azure.disk.Snapshot")
            .filter(|r| scope.holds(r) && has_tags(r, &tags) && older_than(r, "created", age, view.now)),
    ))
}

fn functions_list(view: &View, args: &Args) -> Listed {
    let (scope, tags) = (scope(view, args)?, args.tags("tags")?);
    Ok(list(view.of_kind("azure.functions.FunctionApp").filter(|r| scope.holds(r) && has_tags(r, &tags))))
}

fn open_inbound_rules(view: &View, args: &Args) -> Listed {
    let (scope, ports) = (scope(view, args)?, args.ints("ports")?);
    Ok(list(
        view.of_kind("azure.network.SecurityRule")
            .filter(|r| scope.holds(r) && open_to_internet(r) && opens_port(r, &ports)),
    ))
}

/// `state` also takes the agnostic word: `available` finds online databases and `stopped` paused ones.
fn sql_databases(view: &View, args: &Args) -> Listed {
    let (scope, server, tags, state) =
        (scope(view, args)?, args.opt_str("server")?, args.tags("tags")?, args.opt_str("state")?);
    Ok(list(
        view.of_kind("azure.sql.Database")
            .filter(|r| scope.holds(r) && is(r, "server", server) && has_tags(r, &tags) && in_state(r, state)),
    ))
}

fn storage_containers(view: &View, args: &Args) -> Listed {
    let (scope, public, account) = (scope(view, args)?, args.opt_bool("public")?, args.opt_str("storage_account")?);
    let (encrypted, tags) = (args.opt_bool("encrypted")?, args.tags("tags")?);
    Ok(list(view.of_kind("azure.storage.Container").filter(|r| {
        scope.holds(r)
            && flag(r, "public", public)
            && is(r, "storage_account", account)
            && flag(r, "encrypted", encrypted)
            && has_tags(r, &tags)
    })))
}
