//! Security group rules: revoke by rule id; authorize from a rule record (to put back a revoked rule: the new
//! rule gets a new id, which the result's resource carries). An authorized rule is tagged with the batch's
//! idempotency key; a call in doubt looks for the rule its key made in the group before authorizing again (see
//! `identity.rs`).

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, UserIdGroupPair};
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, TargetResult};

use super::identity::{made_by, with_key};
use super::records;
use super::send::{Sent, changed, failed, home, sent, unchanged};
use crate::context::AwsContext;
use crate::errors::classify;
use crate::record::{field, str_field, text, with_field};

pub(crate) async fn revoke(ctx: &AwsContext, call: &ProviderCall) -> Result<Vec<TargetResult>, ProviderError> {
    let mut results = Vec::new();
    for target in &call.targets {
        let (account, region) = home(std::slice::from_ref(target));
        let client = ctx.ec2(account, region).await?;
        let (id, group) = (str_field(target, "id"), str_field(target, "group_id"));
        let r = client
            .revoke_security_group_ingress()
            .group_id(group)
            .security_group_rule_ids(id)
            .dry_run(call.dry_run)
            .send()
            .await;
        results.push(match sent(&format!("ec2 RevokeSecurityGroupIngress {group} {id}"), r)? {
            Sent::Done(answer) if !answer.unknown_ip_permissions().is_empty() => unchanged(target, target.clone()),
            Sent::Done(_) | Sent::WouldSucceed => changed(target, target.clone()),
            Sent::Refused { code, .. } if code == "InvalidPermission.NotFound" => unchanged(target, target.clone()),
            Sent::Refused { error, .. } => failed(target, error),
        });
    }
    Ok(results)
}

/// The rule as an IP permission: `all` is protocol `-1`; the source is a CIDR (v4 or v6), a prefix list or a
/// security group.
fn permission(rule: &Value) -> IpPermission {
    let port = |name| match field(rule, name) {
        Some(Value::Int(p)) => i32::try_from(*p).unwrap_or(-1),
        _ => -1,
    };
    let protocol = match str_field(rule, "protocol") {
        "all" => "-1",
        other => other,
    };
    let description = match (str_field(rule, "name"), str_field(rule, "id")) {
        (name, id) if name != id && !name.is_empty() => Some(name.to_string()),
        _ => None,
    };
    let source = str_field(rule, "source");
    let mut p = IpPermission::builder().ip_protocol(protocol);
    if protocol != "-1" {
        p = p.from_port(port("from_port")).to_port(port("to_port"));
    }
    if source.starts_with("pl-") {
        p.prefix_list_ids(PrefixListId::builder().prefix_list_id(source).set_description(description).build()).build()
    } else if source.starts_with("sg-") {
        p.user_id_group_pairs(UserIdGroupPair::builder().group_id(source).set_description(description).build()).build()
    } else if source.contains(':') {
        p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(source).set_description(description).build()).build()
    } else {
        p.ip_ranges(IpRange::builder().cidr_ip(source).set_description(description).build()).build()
    }
}

/// The id of the inbound rule of the target's group that a call with this key authorized, with the target's
/// protocol, ports and source; `None` when there is none.
async fn authorized_earlier(
    client: &Client,
    call: &ProviderCall,
    target: &Value,
) -> Result<Option<String>, ProviderError> {
    let group = str_field(target, "group_id");
    let filters = vec![Filter::builder().name("group-id").values(group).build(), with_key(call)];
    let found = client
        .describe_security_group_rules()
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify(&format!("ec2 DescribeSecurityGroupRules {group} (idempotency key)"), &e))?;
    // Compared as records, which write protocols and port ranges one way whatever the API answered.
    let same = |rule: &Value| {
        ["protocol", "from_port", "to_port", "source"].iter().all(|name| field(rule, name) == field(target, name))
    };
    Ok(found
        .iter()
        .filter(|rule| rule.is_egress() != Some(true))
        .find(|rule| same(&records::rule("", "", rule, "", "")))
        .and_then(|rule| rule.security_group_rule_id().map(str::to_string)))
}

pub(crate) async fn authorize(ctx: &AwsContext, call: &ProviderCall) -> Result<Vec<TargetResult>, ProviderError> {
    let mut results = Vec::new();
    for target in &call.targets {
        let (account, region) = home(std::slice::from_ref(target));
        let client = ctx.ec2(account, region).await?;
        let group = str_field(target, "group_id");
        if call.in_doubt
            && !call.dry_run
            && let Some(id) = authorized_earlier(&client, call, target).await?
        {
            results.push(changed(target, with_field(target, "id", text(id))));
            continue;
        }
        let r = client
            .authorize_security_group_ingress()
            .group_id(group)
            .ip_permissions(permission(target))
            .tag_specifications(made_by(call, ResourceType::SecurityGroupRule, str_field(target, "id")))
            .dry_run(call.dry_run)
            .send()
            .await;
        let what = format!("ec2 AuthorizeSecurityGroupIngress {group} from {}", str_field(target, "source"));
        results.push(match sent(&what, r)? {
            Sent::Done(answer) => {
                let new_id = answer.security_group_rules().first().and_then(|r| r.security_group_rule_id());
                changed(target, new_id.map_or_else(|| target.clone(), |id| with_field(target, "id", text(id))))
            }
            Sent::WouldSucceed => changed(target, target.clone()),
            Sent::Refused { code, .. } if code == "InvalidPermission.Duplicate" => unchanged(target, target.clone()),
            Sent::Refused { error, .. } => failed(target, error),
        });
    }
    Ok(results)
}
