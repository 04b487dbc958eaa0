//! Schedules as a host manages them: a playbook added only once it compiles with its parameters (it must not
//! fail at 3 a.m.) and its cron expression reads in its time zone; listed with their next occurrences and what
//! happened to the last ones; removed with their records.

use std::collections::BTreeMap;
use std::path::Path;

use escher_compiler::{Compilation, CompileOptions, ParamInput, SourceLoader, compile_input};
use escher_state::chrono::{DateTime, Duration, Utc};
use escher_state::schedule::{self, CronSpec, MissedPolicy, Occurrence, Schedule};
use escher_state::{Store, StoreError};

/// A schedule to add: the playbook as given, and how it runs.
#[derive(Debug, Clone)]
pub struct NewSchedule {
    /// The schedule's name; the playbook's name when left out.
    pub name: Option<String>,
    /// The playbook file as given (imports resolve next to it).
    pub file: String,
    pub text: String,
    /// A 5-field cron expression; the playbook's own `schedule cron(...)` when left out.
    pub cron: Option<String>,
    /// The IANA time zone the cron expression is read in; the playbook's (with its cron), else UTC.
    pub tz: Option<String>,
    pub params: BTreeMap<String, String>,
    /// The providers its runs use, by name.
    pub clouds: Vec<String>,
    pub missed: MissedPolicy,
    /// When the schedule starts counting: occurrences before it are not missed.
    pub now: DateTime<Utc>,
}

/// Why a schedule was not added or removed; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The playbook does not compile with these parameters; the compilation has the diagnostics.
    #[error("{} does not compile", .0.sources.get(.0.main).name)]
    NotCompiled(Box<Compilation>),
    #[error("{file} has no `schedule cron(...)`; give one with --cron \"MIN HOUR DOM MON DOW\"")]
    NoCron { file: String },
    #[error("{0}")]
    Cron(String),
    #[error("\"{0}\" cannot name a schedule: use letters, digits, '-', '_' and '.'")]
    BadName(String),
    #[error("a schedule named {name} already exists in {location}; remove it first")]
    Exists { name: String, location: String },
    #[error("no schedule named {name} in {location}")]
    NoSuchSchedule { name: String, location: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the schedule was changed but the audit log cannot be written: {0}")]
    Audit(String),
}

fn audit(by: AuditedBy<'_>, schedule: &str, kind: &str, result: String) -> Result<(), ScheduleError> {
    let entry = super::wake::schedule_audit_entry(by.who, "executor", schedule, kind, None, result);
    crate::error::append_audit(by.state_dir, entry).map_err(|error| ScheduleError::Audit(error.to_string()))
}

/// A schedule with its next occurrences and its recorded ones, oldest first.
#[derive(Debug, Clone)]
pub struct ScheduleView {
    pub schedule: Schedule,
    pub next: Vec<DateTime<Utc>>,
    pub occurrences: Vec<Occurrence>,
}

/// Who changes schedules, and the state directory whose audit log records it.
#[derive(Debug, Clone, Copy)]
pub struct AuditedBy<'a> {
    pub who: &'a str,
    pub state_dir: &'a Path,
}

/// Adds a schedule to the state in `store`, audited.
pub async fn add(
    store: &Store,
    new: NewSchedule,
    loader: &dyn SourceLoader,
    by: AuditedBy<'_>,
) -> Result<Schedule, ScheduleError> {
    let schedule = resolve(new, loader)?;
    add_resolved(store, schedule, by).await
}

/// The schedule `new` asks for, checked (the playbook compiles with its parameters, the cron and time zone
/// parse, the name is valid) and not yet stored: a host can check more before [`add_resolved`] stores it (an
/// Extended Laptop checks that its cloud's scheduler can say the cron).
pub fn resolve(new: NewSchedule, loader: &dyn SourceLoader) -> Result<Schedule, ScheduleError> {
    let given = new.params.iter().map(|(name, value)| (name.clone(), ParamInput::Text(value.clone()))).collect();
    let compilation = compile_input(&new.file, &new.text, &CompileOptions::plan(loader, given));
    let Some(plan) = compilation.plan.as_ref().filter(|_| !compilation.has_errors()) else {
        return Err(ScheduleError::NotCompiled(Box::new(compilation)));
    };
    let own = plan.schedule.as_ref();
    let cron = new.cron.clone().or_else(|| own.map(|s| s.cron.clone()));
    let cron = cron.ok_or_else(|| ScheduleError::NoCron { file: new.file.clone() })?;
    let tz = new
        .tz
        .clone()
        .or_else(|| own.filter(|_| new.cron.is_none()).map(|s| s.timezone.clone()))
        .unwrap_or_else(|| "UTC".to_string());
    CronSpec::parse(&cron, &tz).map_err(ScheduleError::Cron)?;
    let name = new.name.unwrap_or_else(|| plan.playbook.clone());
    if !schedule::valid_name(&name) {
        return Err(ScheduleError::BadName(name));
    }
    Ok(Schedule {
        name,
        playbook_file: new.file,
        playbook: new.text,
        cron,
        tz,
        params: new.params,
        clouds: new.clouds,
        missed: new.missed,
        created_at: new.now,
    })
}

/// Stores a schedule [`resolve`] made, audited; a schedule of the same name is refused.
pub async fn add_resolved(store: &Store, schedule: Schedule, by: AuditedBy<'_>) -> Result<Schedule, ScheduleError> {
    let name = schedule.name.clone();
    escher_state::layout::ensure_layout(store).await?;
    match schedule::add(store, &schedule).await {
        Err(error) if error.is_conflict() => Err(ScheduleError::Exists { name, location: store.url().to_string() }),
        Err(error) => Err(error.into()),
        Ok(()) => {
            let result = format!(
                "scheduled {} \"{}\" in {} (missed: {}) on {}",
                schedule.playbook_file,
                schedule.cron,
                schedule.tz,
                schedule.missed.as_str(),
                schedule.clouds.join(",")
            );
            audit(by, &schedule.name, "schedule.added", result)?;
            Ok(schedule)
        }
    }
}

/// Every schedule with its next `count` occurrences from `now` (within ten years) and its recorded ones.
pub async fn list(store: &Store, now: DateTime<Utc>, count: usize) -> Result<Vec<ScheduleView>, StoreError> {
    escher_state::layout::check_readable(store).await?;
    let mut views = Vec::new();
    for schedule in schedule::list(store).await? {
        let next = match schedule.spec() {
            Ok(spec) => spec.between(now, now + Duration::days(3660), count),
            Err(_) => Vec::new(),
        };
        let occurrences = schedule::list_occurrences(store, &schedule.name).await?;
        views.push(ScheduleView { schedule, next, occurrences });
    }
    Ok(views)
}

/// Removes a schedule and its occurrence records, audited.
pub async fn remove(store: &Store, name: &str, by: AuditedBy<'_>) -> Result<(), ScheduleError> {
    escher_state::layout::check_readable(store).await?;
    if schedule::remove(store, name).await? {
        audit(by, name, "schedule.removed", "removed with its occurrence records".into())
    } else {
        Err(ScheduleError::NoSuchSchedule { name: name.to_string(), location: store.url().to_string() })
    }
}
