//! A dry run computes what each target would become and changes nothing.

mod common;

use common::*;
use escher_compiler::plan::Value;
use escher_sim::Sim;

async fn dry(
    sim: &Sim,
    action: &str,
    args: &[(&str, Value)],
    targets: Vec<Value>,
) -> Vec<escher_runtime::provider::TargetResult> {
    let mut request = call(action, args, targets);
    request.dry_run = true;
    act_with(sim, request).await
}

#[tokio::test]
async fn a_dry_run_predicts_the_real_run_and_changes_nothing() {
    let sim = Sim::demo();
    let before = sim.estate_json();
    let targets = vec![
        named(&sim, "aws.ec2.Instance", "dev-api-1"),
        named(&sim, "aws.ec2.Instance", "dev-legacy-1"),
        named(&sim, "aws.ec2.Instance", "prod-web-old"),
    ];
    let predicted = dry(&sim, "aws.ec2.stop", &[], targets.clone()).await;
    assert_eq!(sim.estate_json(), before);
    let real = act(&sim, "aws.ec2.stop", &[], targets).await;
    assert_eq!(predicted, real);
    assert_eq!(real.iter().map(status).collect::<Vec<_>>(), ["changed", "unchanged", "failed"]);
}

#[tokio::test]
async fn a_dry_run_of_creations_and_deletions_leaves_the_estate_as_it_was() {
    let sim = Sim::demo();
    let before = sim.estate_json();
    let volumes: Vec<Value> = list(&sim, "aws.ec2.volumes", &[("attached", Value::Bool(false))])
        .await
        .into_iter()
        .map(Value::Record)
        .collect();
    let snapshots = dry(&sim, "compute.create_snapshots", &[], volumes.clone()).await;
    assert!(snapshots.iter().all(|r| status(r) == "changed"));
    let deleted = dry(&sim, "compute.delete_disks", &[], volumes).await;
    assert!(deleted.iter().all(|r| status(r) == "changed"));
    let vm = named(&sim, "azure.vm.VirtualMachine", "vm-prod-web-01");
    dry(&sim, "azure.vm.delete", &[], vec![vm]).await;
    let unencrypted: &[(&str, Value)] = &[("encrypted", Value::Bool(false))];
    let buckets = list_each(&sim, &[("aws.s3.buckets", unencrypted), ("azure.storage.containers", unencrypted)])
        .await
        .into_iter()
        .map(Value::Record)
        .collect();
    dry(&sim, "storage.enable_encryption", &[], buckets).await;
    assert_eq!(sim.estate_json(), before);
}

#[tokio::test]
async fn a_dry_run_sees_its_own_earlier_targets() {
    let sim = Sim::demo();
    let containers =
        vec![named(&sim, "azure.storage.Container", "archive-2018"), named(&sim, "azure.storage.Container", "exports")];
    let predicted = dry(&sim, "storage.enable_encryption", &[], containers.clone()).await;
    assert_eq!(
        predicted.iter().map(status).collect::<Vec<_>>(),
        ["changed", "unchanged"],
        "one storage account, encrypted once"
    );
    assert_eq!(predicted, act(&sim, "storage.enable_encryption", &[], containers).await);
}

#[tokio::test]
async fn a_dry_run_sends_no_notification() {
    let sim = Sim::demo();
    let mut request = call("notify", &[("channel", s("#ops")), ("message", s("hello"))], Vec::new());
    request.dry_run = true;
    escher_runtime::provider::Provider::call(&sim, &request).await.expect("answers");
    assert!(sim.notifications().is_empty());
    request.dry_run = false;
    escher_runtime::provider::Provider::call(&sim, &request).await.expect("answers");
    assert_eq!(sim.notifications().len(), 1);
}

#[tokio::test]
async fn a_later_step_of_a_dry_run_sees_what_the_earlier_steps_would_have_done() {
    let sim = Sim::demo();
    let running = vec![named(&sim, "aws.ec2.Instance", "dev-api-1")];
    let stopped: Vec<Value> =
        dry(&sim, "aws.ec2.stop", &[], running.clone()).await.into_iter().map(|r| r.resource).collect();
    // Against the live estate the instance is still running, and EC2 refuses to change a running instance's type;
    // the dry run judges it by the stopped record the earlier step predicted.
    let refused = dry(&sim, "aws.ec2.resize", &[("instance_type", Value::String("m7g.large".into()))], running).await;
    assert_eq!(refused.iter().map(status).collect::<Vec<_>>(), ["failed"]);
    let predicted = dry(&sim, "aws.ec2.resize", &[("instance_type", Value::String("m7g.large".into()))], stopped).await;
    assert_eq!(predicted.iter().map(status).collect::<Vec<_>>(), ["changed"]);
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_answers_with_the_resource_as_it_would_end_not_mid_transition() {
    let sim = Sim::demo().with_config(escher_sim::SimConfig::parse("transition=2s").expect("valid"));
    let vm = named(&sim, "aws.ec2.Instance", "dev-web-1");
    let predicted = dry(&sim, "aws.ec2.stop", &[], vec![vm.clone()]).await;
    assert_eq!(field(&record(predicted[0].resource.clone()), "state"), "stopped");
    assert_eq!(state_of(&sim, &id_of(&vm)), "running", "and nothing changed");
}
