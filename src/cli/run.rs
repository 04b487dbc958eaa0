//! `escher run` and `escher resume`: the engine's governed run, shown on the terminal. What a run is (the
//! state and its leases, the providers, the policy's checks, the records) is `escher_engine`'s; this file finds
//! the inputs, prints the plan and the progress, and turns the outcome into an exit code.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use escher::FsLoader;
use escher_compiler::plan::RiskLevel;
use escher_engine::state::AttachedState;
use escher_engine::{Engine, GovernanceSettings, Launch, Playbook, ProviderChoice, Started};
use escher_runtime::approval::{ApproveUpTo, Approver, RefuseWithoutTerminal};
use escher_runtime::events::EventSink;
use escher_runtime::secrets::EnvAndFileSecrets;
use tokio_util::sync::CancellationToken;

use super::approver::TerminalApprover;
use super::error::{CliError, Outcome};
use super::output::Verbosity;
use super::progress::{Human, JsonLines};
use super::report::print_diagnostics;
use super::{EXIT_DIAGNOSTICS, Format, parse_params, read_source};
use escher_engine::user_name;

/// How long `run` waits for approvals when neither `--wait` nor `--detach` is given.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The playbook; left out with --template.
    #[arg(required_unless_present = "template")]
    pub file: Option<PathBuf>,
    /// Run a published template (signed by a manager) instead of a file, within its bounds.
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    pub template: Option<String>,
    /// A parameter value, NAME=VALUE (lists as a,b,c or JSON); repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The providers to run with, comma-separated: `sim`, the built-in simulated estate of all three clouds, or
    /// real clouds (`aws`, `azure`).
    #[arg(long, value_name = "NAME,...", value_delimiter = ',', default_value = "sim")]
    pub cloud: Vec<String>,
    /// The simulated estate to load (JSON); without it, the built-in demo estate (examples/estate/demo.json).
    #[arg(long, value_name = "FILE")]
    pub estate: Option<PathBuf>,
    /// Write the simulated estate here after every change (may be the same file as --estate).
    #[arg(long, value_name = "FILE")]
    pub estate_out: Option<PathBuf>,
    /// Faults for the simulator, e.g. "latency=50ms,throttle=0.05,fail=0.01,seed=7".
    #[arg(long, value_name = "SPEC")]
    pub sim_faults: Option<String>,
    /// Call no mutating API: show what would change.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run, as Terraform's plan: exit 0 when nothing would change, 2 when something would.
    #[arg(long, requires = "dry_run")]
    pub detailed_exitcode: bool,
    #[command(flatten)]
    pub session: SessionArgs,
}

#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    pub run_id: String,
    #[command(flatten)]
    pub session: SessionArgs,
}

/// Options shared by `run` and `resume`: where state lives, how to approve, how to show progress.
#[derive(Debug, clap::Args)]
pub struct SessionArgs {
    /// Approve steps automatically up to this risk level (low, medium, high, critical).
    #[arg(long, alias = "yes-up-to", value_name = "LEVEL", value_parser = parse_level)]
    pub approve_up_to: Option<RiskLevel>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The state: a directory or an s3://, az://, gs:// URL (default: $ESCHER_STATE, else the XDG data directory).
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<PathBuf>,
    /// The policy file (default: $ESCHER_POLICY, else <state>/policy.toml); with one, approvals are signed.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The shared approvals directory (default: $ESCHER_APPROVALS, else <state>/approvals).
    #[arg(long, value_name = "DIR")]
    pub approvals: Option<PathBuf>,
    /// How long to wait for signed approvals before suspending the run (default 10m), e.g. 90s, 10m, 1h.
    #[arg(long, value_name = "DURATION", value_parser = escher_governance::duration::parse, conflicts_with = "detach")]
    pub wait: Option<Duration>,
    /// Suspend the run at once when a step waits for approval (exit 75); `escher resume RUN_ID` goes on.
    #[arg(long)]
    pub detach: bool,
    /// Where the run's reports are written (default: <state>/reports/RUN_ID).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
}

fn parse_level(text: &str) -> Result<RiskLevel, String> {
    RiskLevel::parse(text).ok_or_else(|| format!("\"{text}\" is not low, medium, high or critical"))
}

