//! Filed approvals in a bucket (moto's S3, fake-gcs-server's GCS): a push never overwrites one, and in a bucket
//! with versioning a pull brings back what a delete or an overwrite hid, so that every decision ever filed reaches
//! the run. Without versioning there is nothing to bring back, and the store says it read what there was.

mod support;

use escher_state::mirror::{Mirror, pull};
use escher_state::{PutMode, Store};
use support::{Kind, TestStore, fresh};

const REJECTION: &str = "approvals/decisions/run-1--stop--alicekey-1111.json";
const APPROVAL: &str = "approvals/decisions/run-1--stop--carolkey-2222.json";

/// Turns versioning on for the test's bucket (the emulators take unsigned requests).
async fn enable_versioning(test: &TestStore) {
    let endpoint = test.options.endpoint.clone().expect("the emulator's endpoint");
    let client = reqwest::Client::new();
    let request = match &test.url {
        escher_state::StoreUrl::S3 { bucket, .. } => client
            .put(format!("{endpoint}/{bucket}?versioning"))
            .body("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
        escher_state::StoreUrl::Gcs { bucket, .. } => client
            .patch(format!("{endpoint}/storage/v1/b/{bucket}"))
            .json(&serde_json::json!({ "versioning": { "enabled": true } })),
        other => panic!("no versioning for {other}"),
    };
    let response = request.send().await.expect("the emulator answers");
    assert!(response.status().is_success(), "versioning {}: {}", test.url, response.status());
}

/// Alice's rejection and carol's approval are filed; then someone deletes the rejection and overwrites the
/// approval in the bucket.
async fn filed_then_edited(store: &Store) {
    store.put(REJECTION, &b"{\"approved\":false}\n"[..], PutMode::Create).await.expect("filed");
    store.put(APPROVAL, &b"{\"approved\":true}\n"[..], PutMode::Create).await.expect("filed");
    store.delete(REJECTION).await.expect("deleted");
    store.put(APPROVAL, &b"{\"edited\":true}\n"[..], PutMode::Overwrite).await.expect("overwritten");
}

#[tokio::test]
async fn a_pull_from_a_versioned_s3_bucket_brings_back_what_a_delete_or_an_overwrite_hid() {
    brings_back(Kind::S3).await
}

#[tokio::test]
async fn a_pull_from_a_versioned_gcs_bucket_brings_back_what_a_delete_or_an_overwrite_hid() {
    brings_back(Kind::Gcs).await
}

async fn brings_back(kind: Kind) {
    let test = fresh(kind).await;
    enable_versioning(&test).await;
    let store = test.open();
    filed_then_edited(&store).await;

    let here = tempfile::tempdir().expect("a local copy");
    let report = pull(&store, here.path()).await.expect("pulled");
    assert_eq!(report.restored, 2, "{report:?}");
    let read = |key: &str| std::fs::read_to_string(here.path().join(key)).unwrap_or_default();
    assert_eq!(read(REJECTION), "{\"approved\":false}\n", "the deleted rejection is back under its own name");
    assert_eq!(read(APPROVAL), "{\"edited\":true}\n", "the current version is the current version");
    let decisions: Vec<String> = std::fs::read_dir(here.path().join("approvals/decisions"))
        .expect("listed")
        .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    let beside = decisions.iter().find(|name| name.starts_with("run-1--stop--carolkey-2222~")).expect("beside it");
    assert_eq!(read(&format!("approvals/decisions/{beside}")), "{\"approved\":true}\n", "the overwritten version");

    let again = pull(&store, here.path()).await.expect("pulled again");
    assert_eq!(again.restored, 0, "nothing is brought back twice: {again:?}");
}

#[tokio::test]
async fn an_unversioned_s3_bucket_has_nothing_to_bring_back() {
    nothing_to_bring_back(Kind::S3).await
}

#[tokio::test]
async fn an_unversioned_gcs_bucket_has_nothing_to_bring_back() {
    nothing_to_bring_back(Kind::Gcs).await
}

async fn nothing_to_bring_back(kind: Kind) {
    let test = fresh(kind).await;
    let store = test.open();
    filed_then_edited(&store).await;
    assert_eq!(store.hidden_versions("approvals/").await.expect("listed").map(|hidden| hidden.len()), Some(0));
    let here = tempfile::tempdir().expect("a local copy");
    let report = pull(&store, here.path()).await.expect("pulled");
    assert_eq!(report.restored, 0);
    assert!(!here.path().join(REJECTION).exists(), "a delete in an unversioned bucket is final");
}

#[tokio::test]
async fn a_push_never_overwrites_a_filed_document_in_s3() {
    never_overwritten(Kind::S3).await
}

#[tokio::test]
async fn a_push_never_overwrites_a_filed_document_in_azure_blob() {
    never_overwritten(Kind::Azure).await
}

#[tokio::test]
async fn a_push_never_overwrites_a_filed_document_in_gcs() {
    never_overwritten(Kind::Gcs).await
}

async fn never_overwritten(kind: Kind) {
    let test = fresh(kind).await;
    let store = test.open();
    let here = tempfile::tempdir().expect("a local copy");
    let local = here.path().join(REJECTION);
    std::fs::create_dir_all(local.parent().expect("a folder")).expect("made");
    std::fs::write(&local, "{\"approved\":false}\n").expect("filed here");
    let mut mirror = Mirror::new(here.path());
    assert_eq!(mirror.push(&store).await.expect("pushed").objects, 1);

    // Edited here after it was filed: the bucket's copy stays.
    std::fs::write(&local, "{\"approved\":true}\n").expect("edited");
    let report = Mirror::new(here.path()).push(&store).await.expect("pushed");
    assert_eq!((report.objects, report.kept), (0, 1), "{report:?}");
    let there = store.get(REJECTION).await.expect("read").expect("still there");
    assert_eq!(&there.bytes[..], b"{\"approved\":false}\n");
}
