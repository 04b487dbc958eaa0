//! What an action does, in its own words, from its name: `aws.ec2.stop` stops (`12 to stop`, `12 stopped`),
//! `aws.ec2.delete_volumes` deletes, `gcp.compute.label` labels. A name whose first word is no verb the stdlib
//! uses changes ("to change", "changed").

use super::change::ChangeKind;

/// The verb of an action's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verb {
    /// As a plan says it: "12 to stop".
    pub base: &'static str,
    /// As a finished run says it: "12 stopped".
    pub past: &'static str,
}

/// The verbs the stdlib's actions begin with, and their past tense.
const VERBS: &[(&str, &str)] = &[
    ("authorize", "authorized"),
    ("backup", "backed up"),
    ("block", "blocked"),
    ("close", "closed"),
    ("copy", "copied"),
    ("create", "created"),
    ("deallocate", "deallocated"),
    ("delete", "deleted"),
    ("deregister", "deregistered"),
    ("disable", "disabled"),
    ("enable", "enabled"),
    ("label", "labeled"),
    ("modify", "modified"),
    ("pause", "paused"),
    ("reboot", "rebooted"),
    ("remove", "removed"),
    ("reset", "reset"),
    ("resize", "resized"),
    ("restart", "restarted"),
    ("restore", "restored"),
    ("resume", "resumed"),
    ("revoke", "revoked"),
    ("scale", "scaled"),
    ("set", "set"),
    ("start", "started"),
    ("stop", "stopped"),
    ("suspend", "suspended"),
    ("tag", "tagged"),
    ("terminate", "terminated"),
    ("untag", "untagged"),
];

/// Verbs whose action makes something new from each target (a snapshot of a volume): `+` lines.
const CREATE_FROM: &[&str] = &["backup", "copy", "create", "restore"];
/// Verbs whose action makes its target itself (a rule put back).
const CREATE: &[&str] = &["authorize"];
/// Verbs whose action removes its targets: `-` lines.
const DESTROY: &[&str] = &["delete", "deregister", "revoke", "terminate"];

/// "changed", for an action whose name begins with no known verb.
pub const CHANGE: Verb = Verb { base: "change", past: "changed" };

impl Verb {
    /// The verb `action` (a stdlib name, `aws.ec2.stop`) begins with, or [`CHANGE`].
    pub fn of(action: &str) -> Verb {
        let word = first_word(action);
        VERBS.iter().find(|(base, _)| *base == word).map_or(CHANGE, |(base, past)| Verb { base, past })
    }

    /// Whether the action creates, changes or removes what it acts on, as its verb says.
    pub fn kind(self) -> ChangeKind {
        if CREATE_FROM.contains(&self.base) || CREATE.contains(&self.base) {
            ChangeKind::Create
        } else if DESTROY.contains(&self.base) {
            ChangeKind::Delete
        } else {
            ChangeKind::Update
        }
    }

    /// Whether each target is what a new resource is made from (`create_snapshots` of volumes) rather than the
    /// new resource itself.
    pub fn creates_from_target(self) -> bool {
        CREATE_FROM.contains(&self.base)
    }

    /// The `state` the action leaves its targets in, when its verb says: for a provider whose answer does not
    /// show it (a dry run that only says it would succeed).
    pub fn leaves_state(self) -> Option<&'static str> {
        match self.base {
            "start" | "restart" | "reboot" | "resume" => Some("running"),
            "stop" => Some("stopped"),
            "deallocate" => Some("deallocated"),
            "terminate" => Some("terminated"),
            _ => None,
        }
    }
}

/// The first word of the action's last segment: `delete` of `aws.ec2.delete_volumes`.
fn first_word(action: &str) -> &str {
    let last = action.rsplit('.').next().unwrap_or(action);
    last.split('_').next().unwrap_or(last)
}

/// What a creation makes, from the rest of the action's name: `snapshot` of `create_snapshots`.
pub fn created_noun(action: &str) -> Option<String> {
    let last = action.rsplit('.').next().unwrap_or(action);
    let (_, rest) = last.split_once('_')?;
    let noun = rest.strip_suffix('s').unwrap_or(rest).replace('_', " ");
    (!noun.is_empty()).then_some(noun)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_speaks_in_its_own_verb_and_an_unknown_one_changes() {
        assert_eq!(Verb::of("aws.ec2.stop"), Verb { base: "stop", past: "stopped" });
        assert_eq!(Verb::of("aws.ec2.delete_volumes").past, "deleted");
        assert_eq!(Verb::of("compute.tag").past, "tagged");
        assert_eq!(Verb::of("aws.s3.public_access"), CHANGE);
        assert_eq!(Verb::of("aws.ec2.terminate").kind(), ChangeKind::Delete);
        assert_eq!(Verb::of("aws.ec2.create_snapshots").kind(), ChangeKind::Create);
        assert_eq!(Verb::of("aws.ec2.resize").kind(), ChangeKind::Update);
    }

    #[test]
    fn a_creation_names_what_it_makes() {
        assert_eq!(created_noun("aws.ec2.create_snapshots").as_deref(), Some("snapshot"));
        assert_eq!(created_noun("aws.ec2.create_images").as_deref(), Some("image"));
        assert_eq!(created_noun("azure.backup"), None);
    }
}
