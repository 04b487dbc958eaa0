//! `escher run` and `escher resume`: the engine's governed run, shown on the terminal. What a run is (the
//! providers, the policy's checks, the records) is `escher_engine`'s; this file finds the inputs, prints the
//! plan and the progress, and turns the outcome into an exit code.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use escher::FsLoader;
use escher_compiler::plan::RiskLevel;
use escher_engine::{Engine, EngineError, Launch, Started};
use escher_runtime::approval::{ApproveUpTo, Approver, RefuseWithoutTerminal};
use escher_runtime::events::EventSink;
use escher_runtime::replica::Replica;
use escher_runtime::report::RunReport;
use escher_runtime::secrets::EnvAndFileSecrets;
use tokio_util::sync::CancellationToken;

use super::approver::{TerminalApprover, user_name};
use super::governed::{GovOptions, Governed};
use super::progress::{Human, JsonLines};
use super::report::print_diagnostics;
use super::state::{RunSetup, load_setup};
use super::{EXIT_DIAGNOSTICS, EXIT_USAGE, Format, parse_params, read_source};

/// What `run` and `resume` share: where state lives, how to approve, how to show progress.
pub struct Session {
    pub state: PathBuf,
    pub approve_up_to: Option<RiskLevel>,
    pub format: Format,
    /// Policy, approvals directory and how to wait for signed approvals.
    pub governance: GovOptions,
    /// For state in a bucket: what each journal commit must reach before the run goes on.
    pub replica: Option<Arc<dyn Replica>>,
}

pub struct RunRequest<'a> {
    /// The playbook file; `None` for a template run.
    pub file: Option<&'a Path>,
    pub template: Option<&'a str>,
    pub params: &'a [String],
    pub setup: RunSetup,
    pub dry_run: bool,
    /// The run's id when the state's lease on it is already held; otherwise a new one is made.
    pub run_id: Option<String>,
}

pub fn run(session: &Session, request: RunRequest<'_>) -> u8 {
    let given = match parse_params(request.params) {
        Ok(given) => given,
        Err(code) => return code,
    };
    let governed = match Governed::load(&session.state, &session.governance, request.template) {
        Ok(governed) => governed,
        Err(code) => return code,
    };
    if governed.is_some() && session.approve_up_to.is_some() {
        eprintln!("error: with a policy, approvals are signed (`escher approve`); --approve-up-to does not apply");
        return EXIT_USAGE;
    }
    let source = match (governed.as_ref().and_then(|g| g.governance.template_source()), request.file) {
        (Some(source), _) => Ok(source),
        (None, Some(file)) => read_source(file),
        (None, None) => Err(EXIT_USAGE),
    };
    let (name, text) = match source {
        Ok(source) => source,
        Err(code) => return code,
    };
    let run_id = request.run_id.clone().unwrap_or_else(escher_runtime::journal::new_run_id);
    let remembered = governed.as_ref().map(|g| g.remembered(&session.governance));
    let choices = request.setup.choices();
    within_tokio(|| async move {
        let (engine, cancel) = match engine(session, governed) {
            Ok(engine) => engine,
            Err(code) => return code,
        };
        let compilation = engine.compile(&name, &text, given, &FsLoader);
        let (errors, _) = print_diagnostics(&compilation, session.format, super::use_color());
        let Some(plan) = compilation.plan.filter(|_| errors == 0) else {
            return EXIT_DIAGNOSTICS;
        };
        if session.format == Format::Human {
            eprint!("{}", super::plan::human(&plan));
            eprintln!();
        }
        if let Some(misplaced) = request.setup.misplaced_sim_options() {
            eprintln!("error: {misplaced}");
            return EXIT_USAGE;
        }
        if let Err(error) = engine.check(&run_id, &plan, &choices) {
            return not_started(error);
        }
        // What `resume` needs of the governance is recorded before the run's first journal record, so a run
        // killed at any point resumes governed as it started.
        if let Some(Err(error)) = remembered.map(|remembered| remembered.write(&session.state, &run_id)) {
            eprintln!("error: cannot record run {run_id} in {}: {error}", session.state.display());
            return EXIT_USAGE;
        }
        let launch = Launch { run_id: Some(run_id), dry_run: request.dry_run };
        match engine.run(plan, &choices, launch).await {
            Ok(started) => follow(session, started, cancel).await,
            Err(error) => not_started(error),
        }
    })
}

pub fn resume(session: &Session, run_id: &str) -> u8 {
    // A run recorded before the engine kept its providers has them in the command line's own record.
    let older = match load_setup(&session.state, run_id) {
        Ok(setup) => Some(setup.choices()),
        Err(_) if session.state.join("runs").join(run_id).exists() => None,
        Err(error) => {
            eprintln!("error: no run {run_id} in {}: {error}", session.state.display());
            return EXIT_USAGE;
        }
    };
    let governed = match Governed::for_resume(&session.state, &session.governance, run_id) {
        Ok(governed) => governed,
        Err(code) => return code,
    };
    within_tokio(|| async move {
        let (engine, cancel) = match engine(session, governed) {
            Ok(engine) => engine,
            Err(code) => return code,
        };
        match engine.resume(run_id, older).await {
            Ok(started) => follow(session, started, cancel).await,
            Err(error) => not_started(error),
        }
    })
}

