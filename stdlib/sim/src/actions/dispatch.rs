//! The cloud-agnostic actions: each target goes to the action of its own cloud that the stdlib declares
//! implements it (`implements = compute.stop` on `azure.vm.deallocate`), so one batch may mix clouds. Where no
//! stdlib action of a cloud implements one, a stand-in of the simulator's own acts for it.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::{Callable, CallableKind, Cloud, Implements, catalog};

use super::spec::ActionSpec;
use super::spec_named;

/// The simulator's own actions for agnostic actions that no stdlib action of a cloud implements: Cloud Storage
/// encrypts at rest always, so the stdlib has no action to turn it on there.
const STAND_INS: &[(&str, &str)] = &[("storage.enable_encryption", "gcp.storage.enable_encryption")];

/// The agnostic actions some cloud's action implements.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    catalog()
        .callables
        .values()
        .filter(|callable| callable.kind == CallableKind::Action && callable.cloud == Cloud::Any)
        .filter(|agnostic| Cloud::ALL.into_iter().any(|cloud| catalog().implementer(&agnostic.name, cloud).is_some()))
        .map(|agnostic| agnostic.name.as_str())
}

/// The per-cloud actions an agnostic action dispatches to, each with how it implements the agnostic one (none
/// for a stand-in).
pub(crate) fn routes(name: &str) -> Option<Vec<(&'static ActionSpec, Option<&'static Implements>)>> {
    let mut routes = Vec::new();
    for cloud in Cloud::ALL {
        let declared = catalog().implementer(name, cloud).and_then(|callable: &'static Callable| {
            spec_named(&callable.name).map(|spec| (spec, callable.implementation_of(name)))
        });
        let stand_in = || {
            STAND_INS
                .iter()
                .filter(|(agnostic, _)| *agnostic == name)
                .filter_map(|(_, spec)| spec_named(spec))
                .find(|spec| spec.name.starts_with(&format!("{}.", cloud.name())))
                .map(|spec| (spec, None))
        };
        routes.extend(declared.or_else(stand_in));
    }
    (!routes.is_empty()).then_some(routes)
}

/// The agnostic call's arguments as the per-cloud action reads them (`tags` is `labels` on GCP), with the
/// arguments it fixes.
pub(crate) fn args_for(implements: Option<&Implements>, args: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    implements.map_or_else(|| args.clone(), |implements| implements.args(args))
}
