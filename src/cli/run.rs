//! `escher run` and `escher resume`: plan, ask, execute, report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use escher::FsLoader;
use escher_compiler::plan::RiskLevel;
use escher_compiler::{CompileOptions, compile_input};
use escher_engine::{Chosen, ProviderRegistry};
use escher_runtime::approval::{ApproveUpTo, Approver, RefuseWithoutTerminal};
use escher_runtime::events::EventSink;
use escher_runtime::replica::Replica;
use escher_runtime::report::RunReport;
use escher_runtime::secrets::EnvAndFileSecrets;
use escher_runtime::{Limits, RunHandle, RunOptions, Runtime};
use tokio_util::sync::CancellationToken;

use super::approver::{TerminalApprover, user_name};
use super::governed::{GovOptions, Governed};
use super::progress::{Human, JsonLines};
use super::report::print_diagnostics;
use super::state::{RunSetup, load_setup, save_setup};
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
    let mut options = CompileOptions::plan(&FsLoader, given);
    if let Some(governed) = &governed {
        options.policy = governed.governance.risk_policy();
    }
    let compilation = compile_input(&name, &text, &options);
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
    let chosen = match ProviderRegistry::builtin()
        .select(&request.setup.providers())
        .and_then(|chosen| chosen.check_plan(&plan).map(|()| chosen))
    {
        Ok(chosen) => chosen,
        Err(error) => {
            eprintln!("error: {error}; nothing was run");
            return EXIT_USAGE;
        }
    };
    // How the run reaches the clouds is recorded before its first journal record, so a run killed at any
    // point can be resumed.
    let run_id = request.run_id.clone().unwrap_or_else(escher_runtime::journal::new_run_id);
    if let Some(governed) = &governed
        && let Err(code) = governed.check_plan(&run_id, &plan)
    {
        return code;
    }
    if let Err(error) = save_setup(&session.state, &run_id, &request.setup)
        .and_then(|()| governed.as_ref().map_or(Ok(()), |g| g.remember(&run_id, &session.governance)))
    {
        eprintln!("error: cannot record run {run_id} in {}: {error}", session.state.display());
        return EXIT_USAGE;
    }
    let options = RunOptions { dry_run: request.dry_run };
    let providers = Providers { chosen, setup: request.setup, resuming: false };
    execute(session, providers, governed, |runtime| runtime.run_as(run_id, plan, options))
}

pub fn resume(session: &Session, run_id: &str) -> u8 {
    let setup = match load_setup(&session.state, run_id) {
        Ok(setup) => setup,
        Err(error) => {
            eprintln!("error: no run {run_id} in {}: {error}", session.state.display());
            return EXIT_USAGE;
        }
    };
    // The providers the run was started with, and no other: a name this build does not have is an error.
    let chosen = match ProviderRegistry::builtin().select(&setup.providers()) {
        Ok(chosen) => chosen,
        Err(error) => {
            eprintln!("error: run {run_id} cannot resume: {error}; nothing was run");
            return EXIT_USAGE;
        }
    };
    let governed = match Governed::for_resume(&session.state, &session.governance, run_id) {
        Ok(governed) => governed,
        Err(code) => return code,
    };
    execute(session, Providers { chosen, setup, resuming: true }, governed, |runtime| runtime.resume(run_id))
}

/// The providers a run uses, and what each is made from.
struct Providers {
    chosen: Chosen,
    setup: RunSetup,
    resuming: bool,
}

/// Builds the runtime for a setup, starts the run with `start`, shows its events and reports its end.
fn execute(
    session: &Session,
    providers: Providers,
    governed: Option<Governed>,
    start: impl FnOnce(&Runtime) -> Result<RunHandle, escher_runtime::RuntimeError>,
) -> u8 {
    let tokio = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(tokio) => tokio,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return EXIT_USAGE;
        }
    };
    tokio.block_on(async move {
        let Providers { chosen, setup, resuming } = providers;
        let made = chosen.make(|name| setup.provider_setup(name, &session.state, resuming)).await;
        let providers = match made {
            Ok(providers) => providers,
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_USAGE;
            }
        };
        let human = Arc::new(Human::new(
            session.format == Format::Human && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        ));
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
        let (who, role) =
            governed.as_ref().map_or_else(|| (user_name(), "executor".to_string()), |g| g.governance.who());
        let mut builder = Runtime::builder()
            .approver(approver)
            .event_sink(sink)
            .state_dir(session.state.clone())
            .secrets(Arc::new(EnvAndFileSecrets::new(&session.state)))
            .identity(who, role)
            .cancellation(cancel.clone());
        if let Some(governed) = &governed {
            builder = builder.guard(governed.governance.guard());
            if let Some(safe_retries) = governed.governance.policy.safe_retries {
                builder = builder.limits(Limits { safe_retries, ..Limits::default() });
            }
        }
        for provider in &providers {
            builder = builder.provider(provider.clone());
        }
        if let Some(replica) = &session.replica {
            builder = builder.replica(replica.clone());
        }
        let runtime = builder.build();
        let runtime = match runtime {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_USAGE;
            }
        };
        let handle = match start(&runtime) {
            Ok(handle) => handle,
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_USAGE;
            }
        };
        let run_id = handle.run_id.clone();
        // The first Ctrl-C cancels cleanly (no new step starts); a second one leaves at once.
        let watcher = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling: running steps finish, no new step starts (Ctrl-C again to leave now)");
                cancel.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        let report = handle.finish().await;
        watcher.abort();
        // What a provider keeps of its own is durable as it goes (the simulator's change log): settling it
        // here loses nothing if it fails, so a failure only warns.
        for provider in &providers {
            if let Err(error) = provider.finish().await {
                eprintln!("warning: the {} provider could not settle its state: {error}", provider.name());
            }
        }
        match report {
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
    })
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
