//! Google Cloud listings, one project at a time. A project the estate does not hold is an error, as Google
//! answers 404 (or 403) for a project the caller cannot see.

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::filter::{flag, is, older_than, open_to_internet, opens_port};
use super::{QueryFn, View, list};
use crate::record::{self, has_tags};
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

pub(crate) fn project<'a>(view: &View, args: &Args<'a>) -> Result<&'a str, ProviderError> {
    let project = args.str("project")?;
    if view.has_account("gcp", project) {
        Ok(project)
    } else {
        Err(ProviderError::Rejected(format!("notFound: The resource 'projects/{project}' was not found")))
    }
}

fn compute_instances(view: &View, args: &Args) -> Listed {
    let (project, zone) = (project(view, args)?, args.opt_str("zone")?);
    let (labels, status) = (args.tags("labels")?, args.opt_str("status")?);
    Ok(list(view.of_kind("gcp.compute.Instance").filter(|r| {
        record::field(r, "project") == project && is(r, "zone", zone) && has_tags(r, &labels) && is(r, "state", status)
    })))
}

fn compute_disks(view: &View, args: &Args) -> Listed {
    let (project, zone) = (project(view, args)?, args.opt_str("zone")?);
    let (attached, labels) = (args.opt_bool("attached")?, args.tags("labels")?);
    Ok(list(view.of_kind("gcp.compute.Disk").filter(|r| {
        record::field(r, "project") == project
            && is(r, "zone", zone)
            && flag(r, "attached", attached)
            && has_tags(r, &labels)
    })))
}

fn compute_snapshots(view: &View, args: &Args) -> Listed {
    let (project, labels, age) = (project(view, args)?, args.tags("labels")?, args.opt_duration("older_than")?);
    Ok(list(view.of_kind("gcp.compute.Snapshot").filter(|r| {
        record::field(r, "project") == project && has_tags(r, &labels) && older_than(r, "created", age, view.now)
    })))
}

fn open_firewall_rules(view: &View, args: &Args) -> Listed {
    let (project, ports) = (project(view, args)?, args.ints("ports")?);
    Ok(list(view.of_kind("gcp.compute.FirewallRule").filter(|r| {
        record::field(r, "project") == project
            && record::bool_of(r, "disabled") != Some(true)
            && open_to_internet(r)
            && opens_port(r, &ports)
    })))
}

fn functions_list(view: &View, args: &Args) -> Listed {
    let (project, region, labels) = (project(view, args)?, args.opt_str("region")?, args.tags("labels")?);
    Ok(list(
        view.of_kind("gcp.functions.Function")
            .filter(|r| record::field(r, "project") == project && is(r, "region", region) && has_tags(r, &labels)),
    ))
}

fn sql_instances(view: &View, args: &Args) -> Listed {
    let (project, labels) = (project(view, args)?, args.tags("labels")?);
    Ok(list(
        view.of_kind("gcp.sql.Instance").filter(|r| record::field(r, "project") == project && has_tags(r, &labels)),
    ))
}

fn storage_buckets(view: &View, args: &Args) -> Listed {
    let (project, public, labels) = (project(view, args)?, args.opt_bool("public")?, args.tags("labels")?);
    Ok(list(
        view.of_kind("gcp.storage.Bucket")
            .filter(|r| record::field(r, "project") == project && flag(r, "public", public) && has_tags(r, &labels)),
    ))
}
