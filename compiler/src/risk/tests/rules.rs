use crate::diagnostics::{Applicability, Diagnostic, render_human};
use crate::plan::{Edge, PlanNode};
use crate::stdlib::Effect;

use super::super::fixtures::{Located, after, apply, catalog, data, ids, locate, node, reference, step_on};
use super::super::{Policy, assess};

const PLAYBOOK: &str = "\
playbook cleanup {
  let ec2 = aws.ec2.instances(tags = {env: \"dev\"})
  step snap = aws.ebs.snapshot(ec2) { max_targets = 5 }
  step wipe = aws.ec2.terminate(ec2)
  step gone = aws.ec2.terminate(ec2) { retry = 2, }
  step ask = aws.ec2.stop(ec2) { max_targets = 3, approve = managr }
}
";

fn query() -> PlanNode {
    node("ec2", "aws.ec2.instances", Effect::Read)
}

fn terminate(id: &str) -> PlanNode {
    step_on(id, "aws.ec2.terminate", Effect::Destroy, reference("ec2"))
}

fn snapshot() -> PlanNode {
    let mut snap = step_on("snap", "aws.ebs.snapshot", Effect::Mutate, reference("ec2"));
    snap.options.max_targets = Some(5);
    snap
}

fn check(mut nodes: Vec<PlanNode>, edges: &[Edge], policy: &Policy) -> (Vec<Diagnostic>, Located) {
    let located = locate(PLAYBOOK);
    let diagnostics = assess(&mut nodes, edges, policy, &catalog(), &located.sources);
    (diagnostics, located)
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(Diagnostic::code).collect()
}

fn the(code: &str, diagnostics: &[Diagnostic]) -> Diagnostic {
    let found = diagnostics.iter().find(|d| d.code() == code);
    found.cloned().unwrap_or_else(|| panic!("no {code} among {:?}", codes(diagnostics)))
}

fn bounded(mut step: PlanNode) -> PlanNode {
    step.options.max_targets = Some(5);
    step
}

#[test]
fn a_destroy_without_backup_is_refused() {
    let (diagnostics, located) =
        check(vec![query(), bounded(terminate("wipe"))], &[data("ec2", "wipe")], &Policy::default());
    assert_eq!(codes(&diagnostics), ["E0401"]);
    let rendered = render_human(&diagnostics[0], &located.files, false);
    assert!(rendered.contains("E0401"), "{rendered}");
    assert!(rendered.contains("`wipe` destroys resources with no backup before it"), "{rendered}");
    assert!(rendered.contains("`aws.ec2.terminate` cannot be undone"), "{rendered}");
    assert!(rendered.contains("irreversible = true"), "{rendered}");
    assert_eq!(&PLAYBOOK[diagnostics[0].primary_span().range()], "wipe");
}

#[test]
fn a_backup_before_the_destroy_in_the_dag_covers_it() {
    let edges = [data("ec2", "snap"), data("ec2", "wipe"), after("snap", "wipe")];
    let (diagnostics, _) = check(vec![query(), snapshot(), bounded(terminate("wipe"))], &edges, &Policy::default());
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
}

#[test]
fn a_backup_further_up_the_dag_covers_the_destroy_too() {
    let wait = node("pause", "wait", Effect::Read);
    let edges = [after("snap", "pause"), after("pause", "wipe")];
    let (diagnostics, _) =
        check(vec![query(), snapshot(), wait, bounded(terminate("wipe"))], &edges, &Policy::default());
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
}

#[test]
fn a_backup_that_is_not_before_the_destroy_does_not_cover_it() {
    let edges = [data("ec2", "snap"), data("ec2", "wipe"), after("wipe", "snap")];
    let (diagnostics, _) = check(vec![query(), snapshot(), bounded(terminate("wipe"))], &edges, &Policy::default());
    assert_eq!(codes(&diagnostics), ["E0401"]);
}

#[test]
fn irreversible_acknowledges_a_destroy_without_backup() {
    let mut wipe = bounded(terminate("wipe"));
    wipe.options.irreversible = true;
    let (diagnostics, _) = check(vec![query(), wipe], &[], &Policy::default());
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
}

#[test]
fn a_destroy_with_unbounded_targets_is_refused_with_a_max_targets_fix() {
    let mut wipe = terminate("wipe");
    wipe.options.irreversible = true;
    let (diagnostics, located) = check(vec![query(), wipe], &[], &Policy::default());
    assert_eq!(codes(&diagnostics), ["E0402"]);
    let rendered = render_human(&diagnostics[0], &located.files, false);
    assert!(rendered.contains("`wipe` destroys an unbounded number of resources"), "{rendered}");
    assert!(rendered.contains("unknown until it runs"), "{rendered}");
    assert!(rendered.contains("add `max_targets = N`"), "{rendered}");
    let fix = &diagnostics[0].fixes[0];
    assert_eq!(fix.applicability, Applicability::HasPlaceholders);
    let fixed = apply(PLAYBOOK, &fix.edits);
    assert!(fixed.contains("step wipe = aws.ec2.terminate(ec2) { max_targets = 10 }\n"), "{fixed}");
}

#[test]
fn the_max_targets_fix_joins_an_existing_options_block() {
    let mut gone = terminate("gone");
    gone.options.irreversible = true;
    let (diagnostics, _) = check(vec![query(), gone], &[], &Policy::default());
    let fixed = apply(PLAYBOOK, &the("E0402", &diagnostics).fixes[0].edits);
    assert!(fixed.contains("step gone = aws.ec2.terminate(ec2) { retry = 2, max_targets = 10, }\n"), "{fixed}");
}

#[test]
fn a_destroy_of_a_literal_list_is_bounded() {
    let mut wipe = step_on("wipe", "aws.ec2.terminate", Effect::Destroy, ids(3));
    wipe.options.irreversible = true;
    let (diagnostics, _) = check(vec![wipe], &[], &Policy::default());
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
}

#[test]
fn a_critical_step_without_irreversible_is_refused_with_a_fix() {
    let mut wipe = terminate("wipe");
    wipe.options.max_targets = Some(50);
    wipe.args.insert("tags".to_string(), super::super::fixtures::tags(&[("env", "prod")]));
    let edges = [after("snap", "wipe")];
    let (diagnostics, located) = check(vec![query(), snapshot(), wipe], &edges, &Policy::default());
    assert_eq!(codes(&diagnostics), ["E0403"]);
    let rendered = render_human(&diagnostics[0], &located.files, false);
    assert!(rendered.contains("`wipe` has critical risk and is not acknowledged as irreversible"), "{rendered}");
    assert!(rendered.contains("blast radius up to 50 resources: +1"), "{rendered}");
    assert!(rendered.contains("touches production (env=prod): +1"), "{rendered}");
    let fix = &diagnostics[0].fixes[0];
    assert_eq!(fix.applicability, Applicability::MaybeIncorrect);
    let fixed = apply(PLAYBOOK, &fix.edits);
    assert!(fixed.contains("step wipe = aws.ec2.terminate(ec2) { irreversible = true }\n"), "{fixed}");
}

#[test]
fn a_policy_may_waive_the_acknowledgement_of_critical_steps() {
    let policy = Policy { critical_needs_acknowledgement: false, ..Policy::default() };
    let mut wipe = terminate("wipe");
    wipe.options.max_targets = Some(50);
    wipe.args.insert("tags".to_string(), super::super::fixtures::tags(&[("env", "prod")]));
    let (diagnostics, _) = check(vec![query(), snapshot(), wipe], &[after("snap", "wipe")], &policy);
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
}

#[test]
fn an_unknown_approver_role_is_refused_with_the_closest_role_as_a_fix() {
    let mut ask = bounded(step_on("ask", "aws.ec2.stop", Effect::Disrupt, reference("ec2")));
    ask.options.approve = Some("managr".to_string());
    let (diagnostics, located) = check(vec![query(), ask.clone()], &[], &Policy::default());
    assert_eq!(codes(&diagnostics), ["E0404"]);
    let rendered = render_human(&diagnostics[0], &located.files, false);
    assert!(rendered.contains("`managr` is not a role of the policy"), "{rendered}");
    assert!(rendered.contains("did you mean `manager`?"), "{rendered}");
    assert_eq!(&PLAYBOOK[diagnostics[0].primary_span().range()], "managr");
    let fix = &diagnostics[0].fixes[0];
    assert_eq!(fix.applicability, Applicability::MachineApplicable);
    let fixed = apply(PLAYBOOK, &fix.edits);
    assert!(fixed.contains("{ max_targets = 3, approve = manager }"), "{fixed}");

    // Applying the fix removes the diagnostic.
    ask.options.approve = Some("manager".to_string());
    let (diagnostics, _) = check(vec![query(), ask], &[], &Policy::default());
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
}

#[test]
fn a_role_far_from_every_policy_role_lists_the_roles_and_offers_no_fix() {
    let mut ask = bounded(step_on("ask", "aws.ec2.stop", Effect::Disrupt, reference("ec2")));
    ask.options.approve = Some("security_team".to_string());
    let (diagnostics, located) = check(vec![query(), ask], &[], &Policy::default());
    let rendered = render_human(&the("E0404", &diagnostics), &located.files, false);
    assert!(rendered.contains("the policy's roles are `manager`, `executor`"), "{rendered}");
    assert!(diagnostics[0].fixes.is_empty());
}
