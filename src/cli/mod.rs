//! The `escher` command line: argument parsing and the exit-code contract.

/// Like `println!`, but a reader that went away (`escher runs | head`) ends the command quietly instead of
/// panicking on the broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!("{}\n", format_args!($($arg)*))) };
}

/// Like `print!`, with `outln!`'s handling of a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!($($arg)*)) };
}

pub mod actions;
pub mod approvals;
pub mod approver;
pub mod ask;
pub mod audit;
pub mod catalog;
pub mod chat;
pub mod check;
pub mod context;
pub mod daemon;
pub mod error;
pub mod explain;
pub mod extend;
#[cfg(feature = "aws")]
pub mod extend_aws;
#[cfg(feature = "aws")]
pub mod extend_schedules;
pub mod fmt;
pub mod grammar;
pub mod identity;
pub mod init;
pub mod inventory;
pub mod job;
pub mod lint;
pub mod lsp;
pub mod output;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod report;
pub mod reports;
pub mod run;
pub mod runs;
pub mod schedule;
pub mod serve;
pub mod state;
pub mod state_cmd;
pub mod template;

use clap::{Parser, Subcommand, ValueEnum};

pub use error::{CliError, EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Outcome};

#[derive(Debug, Parser)]
#[command(
    name = "escher",
    version,
    long_version = long_version(),
    about = "Compile, plan and run cloud-operations playbooks safely",
    after_help = "Exit codes: 0 success; 1 diagnostics with errors, `fmt --check` found unformatted files, or a run failed, was rolled back or was refused by the policy; 2 usage or IO errors; 75 a run is waiting for approval (`escher resume`); 130 a run was cancelled."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub output: output::OutputArgs,
}

/// The commands; each one's arguments and work are in the file of its name.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check playbooks: a .esc file, a Markdown answer with a fenced playbook, or an AI response envelope (.json).
    Check(check::CheckArgs),
    /// Lint playbooks: rules beyond type errors (L01xx), levels from escher.toml; text, JSON or SARIF.
    Lint(lint::LintArgs),
    /// Show the plan: steps, edges, effects, risk, approvals and blast radius.
    Plan(plan::PlanArgs),
    /// Format playbooks in place (canonical, idempotent, comments kept).
    Fmt(fmt::FmtArgs),
    /// Explain a diagnostic code, such as E0201.
    Explain(explain::ExplainArgs),
    /// Serve the language server protocol on stdin and stdout, for editors (docs/lsp.md).
    Lsp(lsp::LspArgs),
    /// List the stdlib's actions and queries, or show one in full: signature, effect, parameters and docs.
    Actions(actions::ActionsArgs),
    /// The stdlib sized for a model's prompt: actions, queries and the types they use, as text or JSON.
    Catalog(catalog::CatalogArgs),
    /// Ask a model for a playbook in words; Escher checks it, shows the plan and runs it governed (docs/ai.md).
    Ask(ask::AskArgs),
    /// The conversations `escher ask` kept: list, show, continue.
    #[command(subcommand)]
    Chat(chat::ChatCommand),
    /// The playbook language for constrained decoding (Lark, GBNF), or the AI response envelope's JSON schema.
    Grammar(grammar::GrammarArgs),
    /// The estate for a model's prompt, identifiers replaced by pseudonyms; `--unmask FILE` maps them back.
    Context(context::ContextArgs),
    /// Serve check, plan, fix, the grammar and the catalog over HTTP for the AI server: stateless, no files read or written.
    Serve(serve::ServeArgs),
    /// Print a shell completion script: `escher completions bash > /etc/bash_completion.d/escher`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `escher man > escher.1`.
    Man,
    /// Start a new folder: a playbook to try on the simulated estate, a policy with you as manager, a README.
    Init(init::InitArgs),
    /// Plan a playbook, ask for the approvals its risk needs, and run it.
    Run(run::RunArgs),
    /// Continue a run that crashed, was cancelled or waits for approval; finished steps never run again.
    Resume(run::ResumeArgs),
    /// List the runs in the state directory, newest first.
    Runs(runs::RunsArgs),
    /// Show one run from its journal.
    Show(runs::ShowArgs),
    /// Print a run's reports (report.table, report.summary) as text, CSV, JSON or Markdown; --write rewrites the files.
    Report(reports::ReportArgs),
    /// Check or export the hash-chained audit log.
    Audit(audit::AuditArgs),
    /// Where state lives and what it holds; bring the local state up to date from a bucket.
    State(state_cmd::StateArgs),
    /// Run playbooks on a schedule: add, list, remove.
    Schedule(schedule::ScheduleArgs),
    /// Run due schedules on this machine (the local scheduler).
    Daemon(daemon::DaemonArgs),
    /// The engine's container job: run what is due in the state, then exit (`job run-due`).
    #[command(subcommand)]
    Job(job::JobCommand),
    /// Discover a cloud's resources into the local inventory (`inventory/aws.json` in the state directory), which
    /// `escher plan` reads for blast radius.
    Inventory(inventory::InventoryArgs),
    /// Print your name and public key (created on first use); a manager puts the key into the policy.
    #[command(alias = "whoami")]
    Identity(identity::IdentityArgs),
    /// Check a policy file (roles, approvers, scopes): diagnostics P01xx.
    Policy(policy::PolicyArgs),
    /// List approval requests waiting in the approvals directory, with effect, risk and targets.
    Approvals(approvals::ApprovalsArgs),
    /// Sign an approval of a run's step with your key.
    Approve(approvals::ApproveArgs),
    /// Sign a rejection of a run's step with your key.
    Reject(approvals::RejectArgs),
    /// Publish or list templates: playbooks with parameter bounds that executors run without further approval.
    Template(template::TemplateArgs),
    /// The Extended Laptop: the engine in your own cloud account (docs/extended-laptop.md).
    #[command(subcommand)]
    Extend(extend::ExtendCommand),
}

