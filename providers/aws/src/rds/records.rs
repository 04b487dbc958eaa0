//! RDS instances and snapshots as `aws.rds.Instance` and `aws.rds.Snapshot` records.

use aws_sdk_rds::types::{DbInstance, DbSnapshot, Tag};
use escher_compiler::plan::Value;

use crate::record::Rec;

pub(crate) const INSTANCE: &str = "aws.rds.Instance";
pub(crate) const SNAPSHOT: &str = "aws.rds.Snapshot";

/// The account of an RDS ARN (`arn:aws:rds:REGION:ACCOUNT:db:NAME`), else the caller's.
fn account_of<'a>(arn: &'a str, fallback: &'a str) -> &'a str {
    arn.split(':').nth(4).filter(|a| !a.is_empty()).unwrap_or(fallback)
}

fn tag_pairs(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().map(|t| (t.key().unwrap_or(""), t.value().unwrap_or("")))
}

pub(crate) fn instance(db: &DbInstance, account: &str, region: &str) -> Value {
    let arn = db.db_instance_arn().unwrap_or("");
    let name = db.db_instance_identifier().unwrap_or("");
    Rec::new(INSTANCE, arn, name, account_of(arn, account), region)
        .tags(tag_pairs(db.tag_list()))
        .str("name", name)
        .str("state", db.db_instance_status().unwrap_or("unknown"))
        .str("engine", db.engine().unwrap_or(""))
        .str("instance_class", db.db_instance_class().unwrap_or(""))
        .str("engine_version", db.engine_version().unwrap_or(""))
        .int("storage_gb", i64::from(db.allocated_storage().unwrap_or(0)))
        .bool("encrypted", db.storage_encrypted().unwrap_or(false))
        .bool("multi_az", db.multi_az().unwrap_or(false))
        .bool("publicly_accessible", db.publicly_accessible().unwrap_or(false))
        .time("created", db.instance_create_time())
        .build()
}

pub(crate) fn snapshot(snap: &DbSnapshot, account: &str, region: &str) -> Value {
    let arn = snap.db_snapshot_arn().unwrap_or("");
    let name = snap.db_snapshot_identifier().unwrap_or("");
    Rec::new(SNAPSHOT, arn, name, account_of(arn, account), region)
        .tags(tag_pairs(snap.tag_list()))
        .str("name", name)
        .str("instance_name", snap.db_instance_identifier().unwrap_or(""))
        .str("engine", snap.engine().unwrap_or(""))
        .str("engine_version", snap.engine_version().unwrap_or(""))
        .str("state", snap.status().unwrap_or("unknown"))
        .str("snapshot_type", snap.snapshot_type().unwrap_or(""))
        .int("size_gb", i64::from(snap.allocated_storage().unwrap_or(0)))
        .bool("encrypted", snap.encrypted().unwrap_or(false))
        .time("created", snap.snapshot_create_time())
        .build()
}

/// Whether an instance is an Aurora cluster member, which `aws.rds.Instance` leaves out.
pub(crate) fn in_cluster(db: &DbInstance) -> bool {
    db.db_cluster_identifier().is_some_and(|c| !c.is_empty())
}
