//! Network security group rules (`azure.network.*`) on `Microsoft.Network`. The query lists every group of a
//! subscription (ListAll) and keeps the inbound `Allow` rules open to any source: `*`, `Internet` or
//! `0.0.0.0/0`, in `sourceAddressPrefix` or `sourceAddressPrefixes`. A rule's ports are its
//! `destinationPortRange` and every `destinationPortRanges` entry; its record names the first range that the
//! query's `ports` match (the first of all without `ports`).

use azure_core::http::Method;
use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde_json::{Value as Json, json};

use crate::context::{AzureContext, Subscription};
use crate::outcome::{Done, each_target, unknown_action};
use crate::record::{Rec, field, int, text_at, with};
use crate::versions::NETWORK;

pub(crate) const RULE: &str = "azure.network.SecurityRule";

const ANY_SOURCE: [&str; 3] = ["*", "Internet", "0.0.0.0/0"];

pub(crate) async fn call(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.network.open_inbound_rules" => open_rules(ctx, &args).await.map(ProviderResponse::Value),
        "azure.network.delete_rules" => each_target(&call.targets, |rule| delete(ctx, call, rule)).await,
        "azure.network.create_rules" => each_target(&call.targets, |rule| create(ctx, call, rule)).await,
        other => Err(unknown_action("network", other)),
    }
}

async fn open_rules(ctx: &AzureContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (ports, group) = (args.ints("ports")?, args.opt_str("resource_group")?);
    let mut found = Vec::new();
    for home in ctx.listed(args.opt_str("subscription")?).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.Network/networkSecurityGroups", home.id);
        for nsg in ctx.list(&home, ctx.url(&path, NETWORK, &[])).await? {
            let rules = nsg.get("properties").and_then(|p| p.get("securityRules")).and_then(Json::as_array);
            for rule in rules.into_iter().flatten() {
                if let Some(record) = open_rule(&nsg, rule, &ports)
                    && group.is_none_or(|g| field(&record, "resource_group").eq_ignore_ascii_case(g))
                {
                    found.push(record);
                }
            }
        }
    }
    Ok(Value::List(found))
}

/// The record of `rule` if it lets any source in on one of `ports` (any port when empty).
pub(crate) fn open_rule(nsg: &Json, rule: &Json, ports: &[i64]) -> Option<Value> {
    let properties = rule.get("properties")?;
    let is = |name, wanted: &str| text_at(properties, &[name]).eq_ignore_ascii_case(wanted);
    if !is("direction", "Inbound") || !is("access", "Allow") {
        return None;
    }
    let source = sources(properties).into_iter().find(|s| ANY_SOURCE.iter().any(|any| s.eq_ignore_ascii_case(any)))?;
    let ranges = port_ranges(properties);
    let (from, to) = if ports.is_empty() {
        ranges.first().copied()?
    } else {
        ranges.iter().copied().find(|(from, to)| ports.iter().any(|p| (*from..=*to).contains(p)))?
    };
    Some(rule_record(nsg, rule, &source, from, to))
}

fn sources(properties: &Json) -> Vec<String> {
    let mut all: Vec<String> = properties
        .get("sourceAddressPrefixes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    if let Some(one) = properties.get("sourceAddressPrefix").and_then(Json::as_str) {
        all.insert(0, one.to_string());
    }
    all
}

/// `22`, `1000-2000` and `*` as inclusive ranges.
fn port_ranges(properties: &Json) -> Vec<(i64, i64)> {
    let mut texts: Vec<&str> = properties.get("destinationPortRange").and_then(Json::as_str).into_iter().collect();
    texts.extend(
        properties.get("destinationPortRanges").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str),
    );
    texts
        .into_iter()
        .filter_map(|range| match range.trim() {
            "*" => Some((0, 65_535)),
            range => match range.split_once('-') {
                Some((from, to)) => Some((from.trim().parse().ok()?, to.trim().parse().ok()?)),
                None => range.parse().ok().map(|port| (port, port)),
            },
        })
        .collect()
}

fn rule_record(nsg: &Json, rule: &Json, source: &str, from: i64, to: i64) -> Value {
    let properties = rule.get("properties").unwrap_or(&Json::Null);
    let protocol = match text_at(properties, &["protocol"]) {
        "*" => "all".to_string(),
        other => other.to_ascii_lowercase(),
    };
    let mut located = rule.clone();
    located["location"] = nsg.get("location").cloned().unwrap_or(Json::Null);
    located["tags"] = nsg.get("tags").cloned().unwrap_or(Json::Null);
    Rec::new(RULE, &located)
        .str("protocol", protocol)
        .int("from_port", from)
        .int("to_port", to)
        .str("source", source)
        .str("security_group", text_at(nsg, &["name"]))
        .int("priority", properties.get("priority").and_then(Json::as_i64).unwrap_or(0))
        .build()
}

/// The rule as it is now; `None` when it is gone.
pub(crate) async fn read(
    ctx: &AzureContext,
    home: &Subscription,
    target: &Value,
) -> Result<Option<Value>, ProviderError> {
    let found = ctx.find(home, ctx.url(field(target, "id"), NETWORK, &[])).await?;
    Ok(found.map(|rule| as_listed(target, &rule)))
}

/// A rule's record from its own document, in the terms its listing gave it: its group's name, location and tags
/// are the target's (a rule's document has none), and its source and port range the ones the target named, if the
/// rule still has them.
fn as_listed(target: &Value, rule: &Json) -> Value {
    let properties = rule.get("properties").unwrap_or(&Json::Null);
    let sources = sources(properties);
    let source =
        sources.iter().find(|s| *s == field(target, "source")).or(sources.first()).cloned().unwrap_or_default();
    let ranges = port_ranges(properties);
    let port = int(target, "from_port").unwrap_or(0);
    let (from, to) = ranges
        .iter()
        .copied()
        .find(|(from, to)| (*from..=*to).contains(&port))
        .or(ranges.first().copied())
        .unwrap_or((0, 0));
    let group = json!({"name": field(target, "security_group"), "location": field(target, "region")});
    let tags = match target {
        Value::Record(fields) => fields.get("tags").cloned().unwrap_or(Value::Record(Default::default())),
        _ => Value::Record(Default::default()),
    };
    with(&rule_record(&group, rule, &source, from, to), "tags", tags)
}

