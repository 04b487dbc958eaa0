//! The governed run as a library: an [`Engine`] holds what every run of a host shares (the state, the provider
//! registry, where the governance comes from, the host's approver, event sink, secrets, limits and
//! cancellation), compiles playbooks under the governance's risk policy, and runs or resumes plans on the
//! providers they name, with every governance rule applied.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use escher_compiler::plan::Plan;
use escher_compiler::{Compilation, CompileOptions, ParamInput, SourceLoader, compile_input};
use escher_governance::approvals::{ApprovalsDir, PlaybookText, Requester};
use escher_governance::audit_head::SignedAuditHead;
use escher_governance::identity::Identity;
use escher_governance::run::RunGovernance;
use escher_governance::template::{EmbeddedLoader, RecordingLoader};
use escher_runtime::approval::{Approver, RefuseWithoutTerminal};
use escher_runtime::audit::AuditEntry;
use escher_runtime::events::EventSink;
use escher_runtime::provider::{Provider, ProviderError, ProviderSetup};
use escher_runtime::report::RunReport;
use escher_runtime::secrets::SecretStore;
use escher_runtime::{Limits, RunHandle, RunOptions, Runtime, RuntimeError};
use tokio_util::sync::CancellationToken;

use crate::choice::{ProviderChoice, load_choices, save_choices};
use crate::error::{EngineError, append_audit};
use crate::governed::{GovernanceSettings, Remembered, user_name};
use crate::registry::{Chosen, ProviderRegistry};
use crate::reports::{Report, RunHeading};
use crate::state::{AttachedState, RunLease, TakenOver};

/// What to compile: a playbook's text (a `.esc` file, a Markdown answer or an AI envelope), or a published
/// template, which only a governed engine runs.
#[derive(Debug, Clone, Copy)]
pub enum Playbook<'a> {
    Source { name: &'a str, text: &'a str },
    Template(&'a str),
}

/// A playbook compiled under its run's governance, ready for [`Engine::start`].
pub struct Prepared {
    pub compilation: Compilation,
    governance: Option<Arc<RunGovernance>>,
    /// The text compiled, with every file it imported: a governed run's approval requests carry it.
    playbook: Option<PlaybookText>,
}

impl Prepared {
    /// The plan, when the playbook compiled without errors.
    pub fn plan(&self) -> Option<&Plan> {
        self.compilation.plan.as_ref().filter(|_| !self.compilation.has_errors())
    }

    /// The governance the run will have: `None` when no policy is in force.
    pub fn governance(&self) -> Option<&RunGovernance> {
        self.governance.as_deref()
    }
}

/// How to start a run.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The run's id; otherwise a new one is made.
    pub run_id: Option<String>,
    pub dry_run: bool,
}

/// A run under way: its events, its cancellation, and its end.
pub struct Started {
    pub run_id: String,
    handle: RunHandle,
    providers: Vec<Arc<dyn Provider>>,
    lease: Option<RunLease>,
    report_dir: PathBuf,
    /// A governed run's state directory, approvals store and the runner who signs: its audit head is anchored
    /// there when it ends.
    anchor: Option<(PathBuf, ApprovalsDir, Arc<Requester>)>,
}

/// How a run ended: its report, the providers that could not settle state of their own (nothing is lost:
/// such state is durable as it goes, as the simulator's change log is), and its reports.
pub struct Ended {
    pub report: Result<RunReport, RuntimeError>,
    pub unsettled: Vec<(String, ProviderError)>,
    /// What the run's `report.table` and `report.summary` steps produced.
    pub reports: Vec<Report>,
    /// Where their files (CSV, JSON, Markdown, and the run's page of them all, `report.html`) go:
    /// `<state>/reports/<run_id>` unless the host chose.
    pub report_dir: PathBuf,
    /// Whether they were written there; `None` without reports.
    pub reports_written: Option<std::io::Result<()>>,
    /// A governed run's audit head, signed by the runner and filed in the approvals store
    /// (`escher_governance::audit_head`): the file, or why it could not be; `None` for an ungoverned run.
    pub audit_anchored: Option<Result<PathBuf, String>>,
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