pub fn run(args: RunArgs, state: AttachedState) -> Outcome {
    let given = parse_params(&args.params)?;
    let source = match (&args.template, &args.file) {
        (Some(_), _) => None,
        (None, Some(file)) => Some(read_source(file)?),
        (None, None) => return Err(CliError::Usage("give a playbook file or --template NAME".into())),
    };
    let choices = provider_choices(&args)?;
    let (format, dry_run) = (args.session.format, args.dry_run);
    let detailed_exitcode = args.detailed_exitcode;
    let template = args.template;
    let args_params_empty = args.params.is_empty();
    within_tokio(|| async move {
        let (engine, cancel) = engine(args.session, state, None)?;
        let saved = source.as_ref().and_then(|(_, text)| escher_engine::SavedPlan::detect(text));
        let prepared = match (&source, &template, saved) {
            (Some((name, _)), _, Some(saved)) => {
                let saved = saved.map_err(|why| CliError::Usage(format!("{name} is {why}")))?;
                if !args_params_empty {
                    return Err(CliError::Usage("a saved plan carries its parameters; --param does not apply".into()));
                }
                engine.prepare_saved(&saved, &FsLoader)?
            }
            (Some((name, text)), _, None) => engine.prepare(Playbook::Source { name, text }, given, &FsLoader)?,
            (None, Some(template), _) => engine.prepare(Playbook::Template(template), given, &FsLoader)?,
            (None, None, _) => unreachable!("a file or a template, checked above"),
        };
        print_diagnostics(&prepared.compilation, format, super::use_color());
        let Some(plan) = prepared.plan() else {
            return Ok(EXIT_DIAGNOSTICS);
        };
        // Results (the plan, the summary) go to stdout; progress and prompts to stderr and the terminal.
        if format == Format::Human && super::output::verbosity() > Verbosity::Quiet {
            out!("{}\n", super::output::plan_table(plan));
        }
        let started = engine.start(prepared, &choices, Launch { run_id: None, dry_run }).await?;
        let code = follow(format, started, cancel, detailed_exitcode).await;
        close(engine, code)
    })
}

pub fn resume(args: ResumeArgs, state: AttachedState) -> Outcome {
    let run_id = args.run_id;
    let format = args.session.format;
    within_tokio(|| async move {
        let (engine, cancel) = engine(args.session, state, Some(&run_id))?;
        let started = engine.resume(&run_id).await?;
        let code = follow(format, started, cancel, false).await;
        close(engine, code)
    })
}

/// `--cloud`'s providers, the simulator with `--estate`, `--estate-out` and `--sim-faults`, which no other takes.
fn provider_choices(args: &RunArgs) -> Result<Vec<ProviderChoice>, CliError> {
    use escher_sim::factory::{ESTATE, ESTATE_OUT, FAULTS};
    let path = |path: &PathBuf| path.to_string_lossy().into_owned();
    let sim_options = [
        (ESTATE, args.estate.as_ref().map(path)),
        (ESTATE_OUT, args.estate_out.as_ref().map(path)),
        (FAULTS, args.sim_faults.clone()),
    ];
    let with_sim = args.cloud.iter().any(|name| name == "sim");
    if !with_sim && sim_options.iter().any(|(_, value)| value.is_some()) {
        return Err(CliError::Usage(
            "--estate, --estate-out and --sim-faults are the simulator's: they need --cloud sim".into(),
        ));
    }
    Ok(ProviderChoice::with_sim_options(&args.cloud, &sim_options))
}

/// Pushes the state a last time: a state not pushed turns a run that succeeded into an error (the local copy
/// keeps everything, and the next command pushes it); after a run that did not, it is said besides.
fn close(engine: Engine, code: u8) -> Outcome {
    match engine.close() {
        Ok(()) => Ok(code),
        Err(error) if code == 0 => Err(error.into()),
        Err(error) => {
            eprintln!("error: {error}");
            Ok(code)
        }
    }
}

/// Runs `work` on a multi-threaded tokio runtime.
fn within_tokio<F: std::future::Future<Output = Outcome>>(work: impl FnOnce() -> F) -> Outcome {
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CliError::Async)?;
    tokio.block_on(work())
}

