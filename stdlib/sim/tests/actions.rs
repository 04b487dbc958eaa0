//! Actions change state the way the clouds do: transitions, idempotence, refusals, created resources.

mod common;

use common::*;
use escher_compiler::plan::Value;
use escher_sim::Sim;

#[tokio::test]
async fn stopping_a_running_instance_changes_it_and_stopping_it_again_does_not() {
    let sim = Sim::demo();
    let vm = named(&sim, "aws.ec2.Instance", "dev-api-1");
    let first = act(&sim, "aws.ec2.stop", &[], vec![vm.clone()]).await;
    assert_eq!(status(&first[0]), "changed");
    assert_eq!(field(&record(first[0].resource.clone()), "state"), "stopped");
    assert_eq!(state_of(&sim, &id_of(&vm)), "stopped");
    let again = act(&sim, "aws.ec2.stop", &[], vec![vm]).await;
    assert_eq!(status(&again[0]), "unchanged");
}

#[tokio::test]
async fn starting_a_terminated_instance_fails_like_ec2() {
    let sim = Sim::demo();
    let gone = named(&sim, "aws.ec2.Instance", "prod-web-old");
    let results = act(&sim, "aws.ec2.start", &[], vec![gone]).await;
    assert!(error(&results[0]).starts_with("IncorrectInstanceState"), "{}", error(&results[0]));
}

#[tokio::test]
async fn a_running_instance_cannot_be_resized_until_it_is_stopped() {
    let sim = Sim::demo();
    let runner = named(&sim, "aws.ec2.Instance", "dev-build-runner");
    let size = [("instance_type", s("t3.medium"))];
    let refused = act(&sim, "aws.ec2.resize", &size, vec![runner.clone()]).await;
    assert!(error(&refused[0]).contains("'stopped' state"));
    act(&sim, "aws.ec2.stop", &[], vec![runner.clone()]).await;
    let resized = act(&sim, "aws.ec2.resize", &size, vec![runner.clone()]).await;
    assert_eq!(status(&resized[0]), "changed");
    let started = act(&sim, "aws.ec2.start", &[], vec![runner.clone()]).await;
    assert_eq!(status(&started[0]), "changed");
    let now = current(&sim, &id_of(&runner)).expect("still there");
    assert_eq!((field(&now, "instance_type"), field(&now, "state")), ("t3.medium", "running"));
}

#[tokio::test(start_paused = true)]
async fn with_a_transition_time_a_stopping_instance_is_described_as_stopping_until_it_completes() {
    let config = escher_sim::SimConfig::parse("transition=2s").expect("valid");
    let sim = Sim::demo().with_config(config);
    let vm = named(&sim, "aws.ec2.Instance", "dev-web-1");
    let results = act(&sim, "aws.ec2.stop", &[], vec![vm.clone()]).await;
    assert_eq!(field(&record(results[0].resource.clone()), "state"), "stopping");
    let described =
        escher_runtime::provider::Provider::describe(&sim, std::slice::from_ref(&vm)).await.expect("describes");
    assert_eq!(field(&record(described[0].clone()), "state"), "stopping");
    let too_early = act(&sim, "aws.ec2.start", &[], vec![vm.clone()]).await;
    assert!(error(&too_early[0]).starts_with("IncorrectInstanceState"), "EC2 cannot start a stopping instance");
    tokio::time::advance(std::time::Duration::from_secs(2)).await;
    assert_eq!(state_of(&sim, &id_of(&vm)), "stopped");
}

#[tokio::test]
async fn terminating_deletes_the_boot_volume_and_detaches_the_others() {
    let sim = Sim::demo();
    let api = named(&sim, "aws.ec2.Instance", "prod-api-1");
    let id = id_of(&api);
    let volumes_of = |sim: &Sim| -> Vec<Record> {
        sim.resources().into_iter().map(record).filter(|r| r.get("instance_id") == Some(&s(&id))).collect()
    };
    assert_eq!(volumes_of(&sim).len(), 2);
    let data_volume = volumes_of(&sim).into_iter().find(|v| field(v, "volume_type") == "io2").expect("a data volume");
    let results = act(&sim, "aws.ec2.terminate", &[], vec![api]).await;
    assert_eq!(status(&results[0]), "changed");
    assert_eq!(state_of(&sim, &id), "terminated");
    assert!(volumes_of(&sim).is_empty());
    let kept = current(&sim, field(&data_volume, "id")).expect("the data volume is kept");
    assert_eq!(field(&kept, "state"), "available");
}