    /// The holder whose lease on the run was taken over because it died holding it (audited).
    pub fn took_over(&self) -> Option<&TakenOver> {
        self.lease.as_ref().and_then(|lease| lease.took_over.as_ref())
    }

    /// Waits for the end of the run, lets each provider settle its state, and gives the run's lease up.
    pub async fn finish(self) -> Ended {
        let report = self.handle.finish().await;
        let mut unsettled = Vec::new();
        for provider in &self.providers {
            if let Err(error) = provider.finish().await {
                unsettled.push((provider.name().to_string(), error));
            }
        }
        if let Some(lease) = self.lease {
            lease.end().await;
        }
        let (reports, reports_written) = match &report {
            Ok(report) => {
                let reports = crate::reports::reports(
                    report.steps.iter().map(|step| (step.node.as_str(), step.action.as_str(), &step.output)),
                );
                let heading = RunHeading::of(report);
                let written = (!reports.is_empty())
                    .then(|| crate::reports::write(&self.report_dir, &heading, &reports).map(drop));
                (reports, written)
            }
            Err(_) => (Vec::new(), None),
        };
        let audit_anchored = self
            .anchor
            .map(|(state_dir, approvals, runner)| anchor_audit_head(&state_dir, &approvals, &runner, &self.run_id));
        Ended { report, unsettled, reports, report_dir: self.report_dir, reports_written, audit_anchored }
    }
}

/// Signs the audit log's head with the runner's identity (the one that signs its requests) and files it in the
/// approvals store, where the runner cannot rewrite its log afterwards without a manager's `escher audit verify
/// --anchor` seeing it.
fn anchor_audit_head(
    state_dir: &Path,
    approvals: &ApprovalsDir,
    runner: &Requester,
    run_id: &str,
) -> Result<PathBuf, String> {
    let identity = runner.identity();
    let (seq, hash) = escher_runtime::audit::head(state_dir).map_err(|error| error.to_string())?;
    if seq == 0 {
        return Err("the audit log is empty".to_string());
    }
    let head =
        SignedAuditHead::sign(identity, run_id, (seq, &hash), chrono::Utc::now()).map_err(|error| error.to_string())?;
    escher_governance::audit_head::anchor(approvals, &head)
        .map_err(|error| format!("cannot file it in {}: {error}", approvals.root.display()))
}

/// Where a run's governance comes from.
enum GovernanceSource {
    None,
    /// The host built it: every run has it.
    Fixed(Arc<RunGovernance>),
    /// The engine loads it for each run from the policy in force.
    Loaded(GovernanceSettings),
}

/// See the module's documentation; made by [`Engine::builder`].
pub struct Engine {
    state_dir: PathBuf,
    attached: Option<AttachedState>,
    holder: String,
    registry: ProviderRegistry,
    governance: GovernanceSource,
    approver: Option<Arc<dyn Approver>>,
    events: Option<Arc<dyn EventSink>>,
    secrets: Option<Arc<dyn SecretStore>>,
    limits: Limits,
    cancel: CancellationToken,
    identity: Option<(String, String)>,
    /// Signs a governed run's approval requests; else the identity in the state directory.
    runner_identity: Option<Arc<Identity>>,
    on_takeover: Option<OnTakeover>,
    report_dir: Option<PathBuf>,
}

/// Told when a run's lease is taken over from a holder that died, before the run goes on.
pub type OnTakeover = Arc<dyn Fn(&str, &TakenOver) + Send + Sync>;

/// Builds an [`Engine`]; only the state is required.
#[derive(Default)]
pub struct EngineBuilder {
    state_dir: Option<PathBuf>,
    attached: Option<AttachedState>,
    holder: Option<String>,
    registry: Option<ProviderRegistry>,
    governance: Option<GovernanceSource>,
    approver: Option<Arc<dyn Approver>>,
    events: Option<Arc<dyn EventSink>>,
    secrets: Option<Arc<dyn SecretStore>>,
    limits: Option<Limits>,
    cancel: Option<CancellationToken>,
    identity: Option<(String, String)>,
    /// Signs a governed run's approval requests; else the identity in the state directory.
    runner_identity: Option<Arc<Identity>>,
    on_takeover: Option<OnTakeover>,
    report_dir: Option<PathBuf>,
}

