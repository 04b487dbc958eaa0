//! The governed run as a library: an [`Engine`] holds what every run of a host shares (the state directory,
//! the provider registry, the run's governance if a policy is in force, the host's approver, event sink,
//! secrets, limits and cancellation), compiles playbooks under the governance's risk policy, and runs or
//! resumes plans on the providers they name, with every governance rule applied.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use escher_compiler::plan::Plan;
use escher_compiler::{Compilation, CompileOptions, ParamInput, SourceLoader, compile_input};
use escher_governance::run::{Refusal, RunGovernance};
use escher_runtime::approval::{Approver, RefuseWithoutTerminal};
use escher_runtime::audit::{AuditEntry, AuditLog};
use escher_runtime::events::EventSink;
use escher_runtime::provider::{Provider, ProviderError, ProviderSetup};
use escher_runtime::replica::Replica;
use escher_runtime::report::RunReport;
use escher_runtime::secrets::SecretStore;
use escher_runtime::{Limits, RunHandle, RunOptions, Runtime, RuntimeError};
use tokio_util::sync::CancellationToken;

use crate::choice::{ProviderChoice, load_choices, save_choices};
use crate::registry::{ProviderRegistry, RegistryError};

/// Why the engine could not start or resume a run. Nothing ran unless the runtime says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the engine needs a state directory for its journals and audit log")]
    NoStateDir,
    #[error(transparent)]
    Providers(#[from] RegistryError),
    /// The policy refuses the run; the refusal is in the audit log.
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error("cannot record run {run_id} in {dir}: {source}")]
    Record { run_id: String, dir: PathBuf, source: std::io::Error },
    #[error("run {run_id} cannot resume: {reason}")]
    Resume { run_id: String, reason: String },
    #[error("the audit log cannot be written: {0}")]
    Audit(String),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// How to start a run.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The run's id, when the host already holds a lease on it; otherwise a new one is made.
    pub run_id: Option<String>,
    pub dry_run: bool,
}

/// A run under way: its events, its cancellation, and its end.
pub struct Started {
    pub run_id: String,
    handle: RunHandle,
    providers: Vec<Arc<dyn Provider>>,
}

/// How a run ended: its report, and the providers that could not settle state of their own (nothing is lost:
/// such state is durable as it goes, as the simulator's change log is).
pub struct Ended {
    pub report: Result<RunReport, RuntimeError>,
    pub unsettled: Vec<(String, ProviderError)>,
}

impl Started {
    /// The next event of the run; `None` once it has ended and every event was read.
    pub async fn next_event(&mut self) -> Option<escher_runtime::events::RunEvent> {
        self.handle.next_event().await
    }

    /// No new step starts; running steps finish.
    pub fn cancel(&self) {
        self.handle.cancel();
    }

    /// Waits for the end of the run, then lets each provider settle its state.
    pub async fn finish(self) -> Ended {
        let report = self.handle.finish().await;
        let mut unsettled = Vec::new();
        for provider in &self.providers {
            if let Err(error) = provider.finish().await {
                unsettled.push((provider.name().to_string(), error));
            }
        }
        Ended { report, unsettled }
    }
}

/// See the module's documentation; made by [`Engine::builder`].
pub struct Engine {
    state_dir: PathBuf,
    registry: ProviderRegistry,
    governance: Option<Arc<RunGovernance>>,
    approver: Option<Arc<dyn Approver>>,
    events: Option<Arc<dyn EventSink>>,
    secrets: Option<Arc<dyn SecretStore>>,
    replica: Option<Arc<dyn Replica>>,
    limits: Limits,
    cancel: CancellationToken,
    identity: Option<(String, String)>,
}

/// Builds an [`Engine`]; only the state directory is required.
#[derive(Default)]
pub struct EngineBuilder {
    state_dir: Option<PathBuf>,
    registry: Option<ProviderRegistry>,
    governance: Option<RunGovernance>,
    approver: Option<Arc<dyn Approver>>,
    events: Option<Arc<dyn EventSink>>,
    secrets: Option<Arc<dyn SecretStore>>,
    replica: Option<Arc<dyn Replica>>,
    limits: Option<Limits>,
    cancel: Option<CancellationToken>,
    identity: Option<(String, String)>,
}

