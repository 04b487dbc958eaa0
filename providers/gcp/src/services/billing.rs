//! `gcp.billing.by_service`, and GCP's rows of the agnostic `cost.by_service` and `cost.by_cloud`: Google has no
//! cost query API, so Escher reads the Cloud Billing export to BigQuery that `gcp.json` names, with one
//! parameterised query (values are query parameters, never spliced into the SQL; only the table's checked name
//! is), `maximumBytesBilled` set so a query over a huge table is refused unbilled, followed until the job
//! completes and read page by page.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::cost::{Totals, by_cloud, records};
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde_json::{Value as Json, json};
use tokio::time::Instant;

use crate::api::{Request, Service};
use crate::config::BillingExport;
use crate::context::GcpContext;
use crate::errors::ApiError;
use crate::outcome::unknown_action;
use crate::record::text_at;

const THIRTY_DAYS_HOURS: i64 = 30 * 24;
const TEN_GIB: u64 = 10 << 30;

pub(crate) async fn call(ctx: &GcpContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    let records = match call.action.as_str() {
        "gcp.billing.by_service" => {
            let project = ctx.listed(Some(args.str("project")?))?;
            records(totals(ctx, &project, &args, &args.tags("labels")?).await?, "service", None)
        }
        "cost.by_service" => {
            records(totals(ctx, ctx.projects(), &args, &BTreeMap::new()).await?, "service", Some("gcp"))
        }
        "cost.by_cloud" => {
            records(by_cloud(totals(ctx, ctx.projects(), &args, &BTreeMap::new()).await?, "gcp"), "cloud", None)
        }
        other => return Err(unknown_action("Cloud Billing", other)),
    };
    Ok(ProviderResponse::Value(Value::List(records)))
}

fn export(ctx: &GcpContext) -> Result<&BillingExport, ProviderError> {
    ctx.config.billing.as_ref().ok_or_else(|| {
        ProviderError::Rejected(
            "no Cloud Billing export in gcp.json: set `billing.table` to the export's PROJECT.DATASET.TABLE".into(),
        )
    })
}

/// Cost (after credits) per (service, currency) of `projects` over the query's `period`.
async fn totals(
    ctx: &GcpContext,
    projects: &[String],
    args: &Args<'_>,
    labels: &BTreeMap<String, String>,
) -> Result<Totals, ProviderError> {
    let export = export(ctx)?;
    let hours = args.opt_duration("period")?.map_or(THIRTY_DAYS_HOURS, |d| (d.as_secs() / 3_600).max(1) as i64);
    let (table_project, dataset, table) = export.parts().map_err(ProviderError::Invalid)?;
    let job_project = export.job_project.as_deref().unwrap_or(table_project);
    let body = query_body(export, &format!("{table_project}.{dataset}.{table}"), projects, hours, labels);
    let rows = run(ctx, job_project, body).await?;
    let mut totals = Totals::new();
    for row in rows {
        let cell = |i: usize| row.pointer(&format!("/f/{i}/v")).and_then(Json::as_str).unwrap_or("");
        let amount: f64 = cell(1).parse().unwrap_or(0.0);
        *totals.entry((cell(0).to_string(), cell(2).to_string())).or_default() += amount;
    }
    Ok(totals)
}

