//! Behaviour of the DAG pass.

use crate::diagnostics::{Diagnostic, render_human};
use crate::plan::{Edge, PlanNode, PlanSources};
use crate::risk::fixtures::{after, data, locate, node};
use crate::stdlib::Effect;

use super::order;

const PLAYBOOK: &str = "\
playbook loops {
  step a = report.table(\"a\", b)
  step b = report.table(\"b\", c)
  step c = report.table(\"c\", a)
  step d = report.table(\"d\", d)
}
";

fn nodes(ids: &[&str]) -> Vec<PlanNode> {
    ids.iter().map(|id| node(id, "report.table", Effect::Read)).collect()
}

fn ordered(ids: &[&str], edges: &[Edge]) -> Vec<String> {
    let nodes = nodes(ids);
    let order = order(&nodes, edges, &PlanSources::default()).expect("acyclic");
    order.into_iter().map(|i| nodes[i].id.clone()).collect()
}

fn cycles(ids: &[&str], edges: &[Edge]) -> Vec<Diagnostic> {
    order(&nodes(ids), edges, &locate(PLAYBOOK).sources).expect_err("cyclic")
}

#[test]
fn nodes_without_edges_keep_source_order() {
    assert_eq!(ordered(&["c", "a", "b"], &[]), ["c", "a", "b"]);
}

#[test]
fn a_node_moves_after_the_nodes_it_waits_for() {
    assert_eq!(ordered(&["a", "b", "c"], &[data("c", "a")]), ["b", "c", "a"]);
}

#[test]
fn nodes_ready_at_the_same_time_run_in_source_order() {
    let edges = [data("q2", "report"), data("q1", "report"), after("q3", "q1")];
    assert_eq!(ordered(&["report", "q2", "q3", "q1"], &edges), ["q2", "q3", "q1", "report"]);
}

#[test]
fn the_order_does_not_depend_on_the_order_of_edges() {
    let edges = [data("a", "c"), after("b", "c"), data("a", "d"), data("c", "d")];
    let mut reversed = edges.clone();
    reversed.reverse();
    let ids = ["d", "c", "b", "a"];
    assert_eq!(ordered(&ids, &edges), ordered(&ids, &reversed));
    assert_eq!(ordered(&ids, &edges), ["b", "a", "c", "d"]);
}

#[test]
fn a_cycle_names_its_steps_in_the_order_they_wait_from_the_first_declared() {
    let diagnostics = cycles(&["a", "b", "c"], &[data("b", "a"), data("a", "c"), data("c", "b")]);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code(), "E0501");
    assert_eq!(diagnostics[0].message(), "these steps wait for each other: a → c → b → a");
    let labels: Vec<_> = diagnostics[0]
        .labels()
        .into_iter()
        .map(|(span, label)| (PLAYBOOK[span.range()].to_string(), label.unwrap_or_default()))
        .collect();
    assert_eq!(
        labels,
        [
            ("a".to_string(), "`a` waits for `b`".to_string()),
            ("c".to_string(), "`c` waits for `a`".to_string()),
            ("b".to_string(), "`b` waits for `c`".to_string()),
        ]
    );
    let rendered = render_human(&diagnostics[0], &locate(PLAYBOOK).files, false);
    assert!(rendered.contains("E0501"), "{rendered}");
    assert!(rendered.contains("`a` reads `b`: remove that"), "{rendered}");
}

#[test]
fn a_step_that_reads_itself_is_a_cycle() {
    let diagnostics = cycles(&["a", "d"], &[data("d", "d")]);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].message(), "these steps wait for each other: d → d");
    let rendered = render_human(&diagnostics[0], &locate(PLAYBOOK).files, false);
    assert!(rendered.contains("`d` waits for itself"), "{rendered}");
    assert!(rendered.contains("`d` reads its own output"), "{rendered}");
}

#[test]
fn an_after_that_closes_a_cycle_is_named_in_the_help() {
    let diagnostics = cycles(&["a", "b"], &[data("a", "b"), after("b", "a")]);
    let help = diagnostics[0].help().unwrap_or_default();
    assert!(help.contains("remove `b` from the `after` list of `a`"), "{help}");
}

#[test]
fn separate_cycles_are_separate_diagnostics_in_source_order() {
    let edges = [after("d", "c"), after("c", "d"), data("a", "b"), data("b", "a")];
    let messages: Vec<_> = cycles(&["a", "b", "c", "d"], &edges).iter().map(Diagnostic::message).collect();
    assert_eq!(messages, ["these steps wait for each other: a → b → a", "these steps wait for each other: c → d → c"]);
}

#[test]
fn a_tangled_cycle_names_every_step_involved() {
    let edges = [data("a", "c"), data("c", "a"), data("a", "b"), data("b", "a")];
    let diagnostics = cycles(&["a", "b", "c"], &edges);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].message(), "these steps wait for each other: a → b → a → c → a");
}

#[test]
fn an_edge_to_an_unknown_node_is_reported_not_a_panic() {
    let located = locate(PLAYBOOK);
    let diagnostics = order(&nodes(&["a", "b"]), &[data("ghost", "b")], &located.sources).expect_err("unknown");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code(), "E0502");
    let rendered = render_human(&diagnostics[0], &located.files, false);
    assert!(rendered.contains("edge from `ghost` to `b`, but no node named `ghost`"), "{rendered}");
    assert!(rendered.contains("bug in the compiler"), "{rendered}");
    assert_eq!(&PLAYBOOK[diagnostics[0].primary_span().range()], "b");
}