impl EngineBuilder {
    /// A local state directory for journals, the audit log and each run's records, used as it is.
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Attached state (a directory or a bucket, see [`crate::state`]): each run takes the state's lease on
    /// itself, and each journal commit reaches a bucket before the run goes on. [`Engine::close`] pushes it a
    /// last time.
    pub fn state(mut self, attached: AttachedState) -> Self {
        self.state_dir = Some(attached.dir().to_path_buf());
        self.attached = Some(attached);
        self
    }

    /// Who holds the leases this engine takes, as `user@host:pid`; by default `$USER` on this machine and process.
    pub fn holder(mut self, holder: impl Into<String>) -> Self {
        self.holder = Some(holder.into());
        self
    }

    /// The providers runs may name; [`ProviderRegistry::builtin`] by default.
    pub fn registry(mut self, registry: ProviderRegistry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Governance built by the host, for every run: its refusals, guard and signed approvals apply whatever
    /// approver is given.
    pub fn governance(mut self, governance: RunGovernance) -> Self {
        self.governance = Some(GovernanceSource::Fixed(Arc::new(governance)));
        self
    }

    /// Governance the engine loads for each run, from the policy in force (see [`GovernanceSettings`]); without
    /// a policy file, runs are ungoverned.
    pub fn governance_settings(mut self, settings: GovernanceSettings) -> Self {
        self.governance = Some(GovernanceSource::Loaded(settings));
        self
    }

    /// Who decides approvals: with governance its answers are claims that signatures must prove (without one,
    /// a governed run waits for signed decisions in the approvals directory). Without governance and without
    /// an approver every approval is refused.
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

    /// The key pair that signs a governed run's approval requests: the runner's, whose public key the
    /// governance names. Without it the engine reads the identity in the state directory.
    pub fn runner_identity(mut self, identity: Identity) -> Self {
        self.runner_identity = Some(Arc::new(identity));
        self
    }

    /// Told, with the run's id, when a run's lease is taken over from a holder that died (it is audited too).
    pub fn on_takeover(mut self, hook: OnTakeover) -> Self {
        self.on_takeover = Some(hook);
        self
    }

    /// Where a run's reports are written, instead of `<state>/reports/<run_id>`.
    pub fn report_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.report_dir = dir;
        self
    }

    pub fn build(self) -> Result<Engine, EngineError> {
        let state_dir = self.state_dir.ok_or(EngineError::NoStateDir)?;
        Ok(Engine {
            state_dir,
            attached: self.attached,
            holder: self.holder.unwrap_or_else(|| escher_runtime::lease::holder_name(&user_name())),
            registry: self.registry.unwrap_or_else(ProviderRegistry::builtin),
            governance: self.governance.unwrap_or(GovernanceSource::None),
            approver: self.approver,
            events: self.events,
            secrets: self.secrets,
            limits: self.limits.unwrap_or_default(),
            cancel: self.cancel.unwrap_or_default(),
            identity: self.identity,
            runner_identity: self.runner_identity,
            on_takeover: self.on_takeover,
            report_dir: self.report_dir,
        })
    }
}

impl Engine {
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The directory journals, the audit log and each run's records are written to.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The bucket or directory the engine's attached state is in, if it was given one.
    pub(crate) fn attached_url(&self) -> Option<&escher_state::StoreUrl> {
        self.attached.as_ref().map(|attached| attached.location().url())
    }

    /// Whether runs are governed: a policy is given or in force in the state directory.
    pub fn is_governed(&self) -> bool {
        match &self.governance {
            GovernanceSource::None => false,
            GovernanceSource::Fixed(_) => true,
            GovernanceSource::Loaded(settings) => settings.governs(&self.state_dir),
        }
    }

