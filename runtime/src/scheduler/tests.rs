//! The scheduler's decisions, asserted as exact sequences of tasks.

use escher_compiler::plan::OnFailure;

use super::*;

/// A scheduler over named nodes; `edges` are `(from, to)`: `to` waits for `from`.
fn scheduler(nodes: Vec<NodeInfo>, edges: &[(&str, &str)]) -> Scheduler {
    Scheduler::new(DependencyGraph::new(nodes, edges.iter().copied()).expect("a valid graph"))
}

fn nodes(names: &[&str]) -> Vec<NodeInfo> {
    names.iter().map(|name| NodeInfo::new(*name)).collect()
}

/// Tasks rendered with node names, so expectations read like a log.
fn names(scheduler: &Scheduler, tasks: Vec<Task>) -> Vec<String> {
    tasks
        .into_iter()
        .map(|task| match task {
            Task::Run(n) => format!("run {}", scheduler.graph().id(n)),
            Task::Skip { node, reason } => format!("skip {}: {reason}", scheduler.graph().id(node)),
            Task::Undo(n) => format!("undo {}", scheduler.graph().id(n)),
        })
        .collect()
}

fn index(scheduler: &Scheduler, name: &str) -> usize {
    (0..scheduler.graph().len()).find(|&n| scheduler.graph().id(n) == name).expect("a node of the graph")
}

fn finish(scheduler: &mut Scheduler, name: &str, outcome: Outcome) -> Vec<String> {
    let node = index(scheduler, name);
    let tasks = scheduler.finished(node, outcome);
    names(scheduler, tasks)
}

fn undone(scheduler: &mut Scheduler, name: &str) -> Vec<String> {
    let node = index(scheduler, name);
    let tasks = scheduler.undone(node);
    names(scheduler, tasks)
}

fn cancel(scheduler: &mut Scheduler) -> Vec<String> {
    let tasks = scheduler.cancel();
    names(scheduler, tasks)
}

fn ready(scheduler: &mut Scheduler) -> Vec<String> {
    let tasks = scheduler.ready();
    names(scheduler, tasks)
}

#[test]
fn nodes_without_dependencies_are_ready_first_in_plan_order() {
    let mut s = scheduler(nodes(&["a", "b", "c"]), &[("a", "c")]);
    assert_eq!(ready(&mut s), ["run a", "run b"]);
    assert_eq!(ready(&mut s), Vec::<String>::new(), "each node is handed out once");
}

#[test]
fn a_node_is_released_only_when_every_dependency_has_finished() {
    let mut s = scheduler(nodes(&["a", "b", "c", "d"]), &[("a", "c"), ("b", "c"), ("c", "d")]);
    assert_eq!(ready(&mut s), ["run a", "run b"]);
    assert_eq!(finish(&mut s, "b", Outcome::Completed), Vec::<String>::new());
    assert_eq!(finish(&mut s, "a", Outcome::Completed), ["run c"]);
    assert_eq!(finish(&mut s, "c", Outcome::Completed), ["run d"]);
    assert!(!s.is_finished());
    assert_eq!(finish(&mut s, "d", Outcome::Completed), Vec::<String>::new());
    assert!(s.is_finished());
}

#[test]
fn nodes_released_together_come_in_plan_order() {
    let mut s = scheduler(nodes(&["root", "x", "y", "z"]), &[("root", "z"), ("root", "x"), ("root", "y")]);
    assert_eq!(ready(&mut s), ["run root"]);
    assert_eq!(finish(&mut s, "root", Outcome::Completed), ["run x", "run y", "run z"]);
}

#[test]
fn a_data_edge_and_an_after_edge_between_the_same_nodes_count_once() {
    let mut s = scheduler(nodes(&["a", "b"]), &[("a", "b"), ("a", "b")]);
    assert_eq!(ready(&mut s), ["run a"]);
    assert_eq!(finish(&mut s, "a", Outcome::Completed), ["run b"]);
}

#[test]
fn a_step_that_had_no_effect_still_releases_its_dependents() {
    let mut s = scheduler(nodes(&["stop", "report"]), &[("stop", "report")]);
    ready(&mut s);
    assert_eq!(finish(&mut s, "stop", Outcome::NoEffect), ["run report"]);
}

#[test]
fn a_cycle_is_rejected_before_anything_runs() {
    let error =
        DependencyGraph::new(nodes(&["a", "b", "c"]), [("a", "b"), ("b", "a"), ("c", "a")]).expect_err("an error");
    assert_eq!(error, GraphError::Cycle(vec!["a".into(), "b".into()]));
}

