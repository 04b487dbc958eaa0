//! `azure.vm.*` against the published Compute examples.

use escher_arm_replay::Exchange;
use escher_runtime::provider::TargetStatus;
use serde_json::json;

use crate::support::*;

const SUB: &str = "{subscription-id}";
const VMS: &str = "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines";
const VM: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}";

#[tokio::test]
async fn the_list_reads_every_vm_of_the_subscription_with_its_power_state() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(
        Exchange::example("compute/2026-04-01/VirtualMachine_ListAll_MinimumSet_Gen.json", "GET", VMS, 200)
            .query("statusOnly", "true")
            .derived("statusOnly=true, which no published example sets"),
    );
    let vms = azure.query("azure.vm.list", &[]).await.expect("listed");
    assert_eq!(vms.len(), 2);
    assert_eq!(field(&vms[0], "region"), "eastus");
    assert_eq!(field(&vms[0], "cloud"), "azure");
    assert_eq!(field(&vms[0], "kind"), "azure.vm.VirtualMachine");
    azure.replay.assert_clean();
}

/// The published deallocate answer of `status`, at the newest api-version (published for 2025-11-01 only).
fn deallocate(status: u16) -> Exchange {
    Exchange::example(
        "compute/2025-11-01/VirtualMachine_Deallocate_MinimumSet_Gen.json",
        "POST",
        &format!("{VM}/deallocate"),
        status,
    )
    .api_version("2026-04-01")
    .derived("api-version 2026-04-01 (the example is published for 2025-11-01 only)")
}

