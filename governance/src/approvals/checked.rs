//! What an approver decides on. A request is the runner's word; before anyone is shown it or signs anything, its
//! signature is checked, its playbook (with the imports it carries, never files from the approver's disk) is
//! compiled again with its parameters under the runner's risk policy, and the plan hash and parameter hash it
//! names must be what that compilation gives. What the approver is shown of the step (its action, effect, risk
//! and reasons, who must approve) comes from that compilation; the targets are the runner's signed listing, and a
//! decision binds their ids. Pure: no clock, no files.

use std::collections::BTreeMap;

use escher_compiler::plan::{RiskLevel, Value};
use escher_compiler::{CompileOptions, ParamInput, compile_input};
use serde::Serialize;

use super::request::{SignedRequest, TargetSummary, params_hash};
use crate::identity::Principal;
use crate::policy::{ApprovalRule, Policy};
use crate::template::EmbeddedLoader;

/// A request that verified, described by what its hashes commit to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedRequest {
    pub run_id: String,
    pub step: String,
    /// The playbook's name and the file it was compiled from.
    pub playbook: String,
    pub file: String,
    pub plan_hash: String,
    pub params: BTreeMap<String, Value>,
    pub params_hash: String,
    /// The step's `///` doc comment.
    pub docs: String,
    pub action: String,
    pub effect: String,
    pub risk: RiskLevel,
    pub reasons: Vec<String>,
    pub required_role: String,
    pub irreversible: bool,
    /// How many distinct people, from which roles, under the approver's policy.
    pub rule: ApprovalRule,
    /// The live targets as the runner listed them and signed.
    pub targets: Vec<TargetSummary>,
    /// The runner, named as the policy lists their key.
    pub requested_by: Principal,
    pub requested_at: String,
    pub expires_at: String,
    pub policy_sha256: String,
}

impl CheckedRequest {
    /// The ids of the targets a decision on this request binds.
    pub fn target_ids(&self) -> Vec<String> {
        self.targets.iter().map(|target| target.id.clone()).collect()
    }
}

/// Checks `signed` under `policy` (which the caller has made sure is the policy the run is governed by) and
/// describes it by what it commits to; `Err` says why it cannot be decided on.
pub fn check_request(signed: &SignedRequest, policy: &Policy) -> Result<CheckedRequest, String> {
    let request = &signed.request;
    signed.verify_signature().map_err(|why| format!("the runner's signature does not verify: {why}"))?;
    let runner = &request.requested_by;
    let name = policy.member_name(&runner.key).ok_or_else(|| {
        format!("it is signed by {} (key {}), whom the policy does not list", runner.name, runner.key)
    })?;
    let text = &request.playbook;
    if text.source.is_empty() {
        return Err("it carries no playbook text to compile".to_string());
    }
    let loader = EmbeddedLoader { main: &text.file, imports: &text.imports };
    let params = request.params.iter().map(|(name, value)| (name.clone(), ParamInput::Value(value.clone()))).collect();
    let mut options = CompileOptions::plan(&loader, params);
    options.policy = policy.risk_policy(Some(&runner.key));
    let compiled = compile_input(&text.file, &text.source, &options);
    let plan = match compiled.plan {
        Some(plan) if !compiled.diagnostics.has_errors() => plan,
        _ => {
            let first = compiled.diagnostics.0.iter().find(|d| d.is_error()).map(|d| d.message()).unwrap_or_default();
            return Err(format!("its playbook {} does not compile: {first}", text.file));
        }
    };
    if plan.hash != request.plan_hash {
        return Err(format!(
            "its playbook compiles with its parameters to plan {}, not to plan {} that it names",
            short(&plan.hash),
            short(&request.plan_hash)
        ));
    }
    let hash = params_hash(&plan.params);
    if hash != request.params_hash || plan.params != request.params {
        return Err("the parameters it names are not the ones its plan was compiled with".to_string());
    }
    let node = plan
        .nodes
        .iter()
        .find(|node| node.id == request.step)
        .ok_or_else(|| format!("its plan {} has no step `{}`", short(&plan.hash), request.step))?;
    let required = node
        .approval
        .as_ref()
        .ok_or_else(|| format!("step `{}` of its plan needs no approval from {name}'s policy", request.step))?;
    Ok(CheckedRequest {
        run_id: request.run_id.clone(),
        step: request.step.clone(),
        playbook: plan.playbook.clone(),
        file: text.file.clone(),
        plan_hash: plan.hash.clone(),
        params: plan.params.clone(),
        params_hash: hash,
        docs: node.docs.clone(),
        action: node.action.clone(),
        effect: node.effect.as_str().to_string(),
        risk: node.risk.level,
        reasons: node.risk.reasons.clone(),
        required_role: required.role.clone(),
        irreversible: required.irreversible,
        rule: policy.rule_for(node.risk.level, &required.role),
        targets: request.targets.clone(),
        requested_by: Principal { name: name.to_string(), key: runner.key.clone() },
        requested_at: request.requested_at.clone(),
        expires_at: request.expires_at.clone(),
        policy_sha256: request.policy_sha256.clone(),
    })
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
