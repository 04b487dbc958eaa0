//! A run whose state lives in a bucket: the [`Replicator`] holds back each journal commit until the bucket has
//! it and the run's setup beside it, so every provider call is made on records the bucket already holds, against moto's S3, Azurite and
//! fake-gcs-server (each test fails when its emulator's variable is unset). The pushes on a timer are set an hour
//! apart here, so only the runtime's commits can have brought the records.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use escher_compiler::plan::{RiskLevel, Value};
use escher_compiler::stdlib::Cloud;
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::approval::ApproveUpTo;
use escher_runtime::events::RunStatus;
use escher_runtime::provider::{
    Provider, ProviderCall, ProviderError, ProviderResponse, TargetResult, TargetStatus, resource_id,
};
use escher_runtime::{RunOptions, Runtime};
use escher_state::log::read_log;
use escher_state::runs::journal_key;
use escher_state::{Replicator, Store};
use support::{Kind, fresh};

#[tokio::test(flavor = "multi_thread")]
async fn s3_holds_each_journal_commit_before_the_run_acts() {
    commits_reach_the_bucket_first(Kind::S3).await
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_holds_each_journal_commit_before_the_run_acts() {
    commits_reach_the_bucket_first(Kind::Azure).await
}

#[tokio::test(flavor = "multi_thread")]
async fn gcs_holds_each_journal_commit_before_the_run_acts() {
    commits_reach_the_bucket_first(Kind::Gcs).await
}

/// One running instance; every call first notes whether the bucket already holds the run's setup and, in its
/// journal, the step's start.
struct Witness {
    bucket: Store,
    seen: Mutex<Vec<(String, bool)>>,
}

#[async_trait::async_trait]
impl Provider for Witness {
    fn name(&self) -> &str {
        "witness"
    }

    fn serves(&self, cloud: Cloud) -> bool {
        cloud == Cloud::Aws
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        let journal = read_log(&self.bucket, &journal_key(&call.run_id))
            .await
            .map_err(|error| ProviderError::Unavailable(error.to_string()))?;
        let held = String::from_utf8_lossy(&journal).lines().any(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            record["record"] == "step_started" && record["node"] == call.node.as_str()
        });
        let setup = self.bucket.get(&format!("runs/{}/cli.json", call.run_id)).await;
        let held = held && matches!(setup, Ok(Some(_)));
        self.seen.lock().expect("seen").push((call.node.clone(), held));
        if call.targets.is_empty() {
            let field = |value: &str| Value::String(value.into());
            let instance = BTreeMap::from([
                ("id".to_string(), field("i-1")),
                ("cloud".to_string(), field("aws")),
                ("region".to_string(), field("us-east-1")),
                ("state".to_string(), field("running")),
            ]);
            return Ok(ProviderResponse::Value(Value::List(vec![Value::Record(instance)])));
        }
        let stopped = call.targets.iter().map(|target| TargetResult {
            id: resource_id(target).unwrap_or_default().to_string(),
            status: TargetStatus::Changed,
            resource: target.clone(),
        });
        Ok(ProviderResponse::Targets(stopped.collect()))
    }

    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        Ok(resources.to_vec())
    }
}

async fn commits_reach_the_bucket_first(kind: Kind) {
    let bucket = fresh(kind).await;
    let local = tempfile::tempdir().expect("a temp dir");
    let replicator = Replicator::start(bucket.open(), local.path(), Duration::from_secs(3600), |error| {
        eprintln!("a timed push failed: {error}")
    })
    .expect("the replicator starts");
    let witness = Arc::new(Witness { bucket: bucket.open(), seen: Mutex::new(Vec::new()) });
    let source = r#"
        playbook replicated {
          let vms = aws.ec2.instances(tags = {env: "dev"})
          step stop = aws.ec2.stop(vms) { max_targets = 5 }
        }
    "#;
    let compilation = compile("replicated.esc", source, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    let plan = compilation.plan.expect("the playbook compiles");
    let runtime = Runtime::builder()
        .provider(witness.clone())
        .approver(Arc::new(ApproveUpTo { level: RiskLevel::Critical, who: "tester".into() }))
        .state_dir(local.path())
        .replica(replicator.replica())
        .build()
        .expect("a runtime");
    // As `escher run` does: the run's setup is written before it starts.
    let run_id = escher_runtime::journal::new_run_id();
    std::fs::create_dir_all(local.path().join("runs").join(&run_id)).expect("the run's directory");
    std::fs::write(local.path().join(format!("runs/{run_id}/cli.json")), r#"{"cloud":"aws"}"#).expect("a setup");
    let handle = runtime.run_as(run_id, plan, RunOptions::default()).expect("starts");
    let report = handle.finish().await.expect("ends");
    assert_eq!(report.status, RunStatus::Succeeded);
    let seen = witness.seen.lock().expect("seen").clone();
    assert_eq!(seen, [("vms".to_string(), true), ("stop".to_string(), true)]);

    // The run's last commit is in the bucket before `finish` pushes anything else.
    let key = journal_key(&report.run_id);
    let there = read_log(&bucket.open(), &key).await.unwrap_or_else(|error| panic!("{error}"));
    let here = std::fs::read(local.path().join(&key)).expect("the local journal");
    assert_eq!(&there[..], &here[..]);
    replicator.finish().expect("the last push");
}