#[tokio::test]
async fn an_attached_volume_cannot_be_deleted() {
    let sim = Sim::demo();
    let attached = list(&sim, "aws.ec2.volumes", &[("attached", Value::Bool(true))]).await;
    let target = Value::Record(attached[0].clone());
    let results = act(&sim, "aws.ec2.delete_volumes", &[], vec![target.clone()]).await;
    assert!(error(&results[0]).starts_with("VolumeInUse"));
    assert!(current(&sim, &id_of(&target)).is_some());
}

#[tokio::test]
async fn a_snapshot_behind_an_image_cannot_be_deleted_until_the_image_is_deregistered() {
    let sim = Sim::demo();
    let image = named(&sim, "aws.ec2.Image", "prod-web-golden-2025-05");
    let Some(Value::List(backing)) = record(image.clone()).get("snapshot_ids").cloned() else { panic!("snapshot ids") };
    let Value::String(snapshot_id) = &backing[0] else { panic!("an id") };
    let snapshot = sim.resource(snapshot_id).expect("the backing snapshot");
    let refused = act(&sim, "aws.ec2.delete_snapshots", &[], vec![snapshot.clone()]).await;
    assert!(error(&refused[0]).starts_with("InvalidSnapshot.InUse"));
    act(&sim, "aws.ec2.deregister_images", &[], vec![image]).await;
    let deleted = act(&sim, "aws.ec2.delete_snapshots", &[], vec![snapshot.clone()]).await;
    assert_eq!(status(&deleted[0]), "changed");
    assert_eq!(field(&record(deleted[0].resource.clone()), "state"), "deleted");
    let again = act(&sim, "aws.ec2.delete_snapshots", &[], vec![snapshot]).await;
    assert_eq!(status(&again[0]), "unchanged", "deleting what is gone leaves the desired state");
}

#[tokio::test]
async fn snapshots_and_images_are_new_resources_linked_to_their_source() {
    let sim = Sim::demo();
    let before = sim.resources().len();
    let volume = list(&sim, "aws.ec2.volumes", &[("attached", Value::Bool(false))]).await.remove(0);
    let results = act(
        &sim,
        "aws.ec2.create_snapshots",
        &[("description", s("before cleanup"))],
        vec![Value::Record(volume.clone())],
    )
    .await;
    assert_eq!(status(&results[0]), "changed");
    let snapshots = list(&sim, "aws.ec2.snapshots", &[]).await;
    let made: Vec<&Record> = snapshots.iter().filter(|s| field(s, "volume_id") == field(&volume, "id")).collect();
    assert_eq!(made.len(), 1);
    assert_eq!(field(made[0], "description"), "before cleanup");
    assert_eq!(field(made[0], "created"), "2025-06-02T19:00:00Z");
    let vm = named(&sim, "aws.ec2.Instance", "prod-payments-1");
    act(&sim, "aws.ec2.create_images", &[("name_prefix", s("dr")), ("no_reboot", Value::Bool(true))], vec![vm.clone()])
        .await;
    let images = list(&sim, "aws.ec2.images", &[]).await;
    let image = images.iter().find(|i| i.get("source_instance_id") == Some(&s(&id_of(&vm)))).expect("an image of it");
    assert_eq!(field(image, "name"), format!("dr-{}-20250602T190000Z", id_of(&vm)));
    let Some(Value::List(backing)) = image.get("snapshot_ids") else { panic!("snapshot ids") };
    assert_eq!(backing.len(), 2, "one snapshot per attached volume");
    assert_eq!(sim.resources().len(), before + 4);
}

