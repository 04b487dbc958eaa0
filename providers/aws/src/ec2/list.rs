//! The `aws.ec2.*` queries: every (account, region) listed at once, every page read; a page that fails fails the
//! query (never an empty or partial list). Tag, state and encryption filters are sent to the API; age,
//! attachment and "open to the internet" are judged here.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;
use futures::future::try_join_all;

use super::records;
use crate::context::{Account, AwsContext};
use crate::errors::classify;
use crate::record::{field, str_field};
use escher_runtime::provider::args::Args;

/// What an instance, volume, snapshot or image listing is narrowed to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Narrow {
    pub tags: BTreeMap<String, String>,
    pub state: Option<String>,
    pub attached: Option<bool>,
    pub encrypted: Option<bool>,
    pub older_than: Option<Duration>,
    /// Only these ids (describe); empty: any.
    pub ids: Vec<String>,
    pub ports: Vec<i64>,
}

impl Narrow {
    pub(crate) fn from_args(args: &Args) -> Result<Narrow, ProviderError> {
        Ok(Narrow {
            tags: args.tags("tags")?,
            state: args.opt_str("state")?.map(str::to_string),
            attached: args.opt_bool("attached")?,
            encrypted: args.opt_bool("encrypted")?,
            older_than: args.opt_duration("older_than")?,
            ids: Vec::new(),
            ports: args.ints("ports")?,
        })
    }

    fn filters(&self, id_filter: &str) -> Vec<Filter> {
        let mut filters: Vec<Filter> =
            self.tags.iter().map(|(k, v)| Filter::builder().name(format!("tag:{k}")).values(v).build()).collect();
        if !self.ids.is_empty() {
            filters.push(Filter::builder().name(id_filter).set_values(Some(self.ids.clone())).build());
        }
        filters
    }
}

/// Which listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Instances,
    Volumes,
    Snapshots,
    Images,
    OpenIngress,
    /// Every inbound rule (inventory).
    Rules,
}

/// One listing over the given regions (empty: the configured or enabled ones) of every configured account.
pub(crate) async fn list(
    ctx: &AwsContext,
    kind: Kind,
    regions: &[String],
    narrow: &Narrow,
) -> Result<Vec<Value>, ProviderError> {
    let targets = ctx.targets(regions).await?;
    let lists =
        try_join_all(targets.iter().map(|(account, region)| list_in(ctx, kind, account, region, narrow))).await?;
    Ok(lists.into_iter().flatten().collect())
}

/// One listing in one account and region.
pub(crate) async fn list_in(
    ctx: &AwsContext,
    kind: Kind,
    account: &Account,
    region: &str,
    narrow: &Narrow,
) -> Result<Vec<Value>, ProviderError> {
    let client = ctx.ec2(Some(&account.id), region).await?;
    let page = ctx.page_size();
    let now = std::time::SystemTime::now();
    let old_enough = |created: &Value| match (narrow.older_than, created) {
        (None, _) => true,
        (Some(age), Value::String(text)) => {
            chrono::DateTime::parse_from_rfc3339(text).is_ok_and(|t| std::time::SystemTime::from(t) + age <= now)
        }
        _ => false,
    };
    let (id, at) = (account.id.as_str(), region);
    let mut out = Vec::new();
    match kind {
        Kind::Instances => {
            let mut filters = narrow.filters("instance-id");
            if let Some(state) = &narrow.state {
                filters.push(Filter::builder().name("instance-state-name").values(state).build());
            }
            let what = format!("ec2 DescribeInstances in {id}/{at}");
            let mut pages =
                client.describe_instances().set_filters(Some(filters)).set_max_results(page).into_paginator().send();
            while let Some(answer) = pages.next().await {
                let answer = answer.map_err(|e| classify(&what, &e))?;
                for reservation in answer.reservations() {
                    out.extend(reservation.instances().iter().map(|i| records::instance(id, at, i)));
                }
            }
        }
        Kind::Volumes => {
            let what = format!("ec2 DescribeVolumes in {id}/{at}");
            let mut filters = narrow.filters("volume-id");
            if let Some(encrypted) = narrow.encrypted {
                filters.push(Filter::builder().name("encrypted").values(encrypted.to_string()).build());
            }
            let mut pages =
                client.describe_volumes().set_filters(Some(filters)).set_max_results(page).into_paginator().send();
            while let Some(answer) = pages.next().await {
                let answer = answer.map_err(|e| classify(&what, &e))?;
                out.extend(answer.volumes().iter().map(|v| records::volume(id, at, v)));
            }
            if let Some(attached) = narrow.attached {
                out.retain(|v| field(v, "attached") == Some(&Value::Bool(attached)));
            }
        }
        Kind::Snapshots => {
            let what = format!("ec2 DescribeSnapshots in {id}/{at}");
            let filters = narrow.filters("snapshot-id");
            let mut pages = client
                .describe_snapshots()
                .owner_ids("self")
                .set_filters(Some(filters))
                .set_max_results(page)
                .into_paginator()
                .send();
            while let Some(answer) = pages.next().await {
                let answer = answer.map_err(|e| classify(&what, &e))?;
                out.extend(answer.snapshots().iter().map(|s| records::snapshot(id, at, s)));
            }
            out.retain(|s| field(s, "created").is_some_and(old_enough));
        }
        Kind::Images => {
            let what = format!("ec2 DescribeImages in {id}/{at}");
            let filters = narrow.filters("image-id");
            let mut pages = client
                .describe_images()
                .owners("self")
                .set_filters(Some(filters))
                .set_max_results(page)
                .into_paginator()
                .send();
            while let Some(answer) = pages.next().await {
                let answer = answer.map_err(|e| classify(&what, &e))?;
                out.extend(answer.images().iter().map(|i| records::image(id, at, i)));
            }
            out.retain(|i| field(i, "created").is_some_and(old_enough));
        }
        Kind::OpenIngress => {
            out = rules(&client, id, at, narrow, page).await?;
            out.retain(|r| open_to_internet(r) && opens_one_of(r, &narrow.ports));
        }
        Kind::Rules => out = rules(&client, id, at, narrow, page).await?,
    }
    Ok(out)
}

