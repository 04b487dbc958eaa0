//! What the services' `is_done` share: reading an action's effect off its target's record. Each service module
//! has `pub(crate) fn is_done(action, call, resource) -> Option<bool>` for its actions (see
//! [`crate::provider`]); all of them are pure functions of the action, its arguments and the record, so the
//! runtime can ask them of a resumed batch in doubt without calling AWS again. `resource` is the target as
//! `describe` finds it now (`None`: it no longer exists) or as the plan saw it; `None` as the answer means the
//! record cannot tell (creations, reboots).

use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;

use crate::record::{field, has_tags, str_field, tags_of};

/// Done when the resource exists in one of `states`.
pub(crate) fn in_state(resource: Option<&Value>, states: &[&str]) -> Option<bool> {
    Some(resource.is_some_and(|r| states.contains(&str_field(r, "state"))))
}

/// Done when the resource is gone or in one of `states` (what a removal leaves).
pub(crate) fn gone_or_in_state(resource: Option<&Value>, states: &[&str]) -> Option<bool> {
    Some(resource.is_none_or(|r| states.contains(&str_field(r, "state"))))
}

/// Done when the resource has `name` = `value`.
pub(crate) fn has_field(resource: Option<&Value>, name: &str, value: &Value) -> Option<bool> {
    Some(resource.is_some_and(|r| field(r, name) == Some(value)))
}

/// Done when the resource carries every tag of the `tags` argument with its value.
pub(crate) fn tags_set(args: &Args<'_>, resource: Option<&Value>) -> Option<bool> {
    let wanted = args.tags("tags").ok()?;
    Some(resource.is_some_and(|r| has_tags(r, &wanted)))
}

/// Done when the resource carries none of the `keys` argument's tags.
pub(crate) fn tags_removed(args: &Args<'_>, resource: Option<&Value>) -> Option<bool> {
    let keys = args.strings("keys").ok()?;
    Some(resource.is_some_and(|r| {
        let tags = tags_of(r);
        keys.iter().all(|key| !tags.contains_key(key))
    }))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use escher_runtime::provider::ProviderCall;

    use super::*;

    /// A record with these fields and tags.
    pub(crate) fn record(fields: &[(&str, Value)], tags: &[(&str, &str)]) -> Value {
        let mut all: BTreeMap<String, Value> = fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let tags = tags.iter().map(|(k, v)| (k.to_string(), text(v))).collect();
        all.insert("tags".into(), Value::Record(tags));
        Value::Record(all)
    }

    pub(crate) fn text(value: &str) -> Value {
        Value::String(value.to_string())
    }

    /// A call of `action` with these arguments over `targets`.
    pub(crate) fn call(action: &str, args: &[(&str, Value)], targets: Vec<Value>) -> ProviderCall {
        ProviderCall {
            run_id: "run".into(),
            node: "step".into(),
            action: action.into(),
            args: args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            secrets: BTreeMap::new(),
            targets,
            dry_run: false,
            idempotency_key: "run:step:0".into(),
            in_doubt: false,
        }
    }

    #[test]
    fn a_state_is_done_only_when_the_resource_exists_in_it() {
        let stopped = record(&[("state", text("stopped"))], &[]);
        assert_eq!(in_state(Some(&stopped), &["stopped", "stopping"]), Some(true));
        assert_eq!(in_state(Some(&stopped), &["running"]), Some(false));
        assert_eq!(in_state(None, &["stopped"]), Some(false));
    }

    #[test]
    fn a_removal_is_done_when_the_resource_is_gone_or_going() {
        let deleting = record(&[("state", text("deleting"))], &[]);
        let available = record(&[("state", text("available"))], &[]);
        assert_eq!(gone_or_in_state(None, &[]), Some(true));
        assert_eq!(gone_or_in_state(Some(&deleting), &["deleting"]), Some(true));
        assert_eq!(gone_or_in_state(Some(&available), &["deleting"]), Some(false));
    }

    #[test]
    fn tags_are_done_when_all_are_set_or_all_are_gone() {
        let owned = record(&[], &[("owner", "ops"), ("env", "dev")]);
        let set = |pairs: &[(&str, &str)]| {
            let wanted = Value::Record(pairs.iter().map(|(k, v)| (k.to_string(), text(v))).collect());
            BTreeMap::from([("tags".to_string(), wanted)])
        };
        assert_eq!(tags_set(&Args(&set(&[("owner", "ops")])), Some(&owned)), Some(true));
        assert_eq!(tags_set(&Args(&set(&[("owner", "dev")])), Some(&owned)), Some(false));
        assert_eq!(tags_set(&Args(&set(&[("owner", "ops"), ("team", "a")])), Some(&owned)), Some(false));
        assert_eq!(tags_set(&Args(&set(&[("owner", "ops")])), None), Some(false), "a resource gone has no tags");
        let keys = |names: &[&str]| {
            BTreeMap::from([("keys".to_string(), Value::List(names.iter().map(|n| text(n)).collect()))])
        };
        assert_eq!(tags_removed(&Args(&keys(&["team"])), Some(&owned)), Some(true));
        assert_eq!(tags_removed(&Args(&keys(&["team", "env"])), Some(&owned)), Some(false));
    }

    #[test]
    fn arguments_that_cannot_be_read_cannot_tell() {
        let wrong = BTreeMap::from([("tags".to_string(), Value::Int(3))]);
        assert_eq!(tags_set(&Args(&wrong), Some(&record(&[], &[]))), None);
    }
}