/// The query and its parameters. A label filter keeps the rows that carry every wanted key with its value.
pub(crate) fn query_body(
    export: &BillingExport,
    table: &str,
    projects: &[String],
    hours: i64,
    labels: &BTreeMap<String, String>,
) -> Json {
    let query = format!(
        "SELECT service.description AS service, \
         SUM(cost) + SUM(IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0)) AS amount, currency \
         FROM `{table}` \
         WHERE project.id IN UNNEST(@projects) \
         AND usage_start_time >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @hours HOUR) \
         AND ARRAY_LENGTH(@label_keys) = (SELECT COUNT(DISTINCT l.key) FROM UNNEST(labels) AS l \
         JOIN UNNEST(@label_keys) AS k WITH OFFSET AS i ON l.key = k \
         JOIN UNNEST(@label_values) AS v WITH OFFSET AS j ON i = j AND l.value = v) \
         GROUP BY service, currency"
    );
    let strings =
        |values: Vec<&String>| json!({"arrayValues": values.iter().map(|v| json!({"value": v})).collect::<Vec<_>>()});
    let array = |name: &str, values: Vec<&String>| json!({"name": name, "parameterType": {"type": "ARRAY", "arrayType": {"type": "STRING"}}, "parameterValue": strings(values)});
    let mut body = json!({
        "query": query,
        "useLegacySql": false,
        "parameterMode": "NAMED",
        "queryParameters": [
            array("projects", projects.iter().collect()),
            {"name": "hours", "parameterType": {"type": "INT64"}, "parameterValue": {"value": hours.to_string()}},
            array("label_keys", labels.keys().collect()),
            array("label_values", labels.values().collect()),
        ],
        "maximumBytesBilled": export.maximum_bytes_billed.unwrap_or(TEN_GIB).to_string(),
        "timeoutMs": 10_000,
    });
    if let Some(location) = &export.location {
        body["location"] = json!(location);
    }
    body
}

/// Runs the query: `jobs.query`, then `jobs.getQueryResults` until the job is complete and for every further
/// page. A job that fails answers an error, which fails the query.
async fn run(ctx: &GcpContext, job_project: &str, body: Json) -> Result<Vec<Json>, ProviderError> {
    let start =
        Request::post(Service::BigQuery, "bigquery.jobs.query", format!("bigquery/v2/projects/{job_project}/queries"))
            .body(body)
            .in_project(job_project);
    let what = start.describe();
    let mut answer = ctx.send(&start).await?;
    let job = answer.get("jobReference").cloned().unwrap_or(Json::Null);
    let (job_id, location) = (text_at(&job, &["jobId"]).to_string(), text_at(&job, &["location"]).to_string());
    let started = Instant::now();
    let mut rows = Vec::new();
    loop {
        if let Some(errors) = answer.get("errors").filter(|e| e.as_array().is_some_and(|e| !e.is_empty())) {
            return Err(ApiError::from_operation(&json!({"errors": errors}), what).into());
        }
        let complete = answer.get("jobComplete").and_then(Json::as_bool).unwrap_or(false);
        let token = answer.get("pageToken").and_then(Json::as_str).map(str::to_string);
        if complete {
            rows.extend(answer.get("rows").and_then(Json::as_array).cloned().unwrap_or_default());
            if token.is_none() {
                return Ok(rows);
            }
        } else if started.elapsed() >= ctx.patience.timeout {
            return Err(ApiError::operation_timeout(what, ctx.patience.timeout).into());
        }
        let path = format!("bigquery/v2/projects/{job_project}/queries/{job_id}");
        let mut next = Request::get(Service::BigQuery, "bigquery.jobs.getQueryResults", path).in_project(job_project);
        if !location.is_empty() {
            next = next.query("location", location.as_str());
        }
        if let Some(token) = token.filter(|_| complete) {
            next = next.query("pageToken", token);
        } else {
            next = next.query("timeoutMs", "10000");
        }
        answer = ctx.send(&next).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_in_as_parameters_and_only_the_checked_table_in_the_text() {
        let export = BillingExport {
            table: "b.e.t".into(),
            job_project: None,
            location: Some("EU".into()),
            maximum_bytes_billed: None,
        };
        let labels = BTreeMap::from([("env".to_string(), "dev'; DROP".to_string())]);
        let body = query_body(&export, "b.e.t", &["acme-dev".into()], 48, &labels);
        let query = body["query"].as_str().expect("text");
        assert!(
            query.contains("FROM `b.e.t`")
                && !query.contains("acme-dev")
                && !query.contains("DROP")
                && !query.contains("48")
        );
        assert_eq!(body["parameterMode"], "NAMED");
        assert_eq!(body["maximumBytesBilled"], "10737418240");
        assert_eq!(body["location"], "EU");
        assert_eq!(body["queryParameters"][3]["parameterValue"]["arrayValues"][0]["value"], "dev'; DROP");
    }
}
