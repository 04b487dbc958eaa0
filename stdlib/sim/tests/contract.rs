//! The simulator meets the exactly-once contract every provider meets (`docs/providers.md`): what it creates
//! carries the call's idempotency key, so a call in doubt makes nothing twice; and it tells from a record
//! whether an action's effect is already there.

mod common;

use common::*;
use escher_compiler::plan::Value;
use escher_runtime::provider::contract::{creation_is_idempotent, done_is_told_from_the_record};
use escher_runtime::provider::{IDEMPOTENCY_TAG, Provider, ProviderCall};
use escher_sim::Sim;

fn keyed(mut call: ProviderCall, key: &str) -> ProviderCall {
    call.idempotency_key = key.to_string();
    call
}

async fn snapshots(sim: &Sim) -> Result<usize, String> {
    Ok(list(sim, "aws.ec2.snapshots", &[]).await.len())
}

#[tokio::test]
async fn snapshots_and_images_are_created_once_per_key() {
    let sim = Sim::demo();
    let volumes: Vec<Value> = list(&sim, "aws.ec2.volumes", &[("attached", Value::Bool(false))])
        .await
        .into_iter()
        .map(Value::Record)
        .collect();
    let create = keyed(call("aws.ec2.create_snapshots", &[("description", s("nightly"))], volumes), "run:snap:0");
    creation_is_idempotent(&sim, &create, || snapshots(&sim)).await.expect("snapshots are created once per key");

    let vm = named(&sim, "aws.ec2.Instance", "prod-payments-1");
    let images = || async { list(&sim, "aws.ec2.images", &[]).await.len() };
    // The image's name carries the time, so only the first and the in-doubt calls can run at the same instant.
    let image = keyed(call("aws.ec2.create_images", &[("name_prefix", s("dr"))], vec![vm]), "run:image:0");
    let before = images().await;
    act_with(&sim, image.clone()).await;
    act_with(&sim, ProviderCall { in_doubt: true, ..image }).await;
    assert_eq!(images().await, before + 1, "the image was made once");
}

#[tokio::test]
async fn what_a_call_creates_is_tagged_with_its_key_and_its_target() {
    let sim = Sim::demo();
    let volume = list(&sim, "aws.ec2.volumes", &[("attached", Value::Bool(false))]).await.remove(0);
    let volume_id = field(&volume, "id").to_string();
    let create = keyed(call("aws.ec2.create_snapshots", &[], vec![Value::Record(volume)]), "run:snap:3");
    act_with(&sim, create).await;
    let made = list(&sim, "aws.ec2.snapshots", &[]).await;
    let made = made.iter().find(|s| field(s, "volume_id") == volume_id).expect("a snapshot of the volume");
    let Some(Value::Record(tags)) = made.get("tags") else { panic!("tags: {made:?}") };
    assert_eq!(tags.get(IDEMPOTENCY_TAG), Some(&s(&format!("run:snap:3/{volume_id}"))));
}

#[tokio::test]
async fn stops_tags_and_deletions_are_told_done_from_the_record() {
    let sim = Sim::demo();
    let running = named(&sim, "aws.ec2.Instance", "dev-api-1");
    done_is_told_from_the_record(&sim, &call("aws.ec2.stop", &[], vec![running.clone()])).await.expect("stop");
    let tag = call("aws.ec2.tag", &[("tags", map(&[("owner", "ops")]))], vec![running]);
    done_is_told_from_the_record(&sim, &tag).await.expect("tag");

    let snapshot = list(&sim, "aws.ec2.snapshots", &[]).await.remove(0);
    let delete = call("aws.ec2.delete_snapshots", &[], vec![Value::Record(snapshot.clone())]);
    assert_eq!(sim.is_done(&delete, Some(&Value::Record(snapshot))), Some(false));
    assert_eq!(sim.is_done(&delete, None), Some(true), "a removal is done once its target is gone");
    let create = call("aws.ec2.create_snapshots", &[], Vec::new());
    let volume = list(&sim, "aws.ec2.volumes", &[]).await.remove(0);
    assert_eq!(sim.is_done(&create, Some(&Value::Record(volume))), None, "a creation is not told from its target");
}