async fn delete(ctx: &AzureContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let Some(rule) = read(ctx, &home, target).await? else { return Ok(Done::Unchanged(target.clone())) };
    if call.dry_run {
        return Ok(Done::Changed(rule));
    }
    let deleted = ctx.delete(&home, ctx.url(field(target, "id"), NETWORK, &[])).await?;
    Ok(if deleted { Done::Changed(rule) } else { Done::Unchanged(rule) })
}

/// Puts back a rule as its record describes it: inbound, `Allow`, from its source to its port range.
async fn create(ctx: &AzureContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    if read(ctx, &home, target).await?.is_some() {
        return Ok(Done::Unchanged(target.clone()));
    }
    if call.dry_run {
        return Ok(Done::Changed(target.clone()));
    }
    let number = |name| int(target, name).unwrap_or(0);
    let (from, to) = (number("from_port"), number("to_port"));
    let ports = if (from, to) == (0, 65_535) {
        "*".to_string()
    } else if from == to {
        from.to_string()
    } else {
        format!("{from}-{to}")
    };
    let protocol = match field(target, "protocol") {
        "tcp" => "Tcp",
        "udp" => "Udp",
        "icmp" => "Icmp",
        _ => "*",
    };
    let body = json!({"properties": {
        "protocol": protocol, "sourceAddressPrefix": field(target, "source"), "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": ports, "access": "Allow",
        "direction": "Inbound", "priority": number("priority"),
    }});
    ctx.act(&home, Method::Put, ctx.url(field(target, "id"), NETWORK, &[]), Some(&body)).await?;
    Ok(Done::Changed(target.clone()))
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    match call.action.as_str() {
        "azure.network.delete_rules" => Some(resource.is_none()),
        "azure.network.create_rules" => Some(resource.is_some()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nsg(rule: Json) -> Json {
        json!({"name": "nsg", "location": "westeurope", "tags": {"env": "dev"},
            "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/nsg",
            "properties": {"securityRules": [rule]}})
    }

    fn rule(properties: Json) -> Json {
        json!({"name": "r", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/nsg/securityRules/r",
            "properties": properties})
    }

    #[test]
    fn only_inbound_allow_rules_from_anywhere_are_open() {
        let open = rule(json!({"direction": "Inbound", "access": "Allow", "protocol": "Tcp",
            "sourceAddressPrefix": "Internet", "destinationPortRange": "22", "priority": 100}));
        let group = nsg(open.clone());
        let record = open_rule(&group, &open, &[]).expect("open");
        assert_eq!(field(&record, "source"), "Internet");
        assert_eq!(field(&record, "security_group"), "nsg");
        assert_eq!(field(&record, "region"), "westeurope");
        let deny = rule(
            json!({"direction": "Inbound", "access": "Deny", "sourceAddressPrefix": "*", "destinationPortRange": "22"}),
        );
        assert!(open_rule(&group, &deny, &[]).is_none());
        let private = rule(
            json!({"direction": "Inbound", "access": "Allow", "sourceAddressPrefix": "10.0.0.0/8", "destinationPortRange": "22"}),
        );
        assert!(open_rule(&group, &private, &[]).is_none());
    }

    #[test]
    fn a_rule_read_again_keeps_its_listings_terms_and_shows_what_changed() {
        let listed = rule(json!({"direction": "Inbound", "access": "Allow", "protocol": "Tcp", "priority": 100,
            "sourceAddressPrefixes": ["10.0.0.0/8", "Internet"], "destinationPortRanges": ["80", "22"]}));
        let group = nsg(listed.clone());
        let target = open_rule(&group, &listed, &[22]).expect("open on 22");
        let now = rule(json!({"direction": "Inbound", "access": "Allow", "protocol": "Udp", "priority": 200,
            "sourceAddressPrefixes": ["10.0.0.0/8", "Internet"], "destinationPortRanges": ["80", "22"]}));
        let read = as_listed(&target, &now);
        assert_eq!(
            (field(&read, "source"), int(&read, "from_port")),
            ("Internet", Some(22)),
            "the listing's source and range"
        );
        assert_eq!((field(&read, "protocol"), int(&read, "priority")), ("udp", Some(200)), "what the rule says now");
        assert_eq!((field(&read, "security_group"), field(&read, "region")), ("nsg", "westeurope"));
        assert_eq!(
            read.clone(),
            with(
                &read,
                "tags",
                Value::Record(std::collections::BTreeMap::from([("env".into(), Value::String("dev".into()))]))
            )
        );
    }

    #[test]
    fn port_ranges_include_every_destination_range() {
        let many = rule(json!({"direction": "Inbound", "access": "Allow", "protocol": "*",
            "sourceAddressPrefixes": ["10.1.0.0/16", "0.0.0.0/0"], "destinationPortRanges": ["80", "3000-3389"]}));
        let group = nsg(many.clone());
        let record = open_rule(&group, &many, &[3389]).expect("3389 is open");
        assert_eq!((field(&record, "protocol"), field(&record, "source")), ("all", "0.0.0.0/0"));
        assert!(open_rule(&group, &many, &[22]).is_none());
        assert_eq!(port_ranges(&json!({"destinationPortRange": "*"})), vec![(0, 65_535)]);
    }
}
