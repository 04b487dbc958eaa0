//! `escher schedule add|list|remove`: schedules kept in the state, run by `escher daemon`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use escher::FsLoader;
use escher_engine::schedules::manage::{self, AuditedBy, NewSchedule, ScheduleError, ScheduleView};
use escher_state::chrono::{DateTime, Utc};
use escher_state::schedule::MissedPolicy;

use super::report::print_diagnostics;
use super::state::{location, tokio};
use super::{CliError, EXIT_DIAGNOSTICS, EXIT_OK, Format, Outcome, parse_param, read_source};

#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub command: ScheduleCommand,
    /// The state: a directory or s3://, az://, gs:// URL (default: $ESCHER_STATE, else the XDG data directory).
    #[arg(long, value_name = "DIR|URL", global = true)]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ScheduleCommand {
    /// Schedule a playbook: its own `schedule cron(...)`, or --cron and --tz.
    Add {
        file: PathBuf,
        /// The schedule's name (default: the playbook's name).
        #[arg(long)]
        name: Option<String>,
        /// A 5-field cron expression, e.g. "0 20 * * MON-FRI" (default: the playbook's schedule).
        #[arg(long, value_name = "EXPR")]
        cron: Option<String>,
        /// The IANA time zone the cron expression is read in (default: the playbook's, else UTC).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// A parameter value, NAME=VALUE; repeatable.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// The providers its runs use, comma-separated, as `escher run --cloud` takes them.
        #[arg(long, value_name = "NAME,...", value_delimiter = ',', default_value = "sim")]
        cloud: Vec<String>,
        /// What a daemon waking after missed occurrences does: run the latest one, or skip them.
        #[arg(long, value_enum, default_value_t = Missed::RunLatest)]
        missed: Missed,
        /// When the schedule starts counting (RFC 3339; default now): occurrences before it are not missed.
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        now: Option<DateTime<Utc>>,
    },
    /// The schedules and their next occurrences.
    List {
        /// Occurrences shown per schedule.
        #[arg(long, default_value_t = 3)]
        next: usize,
        /// Count from this instant (RFC 3339) instead of now.
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        now: Option<DateTime<Utc>>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Remove a schedule and its occurrence records.
    Remove { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Missed {
    RunLatest,
    Skip,
}

pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| format!("\"{text}\" is not an RFC 3339 time like 2026-03-29T01:30:00Z: {error}"))
}

/// `state_dir` is the attached state's directory, whose audit log records schedule changes.
pub fn run(args: &ScheduleArgs, state_dir: &Path) -> Outcome {
    match &args.command {
        ScheduleCommand::Add { file, name, cron, tz, params, cloud, missed, now } => {
            let request = AddRequest {
                file,
                name: name.as_deref(),
                cron: cron.as_deref(),
                tz: tz.as_deref(),
                params,
                clouds: cloud,
                missed: *missed,
                now: now.unwrap_or_else(Utc::now),
            };
            add(args, request, state_dir)
        }
        ScheduleCommand::List { next, now, format } => list(args, *next, now.unwrap_or_else(Utc::now), *format),
        ScheduleCommand::Remove { name } => remove(args, name, state_dir),
    }
}

struct AddRequest<'a> {
    file: &'a std::path::Path,
    name: Option<&'a str>,
    cron: Option<&'a str>,
    tz: Option<&'a str>,
    params: &'a [String],
    clouds: &'a [String],
    missed: Missed,
    now: DateTime<Utc>,
}

