//! Killing an `escher` process at a chosen point of its run: after its journal holds some number of records,
//! plus a delay, so kills land between records as well as inside provider calls. Shared by the crash tests.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::process::{Child, Output};
use std::thread;
use std::time::{Duration, Instant};

/// No single `escher` process of the crash tests should take anywhere near this long.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A finished command's output, for an assertion's message.
pub fn text(output: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Counts the complete lines of a journal that grows, reading only what was added since the last look. The
/// journal is found by `find` once it exists.
#[derive(Default)]
pub struct LineCounter {
    path: Option<PathBuf>,
    /// Just after the last newline seen: a half-written last line is read again when it is complete.
    offset: u64,
    lines: usize,
}

impl LineCounter {
    pub fn count(&mut self, find: impl Fn() -> Option<PathBuf>) -> usize {
        if self.path.is_none() {
            self.path = find();
        }
        let Some(path) = &self.path else { return 0 };
        let Ok(mut file) = fs::File::open(path) else { return self.lines };
        let mut added = Vec::new();
        if file.seek(SeekFrom::Start(self.offset)).is_ok()
            && file.read_to_end(&mut added).is_ok()
            && let Some(last) = added.iter().rposition(|&byte| byte == b'\n')
        {
            self.lines += added[..=last].iter().filter(|&&byte| byte == b'\n').count();
            self.offset += last as u64 + 1;
        }
        self.lines
    }
}

/// Waits until the journal `find` locates holds `records` complete lines, waits `delay` more, then kills `child`
/// with SIGKILL. Returns the number of journal lines at the kill, or how the child ended when it ended first.
pub fn kill_after(
    find: impl Fn() -> Option<PathBuf>,
    child: &mut Child,
    records: usize,
    delay: Duration,
) -> Result<usize, String> {
    let mut counter = LineCounter::default();
    let deadline = Instant::now() + PATIENCE;
    while counter.count(&find) < records {
        if let Some(status) = child.try_wait().expect("poll the child") {
            return Err(format!("it ended on its own ({status}) with {} journal records", counter.count(&find)));
        }
        assert!(Instant::now() < deadline, "the journal never reached {records} records");
        thread::sleep(Duration::from_millis(1));
    }
    thread::sleep(delay);
    if let Some(status) = child.try_wait().expect("poll the child") {
        return Err(format!("it ended on its own ({status}) with {} journal records", counter.count(&find)));
    }
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");
    Ok(counter.count(&find))
}
