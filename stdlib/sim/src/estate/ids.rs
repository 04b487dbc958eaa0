//! Ids and names in the clouds' own shapes. Created resources take their numbers from the estate's serial, so
//! a run from the same estate creates the same ids.

use chrono::{DateTime, Utc};

use crate::rng::mix;

/// Keeps the ids of created resources apart from the ids generated estates number from 0.
const CREATED: u64 = 0x5EED_0000_0000_0000;

/// 17 hex digits with a leading zero, as current EC2 ids (`i-0123456789abcdef0`).
pub fn hex17(n: u64) -> String {
    format!("0{:016x}", mix(n))
}

/// A 19-digit number, as Compute Engine ids.
pub fn numeric(n: u64) -> String {
    (1_000_000_000_000_000_000 + mix(n) % 9_000_000_000_000_000_000).to_string()
}

/// The number behind the `serial`-th created resource.
pub(crate) fn created(serial: u64) -> u64 {
    CREATED ^ serial
}

/// A timestamp for names (`dr-i-0abc-20250602T190000Z`), as the clouds' own tools write them.
pub(crate) fn stamp(now: DateTime<Utc>) -> String {
    now.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A lower-case timestamp for names that must be lower case (GCP resources, RDS identifiers).
pub(crate) fn lower_stamp(now: DateTime<Utc>) -> String {
    now.format("%Y%m%d-%H%M%S").to_string()
}
