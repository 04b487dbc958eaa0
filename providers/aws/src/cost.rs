//! AWS costs from Cost Explorer (GetCostAndUsage, unblended cost, every page): `aws.cost.by_service`,
//! `aws.cost.by_region`, and AWS's rows of the agnostic `cost.by_service` and `cost.by_cloud`. Cost Explorer is
//! global and answers for the host's own account (the payer account sees its organization). Amounts are summed
//! over the period's months per group and currency, rounded to cents; groups that cost nothing are left out; the
//! most expensive come first.

use std::collections::BTreeMap;

use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, Expression, Granularity, GroupDefinition, GroupDefinitionType, TagValues,
};
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use crate::errors::classify;
use crate::outcome::unknown_action;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::cost::{by_cloud, records};

const METRIC: &str = "UnblendedCost";
const DAY_MS: u64 = 24 * 3600 * 1000;

pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    let rows = match call.action.as_str() {
        "aws.cost.by_service" => records(costs(ctx, &args, Dimension::Service, true).await?, "service", None),
        "aws.cost.by_region" => records(costs(ctx, &args, Dimension::Region, false).await?, "region", None),
        "cost.by_service" => records(costs(ctx, &args, Dimension::Service, false).await?, "service", Some("aws")),
        "cost.by_cloud" => records(by_cloud(costs(ctx, &args, Dimension::Service, false).await?, "aws"), "cloud", None),
        other => return Err(unknown_action("Cost Explorer", other)),
    };
    Ok(ProviderResponse::Value(Value::List(rows)))
}

/// The unblended cost per (group, currency) over the period ending today (Cost Explorer's end is exclusive, so
/// the last whole day is yesterday).
async fn costs(
    ctx: &AwsContext,
    args: &Args<'_>,
    dimension: Dimension,
    with_tags: bool,
) -> Result<BTreeMap<(String, String), f64>, ProviderError> {
    let period = args.opt_duration("period")?.map_or(30 * DAY_MS, |d| d.as_millis() as u64);
    let days = period.div_ceil(DAY_MS).max(1);
    let end = chrono::Utc::now().date_naive();
    let start = end - chrono::Days::new(days);
    let interval = DateInterval::builder()
        .start(start.format("%Y-%m-%d").to_string())
        .end(end.format("%Y-%m-%d").to_string())
        .build()
        .map_err(|e| ProviderError::Invalid(e.to_string()))?;
    let filter = if with_tags { tag_filter(&args.tags("tags")?) } else { None };
    let group = GroupDefinition::builder().r#type(GroupDefinitionType::Dimension).key(dimension.as_str()).build();
    let client = ctx.cost_explorer(None).await?;
    let mut sums: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .get_cost_and_usage()
            .time_period(interval.clone())
            .granularity(Granularity::Monthly)
            .metrics(METRIC)
            .group_by(group.clone())
            .set_filter(filter.clone())
            .set_next_page_token(token.take())
            .send()
            .await
            .map_err(|e| classify("ce GetCostAndUsage", &e))?;
        for result in out.results_by_time() {
            for group in result.groups() {
                let key = group.keys().first().cloned().unwrap_or_default();
                let Some(metric) = group.metrics().and_then(|m| m.get(METRIC)) else { continue };
                let amount: f64 = metric.amount().unwrap_or("0").parse().map_err(|_| {
                    ProviderError::Unavailable(format!(
                        "ce GetCostAndUsage: the amount {:?} of {key} is not a number",
                        metric.amount()
                    ))
                })?;
                *sums.entry((key, metric.unit().unwrap_or("USD").to_string())).or_default() += amount;
            }
        }
        match out.next_page_token {
            Some(next) if !next.is_empty() => token = Some(next),
            _ => return Ok(sums),
        }
    }
}

/// Resources carrying every tag with its value: one `Tags` expression, or their `And`.
fn tag_filter(tags: &BTreeMap<String, String>) -> Option<Expression> {
    let mut each: Vec<Expression> = tags
        .iter()
        .map(|(k, v)| Expression::builder().tags(TagValues::builder().key(k).values(v).build()).build())
        .collect();
    match each.len() {
        0 => None,
        1 => each.pop(),
        _ => Some(Expression::builder().set_and(Some(each)).build()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tag_filters_alone_and_several_are_anded() {
        assert!(tag_filter(&BTreeMap::new()).is_none());
        let one = tag_filter(&BTreeMap::from([("env".to_string(), "prod".to_string())]));
        assert!(one.is_some_and(|e| e.tags().is_some() && e.and().is_empty()));
        let two = tag_filter(&BTreeMap::from([
            ("env".to_string(), "prod".to_string()),
            ("team".to_string(), "web".to_string()),
        ]));
        assert_eq!(two.map(|e| e.and().len()), Some(2));
    }
}