impl EngineBuilder {
    /// Where journals, the audit log and each run's records live.
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// The providers runs may name; [`ProviderRegistry::builtin`] by default.
    pub fn registry(mut self, registry: ProviderRegistry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// The governance of the runs when a policy is in force: its refusals, guard and signed approvals apply to
    /// every run, whatever approver is given.
    pub fn governance(mut self, governance: RunGovernance) -> Self {
        self.governance = Some(governance);
        self
    }

    /// Who decides approvals: with governance its answers are claims that signatures must prove. Without an
    /// approver every approval is refused.
    pub fn approver(mut self, approver: Arc<dyn Approver>) -> Self {
        self.approver = Some(approver);
        self
    }

    pub fn events(mut self, sink: Arc<dyn EventSink>) -> Self {
        self.events = Some(sink);
        self
    }

    pub fn secrets(mut self, secrets: Arc<dyn SecretStore>) -> Self {
        self.secrets = Some(secrets);
        self
    }

    /// Where each journal commit must be held before the run goes on (state in a bucket).
    pub fn replica(mut self, replica: Arc<dyn Replica>) -> Self {
        self.replica = Some(replica);
        self
    }

    /// The runtime's limits; the policy's `safe_retries`, if it sets one, wins.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    pub fn cancellation(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Who runs, as the audit log records them, when there is no governance (which knows the runner).
    pub fn identity(mut self, who: impl Into<String>, role: impl Into<String>) -> Self {
        self.identity = Some((who.into(), role.into()));
        self
    }

    pub fn build(self) -> Result<Engine, EngineError> {
        let state_dir = self.state_dir.ok_or(EngineError::NoStateDir)?;
        let governance = self.governance.map(Arc::new);
        let mut limits = self.limits.unwrap_or_default();
        if let Some(retries) = governance.as_ref().and_then(|g| g.policy.safe_retries) {
            limits.safe_retries = retries;
        }
        Ok(Engine {
            state_dir,
            registry: self.registry.unwrap_or_else(ProviderRegistry::builtin),
            governance,
            approver: self.approver,
            events: self.events,
            secrets: self.secrets,
            replica: self.replica,
            limits,
            cancel: self.cancel.unwrap_or_default(),
            identity: self.identity,
        })
    }
}

impl Engine {
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    pub fn governance(&self) -> Option<&RunGovernance> {
        self.governance.as_deref()
    }

    /// Compiles a playbook (a file's text, a Markdown answer or an envelope) to a plan, under the governance's
    /// risk policy for the runner. A template run compiles the template's own text, whatever is given.
    pub fn compile(
        &self,
        name: &str,
        text: &str,
        params: BTreeMap<String, ParamInput>,
        loader: &dyn SourceLoader,
    ) -> Compilation {
        let mut options = CompileOptions::plan(loader, params);
        let template = self.governance.as_ref().and_then(|g| g.template_source());
        let (name, text) = template.as_ref().map_or((name, text), |(name, text)| (name.as_str(), text.as_str()));
        if let Some(governance) = &self.governance {
            options.policy = governance.risk_policy();
        }
        compile_input(name, text, &options)
    }

    /// Starts `plan` on the named providers, once every check has passed: the providers exist in this build
    /// and serve every cloud the plan calls; the governance's scope and template bounds hold (a refusal, or a
    /// template run, is audited). The providers are recorded with the run before its first journal record, so
    /// a run killed at any point resumes on the same ones.
    pub async fn run(&self, plan: Plan, providers: &[ProviderChoice], launch: Launch) -> Result<Started, EngineError> {
        let run_id = launch.run_id.unwrap_or_else(escher_runtime::journal::new_run_id);
        let (chosen, template_run) = self.checked(&run_id, &plan, providers)?;
        if let (Some(governance), Some(note)) = (&self.governance, template_run) {
            self.audit(governance.audit_entry("template.run", &run_id, &plan.hash, note))?;
        }
        save_choices(&self.state_dir, &run_id, providers).map_err(|source| EngineError::Record {
            run_id: run_id.clone(),
            dir: self.state_dir.clone(),
            source,
        })?;
        let made = self.make(&chosen, providers, false).await?;
        let runtime = self.runtime(&made)?;
        let handle = runtime.run_as(run_id.clone(), plan, RunOptions { dry_run: launch.dry_run })?;
        Ok(Started { run_id, handle, providers: made })
    }

