//! The plan hash: what approvals bind to, so it must be the same for the same plan on every machine.

use sha2::{Digest, Sha256};

use super::canonical::{Canonical, write_canonical};
use super::model::Plan;

/// SHA-256, lowercase hex, of the plan's canonical JSON with `hash` itself blanked.
///
/// Canonical means serde_json's value form printed compactly: objects are `BTreeMap`s (the workspace does not
/// enable `preserve_order`), so keys come out sorted whatever order any map was built in, and whitespace,
/// comments and layout of the source never reach the plan. It is written without building that value
/// (`canonical.rs`).
///
/// The bytes are fed to the hash piece by piece, one node at a time, so a plan of thousands of steps is never
/// held as one JSON text (that cost more time and memory than the rest of planning).
pub fn plan_hash(plan: &Plan) -> String {
    let mut hasher = Sha256::new();
    write_plan(plan, &mut |bytes| hasher.update(bytes));
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Writes the canonical JSON of `plan` (with `hash` blanked): the top-level keys in sorted order, each value in
/// serde_json's sorted compact form. Byte for byte what `to_value(plan)` with the hash blanked prints.
fn write_plan(plan: &Plan, out: &mut dyn FnMut(&[u8])) {
    // Every field of Plan, in sorted order; `nodes` (None here) is streamed. A field added to Plan and not here
    // fails the test that compares this form with the whole-value form.
    let fields: [(&str, Option<Vec<u8>>); 8] = [
        ("docs", Some(canonical(&plan.docs))),
        ("edges", Some(canonical(&plan.edges))),
        ("format_version", Some(canonical(&plan.format_version))),
        ("hash", Some(canonical(""))),
        ("nodes", None),
        ("params", Some(canonical(&plan.params))),
        ("playbook", Some(canonical(&plan.playbook))),
        ("schedule", Some(canonical(&plan.schedule))),
    ];
    out(b"{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out(b",");
        }
        out(format!("\"{key}\":").as_bytes());
        match value {
            Some(text) => out(text),
            None => {
                out(b"[");
                let mut text = Vec::new();
                for (n, node) in plan.nodes.iter().enumerate() {
                    if n > 0 {
                        out(b",");
                    }
                    text.clear();
                    write_canonical(node, &mut text);
                    out(&text);
                }
                out(b"]");
            }
        }
    }
    out(b"}");
}

