//! Disks, network rules, SQL, Function Apps, Blob containers and costs against their published examples.

use escher_arm_replay::{Exchange, example};
use escher_compiler::plan::Value;
use escher_runtime::provider::{IDEMPOTENCY_TAG, TargetStatus};
use serde_json::{Value as Json, json};

use crate::support::*;

fn body(file: &str, status: u16) -> Json {
    example(file)["responses"][status.to_string()]["body"].clone()
}

const SNAPSHOT: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/snapshots/{snapshotName}";

#[tokio::test]
async fn disks_and_snapshots_are_listed_as_declared() {
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    let mut disks = body("compute/2025-01-02/Disk_ListBySubscription.json", 200);
    disks["nextLink"] = Json::Null;
    azure.replay.serve(
        Exchange::new("GET", "/subscriptions/{subscription-id}/providers/Microsoft.Compute/disks", "2026-03-02")
            .respond(200, Some(disks))
            .derived("Disk_ListBySubscription.json without its off-host nextLink; api-version 2026-03-02"),
    );
    azure.replay.serve(
        Exchange::example(
            "compute/2025-01-02/Snapshot_ListBySubscription.json",
            "GET",
            "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/snapshots",
            200,
        )
        .api_version("2026-03-02")
        .derived("api-version 2026-03-02"),
    );
    let listed = azure.query("azure.disk.list", &[]).await.expect("disks");
    assert_eq!(field(&listed[0], "name"), "myManagedDisk1");
    assert_eq!(field(&listed[0], "encryption"), "EncryptionAtRestWithPlatformKey");
    assert_eq!(field(&listed[0], "created"), "2016-12-28T04:41:35Z");
    let tagged =
        azure.query("azure.disk.list", &[("tags", record(&[("project", text("ManagedDisks"))]))]).await.expect("disks");
    assert!(!tagged.is_empty() && tagged.len() <= listed.len());
    let snapshots = azure.query("azure.disk.snapshots", &[]).await.expect("snapshots");
    assert_eq!(field(&snapshots[0], "kind"), "azure.disk.Snapshot");
    assert!(field(&snapshots[0], "source_disk").contains("mySnapshot"));
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_snapshot_is_put_incremental_under_a_name_from_the_batch_and_again_under_the_same_name() {
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    let disk_id =
        format!("/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/disks/myDisk");
    let mut disk = body("compute/2025-01-02/Disk_ListBySubscription.json", 200)["value"][0].clone();
    disk["id"] = json!(disk_id);
    disk["name"] = json!("myDisk");
    azure
        .replay
        .serve(Exchange::new("GET", &disk_id, "2026-03-02").respond(200, Some(disk)).derived("a listed disk, read"));
    let call = call("azure.disk.create_snapshots", &[], vec![target("azure.disk.Disk", &disk_id)]);
    // The name is the batch's: the same on every try.
    let digest = {
        use std::fmt::Write;
        let hash = <sha2::Sha256 as sha2::Digest>::digest(format!("{}\n{disk_id}", call.idempotency_key).as_bytes());
        hash[..5].iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    };
    let name = format!("escher-myDisk-{digest}");
    azure.replay.serve(
        Exchange::example("compute/2025-01-02/Snapshot_Create_InstantAccessSnapshot.json", "PUT", SNAPSHOT, 200)
            .path(&format!("/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/snapshots/{name}"))
            .api_version("2026-03-02")
            .body(json!({
                "location": "westus",
                "tags": {IDEMPOTENCY_TAG: call.idempotency_key},
                "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": disk_id}, "incremental": true},
            }))
            .derived("the batch's name, incremental, tagged with the key, no instant access; api-version 2026-03-02"),
    );
    for _ in 0..2 {
        let results = azure.act(call.clone()).await.expect("called");
        assert_eq!(results[0].status, TargetStatus::Changed);
    }
    let puts: Vec<String> = azure.replay.calls().into_iter().filter(|c| c.starts_with("PUT")).collect();
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[0], puts[1], "a retried batch PUTs the same name");
    azure.replay.assert_clean();
}

