use crate::plan::{BlastRadius, ForEach, PlanExpr, RiskLevel, Value};
use crate::stdlib::{Cloud, Effect};

use super::super::fixtures::{ids, node, reference, step_on, tags, text};
use super::assessed;

fn dev_query() -> crate::plan::PlanNode {
    let mut query = node("ec2", "aws.ec2.instances", Effect::Read);
    query.args.insert("tags".to_string(), tags(&[("env", "dev")]));
    query
}

#[test]
fn a_read_is_low_whatever_it_touches() {
    let mut query = node("all", "compute.instances", Effect::Read);
    query.args.insert("tags".to_string(), tags(&[("env", "prod")]));
    query.args.insert(
        "regions".to_string(),
        PlanExpr::value(Value::List(["a", "b", "c", "d"].map(|r| Value::String(r.to_string())).to_vec())),
    );
    let risk = &assessed(vec![query], &[])[0].risk;
    assert_eq!(risk.level, RiskLevel::Low);
    assert_eq!(risk.reasons, ["read: always low"]);
    assert!(risk.production);
    assert_eq!(risk.clouds, [Cloud::Aws, Cloud::Azure, Cloud::Gcp]);
    assert_eq!(risk.regions.len(), 4);
}

#[test]
fn each_effect_sets_the_base_level() {
    let nodes = assessed(
        vec![
            step_on("tag", "aws.ec2.tag", Effect::Mutate, ids(2)),
            step_on("stop", "aws.ec2.stop", Effect::Disrupt, ids(2)),
            step_on("kill", "aws.ec2.terminate", Effect::Destroy, ids(2)),
        ],
        &[],
    );
    let levels: Vec<_> = nodes.iter().map(|n| n.risk.level).collect();
    assert_eq!(levels, [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High]);
    assert_eq!(nodes[2].risk.reasons, ["destroy: base level high"]);
}

#[test]
fn targets_from_a_query_are_unbounded_and_raise_one_level() {
    let stop = step_on("stop", "aws.ec2.stop", Effect::Disrupt, reference("ec2"));
    let risk = &assessed(vec![dev_query(), stop], &[])[1].risk;
    assert_eq!(risk.blast_radius, BlastRadius::Unbounded);
    assert_eq!(risk.level, RiskLevel::High);
    assert_eq!(risk.reasons, ["disrupt: base level medium", "blast radius unbounded: +1"]);
}

#[test]
fn max_targets_bounds_the_blast_radius_and_only_a_large_bound_raises() {
    let mut small = step_on("small", "aws.ec2.stop", Effect::Disrupt, reference("ec2"));
    small.options.max_targets = Some(10);
    let mut large = step_on("large", "aws.ec2.stop", Effect::Disrupt, reference("ec2"));
    large.options.max_targets = Some(50);
    let nodes = assessed(vec![dev_query(), small, large], &[]);
    assert_eq!(nodes[1].risk.blast_radius, BlastRadius::AtMost(10));
    assert_eq!(nodes[1].risk.level, RiskLevel::Medium);
    assert_eq!(nodes[2].risk.blast_radius, BlastRadius::AtMost(50));
    assert_eq!(nodes[2].risk.level, RiskLevel::High);
    assert!(nodes[2].risk.reasons.contains(&"blast radius up to 50 resources: +1".to_string()));
}

#[test]
fn a_literal_list_of_targets_is_an_exact_blast_radius() {
    let listed = PlanExpr::List { items: (0..12).map(|i| text(&format!("i-{i}"))).collect() };
    let nodes = assessed(
        vec![
            step_on("three", "aws.ec2.stop", Effect::Disrupt, ids(3)),
            step_on("twelve", "aws.ec2.stop", Effect::Disrupt, listed),
        ],
        &[],
    );
    assert_eq!(nodes[0].risk.blast_radius, BlastRadius::Exact(3));
    assert_eq!(nodes[0].risk.level, RiskLevel::Medium);
    assert_eq!(nodes[1].risk.blast_radius, BlastRadius::Exact(12));
    assert!(nodes[1].risk.reasons.contains(&"blast radius 12 resources: +1".to_string()));
}

#[test]
fn a_fan_out_multiplies_its_targets_by_its_list() {
    let one = PlanExpr::List { items: vec![PlanExpr::Var { name: "x".to_string(), path: Vec::new() }] };
    let mut literal = step_on("literal", "aws.ec2.stop", Effect::Disrupt, one.clone());
    literal.for_each = Some(ForEach { var: "x".to_string(), over: ids(4) });
    let mut queried = step_on("queried", "aws.ec2.stop", Effect::Disrupt, one);
    queried.for_each = Some(ForEach { var: "x".to_string(), over: reference("ec2") });
    let nodes = assessed(vec![dev_query(), literal, queried], &[]);
    assert_eq!(nodes[1].risk.blast_radius, BlastRadius::Exact(4));
    assert_eq!(nodes[2].risk.blast_radius, BlastRadius::Unbounded);
}

#[test]
fn a_step_without_targets_has_no_blast_radius() {
    let report = node("summary", "report.table", Effect::Read);
    assert_eq!(assessed(vec![report], &[])[0].risk.blast_radius, BlastRadius::None);
}

