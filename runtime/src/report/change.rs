//! What a step did (or, in a dry run, would do) to each resource it changed: the fields the action changed, as
//! the query saw them before and as the provider answered after, and what a person knows the resource by.

use std::collections::{BTreeMap, HashMap};

use escher_compiler::plan::Value;
use serde::{Deserialize, Serialize};

use super::verb::Verb;
use crate::provider::{resource_field, resource_id};

/// Whether a resource is created, changed in place or removed: `+`, `~` or `-` in a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Create,
    Update,
    Delete,
}

impl ChangeKind {
    /// The mark a resource's line starts with, as Terraform's plan marks it.
    pub fn sign(self) -> char {
        match self {
            ChangeKind::Create => '+',
            ChangeKind::Update => '~',
            ChangeKind::Delete => '-',
        }
    }
}

/// One resource a step changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// The target's id (for a creation from it, such as a snapshot of a volume, the volume's).
    pub id: String,
    pub change: ChangeKind,
    /// Its name, when it has one besides its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its region (or location, or zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The tags that tell one environment from another ([`IDENTIFYING_TAGS`]), where it has them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The fields the action changed, as the query saw the target (`null` for a field it did not have).
    pub before: BTreeMap<String, Value>,
    /// The same fields as the provider answered (in a dry run, as it would be).
    pub after: BTreeMap<String, Value>,
}

/// The tags that name a resource's environment, shown beside its name and region.
pub const IDENTIFYING_TAGS: &[&str] = &["env", "environment"];

/// Fields that change along with what an action changes and say nothing of their own (a stop's cost, a
/// start's launch time).
const INCIDENTAL: &[&str] = &["monthly_cost", "launch_time", "created", "updated", "last_modified"];

/// The state a provider gives a resource it removed.
const DELETED: &str = "deleted";

impl ResourceChange {
    /// What `action` did to one target: `before` as the plan saw it (`None` when it is not known), `after` as
    /// the provider answered. When the answer shows no change (a dry run's "would succeed"), the state the
    /// action's verb leaves resources in stands for the after.
    pub fn between(action: &str, before: Option<&Value>, after: &Value) -> ResourceChange {
        let verb = Verb::of(action);
        let id = resource_id(after).or_else(|| before.and_then(resource_id)).unwrap_or_default().to_string();
        let known = before.unwrap_or(after);
        let name = resource_field(known, "name").filter(|name| !name.is_empty() && *name != id).map(str::to_string);
        let region = ["region", "location", "zone"]
            .iter()
            .find_map(|field| resource_field(known, field))
            .filter(|region| !region.is_empty())
            .map(str::to_string);
        let tags = identifying_tags(known);
        let (mut before_fields, mut after_fields) = match before {
            Some(before) => differences(before, after),
            None => (BTreeMap::new(), BTreeMap::new()),
        };
        if before_fields.is_empty()
            && let Some(state) = verb.leaves_state()
            && resource_field(known, "state").is_some_and(|now| now != state)
        {
            before_fields.insert("state".into(), field(known, "state"));
            after_fields.insert("state".into(), Value::String(state.into()));
        }
        let change = match resource_field(after, "state") {
            Some(DELETED) => ChangeKind::Delete,
            _ => verb.kind(),
        };
        ResourceChange { id, change, name, region, tags, before: before_fields, after: after_fields }
    }

    /// Whether the provider answered that the resource is gone (so no field's after is worth showing).
    pub fn is_gone(&self) -> bool {
        matches!(self.after.get("state"), Some(Value::String(state)) if state == DELETED)
    }
}

/// The changes of a step's outcome record (`{targets, changed, ...}`): each changed resource against the target
/// it was; none for any other output.
pub fn changes_in(action: &str, output: &Value) -> Vec<ResourceChange> {
    let Value::Record(fields) = output else {
        return Vec::new();
    };
    let Some(Value::List(changed)) = fields.get("changed") else {
        return Vec::new();
    };
    let targets: HashMap<&str, &Value> = match fields.get("targets") {
        Some(Value::List(targets)) => targets.iter().filter_map(|t| Some((resource_id(t)?, t))).collect(),
        _ => HashMap::new(),
    };
    changed
        .iter()
        .map(|after| {
            let before = resource_id(after).and_then(|id| targets.get(id).copied());
            ResourceChange::between(action, before, after)
        })
        .collect()
}

