//! Hosted zones and their record sets, every page, as `aws.route53.Record` records. Route 53 is global: the
//! records say region `global`.

use aws_sdk_route53::Client;
use aws_sdk_route53::types::{HostedZone, ResourceRecordSet, RrType};
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use crate::errors::classify;
use crate::record::Rec;

pub(crate) const RECORD: &str = "aws.route53.Record";

/// A zone or record name compared as Route 53 treats it: case-insensitive, final dot optional.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// `Z123` from `/hostedzone/Z123`.
pub(crate) fn zone_id(zone: &HostedZone) -> &str {
    zone.id().trim_start_matches("/hostedzone/")
}

pub(crate) async fn zones(client: &Client, page: Option<i32>) -> Result<Vec<HostedZone>, ProviderError> {
    let pages = client.list_hosted_zones().set_max_items(page).into_paginator().items();
    pages.send().try_collect().await.map_err(|e| classify("route53 ListHostedZones", &e))
}

/// The record sets of a zone from `(name, type, identifier)` on, page after page, while `more` says the sets
/// seen so far are not enough. Route 53 pages by the next set's name, type and identifier.
pub(crate) async fn record_sets(
    client: &Client,
    zone: &str,
    start: Option<(&str, &RrType, Option<&str>)>,
    page: Option<i32>,
    more: impl Fn(&[ResourceRecordSet]) -> bool,
) -> Result<Vec<ResourceRecordSet>, ProviderError> {
    let mut sets = Vec::new();
    let mut next: Option<(String, RrType, Option<String>)> =
        start.map(|(name, kind, id)| (name.to_string(), kind.clone(), id.map(str::to_string)));
    loop {
        let mut request = client.list_resource_record_sets().hosted_zone_id(zone).set_max_items(page);
        if let Some((name, kind, id)) = &next {
            request =
                request.start_record_name(name).start_record_type(kind.clone()).set_start_record_identifier(id.clone());
        }
        let out = request.send().await.map_err(|e| classify("route53 ListResourceRecordSets", &e))?;
        sets.extend(out.resource_record_sets);
        match (out.is_truncated, out.next_record_name, out.next_record_type) {
            (true, Some(name), Some(kind)) if more(&sets) => {
                let following = Some((name, kind, out.next_record_identifier));
                if following == next {
                    return Err(ProviderError::Unavailable(format!(
                        "route53 ListResourceRecordSets: zone {zone} answered the same page again; paging cannot go on"
                    )));
                }
                next = following;
            }
            (true, _, _) if more(&sets) => {
                return Err(ProviderError::Unavailable(format!(
                    "route53 ListResourceRecordSets: zone {zone} answered a truncated page without the next record"
                )));
            }
            _ => return Ok(sets),
        }
    }
}

/// `ZONEID/NAME/TYPE`, plus `/SET` when the record has a set identifier.
pub(crate) fn record_id(zone: &str, set: &ResourceRecordSet) -> String {
    let base = format!("{zone}/{}/{}", set.name(), set.r#type().as_str());
    match set.set_identifier() {
        Some(id) => format!("{base}/{id}"),
        None => base,
    }
}

pub(crate) fn record(zone: &str, zone_name: &str, account: &str, set: &ResourceRecordSet) -> Value {
    let values: Vec<String> = match set.alias_target() {
        Some(alias) => vec![alias.dns_name().to_string()],
        None => set.resource_records().iter().map(|r| r.value().to_string()).collect(),
    };
    Rec::new(RECORD, &record_id(zone, set), set.name(), account, "global")
        .str("zone_id", zone)
        .str("zone_name", zone_name)
        .str("record_type", set.r#type().as_str())
        .opt_int("ttl", set.ttl())
        .strings("values", values)
        .opt_str("set_identifier", set.set_identifier())
        .opt_str("failover", set.failover().map(|f| f.as_str()))
        .opt_str("health_check_id", set.health_check_id())
        .bool("alias", set.alias_target().is_some())
        .build()
}
