//! AWS listings. Each covers every AWS account of the estate (the host's configured accounts) and, when no
//! regions are given, every region.

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::filter::{flag, in_regions, in_state, is, older_than, open_to_internet, opens_port};
use super::{QueryFn, View, list};
use crate::record::{self, has_tags};
use escher_runtime::provider::args::Args;

pub(crate) const QUERIES: &[(&str, QueryFn)] = &[
    ("aws.ec2.instances", ec2_instances),
    ("aws.ec2.volumes", ec2_volumes),
    ("aws.ec2.snapshots", ec2_snapshots),
    ("aws.ec2.images", ec2_images),
    ("aws.ec2.open_ingress_rules", ec2_open_ingress_rules),
    ("aws.lambda.functions", lambda_functions),
    ("aws.rds.instances", rds_instances),
    ("aws.rds.snapshots", rds_snapshots),
    ("aws.route53.records", route53_records),
    ("aws.s3.buckets", s3_buckets),
];

type Listed = Result<Value, ProviderError>;

fn ec2_instances(view: &View, args: &Args) -> Listed {
    let (regions, tags, state) = (args.strings("regions")?, args.tags("tags")?, args.opt_str("state")?);
    Ok(list(
        view.of_kind("aws.ec2.Instance")
            .filter(|r| in_regions(r, &regions) && has_tags(r, &tags) && is(r, "state", state)),
    ))
}

fn ec2_volumes(view: &View, args: &Args) -> Listed {
    let (regions, tags) = (args.strings("regions")?, args.tags("tags")?);
    let (attached, encrypted) = (args.opt_bool("attached")?, args.opt_bool("encrypted")?);
    Ok(list(view.of_kind("aws.ec2.Volume").filter(|r| {
        in_regions(r, &regions)
            && has_tags(r, &tags)
            && flag(r, "attached", attached)
            && flag(r, "encrypted", encrypted)
    })))
}

fn ec2_snapshots(view: &View, args: &Args) -> Listed {
    let (regions, tags, age) = (args.strings("regions")?, args.tags("tags")?, args.opt_duration("older_than")?);
    Ok(list(
        view.of_kind("aws.ec2.Snapshot")
            .filter(|r| in_regions(r, &regions) && has_tags(r, &tags) && older_than(r, "created", age, view.now)),
    ))
}

fn ec2_images(view: &View, args: &Args) -> Listed {
    let (regions, tags, age) = (args.strings("regions")?, args.tags("tags")?, args.opt_duration("older_than")?);
    Ok(list(
        view.of_kind("aws.ec2.Image")
            .filter(|r| in_regions(r, &regions) && has_tags(r, &tags) && older_than(r, "created", age, view.now)),
    ))
}

fn ec2_open_ingress_rules(view: &View, args: &Args) -> Listed {
    let (regions, ports) = (args.strings("regions")?, args.ints("ports")?);
    Ok(list(
        view.of_kind("aws.ec2.SecurityGroupRule")
            .filter(|r| in_regions(r, &regions) && open_to_internet(r) && opens_port(r, &ports)),
    ))
}

fn lambda_functions(view: &View, args: &Args) -> Listed {
    let (regions, tags) = (args.strings("regions")?, args.tags("tags")?);
    Ok(list(view.of_kind("aws.lambda.Function").filter(|r| in_regions(r, &regions) && has_tags(r, &tags))))
}

fn rds_instances(view: &View, args: &Args) -> Listed {
    let (regions, tags, state) = (args.strings("regions")?, args.tags("tags")?, args.opt_str("state")?);
    Ok(list(
        view.of_kind("aws.rds.Instance")
            .filter(|r| in_regions(r, &regions) && has_tags(r, &tags) && in_state(r, state)),
    ))
}

fn rds_snapshots(view: &View, args: &Args) -> Listed {
    let (regions, tags, age) = (args.strings("regions")?, args.tags("tags")?, args.opt_duration("older_than")?);
    Ok(list(
        view.of_kind("aws.rds.Snapshot")
            .filter(|r| in_regions(r, &regions) && has_tags(r, &tags) && older_than(r, "created", age, view.now)),
    ))
}

/// Zones are named with or without their final dot; a zone nobody hosts is an error, as Route 53 answers
/// `NoSuchHostedZone`.
fn route53_records(view: &View, args: &Args) -> Listed {
    let (zones, record_type) = (args.strings("zones")?, args.opt_str("record_type")?);
    let zones: Vec<&str> = zones.iter().map(|z| z.trim_end_matches('.')).collect();
    let zone_of = |r: &record::Record| record::field(r, "zone_name").trim_end_matches('.').to_string();
    for zone in &zones {
        if !view.of_kind("aws.route53.Record").any(|r| zone_of(r) == *zone) {
            return Err(ProviderError::Rejected(format!("NoSuchHostedZone: no hosted zone named `{zone}`")));
        }
    }
    Ok(list(
        view.of_kind("aws.route53.Record").filter(|r| {
            (zones.is_empty() || zones.contains(&zone_of(r).as_str())) && is(r, "record_type", record_type)
        }),
    ))
}

fn s3_buckets(view: &View, args: &Args) -> Listed {
    let (tags, public, encrypted) = (args.tags("tags")?, args.opt_bool("public")?, args.opt_bool("encrypted")?);
    Ok(list(
        view.of_kind("aws.s3.Bucket")
            .filter(|r| has_tags(r, &tags) && flag(r, "public", public) && flag(r, "encrypted", encrypted)),
    ))
}