    /// Loads the run's governance and compiles the playbook under its risk policy (a template run compiles
    /// the template's own text). A runner in no role, a template that does not verify or a template without a
    /// policy is refused here, audited.
    pub fn prepare(
        &self,
        playbook: Playbook<'_>,
        params: BTreeMap<String, ParamInput>,
        loader: &dyn SourceLoader,
    ) -> Result<Prepared, EngineError> {
        let template = match playbook {
            Playbook::Template(name) => Some(name),
            Playbook::Source { .. } => None,
        };
        let governance = self.governance_for(template)?;
        let mut options = CompileOptions::plan(loader, params);
        if let Some(governance) = &governance {
            options.policy = governance.risk_policy();
        }
        let (compilation, text) = match (playbook, governance.as_ref().and_then(|g| g.template_source())) {
            (_, Some((name, text))) => {
                // A template's imports are the files signed with it, never the host's.
                let imports = governance.as_ref().and_then(|g| g.template_imports()).unwrap_or_default();
                let embedded = EmbeddedLoader { main: &name, imports };
                let compilation = compile_input(&name, &text, &CompileOptions { loader: &embedded, ..options });
                (compilation, PlaybookText { file: name, source: text, imports: imports.to_vec() })
            }
            (Playbook::Source { name, text }, None) => {
                let recorder = RecordingLoader::new(loader, name);
                let compilation = compile_input(name, text, &CompileOptions { loader: &recorder, ..options });
                let imports = recorder.into_imports();
                (compilation, PlaybookText { file: name.to_string(), source: text.to_string(), imports })
            }
            (Playbook::Template(name), None) => {
                return Err(EngineError::NeedsPolicy { what: format!("template `{name}`") });
            }
        };
        Ok(Prepared { compilation, governance, playbook: Some(text) })
    }

    /// Starts a prepared plan on the named providers, once every check has passed: the providers exist in
    /// this build, serve every cloud the plan calls and start (their credentials work); the governance's scope
    /// and template bounds hold (a refusal, or a template run, is audited). The run's lease is taken and its providers and governance are
    /// recorded before its first journal record, so a run killed at any point resumes as it started.
    pub async fn start(
        &self,
        prepared: Prepared,
        providers: &[ProviderChoice],
        launch: Launch,
    ) -> Result<Started, EngineError> {
        let plan = match prepared.compilation.plan {
            Some(plan) if !prepared.compilation.diagnostics.has_errors() => plan,
            _ => return Err(EngineError::NotCompiled),
        };
        let governance = prepared.governance;
        if governance.is_some() && prepared.playbook.is_none() {
            return Err(EngineError::NeedsPlaybook);
        }
        let run_id = launch.run_id.unwrap_or_else(escher_runtime::journal::new_run_id);
        let (chosen, template_run) = self.checked(governance.as_deref(), &run_id, &plan, providers)?;
        // Providers check their credentials as they are made: one that cannot start leaves no trace of the run.
        let made = self.make(&chosen, providers, false).await?;
        let lease = self.lease(&run_id).await?;
        let record = |source| EngineError::Record { run_id: run_id.clone(), dir: self.state_dir.clone(), source };
        if let Some(governance) = &governance {
            if let Some(note) = template_run {
                self.audit(governance.audit_entry("template.run", &run_id, &plan.hash, note))?;
            }
            // The policy file is recorded wherever it was found, so a governed run never resumes ungoverned.
            let policy = match &self.governance {
                GovernanceSource::Loaded(settings) => settings.policy_path(&self.state_dir),
                _ => None,
            };
            let remembered = Remembered::of(governance, policy.as_deref(), prepared.playbook.clone());
            remembered.write(&self.state_dir, &run_id).map_err(record)?;
        }
        save_choices(&self.state_dir, &run_id, providers).map_err(record)?;
        let requester = self.requester(governance.as_deref(), prepared.playbook)?;
        let anchor = self.audit_anchor(governance.as_deref(), requester.as_ref());
        let runtime = self.runtime(governance.as_deref(), requester, &made)?;
        let handle = runtime.run_as(run_id.clone(), plan, RunOptions { dry_run: launch.dry_run })?;
        let report_dir = self.report_dir(&run_id);
        Ok(Started { run_id, handle, providers: made, lease, report_dir, anchor })
    }

