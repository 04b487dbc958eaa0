//! The table of every diagnostic code: its one-line title and its long explanation for `escher explain`.

/// One diagnostic code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
}

/// The long explanation of a code, if it exists.
pub fn explain(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|info| info.code.eq_ignore_ascii_case(code))
}

pub static CODES: &[CodeInfo] = &[];
