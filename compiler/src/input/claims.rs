//! The AI's claims about a playbook, checked against what the compiler computed. The computed values stand; a
//! difference is a warning so the model learns, never a reason to trust the claim.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::envelope::Claims;
use crate::plan::{Plan, RiskLevel};

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum ClaimWarning {
    #[error("the response claims risk \"{claimed}\", but the computed risk is {computed}")]
    #[diagnostic(code(W0701), severity(Warning), help("the computed risk stands: {reason}"))]
    RiskMismatch {
        claimed: String,
        computed: String,
        reason: String,
        #[label("claimed here")]
        span: SourceSpan,
    },

    #[error("the response claims requires_approval = {claimed}, but the computed plan says {computed}")]
    #[diagnostic(code(W0702), severity(Warning), help("the computed requirement stands: {reason}"))]
    ApprovalMismatch {
        claimed: bool,
        computed: bool,
        reason: String,
        #[label("claimed here")]
        span: SourceSpan,
    },

    #[error("\"{claimed}\" is not a risk level")]
    #[diagnostic(code(W0703), severity(Warning), help("risk levels are low, medium, high and critical"))]
    UnknownRiskLevel {
        claimed: String,
        #[label("not a risk level")]
        span: SourceSpan,
    },
}

/// Compares an envelope's claims with the plan; spans point into the envelope.
pub fn compare_claims(claims: &Claims, plan: &Plan) -> Vec<ClaimWarning> {
    let mut warnings = Vec::new();
    let riskiest = plan.nodes.iter().max_by_key(|n| n.risk.level);
    let computed = riskiest.map_or(RiskLevel::Low, |n| n.risk.level);
    if let Some(claimed) = &claims.risk_level {
        let span: SourceSpan = claims.claims_span.risk_level.unwrap_or_default().into();
        match RiskLevel::parse(claimed) {
            None => warnings.push(ClaimWarning::UnknownRiskLevel { claimed: claimed.clone(), span }),
            Some(level) if level != computed => warnings.push(ClaimWarning::RiskMismatch {
                claimed: claimed.clone(),
                computed: computed.as_str().into(),
                reason: riskiest.map_or("the playbook has no steps".into(), |n| {
                    format!("step `{}` is {} ({})", n.id, n.risk.level.as_str(), n.risk.reasons.join("; "))
                }),
                span,
            }),
            Some(_) => {}
        }
    }
    if let Some(claimed) = claims.requires_approval {
        let approving = plan.nodes.iter().find(|n| n.approval.is_some());
        let computed = approving.is_some();
        if claimed != computed {
            let reason = match approving.and_then(|n| n.approval.as_ref().map(|a| (n, a))) {
                Some((node, approval)) => format!("step `{}` needs approval by {}", node.id, approval.role),
                None => "no step's risk exceeds what the policy lets an executor run".into(),
            };
            warnings.push(ClaimWarning::ApprovalMismatch {
                claimed,
                computed,
                reason,
                span: claims.claims_span.requires_approval.unwrap_or_default().into(),
            });
        }
    }
    warnings
}
