//! `escher approvals`, `escher approve RUN STEP` and `escher reject RUN STEP --reason ...`: the approver's side
//! of signed approvals. Decisions are signed with the local identity and filed in the shared approvals
//! directory; the run that asked verifies them (signature, role, plan hash, parameters, expiry, M of N,
//! self-approval) when it goes on.

use std::path::Path;

use escher_governance::approvals::{ApprovalsDir, Expected, Outcome, RequestFile, SignedDecision, tally};
use escher_governance::policy::{DEFAULT_VALIDITY, Policy};
use escher_runtime::audit::AuditEntry;

use super::{CliError, EXIT_OK, Format, GovWhere};

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
pub struct Where<'a> {
    pub state: &'a Path,
    pub policy: Option<&'a Path>,
    pub approvals: Option<&'a Path>,
}

impl<'a> Where<'a> {
    pub fn new(state: &'a Path, at: &'a GovWhere) -> Where<'a> {
        Where { state, policy: at.policy.as_deref(), approvals: at.approvals.as_deref() }
    }

    fn dir(&self) -> ApprovalsDir {
        ApprovalsDir::new(super::policy::approvals_dir(self.state, self.approvals))
    }
}

/// Where one request stands, by the decisions filed for it.
fn status(
    request: &RequestFile,
    dir: &ApprovalsDir,
    policy: Option<&Policy>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let Some(policy) = policy else {
        // Without a policy nothing can be verified here; the run verifies when it goes on.
        let filed = dir.decisions_for(&request.run_id, &request.step).len();
        let state = if request.is_expired(now) { "expired" } else { "pending" };
        return format!("{state} ({filed} decision(s) filed, not verified: no policy)");
    };
    let decisions: Vec<_> = dir.decisions_for(&request.run_id, &request.step).into_iter().map(|(_, d)| d).collect();
    let expected = Expected {
        run_id: &request.run_id,
        step: &request.step,
        plan_hash: &request.plan_hash,
        params_hash: &request.params_hash,
        rule: &request.rule,
        runner_key: &request.requested_by.key,
    };
    match tally(&decisions, &expected, policy, now) {
        Outcome::Approved { .. } => "approved".into(),
        Outcome::Rejected { by } => format!("rejected by {}", by.name),
        Outcome::Refused { check, .. } => format!("refused ({})", check.as_str()),
        Outcome::Pending { have, need } if request.is_expired(now) => format!("expired ({have} of {need})"),
        Outcome::Pending { have, need } => format!("pending ({have} of {need})"),
    }
}

/// `escher approvals`: pending requests (every request with `--all`), with effect, risk and targets.
pub fn list(state: &Path, args: &ApprovalsArgs) -> super::Outcome {
    let (at, all, format) = (Where::new(state, &args.at), args.all, args.format);
    let policy = super::policy::load(at.state, at.policy)?;
    let dir = at.dir();
    let now = chrono::Utc::now();
    let mut shown = 0;
    for (path, request) in dir.requests() {
        let request = match request {
            Ok(request) => request,
            Err(error) => {
                eprintln!("warning: {} is not a readable request: {error}", path.display());
                continue;
            }
        };
        let status = status(&request, &dir, policy.as_ref(), now);
        if !all && !status.starts_with("pending") {
            continue;
        }
        shown += 1;
        match format {
            Format::Json => {
                let mut value = serde_json::to_value(&request).unwrap_or_default();
                value["status"] = serde_json::Value::String(status);
                outln!("{value}");
            }
            Format::Human => {
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
                outln!(
                    "  playbook {} plan {}  params {}",
                    request.playbook,
                    request.plan_hash,
                    serde_json::to_string(&request.params).unwrap_or_default()
                );
                for target in &request.targets {
                    outln!(
                        "  {:<24} {:<28} {:<8} {:<14} {}",
                        target.id,
                        target.name,
                        target.cloud,
                        target.account,
                        target.region
                    );
                }
            }
        }
    }
    if shown == 0 && format == Format::Human {
        eprintln!("no {}approval requests in {}", if all { "" } else { "pending " }, dir.root.display());
    }
    Ok(EXIT_OK)
}

/// `escher approve RUN STEP`.
pub fn approve(state: &Path, args: &ApproveArgs) -> super::Outcome {
    decide(&Where::new(state, &args.at), &args.run_id, &args.step, true, None)
}

/// `escher reject RUN STEP --reason ...`.
pub fn reject(state: &Path, args: &RejectArgs) -> super::Outcome {
    decide(&Where::new(state, &args.at), &args.run_id, &args.step, false, Some(args.reason.clone()))
}

fn decide(at: &Where<'_>, run_id: &str, step: &str, approved: bool, reason: Option<String>) -> super::Outcome {
    let policy = super::policy::load(at.state, at.policy)?;
    let identity = super::identity::local(at.state, None)?;
    let dir = at.dir();
    let Some(request) = dir.latest_request(run_id, step) else {
        return Err(CliError::Usage(format!(
            "no approval request for step `{step}` of run {run_id} in {}",
            dir.root.display()
        )));
    };
    let now = chrono::Utc::now();
    if request.is_expired(now) {
        return Err(CliError::Refused(format!(
            "the request for step `{step}` of run {run_id} expired at {}; `escher resume {run_id}` asks again",
            request.expires_at
        )));
    }
    let validity = policy.as_ref().map_or(DEFAULT_VALIDITY, |p| p.approval_validity);
    let decision = SignedDecision::sign(&identity, &request, approved, reason.clone(), now, validity)
        .map_err(|error| CliError::Usage(format!("cannot sign the decision: {error}")))?;
    let path = match dir.write_decision(&decision) {
        Ok(path) => path,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CliError::Refused(format!(
                "{} already decided on step `{step}` of run {run_id}; a decision is never replaced",
                identity.name
            )));
        }
        Err(error) => {
            return Err(CliError::Usage(format!("cannot file the decision in {}: {error}", dir.root.display())));
        }
    };
    let role = policy
        .as_ref()
        .map(|p| p.roles_of(&identity.public_key()).iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let verb = if approved { "approved" } else { "rejected" };
    let entry = AuditEntry {
        at: escher_runtime::audit::stamp(now),
        who: identity.name.clone(),
        role: role.clone(),
        run_id: run_id.to_string(),
        plan_hash: request.plan_hash.clone(),
        kind: "approval.signed".into(),
        step: Some(step.to_string()),
        action: Some(request.action.clone()),
        targets: request.targets.iter().map(|t| t.id.clone()).collect(),
        approval: Some(format!("{} ({role})", identity.name)),
        journal: None,
        result: match &reason {
            Some(reason) => format!("{verb}: {reason}"),
            None => verb.to_string(),
        },
    };
    super::audit::append(at.state, entry)?;
    eprintln!(
        "{} {verb} step `{step}` of run {run_id} (plan {}), valid until {}: {}",
        identity.name,
        request.plan_hash,
        decision.decision.expires_at,
        path.display()
    );
    Ok(EXIT_OK)
}