fn add(args: &ScheduleArgs, request: AddRequest<'_>, state_dir: &Path) -> Outcome {
    let mut params = BTreeMap::new();
    for param in request.params {
        let (name, value) = parse_param(param).map_err(CliError::Usage)?;
        params.insert(name, value);
    }
    let (_, text) = read_source(request.file)?;
    // Stored absolute, so a daemon started anywhere finds the file and the imports beside it.
    let file = std::path::absolute(request.file).unwrap_or_else(|_| request.file.to_path_buf()).display().to_string();
    let user = escher_engine::user_name();
    let new = NewSchedule {
        name: request.name.map(str::to_string),
        file,
        text,
        cron: request.cron.map(str::to_string),
        tz: request.tz.map(str::to_string),
        params,
        clouds: request.clouds.to_vec(),
        missed: match request.missed {
            Missed::RunLatest => MissedPolicy::RunLatest,
            Missed::Skip => MissedPolicy::Skip,
        },
        now: request.now,
    };
    with_store(args, |store| async move {
        let by = AuditedBy { who: &user, state_dir };
        let schedule = match manage::resolve(new, &FsLoader) {
            Ok(schedule) => schedule,
            Err(ScheduleError::NotCompiled(compilation)) => {
                print_diagnostics(&compilation, Format::Human, super::use_color());
                return Ok(EXIT_DIAGNOSTICS);
            }
            Err(error) => return Err(CliError::Usage(error.to_string())),
        };
        // On an Extended Laptop's bucket the schedule also goes to the cloud's scheduler: what it cannot say is
        // refused before anything is stored.
        #[cfg(feature = "aws")]
        let extension = super::extend_schedules::extended(&store).await?;
        #[cfg(feature = "aws")]
        if let Some(extension) = &extension {
            super::extend_schedules::check(extension.as_ref(), &schedule)?;
        }
        let schedule =
            manage::add_resolved(&store, schedule, by).await.map_err(|error| CliError::Usage(error.to_string()))?;
        outln!(
            "scheduled {}: \"{}\" in {} (missed occurrences: {})",
            schedule.name,
            schedule.cron,
            schedule.tz,
            schedule.missed.as_str()
        );
        #[cfg(feature = "aws")]
        if let Some(extension) = &extension {
            super::extend_schedules::put(extension.as_ref(), &schedule).await?;
        }
        Ok(EXIT_OK)
    })
}

fn list(args: &ScheduleArgs, count: usize, now: DateTime<Utc>, format: Format) -> Outcome {
    with_store(args, |store| async move {
        let views = manage::list(&store, now, count).await?;
        if format == Format::Json {
            for ScheduleView { schedule, next, occurrences } in &views {
                let line = serde_json::json!({
                    "name": schedule.name, "cron": schedule.cron, "tz": schedule.tz, "params": schedule.params,
                    "missed": schedule.missed, "playbook_file": schedule.playbook_file,
                    "next": next, "occurrences": occurrences,
                });
                outln!("{line}");
            }
            return Ok(EXIT_OK);
        }
        if views.is_empty() {
            outln!("no schedules in {}", store.url());
        }
        for ScheduleView { schedule, next, occurrences } in &views {
            outln!(
                "{}  \"{}\" {}  {}  missed: {}",
                schedule.name,
                schedule.cron,
                schedule.tz,
                schedule.playbook_file,
                schedule.missed.as_str()
            );
            for at in next {
                let local = at.with_timezone(&schedule.spec().map_or(escher_state::chrono_tz::UTC, |spec| spec.tz));
                outln!("  next  {}  ({})", at.format("%Y-%m-%dT%H:%M:%SZ"), local.format("%Y-%m-%d %H:%M %Z"));
            }
            for occurrence in occurrences.iter().rev().take(count) {
                outln!("  {occurrence}");
            }
        }
        Ok(EXIT_OK)
    })
}

fn remove(args: &ScheduleArgs, name: &str, state_dir: &Path) -> Outcome {
    let user = escher_engine::user_name();
    with_store(args, |store| async move {
        let by = AuditedBy { who: &user, state_dir };
        manage::remove(&store, name, by).await.map_err(|error| CliError::Usage(error.to_string()))?;
        outln!("removed schedule {name}");
        #[cfg(feature = "aws")]
        if let Some(extension) = super::extend_schedules::extended(&store).await? {
            super::extend_schedules::delete(extension.as_ref(), name).await?;
        }
        Ok(EXIT_OK)
    })
}

/// Opens the state's store and runs `body` on it.
fn with_store<F, Fut>(args: &ScheduleArgs, body: F) -> Outcome
where
    F: FnOnce(escher_state::Store) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let store = location(args.state.as_deref())?.open()?;
    tokio()?.block_on(body(store))
}
