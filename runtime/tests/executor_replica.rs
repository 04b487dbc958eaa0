//! A journal replica (state in a bucket) holds back each commit until it has it: the provider is called only on
//! records the replica already holds, and a replica that fails stops the run before anything acts.

mod executor_support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use escher_compiler::plan::{Plan, RiskLevel, Value};
use escher_compiler::stdlib::Cloud;
use escher_runtime::approval::ApproveUpTo;
use escher_runtime::events::RunStatus;
use escher_runtime::journal::JournalRecord;
use escher_runtime::provider::{Provider, ProviderCall, ProviderError, ProviderResponse};
use escher_runtime::replica::{Replica, ReplicaError};
use escher_runtime::{RunOptions, Runtime};
use executor_support::*;

fn stop_all() -> Plan {
    plan(
        r#"
        playbook replicated {
          let ec2 = aws.ec2.instances()
          step stop = aws.ec2.stop(ec2) { max_targets = 10 }
        }
        "#,
    )
}

/// Copies the journal's complete lines, as a bucket would hold them; or refuses, as a bucket that is down.
struct Copy {
    held: Mutex<Vec<u8>>,
    refuse: bool,
}

impl Replica for Copy {
    fn journal_synced(&self, journal: &Path) -> Result<(), ReplicaError> {
        if self.refuse {
            return Err(ReplicaError("the bucket is unreachable".into()));
        }
        let bytes = std::fs::read(journal).map_err(|error| ReplicaError(error.into()))?;
        *self.held.lock().expect("the copy") = bytes;
        Ok(())
    }
}

impl Copy {
    fn records(&self) -> Vec<JournalRecord> {
        let held = self.held.lock().expect("the copy").clone();
        String::from_utf8(held)
            .expect("text")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a whole record"))
            .collect()
    }
}

/// The fake cloud, noting for each call whether the replica already held that step's start.
struct Witness {
    cloud: Arc<FakeCloud>,
    replica: Arc<Copy>,
    seen: Mutex<Vec<(String, bool)>>,
}

#[async_trait::async_trait]
impl Provider for Witness {
    fn name(&self) -> &str {
        "witness"
    }

    fn serves(&self, cloud: Cloud) -> bool {
        self.cloud.serves(cloud)
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        let held = self
            .replica
            .records()
            .iter()
            .any(|record| matches!(record, JournalRecord::StepStarted { node, .. } if *node == call.node));
        self.seen.lock().expect("seen").push((call.node.clone(), held));
        self.cloud.call(call).await
    }

    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        self.cloud.describe(resources).await
    }
}

fn runtime(dir: &Path, provider: Arc<dyn Provider>, replica: Arc<Copy>) -> Runtime {
    Runtime::builder()
        .provider(provider)
        .approver(Arc::new(ApproveUpTo { level: RiskLevel::Critical, who: "tester".into() }))
        .state_dir(dir)
        .replica(replica)
        .build()
        .expect("a runtime")
}

#[tokio::test]
async fn every_record_the_run_acts_on_is_in_the_replica_first() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(vec![instance("i-1", "us-east-1"), instance("i-2", "us-east-1")]);
    let replica = Arc::new(Copy { held: Mutex::new(Vec::new()), refuse: false });
    let witness = Arc::new(Witness { cloud: cloud.clone(), replica: replica.clone(), seen: Mutex::new(Vec::new()) });
    let report = runtime(dir.path(), witness.clone(), replica.clone())
        .run(stop_all(), RunOptions::default())
        .expect("starts")
        .finish()
        .await
        .expect("ends");
    assert_eq!(report.status, RunStatus::Succeeded);
    let seen = witness.seen.lock().expect("seen").clone();
    assert_eq!(
        seen,
        [("ec2".to_string(), true), ("stop".to_string(), true)],
        "each call came after its start was held"
    );
    // The last commit reached the replica too: it holds the journal as it is on disk.
    assert_eq!(replica.records(), journal(dir.path(), &report.run_id));
}

#[tokio::test]
async fn a_replica_that_fails_stops_the_run_before_any_call() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(vec![instance("i-1", "us-east-1")]);
    let replica = Arc::new(Copy { held: Mutex::new(Vec::new()), refuse: true });
    let ended = runtime(dir.path(), cloud.clone(), replica)
        .run(stop_all(), RunOptions::default())
        .expect("starts")
        .finish()
        .await;
    let error = ended.expect_err("the run stops as on a failed journal write").to_string();
    assert!(error.contains("journal replica: the bucket is unreachable"), "{error}");
    assert!(cloud.calls().is_empty(), "nothing was called: {:?}", cloud.calls());
}
