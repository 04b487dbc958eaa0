//! The embedded stdlib: it loads cleanly and declares what playbooks are written against.

use std::collections::BTreeSet;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::{Callable, CallableKind, Catalog, Cloud, DryRun, Effect, catalog, embedded_files, load};
use escher_compiler::types::Type;

fn callable(name: &str) -> &'static Callable {
    catalog().callables.get(name).unwrap_or_else(|| panic!("`{name}` is not declared"))
}

fn resource(name: &str) -> Type {
    Type::Resource(name.to_string())
}

fn interface(name: &str) -> Type {
    Type::Interface(name.to_string())
}

fn string_map() -> Type {
    Type::Map(Box::new(Type::String))
}

/// The type of an action's targets parameter.
fn target_type(action: &Callable) -> Option<&Type> {
    action.targets.as_deref().and_then(|t| action.param(t)).map(|p| &p.ty)
}

#[test]
fn the_embedded_stdlib_loads_without_errors() {
    let (_, errors) = load(embedded_files());
    let listed: Vec<String> = errors.iter().map(|(file, e)| format!("{file}: {e} ({e:?})")).collect();
    assert!(listed.is_empty(), "{}", listed.join("\n"));
}

#[test]
fn every_declaration_file_on_disk_is_embedded() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib/declarations");
    let mut on_disk = BTreeSet::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the declarations folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "esc") {
                let relative = path.strip_prefix(&root).expect("under the root");
                on_disk.insert(format!("stdlib/{}", relative.to_string_lossy().replace('\\', "/")));
            }
        }
    }
    let embedded: BTreeSet<String> = embedded_files().iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(on_disk, embedded);
}

#[test]
fn the_region_and_zone_enums_exist() {
    let enums = &catalog().enums;
    let aws = &enums["aws.region"].values;
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "il-central-1", "mx-central-1"] {
        assert!(aws.iter().any(|r| r == region), "aws.region lacks {region}");
    }
    assert!(!aws.iter().any(|r| r.starts_with("us-gov-") || r.starts_with("cn-")));
    assert!(enums["azure.location"].values.iter().any(|l| l == "westeurope"));
    assert!(enums["gcp.region"].values.iter().any(|r| r == "us-central1"));
    assert!(enums["gcp.zone"].values.iter().any(|z| z == "us-central1-a"));
}

#[test]
fn every_gcp_zone_belongs_to_a_declared_gcp_region() {
    let enums = &catalog().enums;
    let regions = &enums["gcp.region"].values;
    for zone in &enums["gcp.zone"].values {
        let region = zone.rsplit_once('-').map(|(region, _)| region).unwrap_or_default();
        assert!(regions.iter().any(|r| r == region), "{zone} is in no declared region");
    }
}

#[test]
fn the_interfaces_have_the_agreed_fields() {
    let text = |names: &[&str]| names.iter().map(|n| (n.to_string(), Type::String)).collect::<Vec<_>>();
    let expect = |name: &str, mut fields: Vec<(String, Type)>| {
        fields.push(("tags".to_string(), string_map()));
        let declared = &catalog().interfaces[name].fields;
        let declared: Vec<(String, Type)> = declared.iter().map(|(k, t)| (k.clone(), t.clone())).collect();
        fields.sort();
        assert_eq!(declared, fields, "{name}");
    };
    expect("compute.Instance", text(&["id", "name", "cloud", "region", "state"]));
    expect("database.Instance", text(&["id", "name", "cloud", "region", "state", "engine"]));
    let mut bucket = text(&["id", "name", "cloud", "region"]);
    bucket.extend(["public", "encrypted", "versioning"].map(|f| (f.to_string(), Type::Bool)));
    expect("storage.Bucket", bucket);
    let mut disk = text(&["id", "name", "cloud", "region"]);
    disk.push(("size_gb".to_string(), Type::Int));
    disk.extend(["attached", "encrypted"].map(|f| (f.to_string(), Type::Bool)));
    expect("compute.Disk", disk);
}