/// The engine for this session: its state, where the governance comes from, and the terminal's approver and
/// progress; with the token the first Ctrl-C cancels.
fn engine(
    session: SessionArgs,
    state: AttachedState,
    resuming: Option<&str>,
) -> Result<(Engine, CancellationToken), CliError> {
    let human =
        Arc::new(Human::new(session.format == Format::Human && std::io::IsTerminal::is_terminal(&std::io::stderr())));
    let sink: Arc<dyn EventSink> = match session.format {
        Format::Json => Arc::new(JsonLines),
        Format::Human => human.clone(),
    };
    let settings = GovernanceSettings {
        wait: if session.detach { Duration::ZERO } else { session.wait.unwrap_or(DEFAULT_WAIT) },
        notice: (session.format == Format::Human)
            .then(|| Arc::new(|line: &str| eprintln!("{line}")) as escher_governance::approvals::Notice),
        ..escher_engine::GovernanceSettings::from_env(session.policy.as_deref(), session.approvals.as_deref())
    };
    let settings = match resuming {
        Some(run_id) => settings.resuming(state.dir(), run_id),
        None => settings,
    };
    let governed = settings.governs(state.dir());
    if governed && session.approve_up_to.is_some() {
        return Err(CliError::Usage(
            "with a policy, approvals are signed (`escher approve`); --approve-up-to does not apply".into(),
        ));
    }
    if !governed && (session.wait.is_some() || session.detach) {
        return Err(CliError::Usage(format!(
            "signed approvals (--wait, --detach) need a policy: --policy FILE, ESCHER_POLICY or {}",
            state.dir().join("policy.toml").display()
        )));
    }
    let cancel = CancellationToken::new();
    let mut builder = Engine::builder()
        .secrets(Arc::new(EnvAndFileSecrets::new(state.dir())))
        .state(state)
        .holder(super::state::holder_name())
        .report_dir(session.report_dir)
        .governance_settings(settings)
        .events(sink)
        .identity(user_name(), "executor")
        .cancellation(cancel.clone())
        .on_takeover(Arc::new(|run_id: &str, from: &escher_engine::state::TakenOver| {
            eprintln!(
                "note: took over run {run_id} from {}, whose lease ended at {}",
                from.holder,
                from.expired_at.format("%Y-%m-%dT%H:%M:%SZ")
            );
        }));
    // Without a policy, the terminal (or `--approve-up-to`) decides; with one, signed decisions in the
    // approvals directory do, which the engine waits for itself.
    if !governed {
        let approver: Arc<dyn Approver> = match session.approve_up_to {
            Some(level) => Arc::new(ApproveUpTo { level, who: user_name() }),
            None if TerminalApprover::available() => Arc::new(TerminalApprover { progress: human.progress.clone() }),
            None => Arc::new(RefuseWithoutTerminal),
        };
        builder = builder.approver(approver);
    }
    Ok((builder.build()?, cancel))
}

/// Waits for a started run (the first Ctrl-C cancels it cleanly, a second leaves at once), prints its summary
/// and reports (with `--format json`, as JSON lines after the events, then the run report), and gives its exit code
/// (`--detailed-exitcode`: a dry run that would change something exits 2).
async fn follow(format: Format, started: Started, cancel: CancellationToken, detailed_exitcode: bool) -> u8 {
    let run_id = started.run_id.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            // At a prompt, Ctrl-C is the person's answer: leave at once (the journal resumes the run).
            if super::approver::prompting() {
                eprintln!();
                std::process::exit(130);
            }
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
    if let Some(Err(error)) = &ended.audit_anchored {
        eprintln!("warning: the audit log's head was not anchored in the approvals store: {error}");
    }
    match ended.report {
        Ok(report) => {
            if format == Format::Human {
                out!("{}", escher_runtime::report::text::summary(&report));
                outln!("run id: {run_id} (escher show {run_id})");
                let waiting: Vec<&str> =
                    report.steps.iter().filter(|s| s.is_waiting_for_approval()).map(|s| s.node.as_str()).collect();
                if report.status == escher_runtime::events::RunStatus::WaitingForApproval {
                    outln!("⏸ waiting for approval: {} (escher resume {run_id} once it is given)", waiting.join(", "));
                }
            }
            // After the run's events, a program reading JSON lines gets each report as one more line.
            for shown in &ended.reports {
                match format {
                    Format::Human => out!("\n{}", shown.to_text(20, 40, super::terminal_width())),
                    Format::Json => outln!("{}", shown.to_event(&run_id)),
                }
            }
            // Last, the run report: every step with each resource it changed, before and after.
            if format == Format::Json {
                outln!("{}", serde_json::json!({ "event": "run_report", "run_id": run_id, "report": report }));
            }
            match &ended.reports_written {
                Some(Ok(())) => eprintln!(
                    "reports: {} (report.html, and csv, json, md of each; `escher report {run_id}` prints them again)",
                    ended.report_dir.display()
                ),
                Some(Err(error)) => {
                    eprintln!("warning: the reports could not be written to {}: {error}", ended.report_dir.display())
                }
                None => {}
            }
            let would_change = report.steps.iter().any(|step| !step.changed.is_empty());
            match report.status.exit_code() {
                0 if detailed_exitcode && would_change => 2,
                code => code,
            }
        }
        Err(error) => {
            eprintln!("error: run {run_id}: {error}");
            EXIT_DIAGNOSTICS
        }
    }
}
