//! `escher approvals`, `escher approve RUN STEP` and `escher reject RUN STEP --reason ...`: the approver's side
//! of signed approvals (`escher_engine::approvals`). Decisions are signed with the local identity and filed in
//! the shared approvals directory; the run that asked verifies them (signature, role, plan hash, parameters,
//! expiry, M of N, self-approval) when it goes on.

use std::path::Path;

use escher_engine::GovernanceSettings;
use escher_engine::approvals::{ApprovalError, RequestStatus};
use escher_governance::approvals::CheckedRequest;
use escher_runtime::report::verb::Verb;

use super::{CliError, EXIT_OK, Format, GovWhere, Outcome};

#[derive(Debug, clap::Args)]
pub struct ApprovalsArgs {
    /// Every request, not only pending ones.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub at: GovWhere,
}

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    pub run_id: String,
    pub step: String,
    #[command(flatten)]
    pub at: GovWhere,
}

#[derive(Debug, clap::Args)]
pub struct RejectArgs {
    pub run_id: String,
    pub step: String,
    #[arg(long, required = true)]
    pub reason: String,
    #[command(flatten)]
    pub at: GovWhere,
}

/// Where the approver's commands look: the state directory, the policy and the approvals directory.
fn settings(at: &GovWhere) -> GovernanceSettings {
    escher_engine::GovernanceSettings::from_env(at.policy.as_deref(), at.approvals.as_deref())
}

/// `escher approvals`: pending requests (every request with `--all`), with effect, risk and targets.
pub fn list(state: &Path, args: &ApprovalsArgs) -> Outcome {
    let settings = settings(&args.at);
    let mut shown = 0;
    for listed in settings.approval_requests(state).map_err(approval_error)? {
        let RequestStatus { filed, checked, status, open } = match listed {
            Ok(listed) => listed,
            Err((path, error)) => {
                eprintln!("warning: {} is not a readable request: {error}", path.display());
                continue;
            }
        };
        // A request that cannot be checked is shown while it is current: someone may have edited it.
        let current = !filed.request.is_expired(escher_state::chrono::Utc::now());
        let shown_by_default = open || (checked.is_err() && current);
        if !args.all && !shown_by_default {
            continue;
        }
        shown += 1;
        match (args.format, checked) {
            (Format::Json, Ok(request)) => {
                let mut value = serde_json::to_value(&request).unwrap_or_default();
                value["status"] = serde_json::Value::String(status);
                outln!("{value}");
            }
            (Format::Json, Err(_)) => {
                let request = &filed.request;
                let value = serde_json::json!({
                    "run_id": request.run_id,
                    "step": request.step,
                    "requested_by": request.requested_by,
                    "status": status,
                });
                outln!("{value}");
            }
            // Only what the request's own file says, to name it: none of it is shown as fact.
            (Format::Human, Err(_)) => {
                let request = &filed.request;
                outln!(
                    "{} {}  filed as requested by {}  [{status}]",
                    request.run_id,
                    request.step,
                    request.requested_by.name
                );
            }
            (Format::Human, Ok(request)) => show(&request, &status),
        }
    }
    if shown == 0 && args.format == Format::Human {
        let pending = if args.all { "" } else { "pending " };
        eprintln!("no {pending}approval requests in {}", settings.approvals_dir(state).display());
    }
    Ok(EXIT_OK)
}

/// A checked request as an approver reads it: everything but the targets is what compiling its playbook again
/// gave; the targets are the runner's signed listing, which the decision binds by id.
fn show(request: &CheckedRequest, status: &str) {
    outln!(
        "{} {}  {} ({}), risk {}  needs {} of {}  requested by {}  expires {}  [{status}]",
        request.run_id,
        request.step,
        request.action,
        request.effect,
        request.risk.as_str(),
        request.rule.count,
        request.rule.from.join(" or "),
        request.requested_by.name,
        request.expires_at
    );
    for line in request.docs.lines().filter(|line| !line.trim().is_empty()) {
        outln!("  | {}", line.trim());
    }
    for reason in &request.reasons {
        outln!("  - {reason}");
    }
    outln!(
        "  playbook {} ({}) plan {}  params {}",
        request.playbook,
        request.file,
        request.plan_hash,
        serde_json::to_string(&request.params).unwrap_or_default()
    );
    // Each target with the change the action makes to it, as the run's summary signs it.
    let verb = Verb::of(&request.action);
    let sign = verb.kind().sign();
    let becomes = verb.leaves_state().map(|state| format!(" → {state}")).unwrap_or_default();
    for target in &request.targets {
        outln!(
            "  {sign} {:<24} {:<28} {:<8} {:<14} {}{becomes}",
            target.id,
            target.name,
            target.cloud,
            target.account,
            target.region
        );
    }
}

/// `escher approve RUN STEP`.
pub fn approve(state: &Path, args: &ApproveArgs) -> Outcome {
    decide(state, &args.at, &args.run_id, &args.step, None)
}

/// `escher reject RUN STEP --reason ...`.
pub fn reject(state: &Path, args: &RejectArgs) -> Outcome {
    decide(state, &args.at, &args.run_id, &args.step, Some(args.reason.clone()))
}

fn decide(state: &Path, at: &GovWhere, run_id: &str, step: &str, rejection: Option<String>) -> Outcome {
    let approved = rejection.is_none();
    let decided = settings(at).decide(state, run_id, step, approved, rejection).map_err(approval_error)?;
    eprintln!(
        "{} {} step `{step}` of run {run_id} (plan {}), valid until {}: {}",
        decided.who,
        if approved { "approved" } else { "rejected" },
        decided.plan_hash,
        decided.valid_until,
        decided.path.display()
    );
    Ok(EXIT_OK)
}

/// A refusal exits 1, anything else 2.
pub fn approval_error(error: ApprovalError) -> CliError {
    if error.is_refusal() { CliError::Refused(error.to_string()) } else { CliError::Usage(error.to_string()) }
}