impl Command {
    /// Runs the command on its state, attached by `main` if [`Command::state_to_attach`] names one.
    pub fn run(self, attached: Option<escher_engine::state::AttachedState>) -> Outcome {
        let color = use_color();
        let state_dir = attached.as_ref().map(|state| state.dir().to_path_buf());
        let dir = || state_dir.clone().unwrap_or_default();
        let outcome = match self {
            Command::Check(args) => check::run(&args, color),
            Command::Lint(args) => lint::run(&args, color),
            Command::Plan(args) => plan::run(&args, color),
            Command::Fmt(args) => fmt::run(&args),
            Command::Explain(args) => explain::run(&args),
            Command::Lsp(args) => lsp::run(&args),
            Command::Actions(args) => actions::run(&args),
            Command::Catalog(args) => catalog::run(&args),
            Command::Grammar(args) => grammar::run(&args),
            Command::Context(args) => context::run(&args),
            Command::Serve(args) => serve::run(&args),
            Command::Init(args) => init::run(&args),
            Command::Completions { shell } => {
                let mut command = <Cli as clap::CommandFactory>::command();
                let mut buffer = Vec::new();
                clap_complete::generate(shell, &mut command, "escher", &mut buffer);
                out!("{}", String::from_utf8_lossy(&buffer));
                Ok(EXIT_OK)
            }
            Command::Man => {
                let mut buffer = Vec::new();
                clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                    .render(&mut buffer)
                    .map_err(|error| CliError::Usage(format!("cannot render the man page: {error}")))?;
                out!("{}", String::from_utf8_lossy(&buffer));
                Ok(EXIT_OK)
            }
            Command::Run(args) => return run::run(args, attached.ok_or_else(no_state)?),
            Command::Ask(args) => return ask::run(args, attached.ok_or_else(no_state)?),
            Command::Chat(chat::ChatCommand::Continue { id, mut ask }) => {
                ask.chat = Some(id);
                return ask::run(ask, attached.ok_or_else(no_state)?);
            }
            Command::Chat(chat::ChatCommand::List { state }) => chat::list(state.as_deref()),
            Command::Chat(chat::ChatCommand::Show { id, state }) => chat::show(state.as_deref(), &id),
            Command::Resume(args) => return run::resume(args, attached.ok_or_else(no_state)?),
            Command::Runs(_) => runs::list(&dir()),
            Command::Show(args) => runs::show(&dir(), &args),
            Command::Report(args) => reports::run(&dir(), &args),
            Command::Audit(args) => audit::run(&dir(), &args),
            Command::State(args) => state_cmd::run(&args),
            Command::Schedule(args) => schedule::run(&args, &dir()),
            Command::Daemon(args) => daemon::run(&args),
            Command::Job(command) => job::run(&command),
            Command::Inventory(args) => inventory::run(&dir(), &args),
            Command::Identity(args) => identity::run(&args),
            Command::Policy(args) => policy::run(&args, color),
            Command::Approvals(args) => approvals::list(&dir(), &args),
            Command::Approve(args) => approvals::approve(&dir(), &args),
            Command::Reject(args) => approvals::reject(&dir(), &args),
            Command::Template(args) => template::run(&dir(), &args),
            Command::Extend(command) => extend::run(&command),
        };
        match attached {
            Some(state) => close(state, outcome),
            None => outcome,
        }
    }

    /// The `--state` of the commands that work on attached state (`None` for commands that handle their own).
    pub fn state_to_attach(&self) -> Option<Option<&std::path::Path>> {
        match self {
            Command::Run(run::RunArgs { session, .. })
            | Command::Resume(run::ResumeArgs { session, .. })
            | Command::Ask(ask::AskArgs { session, .. })
            | Command::Chat(chat::ChatCommand::Continue { ask: ask::AskArgs { session, .. }, .. }) => {
                Some(session.state.as_deref())
            }
            Command::Runs(runs::RunsArgs { state })
            | Command::Show(runs::ShowArgs { state, .. })
            | Command::Report(reports::ReportArgs { state, .. })
            | Command::Audit(audit::AuditArgs { state, .. })
            | Command::Inventory(inventory::InventoryArgs { state, .. })
            | Command::Schedule(schedule::ScheduleArgs { state, .. }) => Some(state.as_deref()),
            // Approval requests, decisions and templates live in the state's approvals directory unless
            // `--approvals` puts them elsewhere: for a bucket, they travel through it.
            Command::Approvals(approvals::ApprovalsArgs { at, .. })
            | Command::Approve(approvals::ApproveArgs { at, .. })
            | Command::Reject(approvals::RejectArgs { at, .. }) => Some(at.state.as_deref()),
            Command::Template(args) => Some(args.at().state.as_deref()),
            _ => None,
        }
    }
}

