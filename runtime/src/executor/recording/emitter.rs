//! One ordered stream of events per run: each event is numbered, given to the host's sink and queued for the
//! run's handle, under one lock so both see the same order. A sink that fails cancels the run and is not
//! called again.

use std::sync::Mutex;

use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::events::{EventKind, EventSink, RunEvent};

pub(crate) struct Emitter {
    run_id: String,
    started: Instant,
    sink: std::sync::Arc<dyn EventSink>,
    stream: UnboundedSender<RunEvent>,
    cancel: CancellationToken,
    state: Mutex<EmitState>,
}

struct EmitState {
    seq: u64,
    sink_failed: bool,
}

impl Emitter {
    pub fn new(
        run_id: String,
        sink: std::sync::Arc<dyn EventSink>,
        stream: UnboundedSender<RunEvent>,
        cancel: CancellationToken,
    ) -> Self {
        Emitter {
            run_id,
            started: Instant::now(),
            sink,
            stream,
            cancel,
            state: Mutex::new(EmitState { seq: 0, sink_failed: false }),
        }
    }

    pub fn emit(&self, kind: EventKind) {
        let mut state = match self.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.seq += 1;
        let event = RunEvent { run_id: self.run_id.clone(), seq: state.seq, elapsed_ms: self.elapsed_ms(), kind };
        if !state.sink_failed && self.sink.emit(&event).is_err() {
            state.sink_failed = true;
            self.cancel.cancel();
        }
        // The handle may have been dropped: the run goes on, unwatched.
        let _ = self.stream.send(event);
    }

    /// Milliseconds since the run (or this resumed session) started.
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}