#[test]
fn production_tags_on_the_queried_targets_raise_one_level() {
    let mut query = node("ec2", "aws.ec2.instances", Effect::Read);
    query.args.insert("tags".to_string(), tags(&[("team", "web"), ("Env", "PROD")]));
    let stop = step_on("stop", "aws.ec2.stop", Effect::Disrupt, ids(2));
    let mut stop_prod = step_on("stop_prod", "aws.ec2.stop", Effect::Disrupt, reference("ec2"));
    stop_prod.options.max_targets = Some(5);
    let nodes = assessed(vec![query, stop, stop_prod], &[]);
    assert!(!nodes[1].risk.production);
    assert!(nodes[2].risk.production);
    assert_eq!(nodes[2].risk.level, RiskLevel::High);
    assert!(nodes[2].risk.reasons.contains(&"touches production (Env=PROD): +1".to_string()));
}

#[test]
fn production_labels_written_in_the_step_count() {
    let mut step = step_on("stop", "gcp.compute.stop", Effect::Disrupt, ids(1));
    let labels = PlanExpr::Record { fields: [("stage".to_string(), text("prd"))].into() };
    step.args.insert("labels".to_string(), labels);
    let risk = &assessed(vec![step], &[])[0].risk;
    assert!(risk.production);
    assert_eq!(risk.level, RiskLevel::High);
}

#[test]
fn a_non_production_environment_does_not_raise() {
    let mut step = step_on("stop", "aws.ec2.stop", Effect::Disrupt, ids(1));
    step.args.insert("tags".to_string(), tags(&[("env", "production-like"), ("owner", "prod")]));
    let risk = &assessed(vec![step], &[])[0].risk;
    assert!(!risk.production);
    assert_eq!(risk.level, RiskLevel::Medium);
}

#[test]
fn production_is_traced_through_another_steps_outcome() {
    let mut query = node("ec2", "aws.ec2.instances", Effect::Read);
    query.args.insert("tags".to_string(), tags(&[("environment", "production")]));
    let mut stop = step_on("stop", "aws.ec2.stop", Effect::Disrupt, reference("ec2"));
    stop.options.max_targets = Some(3);
    let changed = PlanExpr::Ref { node: "stop".to_string(), path: vec!["changed".to_string()] };
    let mut start = step_on("start", "aws.ec2.start", Effect::Mutate, changed);
    start.options.max_targets = Some(3);
    let nodes = assessed(vec![query, stop, start], &[]);
    assert!(nodes[2].risk.production);
    assert_eq!(nodes[2].risk.level, RiskLevel::Medium);
}

#[test]
fn a_cloud_agnostic_action_spans_all_three_clouds() {
    let risk = &assessed(vec![step_on("stop", "compute.stop", Effect::Disrupt, ids(1))], &[])[0].risk;
    assert_eq!(risk.clouds, [Cloud::Aws, Cloud::Azure, Cloud::Gcp]);
    assert_eq!(risk.level, RiskLevel::High);
    assert!(risk.reasons.contains(&"spans 3 clouds: +1".to_string()));
}

#[test]
fn targets_queried_from_another_cloud_add_that_cloud() {
    let gce = node("gce", "gcp.compute.instances", Effect::Read);
    let both = PlanExpr::Binary { op: "++".to_string(), left: Box::new(ids(1)), right: Box::new(reference("gce")) };
    let mut stop = step_on("stop", "aws.ec2.stop", Effect::Disrupt, both);
    stop.options.max_targets = Some(2);
    let risk = &assessed(vec![gce, stop], &[])[1].risk;
    assert_eq!(risk.clouds, [Cloud::Aws, Cloud::Gcp]);
    assert_eq!(risk.level, RiskLevel::High);
}

#[test]
fn more_than_three_regions_raise_one_level() {
    let regions = |names: &[&str]| PlanExpr::List { items: names.iter().map(|n| text(n)).collect() };
    let mut three = step_on("three", "aws.ec2.stop", Effect::Disrupt, ids(1));
    three.args.insert("regions".to_string(), regions(&["us-east-1", "eu-west-1", "ap-south-1"]));
    let mut four = step_on("four", "aws.ec2.stop", Effect::Disrupt, ids(1));
    four.args.insert("regions".to_string(), regions(&["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"]));
    let nodes = assessed(vec![three, four], &[]);
    assert_eq!(nodes[0].risk.level, RiskLevel::Medium);
    assert_eq!(nodes[1].risk.level, RiskLevel::High);
    assert!(nodes[1].risk.reasons.contains(&"spans 4 regions: +1".to_string()));
}

#[test]
fn the_level_is_capped_at_critical() {
    let mut query = node("vms", "compute.instances", Effect::Read);
    query.args.insert("tags".to_string(), tags(&[("env", "prod")]));
    let delete = step_on("delete", "compute.delete", Effect::Destroy, reference("vms"));
    let risk = &assessed(vec![query, delete], &[])[1].risk;
    assert_eq!(risk.level, RiskLevel::Critical);
    assert_eq!(
        risk.reasons,
        [
            "destroy: base level high",
            "blast radius unbounded: +1",
            "touches production (env=prod): +1",
            "spans 3 clouds: +1",
            "capped at critical",
        ]
    );
}
