//! `escher job run-due`: the engine's container entry point. It runs what is due in the state (a bucket), each
//! occurrence claimed once, governed through the engine as `escher daemon` runs it, and exits when nothing more
//! is due. Started by a scheduler for one occurrence (`--at`), two starts for the same occurrence run it once.

use std::path::PathBuf;

use escher_state::chrono::{DateTime, Utc};

use super::Outcome;
use super::daemon::{self, DaemonArgs};
use super::schedule::parse_time;

#[derive(Debug, clap::Subcommand)]
pub enum JobCommand {
    /// Run the due occurrences of the state's schedules, then exit (with --exit-when-idle) or wait for more.
    RunDue(RunDueArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunDueArgs {
    /// The state: a directory or s3://, az://, gs:// URL (default: $ESCHER_STATE).
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<PathBuf>,
    /// The occurrence this start is for (RFC 3339; EventBridge passes its scheduled time): what is due at it
    /// runs. Default: now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Exit once nothing is due (a container's life); without it, wait for the next occurrence as the daemon does.
    #[arg(long)]
    pub exit_when_idle: bool,
    /// This job's name in occurrence records, locks and the audit log (default: user@host:pid).
    #[arg(long)]
    pub holder: Option<String>,
}

pub fn run(command: &JobCommand) -> Outcome {
    let JobCommand::RunDue(args) = command;
    daemon::run(&DaemonArgs {
        once: args.exit_when_idle,
        now: args.at,
        state: args.state.clone(),
        holder: args.holder.clone(),
    })
}
