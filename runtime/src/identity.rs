//! Who runs plans, as the runtime's audit entries name them.

/// Who is running plans, as the audit log records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub who: String,
    pub role: String,
}
