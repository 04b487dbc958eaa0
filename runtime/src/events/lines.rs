//! Events as lines: text a person reads, one per event that tells something (a step's start and progress are
//! left to a host's live display), or JSON for a program, one per event. The CLI prints the text under its
//! spinners, or alone when not on a terminal; a container job writes either to its log ([`WriteLines`],
//! [`JsonLines`]).

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{EventKind, EventSink, RunEvent, RunStatus, SinkError, StepStatus};
use crate::report::waits_for_approval;

/// Renders a run's events as lines. It remembers what a line depends on from earlier events: whether the run
/// is a dry run ("would change"), and which steps asked for approval (their end is "waiting", not "cancelled").
#[derive(Debug, Default)]
pub struct TextLines {
    dry_run: AtomicBool,
    asked: Mutex<HashMap<String, String>>,
}

impl TextLines {
    pub fn new() -> Self {
        TextLines::default()
    }

    /// The line for `event`, if it has one.
    pub fn line(&self, event: &RunEvent) -> Option<String> {
        let mut asked = self.asked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let line = match &event.kind {
            EventKind::RunStarted { playbook, nodes, dry_run, resumed, .. } => {
                self.dry_run.store(*dry_run, Ordering::Relaxed);
                format!(
                    "{} {playbook}: {nodes} nodes{}",
                    if *resumed { "resuming" } else { "running" },
                    if *dry_run { " (dry run: nothing is changed)" } else { "" }
                )
            }
            EventKind::StepStarted { .. } | EventKind::StepProgress { .. } => return None,
            EventKind::StepRetrying { node, attempt, delay_ms, error } => {
                format!("  {node}: attempt {attempt} failed ({error}); retrying in {delay_ms} ms")
            }
            EventKind::StepFinished { node, status, changed, unchanged, failed, duration_ms, error } => {
                if let Some(role) = asked.remove(node)
                    && waits_for_approval(*status, error.as_deref())
                {
                    return Some(format!("⏸ {node}: waiting for approval by {role}"));
                }
                let verb = if self.dry_run.load(Ordering::Relaxed) { "would change" } else { "changed" };
                let mut text = format!(
                    "{} {node}: {status:?}, {changed} {verb}, {unchanged} unchanged, {failed} failed ({duration_ms} ms)",
                    symbol(*status)
                );
                if let Some(error) = error {
                    text.push_str(&format!(": {error}"));
                }
                text
            }
            EventKind::StepSkipped { node, reason } => format!("↷ {node}: skipped ({reason})"),
            EventKind::ApprovalRequested { node, risk, role, targets } => {
                asked.insert(node.clone(), role.clone());
                format!("? {node}: risk {} needs approval by {role} ({targets} target(s))", risk.as_str())
            }
            EventKind::ApprovalDecided { node, approved, by, role, reason } => {
                asked.remove(node);
                format!(
                    "{} {node}: {} by {by} as {role}{}",
                    if *approved { "✓" } else { "✗" },
                    if *approved { "approved" } else { "refused" },
                    reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                )
            }
            EventKind::RollbackStarted { node, undo } => format!("↺ {node}: rolling back with {undo}"),
            EventKind::RunFinished { status: RunStatus::WaitingForApproval, duration_ms } => {
                format!("⏸ run suspended after {duration_ms} ms: waiting for approval")
            }
            EventKind::RunFinished { status, duration_ms } => format!("run finished: {status:?} in {duration_ms} ms"),
        };
        Some(line)
    }
}

/// The mark a finished step's line starts with.
pub fn symbol(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Succeeded => "✓",
        StepStatus::PartiallySucceeded => "◐",
        StepStatus::Skipped => "↷",
        StepStatus::RolledBack => "↺",
        StepStatus::NotSimulated => "?",
        StepStatus::Failed | StepStatus::Cancelled | StepStatus::Refused => "✗",
    }
}