#[test]
fn an_edge_to_an_unknown_node_and_a_duplicate_node_are_rejected() {
    let unknown = DependencyGraph::new(nodes(&["a"]), [("a", "ghost")]).expect_err("an error");
    assert_eq!(unknown, GraphError::UnknownNode("ghost".into()));
    let duplicate = DependencyGraph::new(nodes(&["a", "a"]), []).expect_err("an error");
    assert_eq!(duplicate, GraphError::DuplicateNode("a".into()));
}

#[test]
fn an_abort_stops_releasing_lets_running_nodes_finish_then_skips_the_rest() {
    let mut s = scheduler(nodes(&["a", "b", "c", "d"]), &[("a", "c"), ("b", "d")]);
    assert_eq!(ready(&mut s), ["run a", "run b"]);
    assert_eq!(finish(&mut s, "a", Outcome::Failed), Vec::<String>::new(), "b is still running");
    assert_eq!(s.halted(), Some((Halt::Abort, Some("a"))));
    assert_eq!(
        finish(&mut s, "b", Outcome::Completed),
        ["skip c: the run stopped after `a` failed", "skip d: the run stopped after `a` failed"],
        "d is not released although b completed"
    );
    assert!(s.is_finished());
}

#[test]
fn continue_skips_everything_downstream_of_the_failure_and_lets_the_rest_go_on() {
    let graph = vec![
        NodeInfo::new("stop_ec2").on_failure(OnFailure::Continue),
        NodeInfo::new("stop_gce"),
        NodeInfo::new("table"),
        NodeInfo::new("summary"),
        NodeInfo::new("gce_report"),
    ];
    let edges = [("stop_ec2", "table"), ("stop_gce", "table"), ("table", "summary"), ("stop_gce", "gce_report")];
    let mut s = scheduler(graph, &edges);
    assert_eq!(ready(&mut s), ["run stop_ec2", "run stop_gce"]);
    assert_eq!(
        finish(&mut s, "stop_ec2", Outcome::Failed),
        [
            "skip table: it depends on `stop_ec2`, which failed",
            "skip summary: it depends on `table`, which was skipped"
        ]
    );
    assert_eq!(s.halted(), None);
    assert_eq!(finish(&mut s, "stop_gce", Outcome::Completed), ["run gce_report"]);
    assert_eq!(finish(&mut s, "gce_report", Outcome::Completed), Vec::<String>::new());
    assert!(s.is_finished());
}

#[test]
fn rollback_undoes_completed_steps_with_an_undo_newest_first_one_at_a_time() {
    let graph = vec![
        NodeInfo::new("stop_web").with_undo(),
        NodeInfo::new("stop_db").with_undo(),
        NodeInfo::new("report"),
        NodeInfo::new("skipped_stop").with_undo(),
        NodeInfo::new("resize").on_failure(OnFailure::Rollback),
        NodeInfo::new("after_resize"),
    ];
    let edges = [("stop_web", "resize"), ("stop_db", "resize"), ("resize", "after_resize")];
    let mut s = scheduler(graph, &edges);
    assert_eq!(ready(&mut s), ["run stop_web", "run stop_db", "run report", "run skipped_stop"]);
    finish(&mut s, "stop_db", Outcome::Completed);
    finish(&mut s, "report", Outcome::Completed);
    finish(&mut s, "skipped_stop", Outcome::NoEffect);
    assert_eq!(finish(&mut s, "stop_web", Outcome::Completed), ["run resize"]);
    assert_eq!(
        finish(&mut s, "resize", Outcome::Failed),
        ["skip after_resize: the run is rolling back after `resize` failed", "undo stop_web"]
    );
    assert!(!s.is_finished());
    assert_eq!(undone(&mut s, "stop_web"), ["undo stop_db"]);
    assert_eq!(undone(&mut s, "stop_db"), Vec::<String>::new());
    assert!(s.is_finished());
}

#[test]
fn a_rollback_waits_for_running_nodes_and_undoes_them_too() {
    let graph = vec![NodeInfo::new("fails").on_failure(OnFailure::Rollback), NodeInfo::new("slow").with_undo()];
    let mut s = scheduler(graph, &[]);
    ready(&mut s);
    assert_eq!(finish(&mut s, "fails", Outcome::Failed), Vec::<String>::new());
    assert_eq!(finish(&mut s, "slow", Outcome::Completed), ["undo slow"]);
}

