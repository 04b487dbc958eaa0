//! `is_done` for the EC2 actions whose effect shows on the target's own record: instance states, types and tags,
//! and removals (gone, or in the state a removal leaves). Reboots show nothing on the record, and creations
//! (images, snapshots, copies, restored volumes, authorized rules) make a new resource the target's record does
//! not name: the answer for those is `None`, and a call in doubt finds what it made by its idempotency key
//! instead (`identity.rs`).

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderCall;
use escher_runtime::provider::args::Args;

use super::instances::Change;
use crate::done::{gone_or_in_state, tags_removed, tags_set};
use crate::record::str_field;

pub(crate) fn is_done(action: &str, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    let state = resource.map(|r| str_field(r, "state"));
    match action {
        "aws.ec2.start" => Some(state.is_some_and(|s| Change::Start.already(s))),
        "aws.ec2.stop" => Some(state.is_some_and(|s| Change::Stop.already(s))),
        "aws.ec2.terminate" => Some(state.is_none_or(|s| Change::Terminate.already(s))),
        "aws.ec2.resize" => resized(&args, call, resource),
        "aws.ec2.tag" => tags_set(&args, resource),
        "aws.ec2.untag" => tags_removed(&args, resource),
        "aws.ec2.deregister_images" => gone_or_in_state(resource, &["deregistered"]),
        "aws.ec2.delete_volumes" => gone_or_in_state(resource, &["deleting", "deleted"]),
        "aws.ec2.delete_snapshots" => gone_or_in_state(resource, &["deleted"]),
        // A revoked rule's id is gone for good: a rule put back gets a new one.
        "aws.ec2.revoke_ingress" => Some(resource.is_none()),
        _ => None,
    }
}