#[tokio::test]
async fn an_attached_disk_fails_without_a_call_and_a_snapshot_is_deleted() {
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    let disk_id =
        format!("/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/disks/myDisk");
    let mut disk = body("compute/2025-01-02/Disk_ListBySubscription.json", 200)["value"][0].clone();
    disk["id"] = json!(disk_id);
    disk["managedBy"] = json!("/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm1");
    disk["properties"]["diskState"] = json!("Attached");
    azure.replay.serve(
        Exchange::new("GET", &disk_id, "2026-03-02").respond(200, Some(disk)).derived("a listed disk, attached"),
    );
    let results =
        azure.act(call("azure.disk.delete", &[], vec![target("azure.disk.Disk", &disk_id)])).await.expect("called");
    let TargetStatus::Failed { error } = &results[0].status else { panic!("{:?}", results[0].status) };
    assert!(error.contains("attached to") && error.contains("vm1"), "{error}");
    assert!(azure.replay.calls().iter().all(|c| c.starts_with("GET")));

    let snapshot_id =
        format!("/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/snapshots/mySnapshot");
    let mut snapshot = body("compute/2025-01-02/Snapshot_GetIncrementalSnapshot.json", 200);
    snapshot["id"] = json!(snapshot_id);
    azure.replay.serve(
        Exchange::new("GET", &snapshot_id, "2026-03-02")
            .respond(200, Some(snapshot))
            .derived("the incremental snapshot, at the delete example's id"),
    );
    azure.replay.serve(Exchange::example("compute/2026-03-02/Snapshot_Delete.json", "DELETE", SNAPSHOT, 200));
    let deleted = azure
        .act(call("azure.disk.delete_snapshots", &[], vec![target("azure.disk.Snapshot", &snapshot_id)]))
        .await
        .expect("called");
    assert_eq!(deleted[0].status, TargetStatus::Changed);
    azure.replay.assert_clean();
}

#[tokio::test]
async fn deleting_what_is_gone_is_unchanged() {
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    let snapshot_id =
        format!("/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/snapshots/mySnapshot");
    azure.replay.serve(
        Exchange::new("GET", &snapshot_id, "2026-03-02")
            .respond(404, Some(json!({"error": {"code": "ResourceNotFound", "message": "gone"}}))),
    );
    let results = azure
        .act(call("azure.disk.delete_snapshots", &[], vec![target("azure.disk.Snapshot", &snapshot_id)]))
        .await
        .expect("called");
    assert_eq!(results[0].status, TargetStatus::Unchanged);
    azure.replay.assert_clean();
}

