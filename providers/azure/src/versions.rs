//! The api-version Escher sends to each resource provider: one table, so a version moves in one place. Each is
//! the newest generally available version of which Microsoft's published examples could be vendored
//! (`tests/fixtures/INDEX.md`); where an operation's example exists only for an older version, its test says so.

/// `Microsoft.Compute` virtual machines.
pub(crate) const COMPUTE: &str = "2026-04-01";
/// `Microsoft.Compute` disks and snapshots (the disk resource provider versions apart from VMs).
pub(crate) const DISKS: &str = "2026-03-02";
/// `Microsoft.Network`.
pub(crate) const NETWORK: &str = "2025-07-01";
/// `Microsoft.Sql`.
pub(crate) const SQL: &str = "2025-01-01";
/// `Microsoft.Web` (App Service, Function Apps).
pub(crate) const WEB: &str = "2026-09-01";
/// `Microsoft.Storage`.
pub(crate) const STORAGE: &str = "2025-01-01";
/// `Microsoft.CostManagement`.
pub(crate) const COST_MANAGEMENT: &str = "2025-03-01";
/// `Microsoft.Resources` subscriptions.
pub(crate) const SUBSCRIPTIONS: &str = "2022-12-01";
/// `Microsoft.Resources` tags.
pub(crate) const TAGS: &str = "2025-04-01";

/// Every (resource provider, api-version) pair, for `docs/azure.md` and the tests that keep it true.
pub const TABLE: &[(&str, &str)] = &[
    ("Microsoft.Compute (virtual machines)", COMPUTE),
    ("Microsoft.Compute (disks, snapshots)", DISKS),
    ("Microsoft.Network", NETWORK),
    ("Microsoft.Sql", SQL),
    ("Microsoft.Web", WEB),
    ("Microsoft.Storage", STORAGE),
    ("Microsoft.CostManagement", COST_MANAGEMENT),
    ("Microsoft.Resources (subscriptions)", SUBSCRIPTIONS),
    ("Microsoft.Resources (tags)", TAGS),
];