#[test]
fn a_failing_rollback_step_escalates_an_abort_and_nothing_de_escalates() {
    let graph = vec![
        NodeInfo::new("done").with_undo(),
        NodeInfo::new("aborts"),
        NodeInfo::new("rolls_back").on_failure(OnFailure::Rollback),
        NodeInfo::new("aborts_later"),
    ];
    let mut s = scheduler(graph, &[("done", "aborts"), ("done", "rolls_back"), ("done", "aborts_later")]);
    ready(&mut s);
    finish(&mut s, "done", Outcome::Completed);
    assert_eq!(finish(&mut s, "aborts", Outcome::Failed), Vec::<String>::new());
    assert_eq!(finish(&mut s, "rolls_back", Outcome::Failed), Vec::<String>::new());
    assert_eq!(s.halted(), Some((Halt::Rollback, Some("rolls_back"))));
    assert_eq!(finish(&mut s, "aborts_later", Outcome::Failed), ["undo done"]);
    assert_eq!(s.halted(), Some((Halt::Rollback, Some("rolls_back"))));
}

#[test]
fn cancelling_releases_nothing_new_and_skips_the_rest_once_running_nodes_finish() {
    let mut s = scheduler(nodes(&["a", "b", "c"]), &[("a", "b")]);
    assert_eq!(ready(&mut s), ["run a", "run c"]);
    assert_eq!(cancel(&mut s), Vec::<String>::new(), "a and c are still running");
    assert_eq!(finish(&mut s, "a", Outcome::Completed), Vec::<String>::new());
    assert_eq!(finish(&mut s, "c", Outcome::Completed), ["skip b: the run was cancelled"]);
    assert!(s.is_finished());
}

#[test]
fn a_stopped_node_neither_releases_nor_fails_its_dependents_they_are_skipped_as_cancelled() {
    let graph = vec![
        NodeInfo::new("waits").on_failure(OnFailure::Continue),
        NodeInfo::new("report"),
        NodeInfo::new("rolls_back").on_failure(OnFailure::Rollback).with_undo(),
    ];
    let mut s = scheduler(graph, &[("waits", "report")]);
    assert_eq!(ready(&mut s), ["run waits", "run rolls_back"]);
    assert_eq!(finish(&mut s, "waits", Outcome::Stopped), Vec::<String>::new(), "no skip as if it had failed");
    assert_eq!(s.halted(), None, "nor an escalation");
    assert_eq!(cancel(&mut s), Vec::<String>::new(), "rolls_back is still running");
    assert_eq!(finish(&mut s, "rolls_back", Outcome::Stopped), ["skip report: the run was cancelled"]);
    assert!(s.is_finished());
}

#[test]
fn cancelling_an_idle_scheduler_skips_everything_at_once() {
    let mut s = scheduler(nodes(&["a", "b"]), &[]);
    assert_eq!(cancel(&mut s), ["skip a: the run was cancelled", "skip b: the run was cancelled"]);
    assert_eq!(ready(&mut s), Vec::<String>::new());
    assert!(s.is_finished());
}

#[test]
fn cancelling_during_a_rollback_ends_it_after_the_current_undo() {
    let graph = vec![
        NodeInfo::new("first").with_undo(),
        NodeInfo::new("second").with_undo(),
        NodeInfo::new("fails").on_failure(OnFailure::Rollback),
    ];
    let mut s = scheduler(graph, &[("first", "second"), ("second", "fails")]);
    ready(&mut s);
    finish(&mut s, "first", Outcome::Completed);
    finish(&mut s, "second", Outcome::Completed);
    assert_eq!(finish(&mut s, "fails", Outcome::Failed), ["undo second"]);
    assert_eq!(cancel(&mut s), Vec::<String>::new());
    assert!(!s.is_finished(), "the undo in progress finishes");
    assert_eq!(undone(&mut s, "second"), Vec::<String>::new(), "first is not undone");
    assert!(s.is_finished());
}

#[test]
fn a_report_for_a_node_that_is_not_running_is_ignored() {
    let mut s = scheduler(nodes(&["a", "b"]), &[("a", "b")]);
    assert_eq!(finish(&mut s, "b", Outcome::Completed), Vec::<String>::new());
    ready(&mut s);
    finish(&mut s, "a", Outcome::Completed);
    assert_eq!(finish(&mut s, "a", Outcome::Completed), Vec::<String>::new(), "a second report changes nothing");
    assert_eq!(s.running(), 1);
}
