//! `escher approvals`, `escher approve RUN STEP` and `escher reject RUN STEP --reason ...`: the approver's side
//! of signed approvals. Decisions are signed with the local identity and filed in the shared approvals
//! directory; the run that asked verifies them (signature, role, plan hash, parameters, expiry, M of N,
//! self-approval) when it goes on.

use std::path::Path;

use escher_governance::approvals::{ApprovalsDir, Expected, Outcome, RequestFile, SignedDecision, tally};
use escher_governance::policy::{DEFAULT_VALIDITY, Policy};
use escher_runtime::audit::AuditEntry;

use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Format};

/// Where the approver's commands look.
pub struct Where<'a> {
    pub state: &'a Path,
    pub policy: Option<&'a Path>,
    pub approvals: Option<&'a Path>,
}

impl Where<'_> {
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
pub fn list(at: &Where<'_>, all: bool, format: Format) -> u8 {
    let policy = match super::policy::load(at.state, at.policy) {
        Ok(policy) => policy,
        Err(code) => return code,
    };
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
    EXIT_OK
}

/// `escher approve RUN STEP` (approved) and `escher reject RUN STEP --reason ...`.
pub fn decide(at: &Where<'_>, run_id: &str, step: &str, approved: bool, reason: Option<String>) -> u8 {
    let policy = match super::policy::load(at.state, at.policy) {
        Ok(policy) => policy,
        Err(code) => return code,
    };
    let identity = match super::identity::local(at.state, None) {
        Ok(identity) => identity,
        Err(code) => return code,
    };
    let dir = at.dir();
    let Some(request) = dir.latest_request(run_id, step) else {
        eprintln!("error: no approval request for step `{step}` of run {run_id} in {}", dir.root.display());
        return EXIT_USAGE;
    };
    let now = chrono::Utc::now();
    if request.is_expired(now) {
        eprintln!(
            "error: the request for step `{step}` of run {run_id} expired at {}; `escher resume {run_id}` asks again",
            request.expires_at
        );
        return EXIT_DIAGNOSTICS;
    }
    let validity = policy.as_ref().map_or(DEFAULT_VALIDITY, |p| p.approval_validity);
    let decision = match SignedDecision::sign(&identity, &request, approved, reason.clone(), now, validity) {
        Ok(decision) => decision,
        Err(error) => {
            eprintln!("error: cannot sign the decision: {error}");
            return EXIT_USAGE;
        }
    };
    let path = match dir.write_decision(&decision) {
        Ok(path) => path,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already decided on step `{step}` of run {run_id}; a decision is never replaced",
                identity.name
            );
            return EXIT_DIAGNOSTICS;
        }
        Err(error) => {
            eprintln!("error: cannot file the decision in {}: {error}", dir.root.display());
            return EXIT_USAGE;
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
    if let Err(error) = super::governed::append_audit(at.state, entry) {
        eprintln!("error: {error}");
        return EXIT_USAGE;
    }
    eprintln!(
        "{} {verb} step `{step}` of run {run_id} (plan {}), valid until {}: {}",
        identity.name,
        request.plan_hash,
        decision.decision.expires_at,
        path.display()
    );
    EXIT_OK
}
