//! Security group rules: revoke by rule id; authorize from a rule record (to put back a revoked rule: the new
//! rule gets a new id, which the result's resource carries).

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, TargetResult};

use super::send::{Sent, changed, failed, home, sent, unchanged};
use crate::context::AwsContext;
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

pub(crate) async fn authorize(ctx: &AwsContext, call: &ProviderCall) -> Result<Vec<TargetResult>, ProviderError> {
    let mut results = Vec::new();
    for target in &call.targets {
        let (account, region) = home(std::slice::from_ref(target));
        let client = ctx.ec2(account, region).await?;
        let group = str_field(target, "group_id");
        let r = client
            .authorize_security_group_ingress()
            .group_id(group)
            .ip_permissions(permission(target))
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