/// An event sink writing [`TextLines`] to a writer (stderr, a log file), one line per event that has one.
pub struct WriteLines<W> {
    lines: TextLines,
    out: Mutex<W>,
}

impl<W: Write + Send> WriteLines<W> {
    pub fn new(out: W) -> Self {
        WriteLines { lines: TextLines::new(), out: Mutex::new(out) }
    }
}

impl<W: Write + Send> EventSink for WriteLines<W> {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        let Some(line) = self.lines.line(event) else { return Ok(()) };
        let mut out = self.out.lock().map_err(|_| SinkError("the event log is poisoned".into()))?;
        writeln!(out, "{line}")?;
        Ok(())
    }
}

/// An event sink writing each event as one JSON object per line (the events' serde form, as `--format json`
/// prints them).
pub struct JsonLines<W> {
    out: Mutex<W>,
}

impl<W: Write + Send> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines { out: Mutex::new(out) }
    }
}

impl<W: Write + Send> EventSink for JsonLines<W> {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        let line = serde_json::to_string(event).map_err(|error| SinkError(error.into()))?;
        let mut out = self.out.lock().map_err(|_| SinkError("the event log is poisoned".into()))?;
        writeln!(out, "{line}")?;
        out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use escher_compiler::plan::RiskLevel;

    use super::*;

    fn event(kind: EventKind) -> RunEvent {
        RunEvent { run_id: "r1".into(), seq: 0, elapsed_ms: 0, kind }
    }

    fn finished(node: &str, status: StepStatus, error: Option<&str>) -> RunEvent {
        let (changed, unchanged, failed, duration_ms) = (2, 1, 0, 7);
        let error = error.map(str::to_string);
        event(EventKind::StepFinished { node: node.into(), status, changed, unchanged, failed, duration_ms, error })
    }

    #[test]
    fn a_step_that_asked_for_approval_ends_waiting_and_a_dry_run_would_change() {
        let lines = TextLines::new();
        let started = EventKind::RunStarted {
            playbook: "nightly".into(),
            plan_hash: "h".into(),
            nodes: 2,
            dry_run: true,
            resumed: false,
        };
        assert_eq!(
            lines.line(&event(started)).as_deref(),
            Some("running nightly: 2 nodes (dry run: nothing is changed)")
        );
        let asked = EventKind::ApprovalRequested {
            node: "stop".into(),
            risk: RiskLevel::High,
            role: "manager".into(),
            targets: 3,
        };
        assert!(lines.line(&event(asked)).is_some());
        let waiting = finished("stop", StepStatus::Cancelled, Some("waiting for approval by manager"));
        assert_eq!(lines.line(&waiting).as_deref(), Some("⏸ stop: waiting for approval by manager"));
        let tagged = lines.line(&finished("tag", StepStatus::Succeeded, None));
        assert_eq!(tagged.as_deref(), Some("✓ tag: Succeeded, 2 would change, 1 unchanged, 0 failed (7 ms)"));
        let progress = EventKind::StepProgress { node: "tag".into(), done: 1, total: 2 };
        assert_eq!(lines.line(&event(progress)), None);
    }

    #[test]
    fn the_sinks_write_a_line_per_event() {
        let text = WriteLines::new(Vec::new());
        let json = JsonLines::new(Vec::new());
        for sink in [&text as &dyn EventSink, &json] {
            sink.emit(&finished("tag", StepStatus::Failed, Some("denied"))).expect("written");
        }
        let text = String::from_utf8(text.out.into_inner().expect("not poisoned")).expect("UTF-8");
        assert_eq!(text, "✗ tag: Failed, 2 changed, 1 unchanged, 0 failed (7 ms): denied\n");
        let json = String::from_utf8(json.out.into_inner().expect("not poisoned")).expect("UTF-8");
        let parsed: RunEvent = serde_json::from_str(json.trim_end()).expect("one JSON event");
        assert_eq!(parsed, finished("tag", StepStatus::Failed, Some("denied")));
    }
}