#[tokio::test]
async fn rds_refuses_to_start_an_instance_that_is_not_stopped() {
    let sim = Sim::demo();
    let db = named(&sim, "aws.rds.Instance", "prod-orders-db");
    let results = act(&sim, "aws.rds.start", &[], vec![db]).await;
    assert!(error(&results[0]).starts_with("InvalidDBInstanceState"));
}

/// Deleting an RDS instance first takes its final snapshot `NAME-final`; when that name is taken, RDS refuses
/// the delete and nothing changes.
#[tokio::test]
async fn a_delete_refused_for_its_final_snapshot_removes_nothing() {
    let sim = Sim::demo();
    async fn restore(sim: &Sim) -> Vec<escher_runtime::provider::TargetResult> {
        let snapshot = named(sim, "aws.rds.Snapshot", "staging-orders-db-final");
        act(sim, "aws.rds.restore_snapshots", &[("name_prefix", s("again"))], vec![snapshot]).await
    }
    act(&sim, "aws.rds.delete", &[], vec![named(&sim, "aws.rds.Instance", "staging-orders-db")]).await;
    assert_eq!(status(&restore(&sim).await[0]), "changed");
    let first = named(&sim, "aws.rds.Instance", "again-staging-orders-db-final");
    assert_eq!(status(&act(&sim, "aws.rds.delete", &[], vec![first]).await[0]), "changed");
    assert_eq!(status(&restore(&sim).await[0]), "changed");
    let second = named(&sim, "aws.rds.Instance", "again-staging-orders-db-final");
    let snapshots_before = list(&sim, "aws.rds.snapshots", &[]).await.len();
    let refused = act(&sim, "aws.rds.delete", &[], vec![second.clone()]).await;
    assert!(error(&refused[0]).starts_with("DBSnapshotAlreadyExists"), "{}", error(&refused[0]));
    assert!(current(&sim, &id_of(&second)).is_some());
    assert_eq!(list(&sim, "aws.rds.snapshots", &[]).await.len(), snapshots_before);
}

/// In one batch each target stands alone: a refused target does not undo the others.
#[tokio::test]
async fn a_batch_applies_every_target_the_cloud_accepts() {
    let sim = Sim::demo();
    let targets = vec![
        named(&sim, "aws.ec2.Instance", "dev-api-1"),
        named(&sim, "aws.ec2.Instance", "prod-web-old"),
        named(&sim, "aws.ec2.Instance", "dev-web-1"),
    ];
    let results = act(&sim, "aws.ec2.reboot", &[], targets.clone()).await;
    let outcomes: Vec<&str> = results.iter().map(status).collect();
    assert_eq!(outcomes, ["changed", "failed", "changed"]);
    let stopped = act(&sim, "aws.ec2.stop", &[], targets.clone()).await;
    assert_eq!(stopped.iter().map(status).collect::<Vec<_>>(), ["changed", "failed", "changed"]);
    assert_eq!(state_of(&sim, &id_of(&targets[0])), "stopped");
    assert_eq!(state_of(&sim, &id_of(&targets[2])), "stopped");
}

#[tokio::test]
async fn a_revoked_rule_is_put_back_by_its_undo() {
    let sim = Sim::demo();
    let open = list(&sim, "aws.ec2.open_ingress_rules", &[("ports", Value::List(vec![Value::Int(5432)]))]).await;
    let rule = Value::Record(open[0].clone());
    assert_eq!(status(&act(&sim, "aws.ec2.revoke_ingress", &[], vec![rule.clone()]).await[0]), "changed");
    assert!(current(&sim, &id_of(&rule)).is_none());
    assert_eq!(status(&act(&sim, "aws.ec2.authorize_ingress", &[], vec![rule.clone()]).await[0]), "changed");
    assert_eq!(current(&sim, &id_of(&rule)), Some(open[0].clone()));
    assert_eq!(status(&act(&sim, "aws.ec2.authorize_ingress", &[], vec![rule]).await[0]), "unchanged");
}