/// Resized: the new type, and running again if the plan saw it running (resize stops a running instance,
/// changes its type and starts it; one stopped with the new type is a resize cut short before its start).
fn resized(args: &Args<'_>, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let wanted = args.str("instance_type").ok()?;
    let Some(now) = resource else { return Some(false) };
    let id = str_field(now, "id");
    let planned = call.targets.iter().find(|target| str_field(target, "id") == id);
    let was_running = planned.is_some_and(|target| Change::Start.already(str_field(target, "state")));
    let running_again = !was_running || Change::Start.already(str_field(now, "state"));
    Some(str_field(now, "instance_type") == wanted && running_again)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::done::tests::{call, record, text};

    fn instance(state: &str, instance_type: &str, tags: &[(&str, &str)]) -> Value {
        let fields = [("id", text("i-1")), ("state", text(state)), ("instance_type", text(instance_type))];
        record(&fields, tags)
    }

    fn done(action: &str, args: &[(&str, Value)], before: &Value, now: Option<&Value>) -> Option<bool> {
        is_done(action, &call(action, args, vec![before.clone()]), now)
    }

    #[test]
    fn state_changes_are_told_from_the_state() {
        let (running, stopped) = (instance("running", "t3.micro", &[]), instance("stopped", "t3.micro", &[]));
        let pending = instance("pending", "t3.micro", &[]);
        assert_eq!(done("aws.ec2.stop", &[], &running, Some(&running)), Some(false));
        assert_eq!(done("aws.ec2.stop", &[], &running, Some(&stopped)), Some(true));
        assert_eq!(done("aws.ec2.stop", &[], &running, Some(&instance("stopping", "t3.micro", &[]))), Some(true));
        assert_eq!(done("aws.ec2.stop", &[], &running, None), Some(false), "a stop does not make an instance go");
        assert_eq!(done("aws.ec2.start", &[], &stopped, Some(&stopped)), Some(false));
        assert_eq!(done("aws.ec2.start", &[], &stopped, Some(&pending)), Some(true));
        assert_eq!(done("aws.ec2.start", &[], &stopped, Some(&running)), Some(true));
    }

    #[test]
    fn a_termination_is_done_when_the_instance_is_terminating_or_gone() {
        let running = instance("running", "t3.micro", &[]);
        assert_eq!(done("aws.ec2.terminate", &[], &running, Some(&running)), Some(false));
        assert_eq!(
            done("aws.ec2.terminate", &[], &running, Some(&instance("shutting-down", "t3.micro", &[]))),
            Some(true)
        );
        assert_eq!(
            done("aws.ec2.terminate", &[], &running, Some(&instance("terminated", "t3.micro", &[]))),
            Some(true)
        );
        assert_eq!(done("aws.ec2.terminate", &[], &running, None), Some(true));
    }

    #[test]
    fn a_resize_needs_the_type_and_a_running_instance_running_again() {
        let args = [("instance_type", text("t3.large"))];
        let running = instance("running", "t3.micro", &[]);
        let stopped = instance("stopped", "t3.micro", &[]);
        let large_running = instance("running", "t3.large", &[]);
        let large_stopped = instance("stopped", "t3.large", &[]);
        assert_eq!(done("aws.ec2.resize", &args, &running, Some(&running)), Some(false));
        assert_eq!(done("aws.ec2.resize", &args, &running, Some(&large_running)), Some(true));
        assert_eq!(done("aws.ec2.resize", &args, &running, Some(&large_stopped)), Some(false), "cut short");
        assert_eq!(done("aws.ec2.resize", &args, &stopped, Some(&large_stopped)), Some(true));
        assert_eq!(done("aws.ec2.resize", &[], &running, Some(&large_running)), None, "no type to compare");
    }

    #[test]
    fn tags_are_told_from_the_instance_tags() {
        let plain = instance("running", "t3.micro", &[]);
        let owned = instance("running", "t3.micro", &[("owner", "ops")]);
        let tags = [("tags", record(&[], &[]))];
        let owner_ops = [("tags", Value::Record([("owner".to_string(), text("ops"))].into()))];
        assert_eq!(done("aws.ec2.tag", &owner_ops, &plain, Some(&plain)), Some(false));
        assert_eq!(done("aws.ec2.tag", &owner_ops, &plain, Some(&owned)), Some(true));
        assert_eq!(done("aws.ec2.tag", &tags, &plain, Some(&plain)), None, "tags that are not strings");
        let keys = [("keys", Value::List(vec![text("owner")]))];
        assert_eq!(done("aws.ec2.untag", &keys, &owned, Some(&owned)), Some(false));
        assert_eq!(done("aws.ec2.untag", &keys, &owned, Some(&plain)), Some(true));
    }

    #[test]
    fn removals_are_done_when_gone() {
        let volume = record(&[("id", text("vol-1")), ("state", text("available"))], &[]);
        let deleting = record(&[("id", text("vol-1")), ("state", text("deleting"))], &[]);
        assert_eq!(done("aws.ec2.delete_volumes", &[], &volume, Some(&volume)), Some(false));
        assert_eq!(done("aws.ec2.delete_volumes", &[], &volume, Some(&deleting)), Some(true));
        assert_eq!(done("aws.ec2.delete_volumes", &[], &volume, None), Some(true));
        let snapshot = record(&[("id", text("snap-1")), ("state", text("completed"))], &[]);
        assert_eq!(done("aws.ec2.delete_snapshots", &[], &snapshot, Some(&snapshot)), Some(false));
        assert_eq!(done("aws.ec2.delete_snapshots", &[], &snapshot, None), Some(true));
        let image = record(&[("id", text("ami-1")), ("state", text("available"))], &[]);
        assert_eq!(done("aws.ec2.deregister_images", &[], &image, Some(&image)), Some(false));
        assert_eq!(done("aws.ec2.deregister_images", &[], &image, None), Some(true));
        let rule = record(&[("id", text("sgr-1"))], &[]);
        assert_eq!(done("aws.ec2.revoke_ingress", &[], &rule, Some(&rule)), Some(false));
        assert_eq!(done("aws.ec2.revoke_ingress", &[], &rule, None), Some(true));
    }

    #[test]
    fn reboots_and_creations_cannot_be_told_from_the_record() {
        let running = instance("running", "t3.micro", &[]);
        for action in [
            "aws.ec2.reboot",
            "aws.ec2.create_images",
            "aws.ec2.create_snapshots",
            "aws.ec2.copy_snapshots",
            "aws.ec2.restore_volumes",
            "aws.ec2.authorize_ingress",
            "aws.ec2.instances",
        ] {
            assert_eq!(done(action, &[], &running, Some(&running)), None, "{action}");
        }
    }
}
