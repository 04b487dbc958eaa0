//! Showing a run: live progress per step on a terminal, plain lines otherwise, or JSON lines for programs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use escher_runtime::events::{EventKind, EventSink, RunEvent, SinkError, StepStatus};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One JSON object per event on stdout.
pub struct JsonLines;

impl EventSink for JsonLines {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        let line = serde_json::to_string(event).map_err(|error| SinkError(error.into()))?;
        outln!("{line}");
        Ok(())
    }
}

/// A spinner per running step on a terminal (indicatif); a line per finished step when not on one.
pub struct Human {
    pub progress: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    live: bool,
    /// Set by the run's first event: a dry run's steps "would change" rather than "changed".
    dry_run: std::sync::atomic::AtomicBool,
    /// Steps that asked for approval and have no decision yet, with the role asked.
    asked: Mutex<HashMap<String, String>>,
}

impl Human {
    pub fn new(live: bool) -> Self {
        let target = if live { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Human {
            progress: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
            live,
            dry_run: std::sync::atomic::AtomicBool::new(false),
            asked: Mutex::new(HashMap::new()),
        }
    }

    fn line(&self, text: String) {
        if self.live {
            let _ = self.progress.println(text);
        } else {
            eprintln!("{text}");
        }
    }
}

fn symbol(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Succeeded => "✓",
        StepStatus::PartiallySucceeded => "◐",
        StepStatus::Skipped => "↷",
        StepStatus::RolledBack => "↺",
        StepStatus::NotSimulated => "?",
        StepStatus::Failed | StepStatus::Cancelled | StepStatus::Refused => "✗",
    }
}

impl EventSink for Human {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        let mut bars = self.bars.lock().map_err(|_| SinkError("the progress display is poisoned".into()))?;
        match &event.kind {
            EventKind::RunStarted { playbook, nodes, dry_run, resumed, .. } => {
                self.dry_run.store(*dry_run, std::sync::atomic::Ordering::Relaxed);
                self.line(format!(
                    "{} {playbook}: {nodes} nodes{}",
                    if *resumed { "resuming" } else { "running" },
                    if *dry_run { " (dry run: nothing is changed)" } else { "" }
                ))
            }
            EventKind::StepStarted { node, attempt, targets } => {
                let bar = bars.entry(node.clone()).or_insert_with(|| {
                    let bar = self.progress.add(ProgressBar::new_spinner());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.enable_steady_tick(Duration::from_millis(120));
                    bar
                });
                let retry = if *attempt > 1 { format!(" (attempt {attempt})") } else { String::new() };
                bar.set_message(format!("{node}: {targets} target(s){retry}"));
            }
            EventKind::StepRetrying { node, attempt, delay_ms, error } => {
                self.line(format!("  {node}: attempt {attempt} failed ({error}); retrying in {delay_ms} ms"))
            }
            EventKind::StepProgress { node, done, total } => {
                if let Some(bar) = bars.get(node) {
                    bar.set_message(format!("{node}: {done}/{total}"));
                }
            }
            EventKind::StepFinished { node, status, changed, unchanged, failed, duration_ms, error } => {
                if let Some(bar) = bars.remove(node) {
                    bar.finish_and_clear();
                }
                let waiting = escher_runtime::report::waits_for_approval(*status, error.as_deref());
                if let Some(role) = self.asked.lock().ok().and_then(|mut asked| asked.remove(node))
                    && waiting
                {
                    self.line(format!("⏸ {node}: waiting for approval by {role}"));
                    return Ok(());
                }
                let verb =
                    if self.dry_run.load(std::sync::atomic::Ordering::Relaxed) { "would change" } else { "changed" };
                let mut text = format!(
                    "{} {node}: {status:?}, {changed} {verb}, {unchanged} unchanged, {failed} failed ({duration_ms} ms)",
                    symbol(*status)
                );
                if let Some(error) = error {
                    text.push_str(&format!(": {error}"));
                }
                self.line(text);
            }
            EventKind::StepSkipped { node, reason } => self.line(format!("↷ {node}: skipped ({reason})")),
            EventKind::ApprovalRequested { node, risk, role, targets } => {
                if let Ok(mut asked) = self.asked.lock() {
                    asked.insert(node.clone(), role.clone());
                }
                self.line(format!("? {node}: risk {} needs approval by {role} ({targets} target(s))", risk.as_str()))
            }
            EventKind::ApprovalDecided { node, approved, by, role, reason } => {
                if let Ok(mut asked) = self.asked.lock() {
                    asked.remove(node);
                }
                self.line(format!(
                    "{} {node}: {} by {by} as {role}{}",
                    if *approved { "✓" } else { "✗" },
                    if *approved { "approved" } else { "refused" },
                    reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                ))
            }
            EventKind::RollbackStarted { node, undo } => self.line(format!("↺ {node}: rolling back with {undo}")),
            EventKind::RunFinished { status: escher_runtime::events::RunStatus::WaitingForApproval, duration_ms } => {
                self.line(format!("⏸ run suspended after {duration_ms} ms: waiting for approval"))
            }
            EventKind::RunFinished { status, duration_ms } => {
                self.line(format!("run finished: {status:?} in {duration_ms} ms"))
            }
        }
        Ok(())
    }
}