#[tokio::test]
async fn s3_replication_needs_versioning_and_creates_the_destination_bucket() {
    let sim = Sim::demo();
    let receipts = named(&sim, "aws.s3.Bucket", "acme-prod-payments-receipts");
    let args = [("destination_region", s("us-west-2")), ("destination_prefix", s("dr-"))];
    let refused = act(&sim, "aws.s3.enable_replication", &args, vec![receipts.clone()]).await;
    assert!(error(&refused[0]).contains("Versioning must be 'Enabled'"));
    act(&sim, "aws.s3.enable_versioning", &[], vec![receipts.clone()]).await;
    let replicated = act(&sim, "aws.s3.enable_replication", &args, vec![receipts]).await;
    assert_eq!(status(&replicated[0]), "changed");
    let copy = current(&sim, "dr-acme-prod-payments-receipts").expect("the destination bucket");
    assert_eq!((field(&copy, "region"), copy.get("versioning")), ("us-west-2", Some(&Value::Bool(true))));
}

#[tokio::test]
async fn azure_vms_deallocate_and_a_deallocated_vm_cannot_restart() {
    let sim = Sim::demo();
    let vm = named(&sim, "azure.vm.VirtualMachine", "vm-dev-api-01");
    assert_eq!(status(&act(&sim, "azure.vm.deallocate", &[], vec![vm.clone()]).await[0]), "changed");
    assert_eq!(state_of(&sim, &id_of(&vm)), "deallocated");
    let restart = act(&sim, "azure.vm.restart", &[], vec![vm.clone()]).await;
    assert!(error(&restart[0]).starts_with("OperationNotAllowed"));
    assert_eq!(status(&act(&sim, "azure.vm.start", &[], vec![vm]).await[0]), "changed");
}

#[tokio::test]
async fn azure_versioning_is_set_for_every_container_of_the_storage_account() {
    let sim = Sim::demo();
    let share = named(&sim, "azure.storage.Container", "dev-share");
    assert_eq!(status(&act(&sim, "azure.storage.enable_versioning", &[], vec![share]).await[0]), "changed");
    let sibling = named(&sim, "azure.storage.Container", "terraform");
    assert_eq!(record(sibling.clone()).get("versioning"), Some(&Value::Bool(true)));
    assert_eq!(status(&act(&sim, "azure.storage.enable_versioning", &[], vec![sibling]).await[0]), "unchanged");
}

#[tokio::test]
async fn gcp_labels_must_be_lower_case() {
    let sim = Sim::demo();
    let vm = named(&sim, "gcp.compute.Instance", "dev-api-1");
    let refused = act(&sim, "gcp.compute.label", &[("labels", map(&[("Owner", "Platform")]))], vec![vm.clone()]).await;
    assert!(error(&refused[0]).starts_with("invalid"));
    let labelled = act(&sim, "gcp.compute.label", &[("labels", map(&[("owner", "platform")]))], vec![vm]).await;
    assert_eq!(status(&labelled[0]), "unchanged", "it already has that label");
}

#[tokio::test]
async fn a_disk_in_use_cannot_be_deleted_in_gcp_or_azure() {
    let sim = Sim::demo();
    let boot = named(&sim, "gcp.compute.Disk", "dev-api-1");
    assert!(
        error(&act(&sim, "gcp.compute.delete_disks", &[], vec![boot]).await[0])
            .starts_with("resourceInUseByAnotherResource")
    );
    let os = named(&sim, "azure.disk.Disk", "vm-dev-api-01-osdisk");
    assert!(error(&act(&sim, "azure.disk.delete", &[], vec![os]).await[0]).starts_with("OperationNotAllowed"));
}

