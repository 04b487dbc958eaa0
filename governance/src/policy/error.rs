//! Everything wrong a policy file can be, each with a stable code (P01xx), a label on the place and help.

use miette::{Diagnostic, SourceSpan};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Diagnostic)]
pub enum PolicyError {
    #[error("{message}")]
    #[diagnostic(
        code(P0101),
        help(
            "the policy is TOML; see docs/policy.md for its fields: self_approval, approval_validity, template_publishers, safe_retries, [roles.NAME], [approvals.LEVEL]"
        )
    )]
    Syntax {
        message: String,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("`{found}` is not a risk level")]
    #[diagnostic(code(P0102), help("risk levels are low, medium, high and critical"))]
    UnknownLevel {
        found: String,
        #[label("not low, medium, high or critical")]
        span: SourceSpan,
    },

    #[error("the key of member `{member}` is not an ed25519 public key")]
    #[diagnostic(code(P0103), help("a key is the 64 hex digits that `escher identity` prints for that user"))]
    BadKey {
        member: String,
        #[label("not 64 hex digits of an ed25519 public key")]
        span: SourceSpan,
    },

    #[error("no role is named `{role}`")]
    #[diagnostic(code(P0104), help("roles defined here: {known}"))]
    UnknownRole {
        role: String,
        known: String,
        #[label("not a role of this policy")]
        span: SourceSpan,
    },

    #[error("{count} approvals can never be given: {reason}")]
    #[diagnostic(
        code(P0105),
        help("ask for at least 1 and at most as many approvals as the roles in `from` have members")
    )]
    ImpossibleApprovals {
        count: u64,
        reason: String,
        #[label("impossible")]
        span: SourceSpan,
    },

    #[error("`{found}` is not a duration")]
    #[diagnostic(code(P0106), help("write a number and a unit: 90s, 10m, 24h or 7d"))]
    BadDuration {
        found: String,
        #[label("not a duration")]
        span: SourceSpan,
    },

    #[error("`{found}` is not a cloud")]
    #[diagnostic(code(P0107), help("clouds are aws, azure and gcp"))]
    UnknownCloud {
        found: String,
        #[label("not aws, azure or gcp")]
        span: SourceSpan,
    },

    #[error("the key of `{member}` is also listed as `{first}` in role `{role}`")]
    #[diagnostic(code(P0108), help("list each person once per role; one key is one person"))]
    DuplicateMember {
        member: String,
        first: String,
        role: String,
        #[label("listed twice")]
        span: SourceSpan,
    },

    #[error("`{found}` is not a number of retries from 0 to {max}")]
    #[diagnostic(
        code(P0109),
        help(
            "`safe_retries` is a whole number from 0 to {max}: the retries every query gets on throttling, 5xx and timeouts, and every call on throttling; leave it out for the default, 10"
        )
    )]
    BadRetries {
        found: String,
        max: u32,
        #[label("not a whole number from 0 to {max}")]
        span: SourceSpan,
    },

    #[error("member `{member}` has {problem}")]
    #[diagnostic(
        code(P0110),
        help("write a person's one key as `key = \"...\"`, or all of their keys as `keys = [\"...\", \"...\"]`")
    )]
    MemberKeys {
        member: String,
        problem: String,
        #[label("needs exactly one of `key` or `keys`")]
        span: SourceSpan,
    },

    #[error("`{member}` is listed again with other keys (first listed in role `{role}`)")]
    #[diagnostic(
        code(P0111),
        help(
            "one name is one person, with the same keys wherever it is listed: give each entry of `{member}` all of their keys (`keys = [...]`), or give the other person another name"
        )
    )]
    OtherKeys {
        member: String,
        role: String,
        #[label("not the keys of the first `{member}`")]
        span: SourceSpan,
    },

    #[error("the key of `{member}` is also listed as `{owner}` in role `{role}`")]
    #[diagnostic(
        code(P0112),
        help(
            "one key is one person: list it under one name only; a person with several keys lists them all, `keys = [...]`"
        )
    )]
    SharedKey {
        member: String,
        owner: String,
        role: String,
        #[label("another person's key")]
        span: SourceSpan,
    },
}

impl PolicyError {
    /// The stable code, as `escher policy check` and the docs name it.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Syntax { .. } => "P0101",
            PolicyError::UnknownLevel { .. } => "P0102",
            PolicyError::BadKey { .. } => "P0103",
            PolicyError::UnknownRole { .. } => "P0104",
            PolicyError::ImpossibleApprovals { .. } => "P0105",
            PolicyError::BadDuration { .. } => "P0106",
            PolicyError::UnknownCloud { .. } => "P0107",
            PolicyError::DuplicateMember { .. } => "P0108",
            PolicyError::BadRetries { .. } => "P0109",
            PolicyError::MemberKeys { .. } => "P0110",
            PolicyError::OtherKeys { .. } => "P0111",
            PolicyError::SharedKey { .. } => "P0112",
        }
    }
}

/// A byte range as miette's span.
pub(crate) fn span(range: std::ops::Range<usize>) -> SourceSpan {
    SourceSpan::from(range.start..range.end)
}