    /// The checks [`Engine::run`] makes before anything runs, for a host that records things of its own before
    /// starting: a refusal is audited under `run_id` and returned.
    pub fn check(&self, run_id: &str, plan: &Plan, providers: &[ProviderChoice]) -> Result<(), EngineError> {
        self.checked(run_id, plan, providers).map(drop)
    }

    /// The chosen providers, and for a template run the audit log's note of it.
    fn checked(
        &self,
        run_id: &str,
        plan: &Plan,
        providers: &[ProviderChoice],
    ) -> Result<(crate::registry::Chosen, Option<String>), EngineError> {
        let names: Vec<String> = providers.iter().map(|choice| choice.name.clone()).collect();
        let chosen = self.registry.select(&names)?;
        chosen.check_plan(plan)?;
        let Some(governance) = &self.governance else { return Ok((chosen, None)) };
        match governance.check_plan(plan) {
            Ok(note) => Ok((chosen, note)),
            Err(refusal) => {
                let result = format!("refused: {refusal}");
                self.audit(governance.audit_entry(refusal.audit_kind(), run_id, &plan.hash, result))?;
                Err(EngineError::Refused(refusal))
            }
        }
    }

    /// Resumes a run on the providers it recorded (`providers` for a run recorded by an older host, which
    /// kept them elsewhere). A name this build lacks is an error and nothing runs: a run is never resumed on
    /// other providers than its own.
    pub async fn resume(&self, run_id: &str, providers: Option<Vec<ProviderChoice>>) -> Result<Started, EngineError> {
        let providers = match providers {
            Some(providers) => providers,
            None => load_choices(&self.state_dir, run_id)
                .map_err(|reason| EngineError::Resume { run_id: run_id.to_string(), reason })?,
        };
        let names: Vec<String> = providers.iter().map(|choice| choice.name.clone()).collect();
        let chosen = self
            .registry
            .select(&names)
            .map_err(|error| EngineError::Resume { run_id: run_id.to_string(), reason: error.to_string() })?;
        let made = self.make(&chosen, &providers, true).await?;
        let runtime = self.runtime(&made)?;
        let handle = runtime.resume(run_id)?;
        Ok(Started { run_id: run_id.to_string(), handle, providers: made })
    }

    async fn make(
        &self,
        chosen: &crate::registry::Chosen,
        providers: &[ProviderChoice],
        resuming: bool,
    ) -> Result<Vec<Arc<dyn Provider>>, EngineError> {
        let setup_of = |name: &str| ProviderSetup {
            state_dir: self.state_dir.clone(),
            options: providers.iter().find(|c| c.name == name).map(|c| c.options.clone()).unwrap_or_default(),
            resuming,
        };
        Ok(chosen.make(setup_of).await?)
    }

    /// A runtime for one run on `providers`, with the governance's approver, guard and runner.
    fn runtime(&self, providers: &[Arc<dyn Provider>]) -> Result<Runtime, EngineError> {
        let host: Arc<dyn Approver> = self.approver.clone().unwrap_or_else(|| Arc::new(RefuseWithoutTerminal));
        let mut builder =
            Runtime::builder().state_dir(self.state_dir.clone()).limits(self.limits).cancellation(self.cancel.clone());
        for provider in providers {
            builder = builder.provider(provider.clone());
        }
        match &self.governance {
            Some(governance) => {
                let (who, role) = governance.who();
                builder = builder.approver(governance.approver(host)).guard(governance.guard()).identity(who, role);
            }
            None => {
                let (who, role) = self.identity.clone().unwrap_or_else(|| ("unknown".into(), "executor".into()));
                builder = builder.approver(host).identity(who, role);
            }
        }
        if let Some(events) = &self.events {
            builder = builder.event_sink(events.clone());
        }
        if let Some(secrets) = &self.secrets {
            builder = builder.secrets(secrets.clone());
        }
        if let Some(replica) = &self.replica {
            builder = builder.replica(replica.clone());
        }
        Ok(builder.build()?)
    }

    fn audit(&self, entry: AuditEntry) -> Result<(), EngineError> {
        let mut log = AuditLog::open(&self.state_dir).map_err(|error| EngineError::Audit(error.to_string()))?;
        log.append(entry).map(drop).map_err(|error| EngineError::Audit(error.to_string()))
    }
}
