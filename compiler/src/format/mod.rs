//! The formatter: canonical, idempotent layout that keeps comments.
