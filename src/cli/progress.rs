//! Showing a run: live progress per step on a terminal, plain lines otherwise, or JSON lines for programs. The
//! lines themselves are the runtime's (`escher_runtime::events::lines`); this file adds the spinners.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use escher_runtime::events::lines::TextLines;
use escher_runtime::events::{EventKind, EventSink, RunEvent, SinkError};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::Verbosity;

/// One JSON object per event on stdout; a reader that went away ends the command quietly.
pub struct JsonLines;

impl EventSink for JsonLines {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        let line = serde_json::to_string(event).map_err(|error| SinkError(error.into()))?;
        outln!("{line}");
        Ok(())
    }
}

/// A spinner per running step on a terminal (indicatif); a line per finished step, on stderr, when not on one.
pub struct Human {
    pub progress: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    lines: TextLines,
    live: bool,
    color: bool,
    verbosity: Verbosity,
}

impl Human {
    /// `live`: spinners on the terminal, unless quiet.
    pub fn new(live: bool) -> Self {
        let live = live && super::output::verbosity() > Verbosity::Quiet;
        let target = if live { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Human {
            progress: MultiProgress::with_draw_target(target),
            bars: Mutex::default(),
            lines: TextLines::new(),
            live,
            color: super::output::color_stderr(),
            verbosity: super::output::verbosity(),
        }
    }

    fn spinner(&self) -> ProgressBar {
        let bar = self.progress.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}

impl EventSink for Human {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        let mut bars = self.bars.lock().map_err(|_| SinkError("the progress display is poisoned".into()))?;
        match &event.kind {
            EventKind::StepStarted { node, attempt, targets } => {
                let bar = bars.entry(node.clone()).or_insert_with(|| self.spinner());
                bar.set_message(started(node, *attempt, *targets));
            }
            EventKind::StepProgress { node, done, total } => {
                if let Some(bar) = bars.get(node) {
                    bar.set_message(format!("{node}: {done}/{total}"));
                }
            }
            EventKind::StepFinished { node, .. } => {
                if let Some(bar) = bars.remove(node) {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
        let line = match &event.kind {
            _ if self.verbosity == Verbosity::Quiet => None,
            // A live display shows these on its spinners; otherwise `-v` asks for them as lines.
            EventKind::StepStarted { node, attempt, targets } if !self.live && self.verbosity == Verbosity::Verbose => {
                Some(format!("→ {}", started(node, *attempt, *targets)))
            }
            EventKind::StepProgress { node, done, total } if !self.live && self.verbosity == Verbosity::Verbose => {
                Some(format!("  {node}: {done}/{total}"))
            }
            _ => self.lines.line(event),
        };
        let Some(line) = line else { return Ok(()) };
        let line = if self.color { super::output::paint_line(&line) } else { line };
        if self.live {
            let _ = self.progress.println(line);
        } else {
            eprintln!("{line}");
        }
        Ok(())
    }
}

/// A started step, on its spinner or as a `-v` line: `stop: 4 target(s) (attempt 2)`.
fn started(node: &str, attempt: u32, targets: usize) -> String {
    let retry = if attempt > 1 { format!(" (attempt {attempt})") } else { String::new() };
    format!("{node}: {targets} target(s){retry}")
}
