//! `azure.cost.by_service`, and Azure's rows of the agnostic `cost.by_service` and `cost.by_cloud`, on Cost
//! Management's query API: actual cost grouped by `ServiceName` over a custom
//! period ending now, per subscription, pages followed (`properties.nextLink`), summed across subscriptions,
//! most expensive first. Cost Management throttles per tenant, apart from Resource Manager; its own retry header
//! is honoured (`arm.rs`).

use azure_core::http::Method;
use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::cost::{Totals, by_cloud, records};
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde_json::{Value as Json, json};

use crate::context::AzureContext;
use crate::outcome::unknown_action;
use crate::versions::COST_MANAGEMENT;

const THIRTY_DAYS_MS: u64 = 30 * 24 * 3_600 * 1_000;

pub(crate) async fn call(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    let records = match call.action.as_str() {
        "azure.cost.by_service" => records(totals(ctx, &args, true).await?, "service", None),
        "cost.by_service" => records(totals(ctx, &args, false).await?, "service", Some("azure")),
        "cost.by_cloud" => records(by_cloud(totals(ctx, &args, false).await?, "azure"), "cloud", None),
        other => return Err(unknown_action("Cost Management", other)),
    };
    Ok(ProviderResponse::Value(Value::List(records)))
}

/// Actual cost per (service, currency) over the period, summed across the subscriptions the query names (its
/// `subscription`, else all); `scoped`: the query's own `subscription` and `resource_group` arguments apply.
async fn totals(ctx: &AzureContext, args: &Args<'_>, scoped: bool) -> Result<Totals, ProviderError> {
    let period =
        args.opt_duration("period")?.map_or(THIRTY_DAYS_MS, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let to = chrono::Utc::now();
    let from = to - chrono::Duration::milliseconds(i64::try_from(period).unwrap_or(i64::MAX));
    let group = if scoped { args.opt_str("resource_group")? } else { None };
    let only = if scoped { args.opt_str("subscription")? } else { None };
    let body = query_body(&from.to_rfc3339(), &to.to_rfc3339(), group);
    let mut totals = Totals::new();
    for home in ctx.listed(only).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.CostManagement/query", home.id);
        let mut next = Some(ctx.url(&path, COST_MANAGEMENT, &[]));
        while let Some(url) = next.take() {
            let reply = ctx.act(&home, Method::Post, url, Some(&body)).await.map_err(ProviderError::from)?;
            for (service, currency, amount) in rows(&reply.body) {
                *totals.entry((service, currency)).or_default() += amount;
            }
            // Every page, or the query fails: a link that cannot be followed is an error, never a shorter list.
            let link = reply.body.get("properties").and_then(|p| p.get("nextLink")).and_then(Json::as_str);
            next = match link.filter(|link| !link.is_empty()) {
                Some(link) => Some(ctx.arm.link(link, "the next page").map_err(ProviderError::from)?),
                None => None,
            };
        }
    }
    Ok(totals)
}

/// The query: actual cost summed by service over `from`..`to`, of one resource group if given.
pub(crate) fn query_body(from: &str, to: &str, resource_group: Option<&str>) -> Json {
    let mut dataset = json!({
        "granularity": "None",
        "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
        "grouping": [{"type": "Dimension", "name": "ServiceName"}],
    });
    if let Some(group) = resource_group {
        dataset["filter"] = json!({"dimensions": {"name": "ResourceGroupName", "operator": "In", "values": [group]}});
    }
    json!({"type": "ActualCost", "timeframe": "Custom", "timePeriod": {"from": from, "to": to}, "dataset": dataset})
}

/// (group, currency, amount) of each row, by the columns' names: the cost column is the first `Number` one.
pub(crate) fn rows(answer: &Json) -> Vec<(String, String, f64)> {
    let properties = answer.get("properties").unwrap_or(&Json::Null);
    let columns: Vec<(&str, &str)> = properties
        .get("columns")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            (c.get("name").and_then(Json::as_str).unwrap_or(""), c.get("type").and_then(Json::as_str).unwrap_or(""))
        })
        .collect();
    let at = |wanted: &dyn Fn(&(&str, &str)) -> bool| columns.iter().position(wanted);
    let Some(cost) = at(&|(name, kind)| *kind == "Number" && name.contains("Cost")) else { return Vec::new() };
    let currency = at(&|(name, _)| *name == "Currency");
    let group = at(&|(name, kind)| *kind == "String" && *name != "Currency");
    properties
        .get("rows")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|row| {
            let cell = |i: Option<usize>| i.and_then(|i| row.get(i));
            let amount = cell(Some(cost))?.as_f64()?;
            let text = |i| cell(i).and_then(Json::as_str).unwrap_or("").to_string();
            Some((text(group), text(currency), amount))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_their_columns() {
        let answer = json!({"properties": {
            "columns": [{"name": "PreTaxCost", "type": "Number"}, {"name": "ServiceName", "type": "String"},
                        {"name": "Currency", "type": "String"}],
            "rows": [[12.5, "Virtual Machines", "USD"], [1.25, "Storage", "USD"]]}});
        assert_eq!(
            rows(&answer),
            vec![("Virtual Machines".into(), "USD".into(), 12.5), ("Storage".into(), "USD".into(), 1.25),]
        );
    }

    #[test]
    fn a_resource_group_filters_the_query() {
        let body = query_body("a", "b", Some("rg"));
        assert_eq!(body["dataset"]["filter"]["dimensions"]["values"][0], "rg");
        assert!(query_body("a", "b", None)["dataset"].get("filter").is_none());
    }
}
