//! The table of every diagnostic code: its one-line title, and its long explanation for `escher explain` in
//! `codes/<CODE>.md`, read at build time.
//!
//! Each explanation says what the code means, shows a small example that causes it and the corrected example,
//! and says why the rule exists. `docs/diagnostics.md` holds the table of titles; a test keeps the two in step
//! and checks that every code the compiler can report is here.

use super::model::Severity;

/// One diagnostic code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
}

impl CodeInfo {
    /// A code explained by the text of a Markdown file. The file's final new line ends the file, not the text.
    pub const fn new(code: &'static str, title: &'static str, markdown: &'static str) -> Self {
        CodeInfo { code, title, explanation: markdown.trim_ascii_end() }
    }

    /// `W` codes are warnings; every other code is an error.
    pub fn level(&self) -> Severity {
        if self.code.starts_with('W') { Severity::Warning } else { Severity::Error }
    }
}

/// A row of a code table: the code, its title and the explanation in `codes/<CODE>.md`. The path is taken from
/// the file that invokes the macro, so governance's table keeps its explanations beside itself the same way.
#[macro_export]
macro_rules! code {
    ($code:literal, $title:literal) => {
        $crate::diagnostics::codes::CodeInfo::new($code, $title, include_str!(concat!("codes/", $code, ".md")))
    };
}

/// The long explanation of a code, if it exists.
pub fn explain(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|info| info.code.eq_ignore_ascii_case(code))
}

pub static CODES: &[CodeInfo] = &[
    // ---- E01xx: syntax ------------------------------------------------------------------------------------
    code!("E0101", "unexpected token"),
    code!("E0102", "unterminated string"),
    code!("E0103", "unknown escape in a string"),
    code!("E0104", "integer out of range"),
    code!("E0105", "step is not a call"),
    code!("E0106", "unclosed bracket"),
    code!("E0107", "brackets nested too deep"),
    code!("E0108", "duration out of range"),
    code!("E0109", "only a dotted name can be called"),
    code!("E0110", "expression too large"),
    // ---- E02xx: names -------------------------------------------------------------------------------------
    code!("E0201", "unknown name"),
    code!("E0202", "unknown query, action or function"),
    code!("E0203", "`after` names an unknown step"),
    code!("E0204", "name defined twice"),
    code!("E0205", "unknown type"),
    code!("E0206", "wrong number of type arguments"),
    code!("E0207", "map key is not `string`"),
    code!("E0208", "import cannot be loaded"),
    code!("E0209", "import cycle"),
    code!("E0210", "a value is called"),
    code!("E0211", "two imports share a name"),
    // ---- E03xx: types -------------------------------------------------------------------------------------
    code!("E0301", "mismatched types"),
    code!("E0302", "unknown field"),
    code!("E0303", "unknown argument"),
    code!("E0304", "missing argument"),
    code!("E0305", "argument given twice"),
    code!("E0306", "too many positional arguments"),
    code!("E0307", "not a value of the enum"),
    code!("E0308", "operator on the wrong types"),
    code!("E0309", "secret used where it could leak"),
    code!("E0310", "default outside its constraint"),
    code!("E0311", "constraint does not fit the parameter's type"),
    code!("E0312", "invalid regular expression"),
    code!("E0313", "script does not compile"),
    code!("E0314", "invalid step option value"),
    code!("E0315", "invalid cron expression"),
    code!("E0316", "unknown time zone"),
    code!("E0317", "parameter declared as a secret"),
    code!("E0318", "query run as a step"),
    code!("E0319", "action called in an expression"),
    code!("E0320", "invalid date and time"),
    code!("E0321", "`let` depends on itself"),
    code!("E0322", "unknown step option"),
    code!("E0323", "step option given twice"),
    code!("E0324", "query inside an expression"),
    code!("E0325", "value must be a literal"),
    code!("E0326", "unknown schedule kind"),
    code!("E0327", "more than one schedule"),
    code!("E0328", "imported playbook called in an expression"),
    code!("E0329", "function used as a step"),
    code!("E0330", "unnamed script input"),
    // ---- E04xx: risk and policy ---------------------------------------------------------------------------
    code!("E0401", "destroy without a backup"),
    code!("E0402", "destroy with unbounded targets"),
    code!("E0403", "critical step not acknowledged"),
    code!("E0404", "unknown approver role"),
    // ---- E05xx: the DAG -----------------------------------------------------------------------------------
    code!("E0501", "steps wait for each other"),
    code!("E0502", "plan edge to an unknown node (internal)"),
    // ---- E06xx: stdlib declarations -----------------------------------------------------------------------
    code!("E0601", "unknown type in a declaration"),
    code!("E0602", "wrong number of type arguments in a declaration"),
    code!("E0603", "map key is not `string` in a declaration"),
    code!("E0604", "name declared twice in the stdlib"),
    code!("E0605", "member declared twice"),
    code!("E0606", "unknown declaration attribute"),
    code!("E0607", "invalid declaration attribute value"),
    code!("E0608", "action attribute on a query"),
    code!("E0609", "action without an effect"),
    code!("E0610", "changing action without a dry-run mode"),
    code!("E0611", "cloud call without a rate-limit class"),
    code!("E0612", "undo names an unknown action"),
    code!("E0613", "undo takes other targets"),
    code!("E0614", "targets names an unknown parameter"),
    code!("E0615", "targets are not a list of resources"),
    code!("E0616", "destroy without targets"),
    code!("E0617", "resource implements something that is not an interface"),
    code!("E0618", "resource lacks an interface field"),
    code!("E0619", "interface field with another type"),
    code!("E0620", "parameter default does not fit its type"),
    code!("E0621", "outcome over values that are not resources"),
    code!("E0622", "implements names no cloud-agnostic action or query"),
    code!("E0623", "an agnostic action or query implemented twice on one cloud"),
    code!("E0624", "implements maps an unknown parameter"),
    code!("E0625", "implements fixes an argument with a value of another type"),
    code!("E0626", "an agnostic query implemented on some clouds only"),
    // ---- E07xx, W07xx: AI output --------------------------------------------------------------------------
    code!("E0701", "no playbook in the Markdown"),
    code!("E0702", "invalid JSON"),
    code!("E0703", "envelope without a playbook"),
    code!("E0704", "response type carries no playbook"),
    code!("E0705", "envelope is not a JSON object"),
    code!("E0706", "input is not UTF-8 text"),
    code!("W0701", "claimed risk differs from the computed risk"),
    code!("W0702", "claimed approval differs from the computed one"),
    code!("W0703", "claimed risk is not a risk level"),
    // ---- E08xx: planning with parameter values ------------------------------------------------------------
    code!("E0801", "required parameter not given"),
    code!("E0802", "unknown parameter given"),
    code!("E0803", "parameter value of the wrong type"),
    code!("E0804", "parameter value outside its constraint"),
    code!("E0805", "step option invalid when planning"),
];