/// Every inbound rule (or those of `narrow.ids`), with its group's name and VPC.
async fn rules(
    client: &Client,
    id: &str,
    at: &str,
    narrow: &Narrow,
    page: Option<i32>,
) -> Result<Vec<Value>, ProviderError> {
    let what = format!("ec2 DescribeSecurityGroups in {id}/{at}");
    let mut groups: HashMap<String, (String, String)> = HashMap::new();
    let mut pages = client.describe_security_groups().set_max_results(page).into_paginator().send();
    while let Some(answer) = pages.next().await {
        let answer = answer.map_err(|e| classify(&what, &e))?;
        for group in answer.security_groups() {
            let entry = (group.group_name().unwrap_or("").to_string(), group.vpc_id().unwrap_or("").to_string());
            groups.insert(group.group_id().unwrap_or("").to_string(), entry);
        }
    }
    let what = format!("ec2 DescribeSecurityGroupRules in {id}/{at}");
    let filters = narrow.filters("security-group-rule-id");
    let mut out = Vec::new();
    let mut pages =
        client.describe_security_group_rules().set_filters(Some(filters)).set_max_results(page).into_paginator().send();
    while let Some(answer) = pages.next().await {
        let answer = answer.map_err(|e| classify(&what, &e))?;
        for rule in answer.security_group_rules().iter().filter(|r| r.is_egress() != Some(true)) {
            let (name, vpc) = groups.get(rule.group_id().unwrap_or("")).cloned().unwrap_or_default();
            out.push(records::rule(id, at, rule, &name, &vpc));
        }
    }
    Ok(out)
}

fn open_to_internet(rule: &Value) -> bool {
    matches!(str_field(rule, "source"), "0.0.0.0/0" | "::/0")
}

fn opens_one_of(rule: &Value, ports: &[i64]) -> bool {
    let int = |name| match field(rule, name) {
        Some(Value::Int(i)) => *i,
        _ => -1,
    };
    ports.is_empty() || ports.iter().any(|p| (int("from_port")..=int("to_port")).contains(p))
}

/// Records as they are now, by kind, in their account and region; resources that no longer exist are left out.
pub(crate) async fn describe(ctx: &AwsContext, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
    let mut groups: BTreeMap<(Kind, String, String), Vec<String>> = BTreeMap::new();
    for resource in resources {
        let kind = match str_field(resource, "kind") {
            "aws.ec2.Instance" => Kind::Instances,
            "aws.ec2.Volume" => Kind::Volumes,
            "aws.ec2.Snapshot" => Kind::Snapshots,
            "aws.ec2.Image" => Kind::Images,
            "aws.ec2.SecurityGroupRule" => Kind::Rules,
            _ => continue,
        };
        let key = (kind, str_field(resource, "account").to_string(), str_field(resource, "region").to_string());
        groups.entry(key).or_default().push(str_field(resource, "id").to_string());
    }
    let mut found = Vec::new();
    for ((kind, account, region), ids) in groups {
        let account = match account.is_empty() {
            true => Account { id: ctx.caller_account().await?, name: String::new() },
            false => Account { name: account.clone(), id: account },
        };
        for chunk in ids.chunks(200) {
            let narrow = Narrow { ids: chunk.to_vec(), ..Narrow::default() };
            found.extend(list_in(ctx, kind, &account, &region, &narrow).await?);
        }
    }
    Ok(found)
}