#[tokio::test]
async fn deallocate_reads_the_vm_then_posts_deallocate_once() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(vm_read(SUB, "rgcompute", "aaaaaaaaaaaaaaaa", "running"));
    azure.replay.serve(deallocate(200));
    let vm = target("azure.vm.VirtualMachine", &vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaa"));
    let results = azure.act(call("azure.vm.deallocate", &[], vec![vm])).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Changed);
    assert_eq!(field(&results[0].resource, "state"), "deallocated");
    assert_eq!(
        azure.replay.calls(),
        vec![
            format!("GET {}", vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaa")),
            format!("POST {}/deallocate", vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaa")),
        ]
    );
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_vm_already_deallocated_is_unchanged_and_nothing_is_posted() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(vm_read(SUB, "rgcompute", "aaaaaaaaaaaaaaaa", "deallocated"));
    let vm = target("azure.vm.VirtualMachine", &vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaa"));
    let results = azure.act(call("azure.vm.deallocate", &[], vec![vm])).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Unchanged);
    assert_eq!(azure.replay.calls().len(), 1, "only the read");
    azure.replay.assert_clean();
}

#[tokio::test]
async fn an_operation_to_poll_off_resource_manager_is_refused_and_the_token_stays_home() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(vm_read(SUB, "rgcompute", "aaaaaaaaaaaaaaaa", "running"));
    // The published 202 says to poll https://foo.com/operationstatus.
    azure.replay.serve(deallocate(202));
    let vm = target("azure.vm.VirtualMachine", &vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaa"));
    let results = azure.act(call("azure.vm.deallocate", &[], vec![vm])).await.expect("called");
    let TargetStatus::Failed { error } = &results[0].status else { panic!("{:?}", results[0].status) };
    assert!(error.contains("OffResourceManager") && error.contains("https://foo.com/operationstatus"), "{error}");
    azure.replay.assert_clean();
}

#[tokio::test]
async fn start_and_restart_post_to_the_vm() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(vm_read(SUB, "rgcompute", "aaaaaaaaaaaaaaaaaaaa", "deallocated").times(1));
    azure.replay.serve(
        Exchange::example(
            "compute/2025-04-01/VirtualMachine_Start_MaximumSet_Gen.json",
            "POST",
            &format!("{VM}/start"),
            200,
        )
        .api_version("2026-04-01")
        .derived("api-version 2026-04-01 (published for 2025-04-01)"),
    );
    let vm = target("azure.vm.VirtualMachine", &vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaaaaaa"));
    let started = azure.act(call("azure.vm.start", &[], vec![vm.clone()])).await.expect("called");
    assert_eq!((started[0].status.clone(), field(&started[0].resource, "state")), (TargetStatus::Changed, "running"));

    azure.replay.serve(vm_read(SUB, "rgcompute", "aaaaaaaaaaaaaaaaaaaa", "running"));
    azure.replay.serve(Exchange::example(
        "compute/2026-04-01/VirtualMachine_Restart_MaximumSet_Gen.json",
        "POST",
        &format!("{VM}/restart"),
        200,
    ));
    let restarted = azure.act(call("azure.vm.restart", &[], vec![vm])).await.expect("called");
    assert_eq!(restarted[0].status, TargetStatus::Changed);
    assert!(
        azure.replay.calls().contains(&format!("POST {}/restart", vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaaaaaa")))
    );
    azure.replay.assert_clean();
}

#[tokio::test]
async fn resize_patches_only_the_size() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(vm_read(SUB, "myResourceGroup", "myVM", "running"));
    azure.replay.serve(
        Exchange::example(
            "compute/2026-04-01/VirtualMachine_Update_DetachDataDiskUsingToBeDetachedProperty.json",
            "PATCH",
            VM,
            200,
        )
        .body(json!({"properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}}}))
        .derived("the body sets only hardwareProfile.vmSize (no resize-only example is published)"),
    );
    let vm = target("azure.vm.VirtualMachine", &vm_id(SUB, "myResourceGroup", "myVM"));
    let results =
        azure.act(call("azure.vm.resize", &[("vm_size", text("Standard_D4s_v5"))], vec![vm])).await.expect("called");
    assert_eq!(
        (results[0].status.clone(), field(&results[0].resource, "vm_size")),
        (TargetStatus::Changed, "Standard_D4s_v5")
    );
    azure.replay.assert_clean();
}

#[tokio::test]
async fn tags_are_merged_at_the_vms_scope() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(vm_read(SUB, "myResourceGroup", "myVM", "running"));
    let id = vm_id(SUB, "myResourceGroup", "myVM");
    azure.replay.serve(
        Exchange::example(
            "resources/2025-04-01/PatchTagsResource.json",
            "PATCH",
            "/{scope}/providers/Microsoft.Resources/tags/default",
            200,
        )
        .path(&format!("{id}/providers/Microsoft.Resources/tags/default"))
        .body(json!({"operation": "Merge", "properties": {"tags": {"owner": "ops"}}}))
        .derived("the VM's scope, and operation Merge (the example replaces)"),
    );
    let vm = target("azure.vm.VirtualMachine", &id);
    let tags = record(&[("owner", text("ops"))]);
    let results = azure.act(call("azure.vm.tag", &[("tags", tags)], vec![vm])).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Changed);
    azure.replay.assert_clean();
}

#[tokio::test]
async fn delete_sets_the_disks_to_go_with_the_vm_unless_they_are_kept() {
    let azure = azure(&[SUB]).await;
    let id = vm_id(SUB, "myResourceGroup", "myVM");
    azure.replay.serve(vm_read(SUB, "myResourceGroup", "myVM", "running"));
    // The published VM names no deleteOption, so its disks stay (ARM's default): deleting them too is a PATCH.
    let read = example_disks();
    azure.replay.serve(
        Exchange::example(
            "compute/2026-04-01/VirtualMachine_Update_DetachDataDiskUsingToBeDetachedProperty.json",
            "PATCH",
            VM,
            200,
        )
        .body(json!({"properties": {"storageProfile": {"osDisk": {"deleteOption": "Delete"}, "dataDisks": read}}}))
        .times(1)
        .derived("the body sets every disk's deleteOption to Delete, data disks sent whole"),
    );
    azure.replay.serve(
        Exchange::example("compute/2025-04-01/VirtualMachine_Delete_Force.json", "DELETE", VM, 200)
            .without_query("forceDeletion")
            .api_version("2026-04-01")
            .derived("no forceDeletion; api-version 2026-04-01 (published for 2025-04-01)"),
    );
    let vm = target("azure.vm.VirtualMachine", &id);
    let deleted = azure.act(call("azure.vm.delete", &[], vec![vm.clone()])).await.expect("called");
    assert_eq!(deleted[0].status, TargetStatus::Changed);
    assert_eq!(azure.replay.calls(), vec![format!("GET {id}"), format!("PATCH {id}"), format!("DELETE {id}")]);

    // Kept: the published VM already keeps its disks, so no PATCH.
    let kept = azure
        .act(call("azure.vm.delete", &[("keep_disks", escher_compiler::plan::Value::Bool(true))], vec![vm]))
        .await
        .expect("called");
    assert_eq!(kept[0].status, TargetStatus::Changed);
    assert_eq!(azure.replay.calls()[3..], [format!("GET {id}"), format!("DELETE {id}")]);
    azure.replay.assert_clean();
}

/// The published VM's data disks, each with `deleteOption: Delete`.
fn example_disks() -> serde_json::Value {
    let vm = escher_arm_replay::example("compute/2026-04-01/VirtualMachine_Get.json");
    let mut disks = vm["responses"]["200"]["body"]["properties"]["storageProfile"]["dataDisks"].clone();
    for disk in disks.as_array_mut().into_iter().flatten() {
        disk["deleteOption"] = json!("Delete");
    }
    disks
}

#[tokio::test]
async fn a_dry_run_only_reads() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(vm_read(SUB, "rgcompute", "aaaaaaaaaaaaaaaa", "running"));
    let vm = target("azure.vm.VirtualMachine", &vm_id(SUB, "rgcompute", "aaaaaaaaaaaaaaaa"));
    for action in ["azure.vm.deallocate", "azure.vm.restart", "azure.vm.delete"] {
        let results = azure.act(dry(call(action, &[], vec![vm.clone()]))).await.expect("called");
        assert_eq!(results[0].status, TargetStatus::Changed, "{action}");
    }
    let started = azure.act(dry(call("azure.vm.start", &[], vec![vm]))).await.expect("called");
    assert_eq!(started[0].status, TargetStatus::Unchanged, "already running");
    assert!(azure.replay.calls().iter().all(|c| c.starts_with("GET ")), "{:?}", azure.replay.calls());
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_subscription_neither_configured_nor_visible_is_refused_before_any_call() {
    let azure = azure(&[SUB]).await;
    let vm = target("azure.vm.VirtualMachine", &vm_id("other-subscription", "g", "v"));
    let results = azure.act(call("azure.vm.deallocate", &[], vec![vm])).await.expect("called");
    let TargetStatus::Failed { error } = &results[0].status else { panic!("{:?}", results[0].status) };
    assert!(error.contains("subscription `other-subscription` is neither in azure.json nor visible"), "{error}");
    assert!(azure.replay.log().is_empty(), "not even a token was asked for");
}
