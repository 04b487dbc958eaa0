//! The policy diagnostic codes, for `escher explain`: each code's title, and its explanation in
//! `codes/<CODE>.md`, read at build time. `docs/policy.md` lists the same codes with the same titles; a test keeps
//! the two in step and checks every code has a fixture.

use escher_compiler::code;
use escher_compiler::diagnostics::CodeInfo;

/// The long explanation of a policy code, if it exists.
pub fn explain(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|info| info.code.eq_ignore_ascii_case(code))
}

pub static CODES: &[CodeInfo] = &[
    code!("P0101", "not TOML, or a field the policy does not have (the message names the expected fields)"),
    code!(
        "P0102",
        "a risk level that is not low, medium, high or critical (`run_without_approval`, `[approvals.LEVEL]`)"
    ),
    code!("P0103", "a member's key is not an ed25519 public key (64 hex digits)"),
    code!("P0104", "`from` or `template_publishers` names a role the policy does not define"),
    code!("P0105", "an approval count that can never be met: zero, or more than the members of the `from` roles"),
    code!("P0106", "`approval_validity` is not a duration"),
    code!("P0107", "a cloud that is not aws, azure or gcp"),
    code!("P0108", "the same key listed twice in one role"),
    code!("P0109", "`safe_retries` is not a whole number from 0 to 20"),
    code!("P0110", "a member with both `key` and `keys`, neither, or an empty `keys`"),
    code!("P0111", "one name listed with different keys (in two roles, or twice in one)"),
    code!("P0112", "one key listed under two names in different roles"),
];