#[test]
fn each_cloud_resource_implements_its_interface() {
    let pairs = [
        ("aws.ec2.Instance", Some("compute.Instance")),
        ("aws.ec2.Volume", Some("compute.Disk")),
        ("aws.ec2.Snapshot", None),
        ("aws.ec2.Image", None),
        ("aws.ec2.SecurityGroupRule", None),
        ("aws.rds.Instance", Some("database.Instance")),
        ("aws.rds.Snapshot", None),
        ("aws.lambda.Function", None),
        ("aws.s3.Bucket", Some("storage.Bucket")),
        ("aws.route53.Record", None),
        ("azure.vm.VirtualMachine", Some("compute.Instance")),
        ("azure.disk.Disk", Some("compute.Disk")),
        ("azure.sql.Database", Some("database.Instance")),
        ("azure.functions.FunctionApp", None),
        ("azure.storage.Container", Some("storage.Bucket")),
        ("gcp.compute.Instance", Some("compute.Instance")),
        ("gcp.compute.Disk", Some("compute.Disk")),
        ("gcp.compute.Snapshot", None),
        ("gcp.sql.Instance", Some("database.Instance")),
        ("gcp.functions.Function", None),
        ("gcp.storage.Bucket", Some("storage.Bucket")),
    ];
    let catalog = catalog();
    for (name, expected) in pairs {
        let declared = catalog.resources.get(name).unwrap_or_else(|| panic!("`{name}` is not declared"));
        assert_eq!(declared.cloud, Cloud::of(name));
        if let Some(expected) = expected {
            assert!(catalog.implements(name, expected), "{name} does not implement {expected}");
        }
    }
    let instance = &catalog.resources["aws.ec2.Instance"].fields;
    assert_eq!(instance["instance_type"], Type::String);
    assert_eq!(instance["account"], Type::String);
    assert_eq!(instance["launch_time"], Type::Datetime);
}

#[test]
fn a_resource_is_never_assignable_to_another_clouds_resource() {
    let catalog = catalog();
    let ec2 = resource("aws.ec2.Instance");
    assert!(escher_compiler::types::is_assignable(&ec2, &interface("compute.Instance"), catalog));
    assert!(!escher_compiler::types::is_assignable(&ec2, &resource("azure.vm.VirtualMachine"), catalog));
}

#[test]
fn the_ec2_instances_query_has_the_agreed_shape() {
    let query = callable("aws.ec2.instances");
    assert_eq!(query.kind, CallableKind::Query);
    assert_eq!(query.effect, Effect::Read);
    assert_eq!(query.returns, Type::list(resource("aws.ec2.Instance")));
    let params: Vec<(&str, &Type, bool)> =
        query.params.iter().map(|p| (p.name.as_str(), &p.ty, p.has_default)).collect();
    assert_eq!(
        params,
        [
            ("regions", &Type::list(Type::Enum("aws.region".to_string())), true),
            ("tags", &string_map(), true),
            ("state", &Type::optional(Type::String), true),
        ]
    );
}

#[test]
fn the_agreed_queries_exist_with_their_parameters() {
    let queries: &[(&str, &[&str])] = &[
        ("aws.ec2.instances", &["regions", "tags", "state"]),
        ("aws.ec2.volumes", &["regions", "tags", "attached"]),
        ("aws.ec2.snapshots", &["regions", "tags", "older_than"]),
        ("aws.ec2.images", &["regions", "tags"]),
        ("aws.ec2.open_ingress_rules", &["regions", "ports"]),
        ("aws.rds.instances", &["regions", "tags"]),
        ("aws.lambda.functions", &["regions", "tags"]),
        ("aws.s3.buckets", &["tags", "public", "encrypted"]),
        ("azure.vm.list", &["resource_group", "tags"]),
        ("azure.sql.databases", &["resource_group", "tags"]),
        ("azure.storage.containers", &["public"]),
        ("gcp.compute.instances", &["project", "zone", "labels", "status"]),
        ("gcp.compute.disks", &["project", "zone", "attached", "labels"]),
        ("gcp.storage.buckets", &["project", "public", "labels"]),
        ("compute.instances", &["tags", "state"]),
        ("storage.buckets", &["public", "encrypted"]),
        ("database.instances", &["tags"]),
        ("security.public_storage", &[]),
        ("security.open_ports", &["ports"]),
        ("security.unencrypted_disks", &[]),
        ("inventory.summary", &[]),
        ("cost.by_service", &["period"]),
    ];
    for (name, params) in queries {
        let query = callable(name);
        assert_eq!(query.kind, CallableKind::Query, "{name}");
        for param in *params {
            assert!(query.param(param).is_some(), "{name} lacks `{param}`");
        }
    }
    // Left out, every project the host is configured for, as Azure's subscription: the agnostic queries route here.
    let project = callable("gcp.compute.instances").param("project").expect("project");
    assert_eq!((&project.ty, project.has_default), (&Type::optional(Type::String), true));
    let zone = &callable("gcp.compute.instances").param("zone").expect("zone").ty;
    assert_eq!(zone, &Type::optional(Type::Enum("gcp.zone".to_string())));
    let period = callable("cost.by_service").param("period").expect("period");
    assert_eq!((&period.ty, period.has_default), (&Type::Duration, true));
    assert_eq!(callable("security.public_storage").returns, Type::list(interface("storage.Bucket")));
    assert_eq!(callable("security.unencrypted_disks").returns, Type::list(interface("compute.Disk")));
}

