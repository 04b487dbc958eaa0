//! A run in progress, as its host sees it: its id, its events as they happen, and its report at the end.

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::error::RuntimeError;
use crate::events::RunEvent;
use crate::report::RunReport;

pub struct RunHandle {
    pub run_id: String,
    events: UnboundedReceiver<RunEvent>,
    task: JoinHandle<Result<RunReport, RuntimeError>>,
    cancel: CancellationToken,
}

impl RunHandle {
    pub(crate) fn new(
        run_id: String,
        events: UnboundedReceiver<RunEvent>,
        task: JoinHandle<Result<RunReport, RuntimeError>>,
        cancel: CancellationToken,
    ) -> Self {
        RunHandle { run_id, events, task, cancel }
    }

    /// The next event of the run, in order; `None` once the run has finished and every event was read.
    pub async fn next_event(&mut self) -> Option<RunEvent> {
        self.events.recv().await
    }

    /// Cancels this run: no new step starts; running steps finish.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Waits for the run to end and returns its report. Events not yet read are dropped.
    pub async fn finish(self) -> Result<RunReport, RuntimeError> {
        match self.task.await {
            Ok(result) => result,
            Err(error) => Err(RuntimeError::Aborted(error.to_string())),
        }
    }
}
