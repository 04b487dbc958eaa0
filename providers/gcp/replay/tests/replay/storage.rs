//! Cloud Storage: buckets per project, merge patches with metageneration preconditions, IAM policies.

use escher_gcp_replay::Api;
use serde_json::json;

use super::{Client, reason};

#[tokio::test]
async fn buckets_list_per_project_by_id_or_number() {
    let client = Client::standard().await;
    client.replay().set_page_size(0);
    for project in ["acme-dev", "111111111111"] {
        let (status, list) = client.get(Api::Storage, &format!("storage/v1/b?project={project}")).await;
        assert_eq!(status, 200, "{list}");
        let names: Vec<&str> =
            list["items"].as_array().expect("items").iter().filter_map(|b| b["name"].as_str()).collect();
        assert_eq!(names, ["acme-dev-backups", "acme-dev-public-assets"]);
    }
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_patch_merges_labels_and_moves_the_metageneration_on() {
    let client = Client::standard().await;
    let path = "storage/v1/b/acme-dev-backups";
    let body = json!({"labels": {"purpose": null, "owner": "data"}, "versioning": {"enabled": false}});
    let (status, bucket) =
        client.send("PATCH", Api::Storage, &format!("{path}?ifMetagenerationMatch=1"), Some(body)).await;
    assert_eq!(status, 200, "{bucket}");
    assert_eq!(bucket["labels"], json!({"env": "dev", "owner": "data"}));
    assert_eq!(bucket["versioning"], json!({"enabled": false}));
    assert_eq!(bucket["metageneration"], "2");
    let stale = json!({"labels": {"owner": "web"}});
    let (status, answer) =
        client.send("PATCH", Api::Storage, &format!("{path}?ifMetagenerationMatch=1"), Some(stale)).await;
    assert_eq!((status, reason(&answer)), (412, "conditionNotMet"));
    client.replay().assert_clean();
}

#[tokio::test]
async fn the_public_bucket_grants_all_users_and_enforced_prevention_refuses_it() {
    let client = Client::standard().await;
    let path = "storage/v1/b/acme-dev-public-assets";
    let (_, policy) = client.get(Api::Storage, &format!("{path}/iam")).await;
    let public = policy["bindings"].as_array().expect("bindings").iter().any(|b| b["members"] == json!(["allUsers"]));
    assert!(public, "{policy}");
    let enforce = json!({"iamConfiguration": {"publicAccessPrevention": "enforced"}});
    let (status, _) = client.send("PATCH", Api::Storage, path, Some(enforce)).await;
    assert_eq!(status, 200);
    let (status, answer) = client.send("PUT", Api::Storage, &format!("{path}/iam"), Some(policy.clone())).await;
    assert_eq!((status, reason(&answer)), (412, "conditionNotMet"));
    let private: Vec<_> = policy["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .filter(|b| b["members"] != json!(["allUsers"]))
        .cloned()
        .collect();
    let (status, saved) = client
        .send("PUT", Api::Storage, &format!("{path}/iam"), Some(json!({"bindings": private, "etag": policy["etag"]})))
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_ne!(saved["etag"], policy["etag"]);
    client.replay().assert_clean();
}
