//! `is_done` for the RDS actions whose effect shows on the instance's or snapshot's record. An action is done
//! when the record is what the action waits for (start: `available`; stop: `stopped`), not when it is on its
//! way: an instance still `starting` is "not done", and the call made again only waits for it. Reboots, snapshots
//! taken and restores show nothing on the target's record (a snapshot taken in doubt is found by its idempotency
//! key instead, see `instance_actions.rs`).

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderCall;
use escher_runtime::provider::args::Args;

use crate::done::{gone_or_in_state, in_state, tags_set};
use crate::record::str_field;

pub(crate) fn is_done(action: &str, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    match action {
        "aws.rds.start" => in_state(resource, &["available"]),
        "aws.rds.stop" => in_state(resource, &["stopped"]),
        "aws.rds.modify_class" => {
            let class = args.str("instance_class").ok()?;
            Some(
                resource
                    .is_some_and(|r| str_field(r, "instance_class") == class && str_field(r, "state") == "available"),
            )
        }
        "aws.rds.tag" => tags_set(&args, resource),
        // `deleted` is the state the actions' own results carry.
        "aws.rds.delete" | "aws.rds.delete_snapshots" => gone_or_in_state(resource, &["deleted"]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::done::tests::{call, record, text};

    fn db(state: &str, class: &str) -> Value {
        record(&[("id", text("arn:aws:rds:r:1:db:a")), ("state", text(state)), ("instance_class", text(class))], &[])
    }

    fn done(action: &str, args: &[(&str, Value)], now: Option<&Value>) -> Option<bool> {
        is_done(action, &call(action, args, vec![db("available", "db.t3.micro")]), now)
    }

    #[test]
    fn start_and_stop_are_done_once_settled() {
        assert_eq!(done("aws.rds.stop", &[], Some(&db("available", "db.t3.micro"))), Some(false));
        assert_eq!(done("aws.rds.stop", &[], Some(&db("stopping", "db.t3.micro"))), Some(false));
        assert_eq!(done("aws.rds.stop", &[], Some(&db("stopped", "db.t3.micro"))), Some(true));
        assert_eq!(done("aws.rds.start", &[], Some(&db("starting", "db.t3.micro"))), Some(false));
        assert_eq!(done("aws.rds.start", &[], Some(&db("available", "db.t3.micro"))), Some(true));
        assert_eq!(done("aws.rds.start", &[], None), Some(false));
    }

    #[test]
    fn a_class_change_is_done_when_available_with_the_class() {
        let args = [("instance_class", text("db.r7g.large"))];
        assert_eq!(done("aws.rds.modify_class", &args, Some(&db("available", "db.t3.micro"))), Some(false));
        assert_eq!(done("aws.rds.modify_class", &args, Some(&db("modifying", "db.r7g.large"))), Some(false));
        assert_eq!(done("aws.rds.modify_class", &args, Some(&db("available", "db.r7g.large"))), Some(true));
    }

    #[test]
    fn deletes_are_done_when_gone() {
        assert_eq!(done("aws.rds.delete", &[], Some(&db("available", "db.t3.micro"))), Some(false));
        assert_eq!(done("aws.rds.delete", &[], Some(&db("deleting", "db.t3.micro"))), Some(false));
        assert_eq!(done("aws.rds.delete", &[], None), Some(true));
        assert_eq!(done("aws.rds.delete_snapshots", &[], None), Some(true));
    }

    #[test]
    fn tags_are_told_and_reboots_snapshots_and_restores_are_not() {
        let args = [("tags", Value::Record([("team".to_string(), text("data"))].into()))];
        assert_eq!(done("aws.rds.tag", &args, Some(&db("available", "db.t3.micro"))), Some(false));
        let tagged = record(&[("state", text("available"))], &[("team", "data")]);
        assert_eq!(done("aws.rds.tag", &args, Some(&tagged)), Some(true));
        for action in ["aws.rds.reboot", "aws.rds.create_snapshots", "aws.rds.restore_snapshots"] {
            assert_eq!(done(action, &[], Some(&db("available", "db.t3.micro"))), None, "{action}");
        }
    }
}
