//! The terminal approver: shows the step, its effect and risk, and the resources it will touch, and asks.

use std::io::{BufRead, IsTerminal, Write};

use escher_compiler::plan::Value;
use escher_runtime::approval::{ApprovalRequest, Approver, Decision};
use escher_runtime::provider::{resource_field, resource_id};

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
fn ask(question: &str) -> String {
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

/// Who is at the keyboard, as far as this machine says.
pub fn user_name() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}

/// The request as a person reads it before deciding.
pub fn describe(request: &ApprovalRequest) -> String {
    let mut text = format!(
        "\nApproval needed: step `{}` runs {} ({}), risk {}.\n",
        request.node,
        request.action,
        request.effect.as_str(),
        request.risk.level.as_str()
    );
    for line in request.docs.lines().filter(|line| !line.trim().is_empty()) {
        text.push_str(&format!("  | {}\n", line.trim()));
    }
    for reason in &request.risk.reasons {
        text.push_str(&format!("  - {reason}\n"));
    }
    text.push_str(&format!("It needs approval by: {}", request.required.role));
    if request.required.irreversible {
        text.push_str(" (irreversible: it cannot be undone)");
    }
    text.push_str(&format!("\nIt will touch {} resource(s):\n", request.targets.len()));
    for target in request.targets.iter().take(20) {
        text.push_str(&format!("  {}\n", target_line(target)));
    }
    if request.targets.len() > 20 {
        text.push_str(&format!("  ... and {} more\n", request.targets.len() - 20));
    }
    text
}

fn target_line(target: &Value) -> String {
    let field = |name| resource_field(target, name).unwrap_or("-");
    format!(
        "{:<24} {:<28} {:<12} {:<14} {}",
        resource_id(target).unwrap_or("?"),
        field("name"),
        field("cloud"),
        field("region"),
        field("state")
    )
}

#[async_trait::async_trait]
impl Approver for TerminalApprover {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        let prompt = describe(request);
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
            role: request.required.role.clone(),
            reason: Some(if answer { "approved at the terminal".into() } else { "refused at the terminal".into() }),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
        }
    }
}
