//! AWS resources.

use escher_compiler::plan::Value;

use super::draft::{DEFAULT_TIME, Draft, derived};
use super::prices;
use crate::estate::ids;
use crate::record::{strings, text};

/// A running Linux EC2 instance in the region's first availability zone, tagged with its `Name`.
pub fn ec2_instance(account: &str, region: &str, id: &str, name: &str, instance_type: &str) -> Draft {
    let vpc = format!("vpc-{}", &ids::hex17(derived(account, 1 << 40) ^ derived(region, 1 << 40))[1..9]);
    Draft::new("aws.ec2.Instance", id, name, account, region)
        .state("running")
        .tag("Name", name)
        .text("instance_type", instance_type)
        .text("availability_zone", &format!("{region}a"))
        .text("launch_time", DEFAULT_TIME)
        .text("image_id", &format!("ami-{}", ids::hex17(derived(instance_type, 1 << 20))))
        .text("platform", "linux")
        .text("vpc_id", &vpc)
        .text("private_ip", &format!("10.{}.{}.{}", derived(region, 200), derived(id, 250), derived(name, 250) + 2))
        .set("public_ip", Value::Null)
        .cost(prices::monthly(instance_type))
}

/// An unattached, encrypted gp3 EBS volume.
pub fn ebs_volume(account: &str, region: &str, id: &str, size_gb: i64) -> Draft {
    Draft::new("aws.ec2.Volume", id, id, account, region)
        .state("available")
        .int("size_gb", size_gb)
        .flag("attached", false)
        .flag("encrypted", true)
        .text("availability_zone", &format!("{region}a"))
        .text("volume_type", "gp3")
        .set("instance_id", Value::Null)
        .set("kms_key_id", Value::Null)
        .text("created", DEFAULT_TIME)
        .cost(prices::volume_monthly("gp3", size_gb))
}

/// An EBS volume attached to an instance; a boot volume goes when the instance is terminated.
pub fn ebs_volume_on(account: &str, region: &str, id: &str, size_gb: i64, instance_id: &str, boot: bool) -> Draft {
    ebs_volume(account, region, id, size_gb)
        .state("in-use")
        .flag("attached", true)
        .text("instance_id", instance_id)
        .flag("delete_with_instance", boot)
}

/// A completed snapshot of a volume.
pub fn ebs_snapshot(account: &str, region: &str, id: &str, volume_id: &str, size_gb: i64) -> Draft {
    Draft::new("aws.ec2.Snapshot", id, id, account, region)
        .state("completed")
        .int("size_gb", size_gb)
        .flag("encrypted", true)
        .text("created", DEFAULT_TIME)
        .text("volume_id", volume_id)
        .text("description", "")
        .cost(prices::snapshot_monthly(size_gb))
}

/// An available, private AMI backed by snapshots.
pub fn ami(account: &str, region: &str, id: &str, name: &str, snapshot_ids: &[&str]) -> Draft {
    Draft::new("aws.ec2.Image", id, name, account, region)
        .state("available")
        .text("created", DEFAULT_TIME)
        .flag("public", false)
        .set("snapshot_ids", strings(snapshot_ids))
}

/// A security group: its id, name and VPC.
pub struct SecurityGroup<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub vpc_id: &'a str,
}

/// An inbound rule of a security group; `protocol` `all` opens every port.
pub fn sg_rule(
    account: &str,
    region: &str,
    id: &str,
    group: &SecurityGroup,
    rule: (&str, i64, i64),
    source: &str,
) -> Draft {
    let (protocol, from_port, to_port) = rule;
    Draft::new("aws.ec2.SecurityGroupRule", id, id, account, region)
        .state("active")
        .text("protocol", protocol)
        .int("from_port", from_port)
        .int("to_port", to_port)
        .text("source", source)
        .text("group_id", group.id)
        .text("group_name", group.name)
        .text("vpc_id", group.vpc_id)
}

