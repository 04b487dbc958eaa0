//! Every query and action the stdlib declares is answered by the simulator, so nothing is forgotten.

mod common;

use std::collections::BTreeMap;

use common::*;
use escher_compiler::plan::Value;
use escher_compiler::stdlib::{Callable, CallableKind, Cloud, catalog};
use escher_compiler::types::Type;
use escher_runtime::provider::{Provider, ProviderError, ProviderResponse};
use escher_sim::Sim;

/// Whether `callable` is a cloud-agnostic query that the runtime routes to each cloud's query implementing it,
/// so no provider answers it under its own name.
fn routed_query(callable: &Callable) -> bool {
    callable.kind == CallableKind::Query
        && Cloud::ALL.into_iter().any(|cloud| catalog().implementer(&callable.name, cloud).is_some())
}

#[test]
fn the_simulator_names_exactly_the_stdlib_callables_but_the_routed_queries() {
    let declared: Vec<&str> =
        catalog().callables.values().filter(|c| !routed_query(c)).map(|c| c.name.as_str()).collect();
    assert_eq!(escher_sim::supported(), declared);
}

#[test]
fn every_declared_resource_kind_can_be_held() {
    let kinds = escher_sim::kinds();
    for kind in catalog().resources.keys() {
        assert!(kinds.contains(&kind.as_str()), "{kind}");
    }
}

/// A plausible value for a parameter the call leaves at no default.
fn plausible(name: &str, ty: &Type) -> Value {
    match (name, ty) {
        (_, Type::Optional(_)) => Value::Null,
        ("project", _) => s("acme-dev"),
        ("instance_type", _) => s("t3.large"),
        ("vm_size", _) => s("Standard_D4s_v5"),
        ("machine_type", _) => s("e2-standard-4"),
        ("tier", _) => s("db-custom-2-7680"),
        ("sku", _) => s("GP_Gen5_4"),
        ("instance_class", _) => s("db.r7g.large"),
        ("role", _) => s("SECONDARY"),
        ("availability_zone", _) => s("us-east-1b"),
        ("duration", _) => Value::Duration { duration_ms: 10 },
        ("values", _) => strs(&["192.0.2.44"]),
        ("keys", _) => strs(&["env"]),
        (_, Type::String) => s("escher-test"),
        (_, Type::Int) => Value::Int(2),
        (_, Type::Bool) => Value::Bool(false),
        (_, Type::Duration) => days(30),
        (_, Type::Enum(e)) if e == "aws.region" => s("us-west-2"),
        (_, Type::Enum(e)) if e == "gcp.zone" => s("us-central1-a"),
        (_, Type::Enum(e)) if e == "gcp.region" => s("us-central1"),
        (_, Type::Map(_)) => map(&[("reviewed", "yes")]),
        (_, Type::List(_)) => Value::List(Vec::new()),
        _ => Value::Null,
    }
}

fn arguments(callable: &Callable) -> BTreeMap<String, Value> {
    callable
        .params
        .iter()
        .filter(|p| Some(&p.name) != callable.targets.as_ref())
        .map(|p| (p.name.clone(), p.default.clone().unwrap_or_else(|| plausible(&p.name, &p.ty))))
        .collect()
}

/// Resources the action can take: those of the kind its targets parameter names, or that implement the
/// interface it names.
fn targets_for(sim: &Sim, callable: &Callable) -> Vec<Value> {
    let target = callable.targets.as_ref().and_then(|t| callable.param(t)).expect("a targets parameter");
    let Type::List(element) = &target.ty else { panic!("{} targets are not a list", callable.name) };
    let fits = |kind: &str| match element.as_ref() {
        Type::Resource(name) => kind == name,
        Type::Interface(name) => catalog().implements(kind, name),
        _ => false,
    };
    let mut chosen: Vec<Value> = Vec::new();
    let mut kinds_taken: Vec<String> = Vec::new();
    for resource in sim.resources() {
        let fields = record(resource.clone());
        let kind = field(&fields, "kind").to_string();
        // One of each kind, and at most three, so agnostic actions cover every cloud.
        if fits(&kind) && !kinds_taken.contains(&kind) && chosen.len() < 3 {
            kinds_taken.push(kind);
            chosen.push(resource);
        }
    }
    assert!(!chosen.is_empty(), "the demo has nothing {} can act on", callable.name);
    chosen
}

#[tokio::test]
async fn every_query_and_action_of_the_catalog_answers() {
    for callable in catalog().callables.values().filter(|c| !routed_query(c)) {
        let sim = Sim::demo();
        let mut request = call(&callable.name, &[], Vec::new());
        request.args = arguments(callable);
        if callable.targets.is_some() {
            request.targets = targets_for(&sim, callable);
        }
        let answer = sim.call(&request).await;
        match (&callable.kind, callable.targets.is_some(), answer) {
            (_, _, Err(ProviderError::Rejected(message))) if callable.name == "fail" => {
                assert_eq!(message, "escher-test")
            }
            (CallableKind::Query, _, Ok(ProviderResponse::Value(_))) => {}
            (CallableKind::Action, false, Ok(ProviderResponse::Value(_))) => {}
            (CallableKind::Action, true, Ok(ProviderResponse::Targets(results))) => {
                assert_eq!(results.len(), request.targets.len(), "{}: one result per target", callable.name);
            }
            (_, _, other) => panic!("{} answered {other:?}", callable.name),
        }
    }
}