#[test]
fn the_agreed_actions_exist_with_their_targets_and_effects() {
    use Effect::*;
    let actions: &[(&str, &str, Effect)] = &[
        ("aws.ec2.start", "instances", Mutate),
        ("aws.ec2.stop", "instances", Disrupt),
        ("aws.ec2.reboot", "instances", Disrupt),
        ("aws.ec2.terminate", "instances", Destroy),
        ("aws.ec2.resize", "instances", Disrupt),
        ("aws.ec2.tag", "instances", Mutate),
        ("aws.ec2.create_images", "instances", Mutate),
        ("aws.ec2.create_snapshots", "volumes", Mutate),
        ("aws.ec2.delete_volumes", "volumes", Destroy),
        ("aws.ec2.delete_snapshots", "snapshots", Destroy),
        ("aws.ec2.copy_snapshots", "snapshots", Mutate),
        ("aws.ec2.revoke_ingress", "rules", Mutate),
        ("aws.rds.start", "instances", Mutate),
        ("aws.rds.stop", "instances", Disrupt),
        ("aws.rds.create_snapshots", "instances", Mutate),
        ("aws.rds.modify_class", "instances", Disrupt),
        ("aws.lambda.set_reserved_concurrency", "functions", Disrupt),
        ("aws.s3.block_public_access", "buckets", Mutate),
        ("aws.s3.enable_default_encryption", "buckets", Mutate),
        ("aws.s3.enable_versioning", "buckets", Mutate),
        ("aws.s3.enable_replication", "buckets", Mutate),
        ("aws.route53.set_failover", "records", Disrupt),
        ("azure.vm.start", "vms", Mutate),
        ("azure.vm.deallocate", "vms", Disrupt),
        ("azure.vm.restart", "vms", Disrupt),
        ("azure.vm.delete", "vms", Destroy),
        ("azure.vm.resize", "vms", Disrupt),
        ("azure.vm.tag", "vms", Mutate),
        ("azure.sql.pause", "databases", Disrupt),
        ("azure.sql.resume", "databases", Mutate),
        ("azure.sql.backup", "databases", Mutate),
        ("azure.storage.set_private", "containers", Mutate),
        ("azure.disk.delete", "disks", Destroy),
        ("azure.functions.stop", "apps", Disrupt),
        ("azure.functions.start", "apps", Mutate),
        ("gcp.compute.start", "instances", Mutate),
        ("gcp.compute.stop", "instances", Disrupt),
        ("gcp.compute.reset", "instances", Disrupt),
        ("gcp.compute.delete", "instances", Destroy),
        ("gcp.compute.set_machine_type", "instances", Disrupt),
        ("gcp.compute.label", "instances", Mutate),
        ("gcp.compute.create_snapshots", "disks", Mutate),
        ("gcp.compute.delete_disks", "disks", Destroy),
        ("gcp.sql.start", "instances", Mutate),
        ("gcp.sql.stop", "instances", Disrupt),
        ("gcp.sql.backup", "instances", Mutate),
        ("gcp.storage.remove_public_access", "buckets", Mutate),
        ("gcp.storage.enable_versioning", "buckets", Mutate),
        ("compute.start", "instances", Mutate),
        ("compute.stop", "instances", Disrupt),
        ("compute.restart", "instances", Disrupt),
        ("compute.tag", "instances", Mutate),
        ("storage.block_public_access", "buckets", Mutate),
        ("storage.enable_encryption", "buckets", Mutate),
        ("database.start", "instances", Mutate),
        ("database.stop", "instances", Disrupt),
        ("database.backup", "instances", Mutate),
    ];
    for (name, targets, effect) in actions {
        let action = callable(name);
        assert_eq!(action.kind, CallableKind::Action, "{name}");
        assert_eq!(action.effect, *effect, "{name}");
        assert_eq!(action.targets.as_deref(), Some(*targets), "{name}");
        assert_eq!(action.params.first().map(|p| p.name.as_str()), Some(*targets), "{name}");
    }
}