#[tokio::test]
async fn agnostic_actions_dispatch_each_target_to_its_own_cloud() {
    let sim = Sim::demo();
    let machines = vec![
        named(&sim, "aws.ec2.Instance", "dev-web-1"),
        named(&sim, "azure.vm.VirtualMachine", "vm-dev-web-01"),
        named(&sim, "gcp.compute.Instance", "dev-web-1"),
    ];
    let results = act(&sim, "compute.stop", &[], machines.clone()).await;
    assert!(results.iter().all(|r| status(r) == "changed"));
    let states: Vec<String> = machines.iter().map(|m| state_of(&sim, &id_of(m))).collect();
    assert_eq!(states, ["stopped", "deallocated", "terminated"]);
    let tagged = act(&sim, "compute.tag", &[("tags", map(&[("reviewed", "yes")]))], machines.clone()).await;
    assert!(tagged.iter().all(|r| status(r) == "changed"));
    let bucket = named(&sim, "aws.s3.Bucket", "acme-dev-scratch-data");
    let wrong = act(&sim, "compute.stop", &[], vec![bucket]).await;
    assert!(error(&wrong[0]).contains("cannot act on"));
}

#[tokio::test]
async fn closing_ingress_revokes_deletes_or_disables_by_cloud() {
    let sim = Sim::demo();
    let ssh: &[(&str, Value)] = &[("ports", Value::List(vec![Value::Int(22)]))];
    let open_ssh = [
        ("aws.ec2.open_ingress_rules", ssh),
        ("azure.network.open_inbound_rules", ssh),
        ("gcp.compute.open_firewall_rules", ssh),
    ];
    let open = list_each(&sim, &open_ssh).await;
    let targets: Vec<Value> = open.iter().cloned().map(Value::Record).collect();
    let results = act(&sim, "security.close_ingress", &[], targets).await;
    assert!(results.iter().all(|r| status(r) == "changed"), "{results:?}");
    assert!(list_each(&sim, &open_ssh).await.is_empty());
    let gcp = open.iter().find(|r| field(r, "cloud") == "gcp").expect("a gcp rule");
    assert_eq!(current(&sim, field(gcp, "id")).expect("kept").get("disabled"), Some(&Value::Bool(true)));
}

#[tokio::test]
async fn an_unknown_target_is_not_found() {
    let sim = Sim::demo();
    let ghost = map(&[("id", "i-0000000000000dead"), ("kind", "aws.ec2.Instance")]);
    let results = act(&sim, "aws.ec2.stop", &[], vec![ghost]).await;
    assert!(error(&results[0]).starts_with("InvalidInstanceID.NotFound"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_estate_and_lose_no_change() {
    let sim = std::sync::Arc::new(Sim::generate(2_000, 5));
    let instances: Vec<Value> = list(&sim, "aws.ec2.instances", &[]).await.into_iter().map(Value::Record).collect();
    let mut tasks = Vec::new();
    for (n, instance) in instances.iter().cloned().enumerate() {
        let sim = std::sync::Arc::clone(&sim);
        tasks.push(tokio::spawn(async move {
            let tag = format!("batch-{}", n % 7);
            act(&sim, "aws.ec2.tag", &[("tags", map(&[("wave", &tag)]))], vec![instance]).await
        }));
    }
    for task in tasks {
        assert_eq!(status(&task.await.expect("the task ran")[0]), "changed");
    }
    let tagged = list(&sim, "aws.ec2.instances", &[]).await;
    assert_eq!(tagged.len(), instances.len());
    assert!(tagged.iter().all(|i| matches!(i.get("tags"), Some(Value::Record(t)) if t.contains_key("wave"))));
}

#[tokio::test(start_paused = true)]
async fn a_saved_estate_has_its_transitions_completed() {
    let sim = Sim::demo().with_config(escher_sim::SimConfig::parse("transition=1m").expect("valid"));
    let vm = named(&sim, "azure.vm.VirtualMachine", "vm-dev-web-01");
    act(&sim, "azure.vm.deallocate", &[], vec![vm.clone()]).await;
    assert_eq!(state_of(&sim, &id_of(&vm)), "deallocating");
    let saved = Sim::from_json(&sim.estate_json()).expect("reloads");
    assert_eq!(state_of(&saved, &id_of(&vm)), "deallocated");
    assert_eq!(state_of(&sim, &id_of(&vm)), "deallocating", "saving does not hurry the running estate");
}
