//! The embedding API: a [`Runtime`] built once with its hooks (providers, approver, event sink, secrets,
//! cancellation, limits), then asked to run or resume plans. Nothing is global: two runtimes in one process
//! share nothing but the files of a common state directory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use escher_compiler::plan::Plan;
use tokio_util::sync::CancellationToken;

use crate::approval::{Approver, RefuseWithoutTerminal};
use crate::audit::AuditLog;
use crate::events::{EventSink, NoEvents};
use crate::executor::{self, RunHandle, RuntimeError};
use crate::identity::Identity;
use crate::limits::Limits;
use crate::provider::Provider;
use crate::run_options::RunOptions;
use crate::secrets::{EnvAndFileSecrets, SecretStore};
use crate::shared::Shared;

/// Runs plans. Cheap to clone; clones share everything.
///
/// # Example
///
/// Embedding the runtime with a tiny provider of its own, an approver that approves up to high risk, and an
/// event sink that prints each step as it finishes:
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
///
/// use escher_compiler::plan::{RiskLevel, Value};
/// use escher_compiler::stdlib::Cloud;
/// use escher_compiler::{CompileOptions, NoImports, compile};
/// use escher_runtime::approval::{ApprovalRequest, Approver, Decision};
/// use escher_runtime::events::{EventKind, EventSink, RunEvent, RunStatus, SinkError, StepStatus};
/// use escher_runtime::provider::{
///     Provider, ProviderCall, ProviderError, ProviderResponse, TargetResult, TargetStatus, resource_id,
/// };
/// use escher_runtime::{RunOptions, Runtime};
///
/// /// One running instance; stopping it always works.
/// struct OneInstance;
///
/// #[async_trait::async_trait]
/// impl Provider for OneInstance {
///     fn name(&self) -> &str {
///         "one-instance"
///     }
///
///     fn serves(&self, cloud: Cloud) -> bool {
///         cloud == Cloud::Aws
///     }
///
///     async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
///         if call.targets.is_empty() {
///             let field = |value: &str| Value::String(value.into());
///             let instance = BTreeMap::from([
///                 ("id".to_string(), field("i-1")),
///                 ("name".to_string(), field("web")),
///                 ("cloud".to_string(), field("aws")),
///                 ("region".to_string(), field("us-east-1")),
///                 ("account".to_string(), field("111111111111")),
///                 ("state".to_string(), field("running")),
///             ]);
///             return Ok(ProviderResponse::Value(Value::List(vec![Value::Record(instance)])));
///         }
///         let stopped = call.targets.iter().map(|target| TargetResult {
///             id: resource_id(target).unwrap_or_default().to_string(),
///             status: TargetStatus::Changed,
///             resource: target.clone(),
///         });
///         Ok(ProviderResponse::Targets(stopped.collect()))
///     }
///
///     async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
///         Ok(resources.to_vec())
///     }
/// }
///
/// /// Approves anything up to high risk, as `ops-bot`.
/// struct UpToHigh;
///
/// #[async_trait::async_trait]
/// impl Approver for UpToHigh {
///     async fn decide(&self, request: &ApprovalRequest) -> Decision {
///         Decision {
///             approved: request.risk.level <= RiskLevel::High,
///             by: "ops-bot".into(),
///             role: request.required.role.clone(),
///             reason: None,
///             plan_hash: request.plan_hash.clone(),
///             node: request.node.clone(),
///             proof: None,
///         }
///     }
/// }
///
/// /// Prints each step as it finishes.
/// struct Print;
///
/// impl EventSink for Print {
///     fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
///         if let EventKind::StepFinished { node, status, .. } = &event.kind {
///             println!("{node}: {status:?}");
///         }
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let source = r#"
///     playbook stop_dev {
///       let vms = aws.ec2.instances(regions = ["us-east-1"], tags = {env: "dev"})
///       step stop = aws.ec2.stop(vms) { max_targets = 5, approve = manager }
///     }
/// "#;
/// let compilation = compile("stop_dev.esc", source, &CompileOptions::plan(&NoImports, BTreeMap::new()));
/// let plan = compilation.plan.expect("the playbook compiles");
///
/// let state_dir = tempfile::tempdir()?;
/// let runtime = Runtime::builder()
///     .provider(Arc::new(OneInstance))
///     .approver(Arc::new(UpToHigh))
///     .event_sink(Arc::new(Print))
///     .state_dir(state_dir.path())
///     .build()?;
/// let report = runtime.run(plan, RunOptions::default())?.finish().await?;
///
/// assert_eq!(report.status, RunStatus::Succeeded);
/// assert_eq!(report.steps[1].status, StepStatus::Succeeded);
/// assert_eq!(report.steps[1].changed, ["i-1"]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