/// A value in canonical form.
fn canonical<T: Canonical + ?Sized>(value: &T) -> Vec<u8> {
    let mut text = Vec::new();
    write_canonical(value, &mut text);
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The whole plan as one serde_json value, hash blanked: what the streamed form must equal.
    fn canonical_json(plan: &Plan) -> String {
        let mut value = serde_json::to_value(plan).expect("a Plan converts to JSON");
        if let Some(hash) = value.get_mut("hash") {
            *hash = serde_json::Value::String(String::new());
        }
        value.to_string()
    }

    fn streamed(plan: &Plan) -> String {
        let mut bytes = Vec::new();
        write_plan(plan, &mut |piece| bytes.extend_from_slice(piece));
        String::from_utf8(bytes).expect("JSON is UTF-8")
    }

    #[test]
    fn the_streamed_form_is_byte_for_byte_the_whole_value_form() {
        let mut plan = small_plan();
        assert_eq!(streamed(&plan), canonical_json(&plan));
        plan.schedule = None;
        plan.nodes.push(plan.nodes[0].clone());
        assert_eq!(streamed(&plan), canonical_json(&plan));
    }
    use crate::plan::model::{
        BlastRadius, Edge, EdgeKind, NodeKind, PLAN_FORMAT_VERSION, PlanExpr, PlanNode, Risk, RiskLevel, StepOptions,
        Value,
    };
    use crate::stdlib::{Cloud, DryRun, Effect};
    use crate::types::Type;

    fn small_plan() -> Plan {
        let stop = PlanNode {
            id: "stop".to_string(),
            kind: NodeKind::Action,
            docs: "Stop the dev VMs.".to_string(),
            action: "aws.ec2.stop".to_string(),
            args: BTreeMap::from([
                ("instances".to_string(), PlanExpr::Ref { node: "vms".to_string(), path: Vec::new() }),
                ("region".to_string(), PlanExpr::value(Value::String("eu-west-1".to_string()))),
            ]),
            output: Type::Outcome(Box::new(Type::Resource("aws.ec2.Instance".to_string()))),
            effect: Effect::Disrupt,
            cloud: Cloud::Aws,
            undo: Some("aws.ec2.start".to_string()),
            batch: Some(50),
            rate_class: "ec2.mutating".to_string(),
            dry_run: DryRun::Native,
            targets: Some("instances".to_string()),
            for_each: None,
            script: None,
            options: StepOptions { max_targets: Some(5), retry: 3, ..StepOptions::default() },
            risk: Risk {
                level: RiskLevel::Medium,
                blast_radius: BlastRadius::AtMost(5),
                production: false,
                clouds: vec![Cloud::Aws],
                regions: vec!["eu-west-1".to_string()],
                reasons: vec!["disrupt: base level medium".to_string()],
            },
            approval: None,
        };
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            playbook: "nightly".to_string(),
            docs: String::new(),
            params: BTreeMap::from([("env".to_string(), Value::String("dev".to_string()))]),
            schedule: None,
            nodes: vec![stop],
            edges: vec![Edge { from: "vms".to_string(), to: "stop".to_string(), kind: EdgeKind::Data }],
            hash: String::new(),
        }
    }

    /// Checked independently (Python's json.dumps with sorted keys and compact separators, then sha256).
    /// A deliberate change to the Plan's shape changes it: bump PLAN_FORMAT_VERSION and update it then.
    #[test]
    fn a_fixed_plan_has_a_fixed_hash() {
        assert_eq!(plan_hash(&small_plan()), "90af1b6c0bd921cd2eff4ae6d23452581f9f0411ba7ae0738488a933546a9a79");
    }

    #[test]
    fn the_hash_is_lowercase_hex_sha256() {
        let hash = plan_hash(&small_plan());
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{hash}");
    }

    #[test]
    fn the_stored_hash_does_not_change_the_hash() {
        let mut plan = small_plan();
        let hash = plan_hash(&plan);
        plan.hash = hash.clone();
        assert_eq!(plan_hash(&plan), hash);
    }

    #[test]
    fn changing_an_argument_changes_the_hash() {
        let mut plan = small_plan();
        let before = plan_hash(&plan);
        plan.nodes[0].args.insert("region".to_string(), PlanExpr::value(Value::String("eu-west-2".to_string())));
        assert_ne!(plan_hash(&plan), before);
    }

    #[test]
    fn changing_a_parameter_or_an_option_changes_the_hash() {
        let before = plan_hash(&small_plan());
        let mut param = small_plan();
        param.params.insert("env".to_string(), Value::String("prod".to_string()));
        let mut option = small_plan();
        option.nodes[0].options.retry = 4;
        assert_ne!(plan_hash(&param), before);
        assert_ne!(plan_hash(&option), before);
        assert_ne!(plan_hash(&param), plan_hash(&option));
    }

    #[test]
    fn the_order_keys_were_written_in_does_not_change_the_hash() {
        let json = serde_json::to_string(&small_plan()).expect("serializes");
        let mut reordered: serde_json::Value = serde_json::from_str(&json).expect("parses");
        // Rebuild every object with its keys inserted in reverse, as another producer might write them.
        fn reverse_keys(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Object(map) => {
                    let mut entries: Vec<_> = std::mem::take(map).into_iter().collect();
                    entries.reverse();
                    for (key, mut item) in entries {
                        reverse_keys(&mut item);
                        map.insert(key, item);
                    }
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(reverse_keys),
                _ => {}
            }
        }
        reverse_keys(&mut reordered);
        let text = reordered.to_string();
        let plan: Plan = serde_json::from_str(&text).expect("a plan");
        assert_eq!(plan_hash(&plan), plan_hash(&small_plan()));
    }

    #[test]
    fn canonical_json_sorts_object_keys() {
        // Fails if serde_json's `preserve_order` feature is ever enabled: keys would keep insertion order.
        let mut map = serde_json::Map::new();
        map.insert("zone".to_string(), serde_json::Value::Null);
        map.insert("action".to_string(), serde_json::Value::Null);
        assert_eq!(serde_json::Value::Object(map).to_string(), r#"{"action":null,"zone":null}"#);
        let json = canonical_json(&small_plan());
        let position = |key: &str| json.find(&format!("\"{key}\":")).expect("key present");
        assert!(position("docs") < position("edges") && position("edges") < position("format_version"));
    }
}
