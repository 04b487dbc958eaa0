//! Costs computed from the estate: each resource's `monthly_cost` (USD over 30 days) scaled to the period and
//! summed per service, region or cloud, most expensive first. Services carry the names each cloud's billing
//! uses.

use std::collections::BTreeMap;
use std::time::Duration;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::{QueryFn, View, azure, gcp};
use crate::record::{self, Record, has_tags, row, text};
use escher_runtime::provider::args::Args;

pub(crate) const QUERIES: &[(&str, QueryFn)] = &[
    ("aws.cost.by_service", aws_by_service),
    ("aws.cost.by_region", aws_by_region),
    ("azure.cost.by_service", azure_by_service),
    ("gcp.billing.by_service", gcp_by_service),
    ("cost.by_service", all_by_service),
    ("cost.by_cloud", all_by_cloud),
];

type Listed = Result<Value, ProviderError>;

const THIRTY_DAYS: f64 = 30.0 * 24.0 * 3600.0;

/// What a resource cost over the period.
fn amount(resource: &Record, period: Duration) -> f64 {
    record::number_of(resource, "monthly_cost").unwrap_or(0.0) * period.as_secs_f64() / THIRTY_DAYS
}

/// The billing service a kind is charged under.
fn service(kind: &str) -> &'static str {
    match kind {
        "aws.ec2.Instance" => "Amazon Elastic Compute Cloud - Compute",
        "aws.ec2.Volume" | "aws.ec2.Snapshot" | "aws.ec2.Image" | "aws.ec2.SecurityGroupRule" => "EC2 - Other",
        "aws.lambda.Function" => "AWS Lambda",
        "aws.rds.Instance" | "aws.rds.Snapshot" => "Amazon Relational Database Service",
        "aws.route53.Record" => "Amazon Route 53",
        "aws.s3.Bucket" => "Amazon Simple Storage Service",
        "azure.vm.VirtualMachine" => "Virtual Machines",
        "azure.disk.Disk" | "azure.disk.Snapshot" | "azure.storage.Container" => "Storage",
        "azure.functions.FunctionApp" => "Functions",
        "azure.sql.Database" => "SQL Database",
        "azure.network.SecurityRule" => "Virtual Network",
        "gcp.compute.Instance" | "gcp.compute.Disk" | "gcp.compute.Snapshot" | "gcp.compute.FirewallRule" => {
            "Compute Engine"
        }
        "gcp.functions.Function" => "Cloud Functions",
        "gcp.sql.Instance" | "gcp.sql.Backup" => "Cloud SQL",
        "gcp.storage.Bucket" => "Cloud Storage",
        _ => "Other",
    }
}

/// Sums per group, dropping groups that cost nothing, most expensive first.
fn ranked<'a>(
    resources: impl Iterator<Item = &'a Record>,
    period: Duration,
    group: impl Fn(&Record) -> Vec<(&'static str, String)>,
) -> Value {
    let mut sums: BTreeMap<Vec<(&'static str, String)>, f64> = BTreeMap::new();
    for resource in resources {
        *sums.entry(group(resource)).or_default() += amount(resource, period);
    }
    let mut rows: Vec<(Vec<(&'static str, String)>, f64)> =
        sums.into_iter().map(|(key, sum)| (key, (sum * 100.0).round() / 100.0)).filter(|(_, sum)| *sum > 0.0).collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Value::List(
        rows.into_iter()
            .map(|(key, sum)| {
                let mut fields: Vec<(&str, Value)> = key.into_iter().map(|(name, value)| (name, text(value))).collect();
                fields.push(("amount", Value::Float(sum)));
                fields.push(("currency", text("USD")));
                row(fields)
            })
            .collect(),
    )
}

fn period(args: &Args) -> Result<Duration, ProviderError> {
    args.duration_or("period", Duration::from_secs(30 * 24 * 3600))
}

fn of_cloud<'a>(view: &'a View, cloud: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
    view.all().filter(move |r| record::kinds_cloud(r) == cloud)
}

fn by_service(resource: &Record) -> Vec<(&'static str, String)> {
    vec![("service", service(record::kind(resource)).to_string())]
}

fn aws_by_service(view: &View, args: &Args) -> Listed {
    let (period, tags) = (period(args)?, args.tags("tags")?);
    Ok(ranked(of_cloud(view, "aws").filter(|r| has_tags(r, &tags)), period, by_service))
}

fn aws_by_region(view: &View, args: &Args) -> Listed {
    let period = period(args)?;
    Ok(ranked(of_cloud(view, "aws"), period, |r| vec![("region", record::field(r, "region").to_string())]))
}

fn azure_by_service(view: &View, args: &Args) -> Listed {
    let (period, scope) = (period(args)?, azure::scope(view, args)?);
    Ok(ranked(of_cloud(view, "azure").filter(|r| scope.holds(r)), period, by_service))
}

fn gcp_by_service(view: &View, args: &Args) -> Listed {
    let (project, period, labels) = (gcp::project(view, args)?, period(args)?, args.tags("labels")?);
    let in_project = |r: &&Record| record::field(r, "account") == project && has_tags(r, &labels);
    Ok(ranked(of_cloud(view, "gcp").filter(in_project), period, by_service))
}

fn all_by_service(view: &View, args: &Args) -> Listed {
    let period = period(args)?;
    Ok(ranked(view.all(), period, |r| {
        vec![("cloud", record::kinds_cloud(r).to_string()), ("service", service(record::kind(r)).to_string())]
    }))
}

fn all_by_cloud(view: &View, args: &Args) -> Listed {
    let period = period(args)?;
    Ok(ranked(view.all(), period, |r| vec![("cloud", record::kinds_cloud(r).to_string())]))
}
