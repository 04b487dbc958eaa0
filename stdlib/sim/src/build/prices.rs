//! List prices (USD, on-demand, a US region) for monthly costs: close enough to the clouds' price lists that
//! cost reports rank services the way a real bill would.

const HOURS_PER_MONTH: f64 = 730.0;

/// Hourly prices of machine types, instance classes and tiers.
const HOURLY: &[(&str, f64)] = &[
    ("t3.nano", 0.0052),
    ("t3.micro", 0.0104),
    ("t3.small", 0.0208),
    ("t3.medium", 0.0416),
    ("t3.large", 0.0832),
    ("t3.xlarge", 0.1664),
    ("m5.large", 0.096),
    ("m5.xlarge", 0.192),
    ("m6i.large", 0.096),
    ("m6i.xlarge", 0.192),
    ("m7i.large", 0.1008),
    ("m7i.xlarge", 0.2016),
    ("m7g.large", 0.0816),
    ("c6i.large", 0.085),
    ("c6i.xlarge", 0.17),
    ("r6i.large", 0.126),
    ("r6i.xlarge", 0.252),
    ("db.t4g.micro", 0.016),
    ("db.t4g.small", 0.032),
    ("db.t4g.medium", 0.065),
    ("db.t4g.large", 0.129),
    ("db.m6g.large", 0.152),
    ("db.m7g.large", 0.168),
    ("db.r6g.large", 0.225),
    ("db.r7g.large", 0.239),
    ("Standard_B1s", 0.0104),
    ("Standard_B2s", 0.0416),
    ("Standard_D2s_v5", 0.096),
    ("Standard_D4s_v5", 0.192),
    ("Standard_D8s_v5", 0.384),
    ("Standard_E4s_v5", 0.252),
    ("Standard_F4s_v2", 0.169),
    ("e2-micro", 0.0084),
    ("e2-small", 0.0168),
    ("e2-medium", 0.0335),
    ("e2-standard-2", 0.067),
    ("e2-standard-4", 0.134),
    ("n2-standard-2", 0.0971),
    ("n2-standard-4", 0.1942),
    ("n2-standard-8", 0.3885),
    ("c3-standard-4", 0.2088),
    ("db-f1-micro", 0.0105),
    ("db-g1-small", 0.035),
    ("db-custom-1-3840", 0.0694),
    ("db-custom-2-7680", 0.1389),
    ("db-custom-4-15360", 0.2778),
    ("db-custom-8-30720", 0.5556),
];

/// Monthly prices of Azure SQL service objectives (serverless ones at a typical month's use).
const MONTHLY: &[(&str, f64)] = &[
    ("S0", 14.72),
    ("S1", 29.43),
    ("S2", 73.58),
    ("GP_S_Gen5_1", 95.0),
    ("GP_S_Gen5_2", 190.0),
    ("GP_Gen5_2", 370.98),
    ("GP_Gen5_4", 741.96),
    ("BC_Gen5_2", 998.64),
    // A dedicated SQL pool (Data Warehouse) at its smallest size, running the whole month.
    ("DW100c", 876.0),
];

/// The monthly price of a machine type, instance class, tier or SKU; unknown ones are priced as a small machine.
pub fn monthly(machine: &str) -> f64 {
    let hourly = HOURLY.iter().find(|(name, _)| *name == machine).map(|(_, price)| price * HOURS_PER_MONTH);
    let monthly = MONTHLY.iter().find(|(name, _)| *name == machine).map(|(_, price)| *price);
    round(hourly.or(monthly).unwrap_or(50.0))
}

/// Whether an EC2 instance type is well formed (`family.size`), as EC2 checks before looking it up.
pub fn plausible_type(instance_type: &str) -> bool {
    let well_formed =
        |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    instance_type.split_once('.').is_some_and(|(family, size)| well_formed(family) && well_formed(size))
}

/// An RDS instance: its class and its allocated gp3 storage.
pub fn rds_monthly(class: &str, storage_gb: i64) -> f64 {
    round(monthly(class) + 0.115 * storage_gb as f64)
}

/// An RDS snapshot, by the storage of its source.
pub fn rds_snapshot_monthly(size_gb: i64) -> f64 {
    round(0.095 * size_gb as f64)
}

/// An EBS volume, by type and size.
pub fn volume_monthly(volume_type: &str, size_gb: i64) -> f64 {
    let per_gb = match volume_type {
        "gp2" => 0.10,
        "io1" | "io2" => 0.125,
        "st1" => 0.045,
        "sc1" => 0.015,
        "standard" => 0.05,
        _ => 0.08,
    };
    round(per_gb * size_gb as f64)
}

/// A disk snapshot of any cloud, by the size of its source.
pub fn snapshot_monthly(size_gb: i64) -> f64 {
    round(0.05 * size_gb as f64)
}

/// An Azure managed disk or a GCP persistent disk, by SKU or disk type and size.
pub fn disk_monthly(sku: &str, size_gb: i64) -> f64 {
    let per_gb = match sku {
        "Premium_LRS" | "pd-ssd" => 0.17,
        "StandardSSD_LRS" | "pd-balanced" | "hyperdisk-balanced" => 0.10,
        _ => 0.04,
    };
    round(per_gb * size_gb as f64)
}

fn round(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}