impl Runtime {
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// Starts running `plan` and returns at once with a handle to follow it. The run's journal is created and
    /// its first record written before this returns. Call it within a tokio runtime.
    pub fn run(&self, plan: Plan, options: RunOptions) -> Result<RunHandle, RuntimeError> {
        executor::start(self.shared.clone(), plan, options, crate::journal::new_run_id())
    }

    /// Like [`run`](Self::run), under a run id the host chose (from [`crate::journal::new_run_id`]), so it can
    /// record what it needs about the run before the run's first record exists.
    pub fn run_as(&self, run_id: String, plan: Plan, options: RunOptions) -> Result<RunHandle, RuntimeError> {
        executor::start(self.shared.clone(), plan, options, run_id)
    }

    /// Continues a run that stopped before it finished (a crash, a lost machine), from its journal: finished
    /// steps keep their outputs and never run again; batches that were in flight are checked against their
    /// provider and run again, which leaves targets already in the desired state unchanged.
    pub fn resume(&self, run_id: &str) -> Result<RunHandle, RuntimeError> {
        executor::resume(self.shared.clone(), run_id)
    }

    /// The state directory's path.
    pub fn state_dir(&self) -> &Path {
        &self.shared.state_dir
    }
}

/// Configures a [`Runtime`]. Only the state directory is required.
///
/// # Example
///
/// Limits, an identity for the audit log, and a cancellation token the host keeps (here cancelled at once, so
/// the run's one step never starts):
///
/// ```
/// use std::collections::BTreeMap;
///
/// use escher_compiler::{CompileOptions, NoImports, compile};
/// use escher_runtime::events::{RunStatus, StepStatus};
/// use escher_runtime::{Limits, RunOptions, Runtime};
/// use tokio_util::sync::CancellationToken;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let source = "playbook pause { step pause = wait(10m) }";
/// let plan = compile("pause.esc", source, &CompileOptions::plan(&NoImports, BTreeMap::new())).plan.expect("compiles");
///
/// let state_dir = tempfile::tempdir()?;
/// let stop = CancellationToken::new();
/// let runtime = Runtime::builder()
///     .state_dir(state_dir.path())
///     .limits(Limits { concurrency: 8, ..Limits::default() })
///     .identity("ci-runner", "executor")
///     .cancellation(stop.clone())
///     .build()?;
/// stop.cancel();
/// let report = runtime.run(plan, RunOptions::default())?.finish().await?;
///
/// assert_eq!(report.status, RunStatus::Cancelled);
/// assert_eq!(report.steps[0].status, StepStatus::Skipped);
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct RuntimeBuilder {
    providers: Vec<Arc<dyn Provider>>,
    approver: Option<Arc<dyn Approver>>,
    events: Option<Arc<dyn EventSink>>,
    state_dir: Option<PathBuf>,
    limits: Limits,
    cancel: Option<CancellationToken>,
    secrets: Option<Arc<dyn SecretStore>>,
    identity: Option<Identity>,
    guard: Option<Arc<dyn crate::guard::Guard>>,
    replica: Option<Arc<dyn crate::replica::Replica>>,
    policy: Option<String>,
    unvouched: bool,
}

