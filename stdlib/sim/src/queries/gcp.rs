//! Google Cloud listings, of one project or, when none is given, of every project of the estate (the host's
//! configured projects). A project the estate does not hold is an error, as Google answers 404 (or 403) for a
//! project the caller cannot see.

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::filter::{flag, in_state, is, older_than, open_to_internet, opens_port};
use super::{QueryFn, View, list};
use crate::record::{self, Record, has_tags};
use escher_runtime::provider::args::Args;

pub(crate) const QUERIES: &[(&str, QueryFn)] = &[
    ("gcp.compute.instances", compute_instances),
    ("gcp.compute.disks", compute_disks),
    ("gcp.compute.snapshots", compute_snapshots),
    ("gcp.compute.open_firewall_rules", open_firewall_rules),
    ("gcp.functions.list", functions_list),
    ("gcp.sql.instances", sql_instances),
    ("gcp.storage.buckets", storage_buckets),
];

type Listed = Result<Value, ProviderError>;

/// The `project` argument, which must be a project of the estate.
pub(crate) fn project<'a>(view: &View, args: &Args<'a>) -> Result<&'a str, ProviderError> {
    let project = args.str("project")?;
    known(view, project)
}

fn known<'a>(view: &View, project: &'a str) -> Result<&'a str, ProviderError> {
    if view.has_account("gcp", project) {
        Ok(project)
    } else {
        Err(ProviderError::Rejected(format!("notFound: The resource 'projects/{project}' was not found")))
    }
}

/// The project a listing is limited to, if any.
struct Scope<'a>(Option<&'a str>);

impl Scope<'_> {
    fn holds(&self, resource: &Record) -> bool {
        is(resource, "project", self.0)
    }
}

fn scope<'a>(view: &View, args: &Args<'a>) -> Result<Scope<'a>, ProviderError> {
    Ok(Scope(args.opt_str("project")?.map(|project| known(view, project)).transpose()?))
}

/// `status` also takes the agnostic word: `stopped` finds terminated (stopped) instances.
fn compute_instances(view: &View, args: &Args) -> Listed {
    let (scope, zone) = (scope(view, args)?, args.opt_str("zone")?);
    let (labels, status) = (args.tags("labels")?, args.opt_str("status")?);
    Ok(list(
        view.of_kind("gcp.compute.Instance")
            .filter(|r| scope.holds(r) && is(r, "zone", zone) && has_tags(r, &labels) && in_state(r, status)),
    ))
}

fn compute_disks(view: &View, args: &Args) -> Listed {
    let (scope, zone) = (scope(view, args)?, args.opt_str("zone")?);
    let (attached, labels, encrypted) = (args.opt_bool("attached")?, args.tags("labels")?, args.opt_bool("encrypted")?);
    Ok(list(view.of_kind("gcp.compute.Disk").filter(|r| {
        scope.holds(r)
            && is(r, "zone", zone)
            && flag(r, "attached", attached)
            && has_tags(r, &labels)
            && flag(r, "encrypted", encrypted)
    })))
}

fn compute_snapshots(view: &View, args: &Args) -> Listed {
    let (scope, labels, age) = (scope(view, args)?, args.tags("labels")?, args.opt_duration("older_than")?);
    Ok(list(
        view.of_kind("gcp.compute.Snapshot")
            .filter(|r| scope.holds(r) && has_tags(r, &labels) && older_than(r, "created", age, view.now)),
    ))
}

fn open_firewall_rules(view: &View, args: &Args) -> Listed {
    let (scope, ports) = (scope(view, args)?, args.ints("ports")?);
    Ok(list(view.of_kind("gcp.compute.FirewallRule").filter(|r| {
        scope.holds(r) && record::bool_of(r, "disabled") != Some(true) && open_to_internet(r) && opens_port(r, &ports)
    })))
}

fn functions_list(view: &View, args: &Args) -> Listed {
    let (scope, region, labels) = (scope(view, args)?, args.opt_str("region")?, args.tags("labels")?);
    Ok(list(
        view.of_kind("gcp.functions.Function")
            .filter(|r| scope.holds(r) && is(r, "region", region) && has_tags(r, &labels)),
    ))
}

/// `state` also takes the agnostic word: `available` finds runnable instances.
fn sql_instances(view: &View, args: &Args) -> Listed {
    let (scope, labels, state) = (scope(view, args)?, args.tags("labels")?, args.opt_str("state")?);
    Ok(list(view.of_kind("gcp.sql.Instance").filter(|r| scope.holds(r) && has_tags(r, &labels) && in_state(r, state))))
}

fn storage_buckets(view: &View, args: &Args) -> Listed {
    let (scope, public, labels) = (scope(view, args)?, args.opt_bool("public")?, args.tags("labels")?);
    let encrypted = args.opt_bool("encrypted")?;
    Ok(list(view.of_kind("gcp.storage.Bucket").filter(|r| {
        scope.holds(r) && flag(r, "public", public) && has_tags(r, &labels) && flag(r, "encrypted", encrypted)
    })))
}
