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

/// Every (resource provider, api-version) pair; a test keeps `docs/azure.md` naming each.
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

#[cfg(test)]
mod tests {
    /// `docs/azure.md` names the api-version of every resource provider as this table pins it.
    #[test]
    fn the_docs_name_every_pinned_version() {
        let docs = include_str!("../../../docs/azure.md");
        let how = docs.split("**api-versions**").nth(1).and_then(|rest| rest.split("\n- ").next()).unwrap_or("");
        let how = how.replace('\n', " ");
        for (provider, version) in super::TABLE {
            assert!(how.contains(&format!("`{version}`")), "docs/azure.md does not name {provider}'s {version}: {how}");
        }
    }
}