#[tokio::test]
async fn open_inbound_rules_are_the_allow_rules_from_anywhere_and_the_default_rules_are_not_reported() {
    let sub = "00000000-0000-0000-0000-000000000000";
    let azure = azure(&[sub]).await;
    let nsgs = "/subscriptions/{subscriptionId}/providers/Microsoft.Network/networkSecurityGroups";
    // As published: no rules of its own, only Azure's default ones.
    azure
        .replay
        .serve(Exchange::example("network/2025-07-01/NetworkSecurityGroupListAll.json", "GET", nsgs, 200).times(1));
    assert!(azure.query("azure.network.open_inbound_rules", &[]).await.expect("listed").is_empty());

    let mut listed = body("network/2025-07-01/NetworkSecurityGroupListAll.json", 200);
    listed["value"][0]["properties"]["securityRules"] = json!([
        {"name": "ssh", "id": format!("{}/securityRules/ssh", listed["value"][0]["id"].as_str().unwrap_or_default()),
         "properties": {"protocol": "Tcp", "sourceAddressPrefix": "Internet", "destinationPortRanges": ["22", "3389"],
                        "sourcePortRange": "*", "destinationAddressPrefix": "*", "access": "Allow", "priority": 130, "direction": "Inbound"}},
        {"name": "closed", "id": "x/securityRules/closed",
         "properties": {"protocol": "Tcp", "sourceAddressPrefix": "10.0.0.0/8", "destinationPortRange": "22",
                        "access": "Allow", "priority": 140, "direction": "Inbound"}},
    ]);
    azure.replay.serve(
        Exchange::new(
            "GET",
            &format!("/subscriptions/{sub}/providers/Microsoft.Network/networkSecurityGroups"),
            "2025-07-01",
        )
        .respond(200, Some(listed))
        .derived("the ListAll example with two rules of the group's own"),
    );
    let open = azure
        .query("azure.network.open_inbound_rules", &[("ports", Value::List(vec![Value::Int(3389)]))])
        .await
        .expect("listed");
    assert_eq!(open.len(), 1);
    assert_eq!(
        (field(&open[0], "name"), field(&open[0], "source"), field(&open[0], "security_group")),
        ("ssh", "Internet", "nsg1")
    );
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_deleted_rule_is_put_back_as_its_record_describes_it() {
    let sub = "00000000-0000-0000-0000-000000000000";
    let azure = azure(&[sub]).await;
    let id = format!(
        "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/testnsg/securityRules/rule1"
    );
    azure.replay.serve(
        Exchange::new("GET", &id, "2025-07-01")
            .respond(404, Some(json!({"error": {"code": "NotFound", "message": "gone"}}))),
    );
    azure.replay.serve(
        Exchange::example("network/2025-07-01/NetworkSecurityGroupRuleCreate.json", "PUT", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{securityRuleName}", 201)
            .body(json!({"properties": {"protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                "destinationAddressPrefix": "*", "destinationPortRange": "22", "access": "Allow", "direction": "Inbound", "priority": 130}}))
            .derived("the rule Escher puts back: inbound Allow from its source to its ports"),
    );
    let mut rule = target("azure.network.SecurityRule", &id);
    if let Value::Record(fields) = &mut rule {
        fields.insert("protocol".into(), text("tcp"));
        fields.insert("from_port".into(), Value::Int(22));
        fields.insert("to_port".into(), Value::Int(22));
        fields.insert("source".into(), text("Internet"));
        fields.insert("priority".into(), Value::Int(130));
    }
    let results = azure.act(call("azure.network.create_rules", &[], vec![rule])).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Changed);
    azure.replay.assert_clean();
}

const SQL_SUB: &str = "00000000-1111-2222-3333-444444444444";
const DB: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/servers/{serverName}/databases/{databaseName}";

fn db_id(name: &str) -> String {
    format!(
        "/subscriptions/{SQL_SUB}/resourceGroups/Default-SQL-SouthEastAsia/providers/Microsoft.Sql/servers/testsvr/databases/{name}"
    )
}

/// A read of a database: `body` at `name`'s id.
fn db_read(name: &str, mut document: Json, why: &str) -> Exchange {
    document["id"] = json!(db_id(name));
    document["name"] = json!(name);
    Exchange::new("GET", &db_id(name), "2025-01-01").respond(200, Some(document)).derived(why)
}

#[tokio::test]
async fn databases_are_listed_server_by_server_without_master() {
    let azure = azure(&[SQL_SUB]).await;
    let mut servers = body("sql/2023-08-01/ServerList.json", 200);
    servers["value"] = json!([servers["value"][0].clone()]);
    servers["value"][0]["id"] = json!(format!(
        "/subscriptions/{SQL_SUB}/resourceGroups/Default-SQL-SouthEastAsia/providers/Microsoft.Sql/servers/testsvr"
    ));
    servers["value"][0]["name"] = json!("testsvr");
    azure.replay.serve(
        Exchange::new("GET", &format!("/subscriptions/{SQL_SUB}/providers/Microsoft.Sql/servers"), "2025-01-01")
            .respond(200, Some(servers))
            .derived("ServerList.json's first server, renamed to the server ListVCoreDatabasesByServer.json lists; api-version 2025-01-01"),
    );
    azure.replay.serve(Exchange::example(
        "sql/2025-01-01/ListVCoreDatabasesByServer.json",
        "GET",
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/servers/{serverName}/databases",
        200,
    ));
    let databases = azure.query("azure.sql.databases", &[]).await.expect("listed");
    assert!(!databases.is_empty());
    assert!(databases.iter().all(|db| field(db, "name") != "master"));
    assert!(databases.iter().all(|db| field(db, "server") == "testsvr" && field(db, "engine") == "sqlserver"));
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_data_warehouse_pauses_and_resumes_and_other_editions_fail_by_name_without_a_call() {
    let azure = azure(&[SQL_SUB]).await;
    let mut online = body("sql/2025-01-01/PauseDatabase.json", 200);
    online["properties"]["status"] = json!("Online");
    azure.replay.serve(db_read("testdwdb", online, "PauseDatabase.json's database, online").times(1));
    azure.replay.serve(Exchange::example("sql/2025-01-01/PauseDatabase.json", "POST", &format!("{DB}/pause"), 202));
    let location = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/Default-SQL-SouthEastAsia/providers/Microsoft.Sql/locations/japaneast/databaseOperationResults/00000000-0000-0000-0000-000000000000";
    azure.replay.serve(
        Exchange::new("GET", location, "")
            .without_query("api-version")
            .respond(200, None)
            .derived("the operation's result: done"),
    );
    let paused = azure
        .act(call("azure.sql.pause", &[], vec![target("azure.sql.Database", &db_id("testdwdb"))]))
        .await
        .expect("called");
    assert_eq!((paused[0].status.clone(), field(&paused[0].resource, "state")), (TargetStatus::Changed, "paused"));

    azure.replay.serve(db_read(
        "testdwdb",
        body("sql/2025-01-01/PauseDatabase.json", 200),
        "PauseDatabase.json's answer: paused",
    ));
    azure.replay.serve(Exchange::example("sql/2025-01-01/ResumeDatabase.json", "POST", &format!("{DB}/resume"), 200));
    let resumed = azure
        .act(call("azure.sql.resume", &[], vec![target("azure.sql.Database", &db_id("testdwdb"))]))
        .await
        .expect("called");
    assert_eq!(resumed[0].status, TargetStatus::Changed);

    let serverless = json!({"sku": {"name": "GP_S_Gen5_2", "tier": "GeneralPurpose"}, "kind": "v12.0,user,vcore,serverless",
        "location": "southeastasia", "properties": {"status": "Online"}});
    azure.replay.serve(db_read("testdb", serverless, "a serverless database (ARM's documented shape)"));
    let refused = azure
        .act(call("azure.sql.pause", &[], vec![target("azure.sql.Database", &db_id("testdb"))]))
        .await
        .expect("called");
    let TargetStatus::Failed { error } = &refused[0].status else { panic!("{:?}", refused[0].status) };
    assert!(
        error.contains("FeatureDisabledOnSelectedEdition")
            && error.contains("`testdb`")
            && error.contains("pauses by itself"),
        "{error}"
    );
    assert!(!azure.replay.calls().iter().any(|c| c.ends_with("testdb/pause")));
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_backup_is_a_copy_named_from_the_batch_scale_patches_the_sku_and_delete_deletes() {
    let azure = azure(&[SQL_SUB]).await;
    let source = body("sql/2023-08-01/PatchVCoreDatabase.json", 200);
    azure.replay.serve(db_read("testdb", source, "PatchVCoreDatabase.json's database, read"));
    let backup =
        call("azure.sql.backup", &[("suffix", text("copy"))], vec![target("azure.sql.Database", &db_id("testdb"))]);
    azure.replay.serve(
        Exchange::new("GET", &db_id("testdb-copy"), "2025-01-01")
            .respond(404, Some(json!({"error": {"code": "ResourceNotFound", "message": "none"}})))
            .times(1),
    );
    azure.replay.serve(
        Exchange::example("sql/2025-01-01/CreateDatabaseCopyMode.json", "PUT", DB, 201)
            .path(&db_id("testdb-copy"))
            .body(json!({"location": "southeastasia", "tags": {IDEMPOTENCY_TAG: backup.idempotency_key},
                "properties": {"createMode": "Copy", "sourceDatabaseId": db_id("testdb")}}))
            .derived("named NAME-SUFFIX, tagged with the batch's key, the source's SKU kept"),
    );
    let copied = azure.act(backup.clone()).await.expect("called");
    assert_eq!(copied[0].status, TargetStatus::Changed);
    // A retry finds the copy its key marks, and makes no second.
    let mut made = body("sql/2025-01-01/CreateDatabaseCopyMode.json", 201);
    made["tags"] = json!({IDEMPOTENCY_TAG: backup.idempotency_key});
    azure.replay.serve(db_read("testdb-copy", made, "the copy, as made"));
    let again = azure.act(backup).await.expect("called");
    assert_eq!(again[0].status, TargetStatus::Changed);
    assert_eq!(azure.replay.calls().iter().filter(|c| c.starts_with("PUT")).count(), 1);

    azure.replay.serve(
        Exchange::example("sql/2023-08-01/PatchVCoreDatabase.json", "PATCH", DB, 200)
            .api_version("2025-01-01")
            .body(json!({"sku": {"name": "GP_Gen5_4"}}))
            .derived("api-version 2025-01-01; the body changes only the SKU"),
    );
    let scaled = azure
        .act(call(
            "azure.sql.scale",
            &[("sku", text("GP_Gen5_4"))],
            vec![target("azure.sql.Database", &db_id("testdb"))],
        ))
        .await
        .expect("called");
    assert_eq!((scaled[0].status.clone(), field(&scaled[0].resource, "sku")), (TargetStatus::Changed, "GP_Gen5_4"));

    azure.replay.serve(Exchange::example("sql/2025-01-01/DeleteDatabase.json", "DELETE", DB, 200));
    let deleted = azure
        .act(call("azure.sql.delete", &[], vec![target("azure.sql.Database", &db_id("testdb"))]))
        .await
        .expect("called");
    assert_eq!(deleted[0].status, TargetStatus::Changed);
    azure.replay.assert_clean();
}

#[tokio::test]
async fn function_apps_are_the_sites_of_kind_functionapp_and_start_stop_and_restart_post() {
    let sub = "34adfa4f-cedf-4dc0-ba29-b6d1a69ab345";
    let azure = azure(&[sub]).await;
    let sites = "/subscriptions/{subscriptionId}/providers/Microsoft.Web/sites";
    // As published: two web apps (kind `app`), no function app.
    azure.replay.serve(Exchange::example("web/2026-09-01/ListWebApps.json", "GET", sites, 200).times(1));
    assert!(azure.query("azure.functions.list", &[]).await.expect("listed").is_empty());
    let mut listed = body("web/2026-09-01/ListWebApps.json", 200);
    listed["value"][0]["kind"] = json!("functionapp,linux");
    listed["value"][0]["properties"]["state"] = json!("Running");
    let app = listed["value"][0].clone();
    azure.replay.serve(
        Exchange::new("GET", &format!("/subscriptions/{sub}/providers/Microsoft.Web/sites"), "2026-09-01")
            .respond(200, Some(listed))
            .derived("the first site made a function app"),
    );
    let apps = azure.query("azure.functions.list", &[]).await.expect("listed");
    assert_eq!(apps.len(), 1);
    assert_eq!((field(&apps[0], "state"), field(&apps[0], "region")), ("running", "eastus"));

    let id = field(&apps[0], "id").to_string();
    azure
        .replay
        .serve(Exchange::new("GET", &id, "2026-09-01").respond(200, Some(app)).derived("the function app, read"));
    for verb in ["stop", "restart"] {
        azure.replay.serve(
            Exchange::new("POST", &format!("{id}/{verb}"), "2026-09-01")
                .derived("WebApps_Stop/Restart: 200, no body, per its definition (no example is published)"),
        );
        let results =
            azure.act(call(&format!("azure.functions.{verb}"), &[], vec![apps[0].clone()])).await.expect("called");
        assert_eq!(results[0].status, TargetStatus::Changed, "{verb}");
    }
    let started = azure.act(call("azure.functions.start", &[], vec![apps[0].clone()])).await.expect("called");
    assert_eq!(started[0].status, TargetStatus::Unchanged, "already running");
    azure.replay.assert_clean();
}

#[tokio::test]
async fn containers_carry_their_accounts_settings_and_are_closed_and_versioned() {
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    let account_id =
        format!("/subscriptions/{sub}/resourceGroups/res9290/providers/Microsoft.Storage/storageAccounts/sto1590");
    let mut accounts = body("storage/2025-01-01/StorageAccountList.json", 200);
    accounts["value"] = json!([accounts["value"][0].clone()]);
    accounts["value"][0]["id"] = json!(account_id);
    accounts["value"][0]["name"] = json!("sto1590");
    azure.replay.serve(
        Exchange::new(
            "GET",
            &format!("/subscriptions/{sub}/providers/Microsoft.Storage/storageAccounts"),
            "2025-01-01",
        )
        .respond(200, Some(accounts))
        .derived("StorageAccountList.json's first account, renamed to the account BlobContainersList.json lists"),
    );
    let mut service = body("storage/2025-01-01/BlobServicesGet.json", 200);
    service["properties"]["isVersioningEnabled"] = json!(false);
    azure.replay.serve(
        Exchange::new("GET", &format!("{account_id}/blobServices/default"), "2025-01-01")
            .respond(200, Some(service.clone()))
            .derived("BlobServicesGet.json for this account, versioning off"),
    );
    let mut containers = body("storage/2025-01-01/BlobContainersList.json", 200);
    containers["nextLink"] = Json::Null;
    azure.replay.serve(Exchange::new("GET", &format!("{account_id}/blobServices/default/containers"), "2025-01-01")
        .respond(200, Some(containers)).derived("BlobContainersList.json without its off-host nextLink; api-version 2025-01-01 (the file says 2024-01-01)"));
    let public = azure.query("azure.storage.containers", &[("public", Value::Bool(true))]).await.expect("listed");
    assert_eq!(public.len(), 1);
    assert_eq!((field(&public[0], "name"), field(&public[0], "public_access")), ("container1644", "container"));

    let container_id = field(&public[0], "id").to_string();
    let listed = body("storage/2025-01-01/BlobContainersList.json", 200)["value"][0].clone();
    azure.replay.serve(
        Exchange::new("GET", &container_id, "2025-01-01")
            .respond(200, Some(listed))
            .derived("the listed container, read"),
    );
    azure.replay.serve(
        Exchange::example("storage/2025-01-01/BlobContainersPatch.json", "PATCH", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}", 200)
            .path(&container_id)
            .without_query("monitor")
            .body(json!({"properties": {"publicAccess": "None"}}))
            .derived("this container; publicAccess None; no `monitor` (the examples' harness parameter)"),
    );
    let closed = azure.act(call("azure.storage.set_private", &[], vec![public[0].clone()])).await.expect("called");
    assert_eq!(closed[0].status, TargetStatus::Changed);

    let mut properties = service["properties"].clone();
    properties["isVersioningEnabled"] = json!(true);
    azure.replay.serve(
        Exchange::example("storage/2025-01-01/BlobServicesPut.json", "PUT", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/{BlobServicesName}", 200)
            .path(&format!("{account_id}/blobServices/default"))
            .without_query("monitor")
            .body(json!({"properties": properties}))
            .derived("the service as read, every property kept, versioning on"),
    );
    let versioned =
        azure.act(call("azure.storage.enable_versioning", &[], vec![public[0].clone()])).await.expect("called");
    assert_eq!(versioned[0].status, TargetStatus::Changed);
    let encrypted =
        azure.act(call("azure.storage.enable_encryption", &[], vec![public[0].clone()])).await.expect("called");
    assert_eq!(encrypted[0].status, TargetStatus::Unchanged, "Azure Storage always encrypts");
    azure.replay.assert_clean();
}

/// Cost Management's query in `sub`, answered with `SubscriptionQueryGrouping.json` grouped by service. Any body:
/// it holds today's date; the test that needs it checks it from the log.
fn cost_query(sub: &str) -> Exchange {
    let mut answer = body("cost-management/2025-03-01/SubscriptionQueryGrouping.json", 200);
    answer["properties"]["columns"][1]["name"] = json!("ServiceName");
    Exchange::new("POST", &format!("/subscriptions/{sub}/providers/Microsoft.CostManagement/query"), "2025-03-01")
        .respond(200, Some(answer))
        .any_body()
        .derived("SubscriptionQueryGrouping.json grouped by ServiceName")
}

#[tokio::test]
async fn costs_are_summed_by_service_most_expensive_first() {
    let sub = "00000000-0000-0000-0000-000000000000";
    let azure = azure(&[sub]).await;
    azure.replay.serve(cost_query(sub));
    let costs = azure.query("azure.cost.by_service", &[]).await.expect("queried");
    assert_eq!(costs.len(), 4);
    assert_eq!(field(&costs[0], "service"), "Ict_StratAndPlan_GoldSprova_Prod_1");
    assert_eq!(field(&costs[0], "currency"), "USD");
    let sent = azure
        .replay
        .log()
        .into_iter()
        .find(|l| l.method == "POST" && l.path.ends_with("/query"))
        .and_then(|l| l.json())
        .expect("a query");
    assert_eq!(sent["type"], "ActualCost");
    assert_eq!(sent["dataset"]["grouping"], json!([{"type": "Dimension", "name": "ServiceName"}]));
    assert_eq!(sent["timeframe"], "Custom");
}

#[tokio::test]
async fn without_subscriptions_every_enabled_one_the_credential_sees_is_listed() {
    let replay = escher_arm_replay::Replay::start().await;
    replay.serve(Exchange::token(TENANT));
    let mut listed = body("resources/2022-12-01/GetSubscriptions.json", 200);
    listed["nextLink"] = Json::Null;
    replay.serve(
        Exchange::new("GET", "/subscriptions", "2022-12-01")
            .respond(200, Some(listed.clone()))
            .derived("GetSubscriptions.json without its off-host nextLink"),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(&replay, dir.path(), &[]);
    let credential =
        escher_azure::HostCredential::ClientSecret { client_id: "c".into(), secret: escher_azure::Secret::new("s") };
    let ctx = escher_azure::AzureContext::with_credential(config, credential).expect("context");
    let found = ctx.subscriptions().await.expect("listed");
    let enabled = listed["value"].as_array().map_or(0, |all| all.iter().filter(|s| s["state"] == "Enabled").count());
    assert_eq!(found.len(), enabled);
    assert!(found.iter().all(|s| s.tenant_id.is_some()));
    replay.assert_clean();
}

#[tokio::test]
async fn the_agnostic_cost_and_inventory_queries_are_answered_for_azure() {
    let sub = "00000000-0000-0000-0000-000000000000";
    let azure = azure(&[sub]).await;
    azure.replay.serve(cost_query(sub));
    let by_service = azure.query("cost.by_service", &[]).await.expect("queried");
    assert_eq!(by_service.len(), 4);
    assert!(by_service.iter().all(|row| field(row, "cloud") == "azure"));
    let by_cloud = azure.query("cost.by_cloud", &[]).await.expect("queried");
    assert_eq!(by_cloud.len(), 1);
    assert_eq!((field(&by_cloud[0], "cloud"), field(&by_cloud[0], "currency")), ("azure", "USD"));
    let Value::Record(total) = &by_cloud[0] else { panic!("a record") };
    let Some(Value::Float(amount)) = total.get("amount") else { panic!("an amount") };
    assert_eq!(*amount, 220.95, "the four rows (220.945005...) summed, to the cent");

    let accounts = azure.query("inventory.accounts", &[]).await.expect("listed");
    assert_eq!(accounts.len(), 1);
    assert_eq!((field(&accounts[0], "cloud"), field(&accounts[0], "id")), ("azure", sub));
    azure.replay.assert_clean();
}
