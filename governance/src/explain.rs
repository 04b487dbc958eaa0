//! Every code Escher reports, in one lookup for `escher explain`: the compiler's (E and W codes), its lint
//! rules' (L codes) and the policy file's (P codes). It lives here because governance is the crate that sees both tables.

use escher_compiler::diagnostics::{self, CodeInfo};
use escher_compiler::lint;

use crate::policy;

/// The title and long explanation of any diagnostic code, whatever its case.
pub fn explain_code(code: &str) -> Option<&'static CodeInfo> {
    diagnostics::explain(code).or_else(|| lint::explain(code)).or_else(|| policy::explain(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_and_policy_codes_are_found_in_one_place() {
        assert_eq!(explain_code("E0201").map(|info| info.code), Some("E0201"));
        assert_eq!(explain_code("w0701").map(|info| info.code), Some("W0701"));
        assert_eq!(explain_code("p0105").map(|info| info.code), Some("P0105"));
        assert_eq!(explain_code("l0101").map(|info| info.code), Some("L0101"));
        assert!(explain_code("E9999").is_none());
        assert!(explain_code("P9999").is_none());
    }
}
