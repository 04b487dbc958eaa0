//! The resource kinds the simulator holds: every resource the stdlib declares, plus the few the clouds create
//! but the stdlib does not declare (a Cloud SQL on-demand backup), which the simulator needs to model backups
//! as new resources.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use escher_compiler::stdlib::catalog;
use escher_compiler::types::Type;

/// Kinds only the simulator knows, with their fields.
static SIM_KINDS: LazyLock<BTreeMap<&'static str, BTreeMap<String, Type>>> = LazyLock::new(|| {
    let fields = |pairs: &[(&str, Type)]| pairs.iter().map(|(n, t)| (n.to_string(), t.clone())).collect();
    BTreeMap::from([(
        "gcp.sql.Backup",
        fields(&[
            ("id", Type::String),
            ("name", Type::String),
            ("cloud", Type::String),
            ("region", Type::String),
            ("state", Type::String),
            ("tags", Type::Map(Box::new(Type::String))),
            ("project", Type::String),
            ("instance", Type::String),
            ("description", Type::String),
            ("created", Type::Datetime),
        ]),
    )])
});

/// The declared fields of a kind, or `None` for a kind nobody declares.
pub(crate) fn fields(kind: &str) -> Option<&'static BTreeMap<String, Type>> {
    catalog().resources.get(kind).map(|r| &r.fields).or_else(|| SIM_KINDS.get(kind))
}

/// Every kind the simulator can hold.
pub(crate) fn all() -> Vec<&'static str> {
    let mut kinds: Vec<&str> = catalog().resources.keys().map(String::as_str).collect();
    kinds.extend(SIM_KINDS.keys().copied());
    kinds.sort_unstable();
    kinds
}

/// `aws`, `azure` or `gcp`: the first segment of a kind.
pub(crate) fn cloud(kind: &str) -> &str {
    kind.split('.').next().unwrap_or("")
}

/// Whether `region` names a place of `cloud` where a resource can live.
pub(crate) fn known_region(cloud: &str, region: &str) -> bool {
    let listed =
        |enumeration: &str| catalog().enums.get(enumeration).is_some_and(|e| e.values.iter().any(|v| v == region));
    match cloud {
        // Route 53 is global.
        "aws" => region == "global" || listed("aws.region"),
        "azure" => listed("azure.location"),
        // VPC firewall rules are global; buckets and snapshots may live in a multi-region.
        "gcp" => matches!(region, "global" | "us" | "eu" | "asia") || listed("gcp.region"),
        _ => false,
    }
}