impl RuntimeBuilder {
    /// Adds a provider. A call goes to the first provider added that serves its cloud.
    pub fn provider(mut self, provider: Arc<dyn Provider>) -> Self {
        self.providers.push(provider);
        self
    }

    /// Who decides approvals; by default [`RefuseWithoutTerminal`].
    pub fn approver(mut self, approver: Arc<dyn Approver>) -> Self {
        self.approver = Some(approver);
        self
    }

    /// Where events go, besides each run's handle. An error from the sink cancels the run.
    pub fn event_sink(mut self, sink: Arc<dyn EventSink>) -> Self {
        self.events = Some(sink);
        self
    }

    /// Where journals, the audit log and the secrets file live.
    pub fn state_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(path.into());
        self
    }

    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Cancelling this token cancels every run of the runtime: no new step starts, running ones finish.
    pub fn cancellation(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Where `secret("name")` values come from; by default the environment, then the state directory's
    /// `secrets.json`.
    pub fn secrets(mut self, secrets: Arc<dyn SecretStore>) -> Self {
        self.secrets = Some(secrets);
        self
    }

    /// Who runs, for the audit log; by default the `USER` of the process, as `executor`.
    pub fn identity(mut self, who: impl Into<String>, role: impl Into<String>) -> Self {
        self.identity = Some(Identity { who: who.into(), role: role.into() });
        self
    }

    /// The policy the run is governed by, as every audit entry of its runs names it: its SHA-256 and what
    /// vouches for it (the engine writes `<sha256> (pinned root)` or `<sha256> (not pinned: the runner's own)`).
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// The policy named by [`RuntimeBuilder::policy`] is the runner's own, vouched for by no pinned root: the
    /// roles it grants prove nothing, so every audit entry's role (the runner's, an approver's) is
    /// [`crate::audit::UNGOVERNED`] rather than one the runner could have given himself.
    pub fn unvouched_policy(mut self) -> Self {
        self.unvouched = true;
        self
    }

    /// A check of each mutating step's live targets before it acts; a refusal fails the step unrun.
    pub fn guard(mut self, guard: Arc<dyn crate::guard::Guard>) -> Self {
        self.guard = Some(guard);
        self
    }

    /// A copy of the journal that each commit must reach before the run acts on it (see [`crate::replica`]).
    pub fn replica(mut self, replica: Arc<dyn crate::replica::Replica>) -> Self {
        self.replica = Some(replica);
        self
    }

    /// Opens the state directory's audit log and returns the runtime.
    pub fn build(self) -> Result<Runtime, RuntimeError> {
        let state_dir = self.state_dir.ok_or(RuntimeError::NoStateDir)?;
        if self.limits.concurrency == 0 || self.limits.step_concurrency == 0 {
            return Err(RuntimeError::BadLimits("concurrency limits must be at least 1".into()));
        }
        let audit = AuditLog::open(&state_dir).map_err(|error| RuntimeError::Audit(error.to_string()))?;
        let identity = self.identity.unwrap_or_else(|| Identity {
            who: std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into()),
            role: "executor".into(),
        });
        let secrets = self.secrets.unwrap_or_else(|| Arc::new(EnvAndFileSecrets::new(&state_dir)));
        Ok(Runtime {
            shared: Arc::new(Shared {
                providers: self.providers,
                approver: self.approver.unwrap_or_else(|| Arc::new(RefuseWithoutTerminal)),
                events: self.events.unwrap_or_else(|| Arc::new(NoEvents)),
                limits: self.limits,
                cancel: self.cancel.unwrap_or_default(),
                secrets,
                identity,
                audit: Arc::new(Mutex::new(audit)),
                guard: self.guard,
                replica: self.replica,
                policy: self.policy,
                roles_vouched: !self.unvouched,
                state_dir,
            }),
        })
    }
}
