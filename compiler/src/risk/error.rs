//! Errors of the risk and policy pass (codes E04xx).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum RiskError {
    #[error("`{step}` destroys resources with no backup before it")]
    #[diagnostic(
        code(E0401),
        help(
            "run a backup step first (an action that makes a backup or snapshot) and make `{step}` run after \
             it, or write `irreversible = true` in its options to acknowledge that what it destroys is lost"
        )
    )]
    DestroyWithoutBackup {
        step: String,
        action: String,
        #[label("`{action}` cannot be undone and nothing backs up its targets first")]
        span: SourceSpan,
    },

    #[error("`{step}` destroys an unbounded number of resources")]
    #[diagnostic(
        code(E0402),
        help("add `max_targets = N` to its options to cap how many it may destroy, or pass a literal list of targets")
    )]
    UnboundedDestroy {
        step: String,
        #[label("how many resources this destroys is unknown until it runs")]
        span: SourceSpan,
    },

    #[error("`{step}` has critical risk and is not acknowledged as irreversible")]
    #[diagnostic(
        code(E0403),
        help(
            "the policy requires critical steps to carry `irreversible = true`, acknowledging what they can \
             break; add it, or lower the risk by bounding the targets or splitting the step by cloud or environment"
        )
    )]
    UnacknowledgedCritical {
        step: String,
        #[label("critical: {reasons}")]
        span: SourceSpan,
        reasons: String,
    },

    #[error("`{role}` is not a role of the policy")]
    #[diagnostic(code(E0404), help("{help}"))]
    UnknownRole {
        role: String,
        help: String,
        #[label("unknown role")]
        span: SourceSpan,
    },
}