#[test]
fn stop_and_start_undo_each_other() {
    for (stop, start) in [
        ("aws.ec2.stop", "aws.ec2.start"),
        ("aws.rds.stop", "aws.rds.start"),
        ("azure.vm.deallocate", "azure.vm.start"),
        ("azure.sql.pause", "azure.sql.resume"),
        ("azure.functions.stop", "azure.functions.start"),
        ("gcp.compute.stop", "gcp.compute.start"),
        ("gcp.sql.stop", "gcp.sql.start"),
        ("compute.stop", "compute.start"),
        ("database.stop", "database.start"),
    ] {
        assert_eq!(callable(stop).undo.as_deref(), Some(start), "{stop}");
        assert_eq!(callable(start).undo.as_deref(), Some(stop), "{start}");
    }
    assert_eq!(callable("aws.ec2.terminate").undo, None);
}

#[test]
fn every_undo_action_exists_and_takes_the_same_targets() {
    let catalog = catalog();
    let with_undo: Vec<&Callable> = catalog.callables.values().filter(|c| c.undo.is_some()).collect();
    assert!(with_undo.len() >= 18, "only {} actions can be undone", with_undo.len());
    for action in with_undo {
        let undo = action.undo.as_deref().and_then(|u| catalog.callables.get(u));
        let undo = undo.unwrap_or_else(|| panic!("the undo of {} is missing", action.name));
        assert_eq!(undo.kind, CallableKind::Action);
        assert!(target_type(action).is_some());
        assert_eq!(target_type(undo), target_type(action), "{} and {}", action.name, undo.name);
        assert_ne!(undo.effect, Effect::Destroy, "{} is undone by a destroy", action.name);
    }
}

#[test]
fn backups_are_marked_and_destroys_are_not() {
    for name in [
        "aws.ec2.create_images",
        "aws.ec2.create_snapshots",
        "aws.rds.create_snapshots",
        "azure.sql.backup",
        "gcp.compute.create_snapshots",
        "gcp.sql.backup",
        "database.backup",
    ] {
        assert!(callable(name).backup, "{name} is not marked as a backup");
    }
    for destroy in catalog().callables.values().filter(|c| c.effect == Effect::Destroy) {
        assert!(!destroy.backup, "{} both destroys and backs up", destroy.name);
    }
}

#[test]
fn an_actions_outcome_is_over_its_targets() {
    for action in catalog().callables.values().filter(|c| c.targets.is_some()) {
        let element = target_type(action).and_then(Type::element).cloned();
        let outcome = element.map(|e| Type::Outcome(Box::new(e)));
        assert_eq!(Some(&action.returns), outcome.as_ref(), "{}", action.name);
    }
}

#[test]
fn every_cloud_action_names_its_targets() {
    let catalog = catalog();
    for action in catalog.callables.values() {
        if action.kind == CallableKind::Action && action.cloud != Cloud::None {
            assert!(action.targets.is_some(), "{} has no targets", action.name);
        }
    }
}

#[test]
fn ec2_changes_are_dry_run_natively_and_batched() {
    for name in ["aws.ec2.start", "aws.ec2.stop", "aws.ec2.terminate", "aws.ec2.delete_volumes"] {
        let action = callable(name);
        assert_eq!(action.dry_run, DryRun::Native, "{name}");
        assert_eq!(action.rate_class, "ec2.mutating", "{name}");
    }
    assert_eq!(callable("aws.ec2.stop").batch, Some(1000));
    assert_eq!(callable("aws.ec2.instances").rate_class, "ec2.describe");
    assert_eq!(callable("gcp.compute.stop").dry_run, DryRun::Simulated);
}

