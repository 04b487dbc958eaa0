//! EC2 and EBS resources as the records `stdlib/declarations/aws/ec2.esc` declares.

use aws_sdk_ec2::types::{Image, Instance, SecurityGroupRule, Snapshot, Tag, Volume, VolumeAttachmentState};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use escher_compiler::plan::Value;

use crate::record::Rec;

fn tag_pairs(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().map(|t| (t.key().unwrap_or(""), t.value().unwrap_or("")))
}

pub(crate) fn instance(account: &str, region: &str, i: &Instance) -> Value {
    let state = i.state().and_then(|s| s.name()).map_or("", |n| n.as_str());
    let platform = match i.platform() {
        Some(p) if p.as_str().eq_ignore_ascii_case("windows") => "windows",
        _ => "linux",
    };
    Rec::new("aws.ec2.Instance", i.instance_id().unwrap_or(""), "", account, region)
        .tags(tag_pairs(i.tags()))
        .str("state", state)
        .str("instance_type", i.instance_type().map_or("", |t| t.as_str()))
        .str("availability_zone", i.placement().and_then(|p| p.availability_zone()).unwrap_or(""))
        .time("launch_time", i.launch_time())
        .str("image_id", i.image_id().unwrap_or(""))
        .str("platform", platform)
        .opt_str("vpc_id", i.vpc_id())
        .opt_str("private_ip", i.private_ip_address())
        .opt_str("public_ip", i.public_ip_address())
        .build()
}

pub(crate) fn volume(account: &str, region: &str, v: &Volume) -> Value {
    let attachment = v
        .attachments()
        .iter()
        .find(|a| matches!(a.state(), Some(VolumeAttachmentState::Attached | VolumeAttachmentState::Attaching) | None));
    Rec::new("aws.ec2.Volume", v.volume_id().unwrap_or(""), "", account, region)
        .tags(tag_pairs(v.tags()))
        .int("size_gb", i64::from(v.size().unwrap_or(0)))
        .bool("attached", attachment.is_some())
        .bool("encrypted", v.encrypted().unwrap_or(false))
        .str("availability_zone", v.availability_zone().unwrap_or(""))
        .str("volume_type", v.volume_type().map_or("", |t| t.as_str()))
        .str("state", v.state().map_or("", |s| s.as_str()))
        .opt_str("instance_id", attachment.and_then(|a| a.instance_id()))
        .opt_str("kms_key_id", v.kms_key_id())
        .time("created", v.create_time())
        .build()
}

pub(crate) fn snapshot(account: &str, region: &str, s: &Snapshot) -> Value {
    Rec::new("aws.ec2.Snapshot", s.snapshot_id().unwrap_or(""), "", account, region)
        .tags(tag_pairs(s.tags()))
        .int("size_gb", i64::from(s.volume_size().unwrap_or(0)))
        .bool("encrypted", s.encrypted().unwrap_or(false))
        .time("created", s.start_time())
        .str("volume_id", s.volume_id().unwrap_or(""))
        .str("state", s.state().map_or("", |st| st.as_str()))
        .str("description", s.description().unwrap_or(""))
        .build()
}

pub(crate) fn image(account: &str, region: &str, i: &Image) -> Value {
    let snapshots = i.block_device_mappings().iter().filter_map(|m| m.ebs().and_then(|e| e.snapshot_id()));
    let created = image_created(i);
    Rec::new("aws.ec2.Image", i.image_id().unwrap_or(""), i.name().unwrap_or(""), account, region)
        .tags(tag_pairs(i.tags()))
        .set("name", Value::String(i.name().or(i.image_id()).unwrap_or("").to_string()))
        .str("state", i.state().map_or("", |s| s.as_str()))
        .time("created", created.as_ref())
        .bool("public", i.public().unwrap_or(false))
        .strings("snapshot_ids", snapshots)
        .build()
}

/// An image's creation date is ISO 8601 text in the API, not a timestamp.
pub(crate) fn image_created(i: &Image) -> Option<DateTime> {
    DateTime::from_str(i.creation_date()?, Format::DateTime).ok()
}

/// `-1` (every protocol) is `all`; ports of a rule open to every port are 0 to 65535.
pub(crate) fn rule(account: &str, region: &str, r: &SecurityGroupRule, group_name: &str, vpc_id: &str) -> Value {
    let protocol = match r.ip_protocol().unwrap_or("-1") {
        "-1" => "all",
        other => other,
    };
    let (from, to) = match (protocol, r.from_port(), r.to_port()) {
        ("all", _, _) | (_, None | Some(-1), _) => (0, 65535),
        (_, Some(from), to) => (from, to.filter(|t| *t >= 0).unwrap_or(from)),
    };
    let source = r
        .cidr_ipv4()
        .or(r.cidr_ipv6())
        .or(r.prefix_list_id())
        .or(r.referenced_group_info().and_then(|g| g.group_id()))
        .unwrap_or("");
    let id = r.security_group_rule_id().unwrap_or("");
    Rec::new("aws.ec2.SecurityGroupRule", id, r.description().unwrap_or(""), account, region)
        .tags(tag_pairs(r.tags()))
        .set("name", Value::String(r.description().filter(|d| !d.is_empty()).unwrap_or(id).to_string()))
        .str("protocol", protocol)
        .int("from_port", i64::from(from))
        .int("to_port", i64::from(to))
        .str("source", source)
        .str("group_id", r.group_id().unwrap_or(""))
        .str("group_name", group_name)
        .str("vpc_id", vpc_id)
        .build()
}
