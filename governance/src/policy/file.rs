//! The policy file as written: TOML with the span of every value a diagnostic may point at.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyFile {
    #[serde(default)]
    pub self_approval: bool,
    pub approval_validity: Option<Spanned<String>>,
    pub template_publishers: Option<Vec<Spanned<String>>>,
    /// Any TOML value, so that a string or a negative number is reported as P0109 with its span, not as a
    /// type error.
    pub safe_retries: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub roles: BTreeMap<Spanned<String>, RoleFile>,
    #[serde(default)]
    pub approvals: BTreeMap<Spanned<String>, Spanned<ApprovalsFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleFile {
    pub run_without_approval: Option<Spanned<String>>,
    #[serde(default)]
    pub members: Vec<MemberFile>,
    pub clouds: Option<Vec<Spanned<String>>>,
    pub accounts: Option<Vec<String>>,
    pub subscriptions: Option<Vec<String>>,
    pub projects: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberFile {
    pub name: Spanned<String>,
    /// A person with one key writes `key`, one with several `keys`: exactly one of the two.
    pub key: Option<Spanned<String>>,
    pub keys: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApprovalsFile {
    pub count: Spanned<u64>,
    pub from: Vec<Spanned<String>>,
}