#[test]
fn queries_return_lists_or_records() {
    for query in catalog().callables.values().filter(|c| c.kind == CallableKind::Query) {
        assert!(matches!(query.returns, Type::List(_) | Type::Record(_)), "{} returns {}", query.name, query.returns);
    }
}

#[test]
fn reports_accept_any_rows_and_core_actions_touch_no_cloud() {
    let rows = &callable("report.table").param("rows").expect("rows").ty;
    assert_eq!(rows, &Type::list(Type::Any));
    assert!(callable("report.summary").param("title").is_some());
    for name in ["report.table", "report.summary", "wait", "notify", "fail"] {
        let action = callable(name);
        assert_eq!((action.kind, action.effect, action.cloud), (CallableKind::Action, Effect::Read, Cloud::None));
    }
    assert_eq!(callable("wait").params[0].ty, Type::Duration);
    let notify: Vec<&str> = callable("notify").params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        notify,
        ["channel", "message", "webhook", "endpoint", "signing_key", "smtp", "to", "sender", "subject", "sns"]
    );
    // What holds a credential is a secret; who gets the mail and which topic are plain, shown in the plan.
    let secret = Type::optional(Type::Secret(Box::new(Type::String)));
    for credential in ["webhook", "endpoint", "signing_key", "smtp"] {
        assert_eq!(callable("notify").param(credential).expect(credential).ty, secret, "{credential}");
    }
    assert_eq!(callable("notify").param("to").expect("to").ty, Type::optional(Type::list(Type::String)));
    assert_eq!(callable("notify").param("sns").expect("sns").ty, Type::optional(Type::String));
    assert_eq!(callable("fail").params[0].name, "message");
}

#[test]
fn every_item_and_parameter_is_documented() {
    let Catalog { enums, interfaces, resources, callables } = catalog();
    let undocumented: Vec<String> = enums
        .values()
        .filter(|e| e.docs.is_empty())
        .map(|e| e.name.clone())
        .chain(interfaces.values().filter(|i| i.docs.is_empty()).map(|i| i.name.clone()))
        .chain(resources.values().filter(|r| r.docs.is_empty()).map(|r| r.name.clone()))
        .chain(callables.values().filter(|c| c.docs.is_empty()).map(|c| c.name.clone()))
        .chain(callables.values().flat_map(|c| {
            c.params.iter().filter(|p| p.docs.is_empty()).map(move |p| format!("{}({})", c.name, p.name))
        }))
        .collect();
    assert!(undocumented.is_empty(), "undocumented: {undocumented:?}");
}

/// Every cloud-agnostic action reaches each cloud through the one action the stdlib declares implements it
/// there, and that action takes every parameter of the agnostic one (under its own name where it renames it).
#[test]
fn every_agnostic_action_has_one_implementer_per_cloud_taking_its_parameters() {
    let catalog = catalog();
    // Cloud Storage encrypts at rest always: no action turns it on there. (Azure Storage does too; its declared
    // action says so, unchanged, because its provider is asked.)
    let none_by_design = [("storage.enable_encryption", Cloud::Gcp)];
    let agnostic = catalog.callables.values().filter(|c| c.kind == CallableKind::Action && c.cloud == Cloud::Any);
    let mut routes = 0;
    for action in agnostic {
        for cloud in Cloud::ALL {
            let Some(implementer) = catalog.implementer(&action.name, cloud) else {
                let known = none_by_design.contains(&(action.name.as_str(), cloud));
                assert!(known, "`{}` has no implementer on {cloud}", action.name);
                continue;
            };
            routes += 1;
            assert_eq!(implementer.kind, CallableKind::Action);
            let renames = &implementer.implementation_of(&action.name).expect("it implements").renames;
            for param in action.params.iter().filter(|p| Some(&p.name) != action.targets.as_ref()) {
                let own = renames.get(&param.name).unwrap_or(&param.name);
                assert!(
                    implementer.param(own).is_some(),
                    "`{}` implements `{}` but takes no `{own}`",
                    implementer.name,
                    action.name
                );
            }
        }
    }
    assert_eq!(routes, 41, "the routes of the 14 agnostic actions");
    assert_eq!(catalog.implementer("compute.stop", Cloud::Azure).map(|c| c.name.as_str()), Some("azure.vm.deallocate"));
    let label = catalog.implementer("compute.tag", Cloud::Gcp).expect("GCP labels");
    assert_eq!(
        label.implementation_of("compute.tag").map(|i| i.renames.get("tags").cloned()),
        Some(Some("labels".into()))
    );
}