pub fn lambda_function(account: &str, region: &str, name: &str, runtime: &str) -> Draft {
    let arn = format!("arn:aws:lambda:{region}:{account}:function:{name}");
    Draft::new("aws.lambda.Function", &arn, name, account, region)
        .state("active")
        .text("runtime", runtime)
        .int("memory_mb", 512)
        .int("timeout_seconds", 30)
        .set("reserved_concurrency", Value::Null)
        .text("last_modified", DEFAULT_TIME)
        .cost(4.2)
}

/// An available, encrypted, single-AZ RDS instance.
pub fn rds_instance(account: &str, region: &str, name: &str, engine: &str, class: &str, storage_gb: i64) -> Draft {
    let arn = format!("arn:aws:rds:{region}:{account}:db:{name}");
    let version = match engine {
        "postgres" => "16.3",
        "mysql" => "8.0.36",
        "mariadb" => "10.11.8",
        _ => "15.00.4365.2.v1",
    };
    Draft::new("aws.rds.Instance", &arn, name, account, region)
        .state("available")
        .text("engine", engine)
        .text("instance_class", class)
        .text("engine_version", version)
        .int("storage_gb", storage_gb)
        .flag("encrypted", true)
        .flag("multi_az", false)
        .flag("publicly_accessible", false)
        .text("created", DEFAULT_TIME)
        .cost(prices::rds_monthly(class, storage_gb))
}

/// An RDS snapshot of an instance (`manual` or `automated`); it remembers the instance class to restore with.
pub fn rds_snapshot(account: &str, region: &str, name: &str, instance: &Draft, snapshot_type: &str) -> Draft {
    let arn = format!("arn:aws:rds:{region}:{account}:snapshot:{name}");
    let field = |f: &str| match instance.get(f) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let size = match instance.get("storage_gb") {
        Some(Value::Int(size)) => *size,
        _ => 20,
    };
    Draft::new("aws.rds.Snapshot", &arn, name, account, region)
        .state("available")
        .text("instance_name", &field("name"))
        .text("engine", &field("engine"))
        .text("instance_class", &field("instance_class"))
        .text("snapshot_type", snapshot_type)
        .int("size_gb", size)
        .flag("encrypted", true)
        .text("created", DEFAULT_TIME)
        .cost(prices::rds_snapshot_monthly(size))
}

/// A hosted zone: its id and name.
pub struct HostedZone<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

/// A simple record set; give it a set identifier and failover role with [`Draft::text`].
pub fn route53_record(account: &str, zone: &HostedZone, name: &str, record_type: &str, values: &[&str]) -> Draft {
    let id = format!("{}/{name}/{record_type}", zone.id);
    Draft::new("aws.route53.Record", &id, name, account, "global")
        .state("insync")
        .text("zone_id", zone.id)
        .text("zone_name", zone.name)
        .text("record_type", record_type)
        .int("ttl", 300)
        .set("values", strings(values))
        .set("set_identifier", Value::Null)
        .set("failover", Value::Null)
        .set("health_check_id", Value::Null)
        .cost(0.5)
}

/// A record set of a routing policy, told apart by its set identifier (which joins its id).
pub fn route53_set(
    account: &str,
    zone: &HostedZone,
    name: &str,
    record_type: &str,
    values: &[&str],
    set: &str,
) -> Draft {
    route53_record(account, zone, name, record_type, values)
        .text("id", &format!("{}/{name}/{record_type}/{set}", zone.id))
        .text("set_identifier", set)
}

/// A private, encrypted, unversioned S3 bucket with Block Public Access on.
pub fn s3_bucket(account: &str, region: &str, name: &str) -> Draft {
    Draft::new("aws.s3.Bucket", name, name, account, region)
        .state("available")
        .flag("public", false)
        .flag("encrypted", true)
        .flag("versioning", false)
        .text("created", DEFAULT_TIME)
        .flag("public_access_blocked", true)
        .set("encryption", text("AES256"))
        .set("kms_key_id", Value::Null)
        .set("replication_destination", Value::Null)
        .cost(23.0)
}
