//! The terminal approver: shows the step, its effect and risk, and the resources it will touch, and asks.

use std::io::{BufRead, IsTerminal, Write};

use escher_engine::user_name;
use escher_runtime::approval::{ApprovalRequest, Approver, Decision, SELF_APPROVAL};

/// Asks on the terminal; the answer is recorded with the user's name.
pub struct TerminalApprover {
    pub progress: indicatif::MultiProgress,
}

impl TerminalApprover {
    /// Whether there is a person to ask: the controlling terminal, even when stdin or stdout are piped
    /// (`escher run ... | tee log`).
    /// Stdin from `/dev/null` says no one is there to ask, as `ssh -n` does (and as test harnesses do).
    pub fn available() -> bool {
        if stdin_is_null() {
            return false;
        }
        terminal().is_some() || (std::io::stdin().is_terminal() && std::io::stderr().is_terminal())
    }
}

fn stdin_is_null() -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(stdin), Ok(null)) = (std::fs::metadata("/proc/self/fd/0"), std::fs::metadata("/dev/null")) else {
        return false;
    };
    stdin.rdev() == null.rdev() && stdin.dev() == null.dev()
}

/// The controlling terminal, for reading and writing.
fn terminal() -> Option<std::fs::File> {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").ok()
}

/// Set while a person is being asked: Ctrl-C then leaves at once (see `run::follow`).
static PROMPTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn prompting() -> bool {
    PROMPTING.load(std::sync::atomic::Ordering::SeqCst)
}

/// Asks on the controlling terminal (else stderr and stdin); the line typed, trimmed.
pub(crate) fn ask(question: &str) -> String {
    PROMPTING.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut line = String::new();
    match terminal() {
        Some(mut tty) => {
            let _ = write!(tty, "{question}").and_then(|()| tty.flush());
            let _ = std::io::BufReader::new(tty).read_line(&mut line);
        }
        None => {
            let mut stderr = std::io::stderr();
            let _ = write!(stderr, "{question}").and_then(|()| stderr.flush());
            let _ = std::io::stdin().lock().read_line(&mut line);
        }
    }
    PROMPTING.store(false, std::sync::atomic::Ordering::SeqCst);
    line.trim().to_string()
}

#[async_trait::async_trait]
impl Approver for TerminalApprover {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        let prompt = request.to_text();
        let expected = if request.required.irreversible { request.node.clone() } else { "yes".to_string() };
        let progress = self.progress.clone();
        let answer = tokio::task::spawn_blocking(move || {
            progress.suspend(|| {
                ask(&format!("{prompt}Type `{expected}` to approve, anything else to refuse: ")) == expected
            })
        })
        .await
        .unwrap_or(false);
        Decision {
            approved: answer,
            by: user_name(),
            role: SELF_APPROVAL.to_string(),
            reason: Some(if answer { "approved at the terminal".into() } else { "refused at the terminal".into() }),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }
}