/// Runs `work` on a multi-threaded tokio runtime.
fn within_tokio<F: std::future::Future<Output = u8>>(work: impl FnOnce() -> F) -> u8 {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(tokio) => tokio.block_on(work()),
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            EXIT_USAGE
        }
    }
}

/// The engine for this session: its state, the governance if a policy is in force, and the terminal's
/// approver and progress; with the token the first Ctrl-C cancels.
fn engine(session: &Session, governed: Option<Governed>) -> Result<(Engine, CancellationToken), u8> {
    let human =
        Arc::new(Human::new(session.format == Format::Human && std::io::IsTerminal::is_terminal(&std::io::stderr())));
    let sink: Arc<dyn EventSink> = match session.format {
        Format::Json => Arc::new(JsonLines),
        Format::Human => human.clone(),
    };
    let approver: Arc<dyn Approver> = match (&governed, session.approve_up_to) {
        (Some(governed), _) => governed.approver(&session.governance, session.format == Format::Human),
        (None, Some(level)) => {
            Arc::new(ApproveUpTo { level, who: format!("{} (--approve-up-to {})", user_name(), level.as_str()) })
        }
        (None, None) if TerminalApprover::available() => {
            Arc::new(TerminalApprover { progress: human.progress.clone() })
        }
        (None, None) => Arc::new(RefuseWithoutTerminal),
    };
    let cancel = CancellationToken::new();
    let mut builder = Engine::builder()
        .state_dir(session.state.clone())
        .approver(approver)
        .events(sink)
        .secrets(Arc::new(EnvAndFileSecrets::new(&session.state)))
        .identity(user_name(), "executor")
        .cancellation(cancel.clone());
    if let Some(governed) = governed {
        builder = builder.governance(governed.governance);
    }
    if let Some(replica) = &session.replica {
        builder = builder.replica(replica.clone());
    }
    builder.build().map(|engine| (engine, cancel)).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_USAGE
    })
}

/// Why a run did not start, printed; its exit code.
fn not_started(error: EngineError) -> u8 {
    match error {
        EngineError::Refused(refusal) => {
            eprintln!("refused: {refusal}; nothing was run");
            EXIT_DIAGNOSTICS
        }
        EngineError::Providers(_) | EngineError::Resume { .. } => {
            eprintln!("error: {error}; nothing was run");
            EXIT_USAGE
        }
        other => {
            eprintln!("error: {other}");
            EXIT_USAGE
        }
    }
}

/// Waits for a started run (the first Ctrl-C cancels it cleanly, a second leaves at once) and reports its end.
async fn follow(session: &Session, started: Started, cancel: CancellationToken) -> u8 {
    let run_id = started.run_id.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ncancelling: running steps finish, no new step starts (Ctrl-C again to leave now)");
            cancel.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let ended = started.finish().await;
    watcher.abort();
    // What a provider keeps of its own is durable as it goes (the simulator's change log): a provider that
    // could not settle it loses nothing, so it only warns.
    for (provider, error) in &ended.unsettled {
        eprintln!("warning: the {provider} provider could not settle its state: {error}");
    }
    match ended.report {
        Ok(report) => {
            if session.format == Format::Human {
                eprint!("{}", summary(&report));
                eprintln!("run id: {run_id} (escher show {run_id})");
                if report.status == escher_runtime::events::RunStatus::WaitingForApproval {
                    eprintln!("waiting for approval: once it is given, `escher resume {run_id}` goes on");
                }
            }
            report.status.exit_code()
        }
        Err(error) => {
            eprintln!("error: run {run_id}: {error}");
            EXIT_DIAGNOSTICS
        }
    }
}

/// The report as a short table.
pub fn summary(report: &RunReport) -> String {
    let mut out =
        format!("\n{} {:?}{}\n", report.playbook, report.status, if report.dry_run { " (dry run)" } else { "" });
    let verb = if report.dry_run { "would change" } else { "changed" };
    for step in &report.steps {
        out.push_str(&format!(
            "  {:<28} {:<20} {:?}: {} {verb}, {} unchanged, {} failed\n",
            step.node,
            step.action,
            step.status,
            step.changed.len(),
            step.unchanged.len(),
            step.failed.len()
        ));
        for failed in &step.failed {
            out.push_str(&format!("      {} failed: {}\n", failed.id, failed.error));
        }
        if let Some(error) = &step.error {
            out.push_str(&format!("      error: {error}\n"));
        }
    }
    out
}