/// `escher --version`: the release, the commit it was built from, the plan format and the providers built in.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{}\ncommit: {}\nplan format: {}\nproviders: {}",
            env!("CARGO_PKG_VERSION"),
            option_env!("ESCHER_COMMIT").unwrap_or("unknown"),
            escher_compiler::plan::PLAN_FORMAT_VERSION,
            escher_engine::ProviderRegistry::builtin().names().join(", ")
        )
    })
}

fn no_state() -> CliError {
    CliError::Usage("this command needs its state attached".into())
}

/// Pushes attached state a last time. A state that could not be pushed turns success into an error: the local
/// copy keeps everything, and the next command pushes it; after a failure, it is said besides.
pub fn close(state: escher_engine::state::AttachedState, outcome: Outcome) -> Outcome {
    match (outcome, state.close()) {
        (outcome, Ok(())) => outcome,
        (Ok(EXIT_OK), Err(error)) => Err(error.into()),
        (outcome, Err(error)) => {
            eprintln!("error: {error}");
            outcome
        }
    }
}

/// Where governance files are: the state directory (identity, audit), the policy and the approvals directory.
#[derive(Debug, clap::Args)]
pub struct GovWhere {
    /// The state: a directory or s3://, az://, gs:// URL (default: $ESCHER_STATE, else the XDG data directory).
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<std::path::PathBuf>,
    /// The policy file (default: $ESCHER_POLICY, else <state>/policy.toml).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,
    /// The shared approvals directory (default: $ESCHER_APPROVALS, else <state>/approvals).
    #[arg(long, value_name = "DIR")]
    pub approvals: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
    Dot,
}

/// Splits `NAME=VALUE`.
pub fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("--param takes NAME=VALUE, not \"{text}\"")),
    }
}

/// The `--param` values of a command.
pub fn parse_params(
    params: &[String],
) -> Result<std::collections::BTreeMap<String, escher_compiler::ParamInput>, error::CliError> {
    let mut given = std::collections::BTreeMap::new();
    for param in params {
        let (name, value) = parse_param(param).map_err(error::CliError::Usage)?;
        given.insert(name, escher_compiler::ParamInput::Text(value));
    }
    Ok(given)
}

/// A file's name (as given) and bytes. Whether they are text is the compiler's to say
/// (`escher_compiler::compile_input_bytes`), with a diagnostic like any other.
pub fn read_bytes(path: &std::path::Path) -> Result<(String, Vec<u8>), error::CliError> {
    let bytes = std::fs::read(path).map_err(|source| error::CliError::Read { path: path.to_path_buf(), source })?;
    Ok((path.display().to_string(), bytes))
}

/// A file's name (as given) and text, for commands that need text before the compiler sees it. Bytes that are not
/// UTF-8 are refused with the compiler's E0706 message, which names the offset of the first bad byte.
pub fn read_source(path: &std::path::Path) -> Result<(String, String), error::CliError> {
    let (name, bytes) = read_bytes(path)?;
    match escher_compiler::input::decode_utf8(&bytes) {
        Ok(text) => Ok((name, text.to_string())),
        Err(not_utf8) => {
            let code = miette::Diagnostic::code(&not_utf8.error).map(|code| code.to_string()).unwrap_or_default();
            let message = format!("{code}: {}", not_utf8.error);
            let source = std::io::Error::new(std::io::ErrorKind::InvalidData, message);
            Err(error::CliError::Read { path: path.to_path_buf(), source })
        }
    }
}

/// One file of a command over several (`fmt`): its name and text, or `None` once why it cannot be read is said,
/// so the command goes on with the others.
pub fn read_or_say(path: &std::path::Path) -> Option<(String, String)> {
    read_source(path).map_err(|error| eprintln!("{}", error.render())).ok()
}

/// Like [`read_or_say`], for a command that compiles the file (`check`): its name and bytes.
pub fn read_bytes_or_say(path: &std::path::Path) -> Option<(String, Vec<u8>)> {
    read_bytes(path).map_err(|error| eprintln!("{}", error.render())).ok()
}

/// Writes to stdout; when the reader has gone, exits 0 (the output was wanted only up to there).
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => {
            eprintln!("error: cannot write to stdout: {error}");
            std::process::exit(EXIT_USAGE.into());
        }
    }
}

/// The terminal's width for tables: `COLUMNS`, else 120.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|columns| columns.parse().ok()).filter(|w| *w >= 40).unwrap_or(120)
}

/// Whether diagnostics and progress on stderr are coloured (`--color`, `NO_COLOR`, a terminal).
pub fn use_color() -> bool {
    output::color_stderr()
}