    /// Runs a plan compiled elsewhere (a saved plan) under the governance of a run of no template.
    pub async fn run(&self, plan: Plan, providers: &[ProviderChoice], launch: Launch) -> Result<Started, EngineError> {
        let governance = self.governance_for(None)?;
        let compilation = Compilation {
            sources: Default::default(),
            diagnostics: Default::default(),
            plan: Some(plan),
            main: escher_compiler::FileId(0),
            tree: None,
        };
        self.start(Prepared { compilation, governance, playbook: None }, providers, launch).await
    }

    /// Resumes a run on the providers it recorded, governed as it started. A name this build lacks is an error
    /// and nothing runs: a run is never resumed on other providers than its own.
    pub async fn resume(&self, run_id: &str) -> Result<Started, EngineError> {
        if !self.state_dir.join("runs").join(run_id).is_dir() {
            let reason = format!("there is no such run in {}", self.state_dir.display());
            return Err(EngineError::Resume { run_id: run_id.to_string(), reason });
        }
        let providers = load_choices(&self.state_dir, run_id)
            .map_err(|reason| EngineError::Resume { run_id: run_id.to_string(), reason })?;
        let names: Vec<String> = providers.iter().map(|choice| choice.name.clone()).collect();
        let chosen = self
            .registry
            .select(&names)
            .map_err(|error| EngineError::Resume { run_id: run_id.to_string(), reason: error.to_string() })?;
        let lease = self.lease(run_id).await?;
        let governance = match &self.governance {
            GovernanceSource::None => None,
            GovernanceSource::Fixed(governance) => Some(governance.clone()),
            GovernanceSource::Loaded(settings) => {
                let (settings, template) = settings.for_resume(&self.state_dir, run_id);
                settings.load(&self.state_dir, template.as_deref(), self.runner_identity.as_deref())?.map(Arc::new)
            }
        };
        let made = self.make(&chosen, &providers, true).await?;
        let playbook = governance.as_ref().and_then(|_| Remembered::playbook(&self.state_dir, run_id));
        let requester = self.requester(governance.as_deref(), playbook)?;
        let anchor = self.audit_anchor(governance.as_deref(), requester.as_ref());
        let runtime = self.runtime(governance.as_deref(), requester, &made)?;
        let handle = runtime.resume(run_id)?;
        let report_dir = self.report_dir(run_id);
        Ok(Started { run_id: run_id.to_string(), handle, providers: made, lease, report_dir, anchor })
    }

    /// Where a governed run's audit head is anchored when it ends: its state directory's log, signed by the runner
    /// that signs its requests, filed in its approvals store.
    fn audit_anchor(
        &self,
        governance: Option<&RunGovernance>,
        runner: Option<&Arc<Requester>>,
    ) -> Option<(PathBuf, ApprovalsDir, Arc<Requester>)> {
        let (governance, runner) = governance.zip(runner)?;
        Some((self.state_dir.clone(), governance.approvals.clone(), runner.clone()))
    }

    /// Pushes attached state a last time. Without it, a bucket gets what changed at the next attach.
    pub fn close(self) -> Result<(), EngineError> {
        match self.attached {
            Some(attached) => Ok(attached.close()?),
            None => Ok(()),
        }
    }

    fn report_dir(&self, run_id: &str) -> PathBuf {
        self.report_dir.clone().unwrap_or_else(|| crate::reports::default_dir(&self.state_dir, run_id))
    }

    fn governance_for(&self, template: Option<&str>) -> Result<Option<Arc<RunGovernance>>, EngineError> {
        match &self.governance {
            GovernanceSource::None => match template {
                Some(name) => Err(EngineError::NeedsPolicy { what: format!("template `{name}`") }),
                None => Ok(None),
            },
            GovernanceSource::Fixed(governance) => Ok(Some(governance.clone())),
            GovernanceSource::Loaded(settings) => {
                Ok(settings.load(&self.state_dir, template, self.runner_identity.as_deref())?.map(Arc::new))
            }
        }
    }

