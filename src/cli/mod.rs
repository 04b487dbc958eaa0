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

pub mod approvals;
pub mod approver;
pub mod audit;
pub mod check;
pub mod daemon;
pub mod explain;
pub mod fmt;
pub mod governed;
pub mod identity;
pub mod inventory;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod report;
pub mod run;
pub mod runs;
pub mod schedule;
pub mod state;
pub mod state_cmd;
pub mod template;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes: 0 success, 1 diagnostics with errors (or `fmt --check` found changes), 2 usage or IO errors.
pub const EXIT_OK: u8 = 0;
pub const EXIT_DIAGNOSTICS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "escher",
    version,
    about = "Compile, plan and run cloud-operations playbooks safely",
    after_help = "Exit codes: 0 success; 1 diagnostics with errors, `fmt --check` found unformatted files, or a run failed, was rolled back or was refused by the policy; 2 usage or IO errors; 75 a run is waiting for approval (`escher resume`); 130 a run was cancelled."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check playbooks: a .esc file, a Markdown answer with a fenced playbook, or an AI response envelope (.json).
    Check {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show the plan: steps, edges, effects, risk, approvals and blast radius.
    Plan {
        file: std::path::PathBuf,
        /// A parameter value, NAME=VALUE (lists as a,b,c or JSON); repeatable.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
        format: PlanFormat,
        /// The state whose policy and inventory the plan uses (default: $ESCHER_STATE, else the XDG data
        /// directory).
        #[arg(long, value_name = "DIR")]
        state: Option<std::path::PathBuf>,
    },
    /// Format playbooks in place (canonical, idempotent, comments kept).
    Fmt {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Change nothing; exit 1 and list the files that are not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code, such as E0201.
    Explain { code: String },
    /// Plan a playbook, ask for the approvals its risk needs, and run it.
    Run {
        /// The playbook; left out with --template.
        #[arg(required_unless_present = "template")]
        file: Option<std::path::PathBuf>,
        /// Run a published template (signed by a manager) instead of a file, within its bounds.
        #[arg(long, value_name = "NAME", conflicts_with = "file")]
        template: Option<String>,
        /// A parameter value, NAME=VALUE (lists as a,b,c or JSON); repeatable.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// The providers to run with, comma-separated: `sim`, the built-in simulated estate of all three clouds, or
        /// real clouds (`aws`).
        #[arg(long, value_name = "NAME,...", value_delimiter = ',', default_value = "sim")]
        cloud: Vec<String>,
        /// The simulated estate to load (JSON); without it, the built-in demo estate (examples/estate/demo.json).
        #[arg(long, value_name = "FILE")]
        estate: Option<std::path::PathBuf>,
        /// Write the simulated estate here after every change (may be the same file as --estate).
        #[arg(long, value_name = "FILE")]
        estate_out: Option<std::path::PathBuf>,
        /// Faults for the simulator, e.g. "latency=50ms,throttle=0.05,fail=0.01,seed=7".
        #[arg(long, value_name = "SPEC")]
        sim_faults: Option<String>,
        /// Call no mutating API: show what would change.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Continue a run that crashed, was cancelled or waits for approval; finished steps never run again.
    Resume {
        run_id: String,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// List the runs in the state directory, newest first.
    Runs {
        #[arg(long, value_name = "DIR|URL")]
        state: Option<std::path::PathBuf>,
    },
    /// Show one run from its journal.
    Show {
        run_id: String,
        #[arg(long, value_name = "DIR|URL")]
        state: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Check or export the hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
        #[arg(long, value_name = "DIR|URL", global = true)]
        state: Option<std::path::PathBuf>,
    },
    /// Where state lives and what it holds; bring the local state up to date from a bucket.
    State(state_cmd::StateArgs),
    /// Run playbooks on a schedule: add, list, remove.
    Schedule(schedule::ScheduleArgs),
    /// Run due schedules on this machine (the local scheduler).
    Daemon(daemon::DaemonArgs),
    /// Discover a cloud's resources into the local inventory (`inventory/aws.json` in the state directory), which
    /// `escher plan` reads for blast radius.
    Inventory {
        #[arg(long, value_enum)]
        cloud: InventoryCloud,
        /// Regions to list (a,b,c); default: `regions` of the AWS configuration, else every enabled region.
        #[arg(long, value_delimiter = ',')]
        regions: Vec<String>,
        /// The AWS configuration (accounts and roles, regions); default: `aws.json` in the state directory.
        #[arg(long, value_name = "FILE")]
        aws_config: Option<std::path::PathBuf>,
        #[arg(long, value_name = "DIR")]
        state: Option<std::path::PathBuf>,
    },
    /// Print your name and public key (created on first use); a manager puts the key into the policy.
    #[command(alias = "whoami")]
    Identity {
        /// The name to create the identity under (default: $USER); an existing identity keeps its name.
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "DIR")]
        state: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Check a policy file (roles, approvers, scopes): diagnostics P01xx.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// List approval requests waiting in the approvals directory, with effect, risk and targets.
    Approvals {
        /// Every request, not only pending ones.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        at: GovWhere,
    },
    /// Sign an approval of a run's step with your key.
    Approve {
        run_id: String,
        step: String,
        #[command(flatten)]
        at: GovWhere,
    },
    /// Sign a rejection of a run's step with your key.
    Reject {
        run_id: String,
        step: String,
        #[arg(long, required = true)]
        reason: String,
        #[command(flatten)]
        at: GovWhere,
    },
    /// Publish or list templates: playbooks with parameter bounds that executors run without further approval.
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
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

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy file; exit 1 with diagnostics if it is not valid.
    Check {
        file: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Sign a playbook and its bounds with your key into <approvals>/templates/NAME.json.
    Publish {
        file: std::path::PathBuf,
        #[arg(long)]
        name: String,
        /// A TOML file of bounds: covers, max_targets, regions, accounts, [params.NAME] min/max/allowed/tag_values.
        #[arg(long, value_name = "FILE")]
        bounds: Option<std::path::PathBuf>,
        #[command(flatten)]
        at: GovWhere,
    },
    /// List published templates, verified against the policy.
    List {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        at: GovWhere,
    },
}

/// Options shared by `run` and `resume`.
#[derive(Debug, clap::Args)]
pub struct SessionArgs {
    /// Approve steps automatically up to this risk level (low, medium, high, critical).
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    pub approve_up_to: Option<escher_compiler::plan::RiskLevel>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The state: a directory or an s3://, az://, gs:// URL (default: $ESCHER_STATE, else the XDG data directory).
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<std::path::PathBuf>,
    /// The policy file (default: $ESCHER_POLICY, else <state>/policy.toml); with one, approvals are signed.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,
    /// The shared approvals directory (default: $ESCHER_APPROVALS, else <state>/approvals).
    #[arg(long, value_name = "DIR")]
    pub approvals: Option<std::path::PathBuf>,
    /// How long to wait for signed approvals before suspending the run (default 10m), e.g. 90s, 10m, 1h.
    #[arg(long, value_name = "DURATION", value_parser = escher_governance::duration::parse, conflicts_with = "detach")]
    pub wait: Option<std::time::Duration>,
    /// Suspend the run at once when a step waits for approval (exit 75); `escher resume RUN_ID` goes on.
    #[arg(long)]
    pub detach: bool,
}

impl SessionArgs {
    /// The session's settings; `replica` holds journal commits until a bucket has them (see `state::attach`).
    pub fn session(&self, replica: Option<std::sync::Arc<dyn escher_runtime::replica::Replica>>) -> run::Session {
        run::Session {
            state: state::state_dir(self.state.as_deref()),
            approve_up_to: self.approve_up_to,
            format: self.format,
            governance: governed::GovOptions {
                policy: self.policy.clone(),
                approvals: self.approvals.clone(),
                wait: self.wait,
                detach: self.detach,
            },
            replica,
        }
    }
}

fn parse_level(text: &str) -> Result<escher_compiler::plan::RiskLevel, String> {
    escher_compiler::plan::RiskLevel::parse(text)
        .ok_or_else(|| format!("\"{text}\" is not low, medium, high or critical"))
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain; report the first record that was edited, removed, inserted or reordered.
    Verify,
    /// Print the audit log.
    Export {
        #[arg(long, value_enum, default_value_t = ExportChoice::Jsonl)]
        format: ExportChoice,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportChoice {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryCloud {
    Aws,
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

/// The `--param` values of a command, or a usage error already printed.
pub fn parse_params(params: &[String]) -> Result<std::collections::BTreeMap<String, escher_compiler::ParamInput>, u8> {
    let mut given = std::collections::BTreeMap::new();
    for param in params {
        let (name, value) = parse_param(param).map_err(|message| {
            eprintln!("error: {message}");
            EXIT_USAGE
        })?;
        given.insert(name, escher_compiler::ParamInput::Text(value));
    }
    Ok(given)
}

/// A file's name (as given) and text, or an IO error already printed.
pub fn read_source(path: &std::path::Path) -> Result<(String, String), u8> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((name, text)),
        Err(error) => {
            eprintln!("error: cannot read {name}: {error}");
            Err(EXIT_USAGE)
        }
    }
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

/// Whether coloured output is wanted: a terminal, and `NO_COLOR` unset.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}