fn identifying_tags(resource: &Value) -> BTreeMap<String, String> {
    let Value::Record(fields) = resource else {
        return BTreeMap::new();
    };
    let Some(Value::Record(tags)) = fields.get("tags") else {
        return BTreeMap::new();
    };
    IDENTIFYING_TAGS
        .iter()
        .filter_map(|key| match tags.get(*key) {
            Some(Value::String(value)) => Some((key.to_string(), value.clone())),
            _ => None,
        })
        .collect()
}

fn field(resource: &Value, name: &str) -> Value {
    match resource {
        Value::Record(fields) => fields.get(name).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// The fields, incidental ones aside, whose values differ (a missing field counts as `null`).
fn differences(before: &Value, after: &Value) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let (Value::Record(old), Value::Record(new)) = (before, after) else {
        return (BTreeMap::new(), BTreeMap::new());
    };
    let names = old.keys().chain(new.keys()).filter(|name| !INCIDENTAL.contains(&name.as_str()));
    let mut differ = (BTreeMap::new(), BTreeMap::new());
    for name in names {
        let (was, is) = (old.get(name).unwrap_or(&Value::Null), new.get(name).unwrap_or(&Value::Null));
        if was != is {
            differ.0.insert(name.clone(), was.clone());
            differ.1.insert(name.clone(), is.clone());
        }
    }
    differ
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(state: &str, instance_type: &str) -> Value {
        let text = |s: &str| Value::String(s.into());
        Value::Record(BTreeMap::from([
            ("id".into(), text("i-0abc")),
            ("name".into(), text("web-1")),
            ("region".into(), text("us-east-1")),
            ("state".into(), text(state)),
            ("instance_type".into(), text(instance_type)),
            ("monthly_cost".into(), Value::Float(instance_type.len() as f64)),
            ("tags".into(), Value::Record(BTreeMap::from([("env".into(), text("dev")), ("team".into(), text("a"))]))),
        ]))
    }

    #[test]
    fn a_change_keeps_the_fields_the_action_changed_and_what_names_the_resource() {
        let change = ResourceChange::between(
            "aws.ec2.resize",
            Some(&instance("stopped", "t3.large")),
            &instance("stopped", "m7g.xlarge"),
        );
        assert_eq!(change.id, "i-0abc");
        assert_eq!(change.change, ChangeKind::Update);
        assert_eq!((change.name.as_deref(), change.region.as_deref()), (Some("web-1"), Some("us-east-1")));
        assert_eq!(change.tags, BTreeMap::from([("env".to_string(), "dev".to_string())]));
        assert_eq!(change.before, BTreeMap::from([("instance_type".into(), Value::String("t3.large".into()))]));
        assert_eq!(change.after, BTreeMap::from([("instance_type".into(), Value::String("m7g.xlarge".into()))]));
    }

    #[test]
    fn an_answer_that_shows_no_change_gets_the_state_the_verb_leaves() {
        let running = instance("running", "t3.large");
        let change = ResourceChange::between("aws.ec2.stop", Some(&running), &running);
        assert_eq!(change.after.get("state"), Some(&Value::String("stopped".into())));
        assert_eq!(change.before.get("state"), Some(&Value::String("running".into())));
    }

    #[test]
    fn a_resource_answered_deleted_is_a_deletion() {
        let change =
            ResourceChange::between("custom.purge", Some(&instance("running", "x")), &instance("deleted", "x"));
        assert_eq!(change.change, ChangeKind::Delete);
        assert!(change.is_gone());
    }

    #[test]
    fn an_outcome_pairs_each_changed_resource_with_the_target_it_was() {
        let output = Value::Record(BTreeMap::from([
            ("targets".into(), Value::List(vec![instance("running", "t3.large")])),
            ("changed".into(), Value::List(vec![instance("stopped", "t3.large")])),
        ]));
        let changes = changes_in("aws.ec2.stop", &output);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].before.get("state"), Some(&Value::String("running".into())));
        assert!(changes_in("aws.ec2.instances", &Value::List(Vec::new())).is_empty());
    }
}