    async fn lease(&self, run_id: &str) -> Result<Option<RunLease>, EngineError> {
        let Some(attached) = &self.attached else { return Ok(None) };
        let lease = RunLease::take(attached, run_id, &self.holder).await?;
        if let (Some(hook), Some(from)) = (&self.on_takeover, &lease.took_over) {
            hook(run_id, from);
        }
        Ok(Some(lease))
    }

    /// The chosen providers, and for a template run the audit log's note of it.
    fn checked(
        &self,
        governance: Option<&RunGovernance>,
        run_id: &str,
        plan: &Plan,
        providers: &[ProviderChoice],
    ) -> Result<(Chosen, Option<String>), EngineError> {
        let names: Vec<String> = providers.iter().map(|choice| choice.name.clone()).collect();
        let chosen = self.registry.select(&names)?;
        chosen.check_plan(plan)?;
        let Some(governance) = governance else { return Ok((chosen, None)) };
        match governance.check_plan(plan) {
            Ok(note) => Ok((chosen, note)),
            Err(refusal) => {
                let result = format!("refused: {refusal}");
                self.audit(governance.audit_entry(refusal.audit_kind(), run_id, &plan.hash, result))?;
                Err(EngineError::Refused(refusal))
            }
        }
    }

    async fn make(
        &self,
        chosen: &Chosen,
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
    /// Who files and signs a governed run's approval requests: the runner's identity in the state directory,
    /// asking about `playbook` (none recorded, for a run started before requests carried it: its requests carry
    /// no text, and approvers cannot decide on them).
    fn requester(
        &self,
        governance: Option<&RunGovernance>,
        playbook: Option<PlaybookText>,
    ) -> Result<Option<Arc<Requester>>, EngineError> {
        let Some(governance) = governance else { return Ok(None) };
        let identity = match &self.runner_identity {
            Some(identity) => identity.clone(),
            None => Arc::new(Identity::load(&Identity::path(&self.state_dir))?),
        };
        let requester = governance.requester(identity, playbook.unwrap_or_default()).map_err(EngineError::Requester)?;
        Ok(Some(requester))
    }

    fn runtime(
        &self,
        governance: Option<&RunGovernance>,
        requester: Option<Arc<Requester>>,
        providers: &[Arc<dyn Provider>],
    ) -> Result<Runtime, EngineError> {
        let mut limits = self.limits;
        if let Some(retries) = governance.and_then(|g| g.policy.safe_retries) {
            limits.safe_retries = retries;
        }
        let mut builder =
            Runtime::builder().state_dir(self.state_dir.clone()).limits(limits).cancellation(self.cancel.clone());
        for provider in providers {
            builder = builder.provider(provider.clone());
        }
        match governance.zip(requester) {
            Some((governance, requester)) => {
                let refresh = self.attached.as_ref().and_then(AttachedState::approvals_refresh);
                let host = self.approver.clone().unwrap_or_else(|| match &self.governance {
                    GovernanceSource::Loaded(settings) => {
                        settings.files_approver(governance, requester.clone(), refresh)
                    }
                    _ => GovernanceSettings::default().files_approver(governance, requester.clone(), refresh),
                });
                let (who, role) = governance.who();
                builder = builder
                    .approver(governance.approver(host, requester))
                    .guard(governance.guard())
                    .identity(who, role)
                    .policy(governance.policy_stamp());
                if !governance.vouched {
                    builder = builder.unvouched_policy();
                }
            }
            None => {
                let host: Arc<dyn Approver> = self.approver.clone().unwrap_or_else(|| Arc::new(RefuseWithoutTerminal));
                let (who, role) = self.identity.clone().unwrap_or_else(|| (user_name(), "executor".into()));
                builder = builder.approver(host).identity(who, role);
            }
        }
        if let Some(events) = &self.events {
            builder = builder.event_sink(events.clone());
        }
        if let Some(secrets) = &self.secrets {
            builder = builder.secrets(secrets.clone());
        }
        if let Some(replica) = self.attached.as_ref().and_then(AttachedState::replica) {
            builder = builder.replica(replica);
        }
        Ok(builder.build()?)
    }

    fn audit(&self, entry: AuditEntry) -> Result<(), EngineError> {
        append_audit(&self.state_dir, entry)
    }
}