/// Every cloud-agnostic listing is answered on each cloud by the one query the stdlib declares implements it
/// there: that query takes every parameter of the agnostic one with the same type (under its own name where it
/// renames it) and every argument it fixes, needs no other, and lists resources of the agnostic one's interface.
/// The agnostic queries with no concrete counterpart (inventory, costs) are implemented on no cloud, and each
/// provider answers them under their own name.
#[test]
fn every_agnostic_listing_has_one_implementing_query_per_cloud_taking_its_parameters() {
    let catalog = catalog();
    let listings = [
        "compute.disks",
        "compute.functions",
        "compute.instances",
        "compute.snapshots",
        "database.instances",
        "security.open_ports",
        "security.public_storage",
        "security.unencrypted_disks",
        "storage.buckets",
    ];
    let answered_by_providers = ["cost.by_cloud", "cost.by_service", "inventory.accounts", "inventory.summary"];
    let agnostic: Vec<&Callable> =
        catalog.callables.values().filter(|c| c.kind == CallableKind::Query && c.cloud == Cloud::Any).collect();
    let names: BTreeSet<&str> = agnostic.iter().map(|query| query.name.as_str()).collect();
    assert_eq!(names, listings.into_iter().chain(answered_by_providers).collect());
    let mut routes = 0;
    for query in agnostic {
        for cloud in Cloud::ALL {
            let implementer = catalog.implementer(&query.name, cloud);
            if answered_by_providers.contains(&query.name.as_str()) {
                assert_eq!(implementer.map(|c| &c.name), None, "`{}` is answered by providers", query.name);
                continue;
            }
            let implementer = implementer.unwrap_or_else(|| panic!("`{}` has no implementer on {cloud}", query.name));
            routes += 1;
            let name = &implementer.name;
            assert_eq!(implementer.kind, CallableKind::Query, "{name}");
            let implements = implementer.implementation_of(&query.name).expect("it implements");
            let mut given = BTreeSet::new();
            for param in &query.params {
                let own = implements.renames.get(&param.name).unwrap_or(&param.name);
                let own_type = implementer.param(own).map(|p| &p.ty);
                assert_eq!(
                    own_type,
                    Some(&param.ty),
                    "`{name}` implements `{}` but takes no `{own}` of its type",
                    query.name
                );
                given.insert(own.as_str());
            }
            for fixed in implements.fixed.keys() {
                assert!(implementer.param(fixed).is_some(), "`{name}` fixes `{fixed}`, which it does not take");
                given.insert(fixed.as_str());
            }
            for param in implementer.params.iter().filter(|p| !p.has_default) {
                assert!(
                    given.contains(param.name.as_str()),
                    "`{name}` needs `{}`, which `{}` cannot give",
                    param.name,
                    query.name
                );
            }
            let (Type::List(own), Type::List(wanted)) = (&implementer.returns, &query.returns) else {
                panic!("`{name}` or `{}` does not return a list", query.name)
            };
            let (Type::Resource(resource), Type::Interface(interface)) = (own.as_ref(), wanted.as_ref()) else {
                panic!("`{name}` lists {own}, `{}` lists {wanted}", query.name)
            };
            assert!(catalog.implements(resource, interface), "`{resource}` is not a `{interface}`");
        }
    }
    assert_eq!(routes, 27, "the nine listings on the three clouds");
    let volumes = catalog.implementer("security.unencrypted_disks", Cloud::Aws).expect("an AWS implementer");
    let fixed = &volumes.implementation_of("security.unencrypted_disks").expect("it implements").fixed;
    assert_eq!((volumes.name.as_str(), fixed.get("encrypted")), ("aws.ec2.volumes", Some(&Value::Bool(false))));
    let gce = catalog.implementer("compute.instances", Cloud::Gcp).expect("a GCP implementer");
    let renames = &gce.implementation_of("compute.instances").expect("it implements").renames;
    assert_eq!(renames.get("tags").zip(renames.get("state")), Some((&"labels".into(), &"status".into())));
}
