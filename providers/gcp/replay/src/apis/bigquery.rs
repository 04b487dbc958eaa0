//! BigQuery v2 `jobs.query` and `jobs.getQueryResults`. The fake runs no SQL: every query answers the billing
//! rows stored for the projects its `projects` array parameter names (standing for the export's
//! `project.id IN UNNEST(@projects)`), or for the job's project when it has no such parameter, first not complete (no rows), then complete and paged from `getQueryResults`.
//! The request stays in the log for tests to check its SQL, parameters and byte limit.

use serde_json::{Value as Json, json};

use super::{Call, put_items};
use crate::api::Api;
use crate::errors::ApiError;
use crate::estate::{billing_schema, table_row};
use crate::paging;
use crate::state::{Job, State};

pub(super) fn handle(state: &mut State, call: &Call) -> Option<Result<Json, ApiError>> {
    Some(match call.method.as_str() {
        "bigquery.jobs.query" => query(state, call),
        "bigquery.jobs.getQueryResults" => results(state, call),
        _ => return None,
    })
}

fn invalid_query(message: &str) -> ApiError {
    ApiError::new(400, "invalidQuery", message)
}

fn query(state: &mut State, call: &Call) -> Result<Json, ApiError> {
    let project = call.param("projectId").to_string();
    let body = &call.body;
    if body["query"].as_str().is_none_or(str::is_empty) {
        return Err(ApiError::new(400, "required", "Required parameter is missing: query"));
    }
    let parameters = body["queryParameters"].as_array().map_or(0, Vec::len);
    // jobs.query defaults to legacy SQL, which takes no query parameters.
    if parameters > 0 && body["useLegacySql"] != json!(false) {
        return Err(invalid_query("Query parameters cannot be used in legacy SQL queries: set useLegacySql to false"));
    }
    if body["parameterMode"] == json!("NAMED")
        && body["queryParameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["name"].as_str().is_none_or(str::is_empty))
    {
        return Err(invalid_query("Named query parameters must have a name"));
    }
    let job_id = format!("job_replay_{}", state.next_number());
    let location = body["location"].as_str().unwrap_or("US").to_string();
    let named: Vec<String> = body["queryParameters"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == json!("projects"))
        .and_then(|p| p.pointer("/parameterValue/arrayValues").and_then(Json::as_array))
        .map(|values| values.iter().filter_map(|v| v["value"].as_str().map(str::to_string)).collect())
        .unwrap_or_else(|| vec![project.clone()]);
    let rows: Vec<Json> = named
        .iter()
        .flat_map(|billed| {
            let stored = state.estate.get(Api::BigQuery, &format!("projects/{billed}/billing"));
            stored.and_then(Json::as_array).cloned().unwrap_or_default()
        })
        .collect();
    state.jobs.insert(job_id.clone(), Job { project: project.clone(), rows });
    Ok(json!({
        "kind": "bigquery#queryResponse",
        "jobReference": {"projectId": project, "jobId": job_id, "location": location},
        "jobComplete": false,
    }))
}

fn results(state: &State, call: &Call) -> Result<Json, ApiError> {
    let (project, job_id) = (call.param("projectId"), call.param("jobId"));
    let location = call.query("location").unwrap_or("US");
    let job = state
        .jobs
        .get(job_id)
        .filter(|job| job.project == project)
        .ok_or_else(|| ApiError::new(404, "notFound", format!("Not found: Job {project}:{location}.{job_id}")))?;
    let all: Vec<Json> = job.rows.iter().map(table_row).collect();
    let total = all.len();
    let (rows, next) = paging::page(all, &call.query, "maxResults", state.page_size)?;
    let mut answer = json!({
        "kind": "bigquery#getQueryResultsResponse",
        "etag": crate::ids::fingerprint(job_id),
        "schema": billing_schema(),
        "jobReference": {"projectId": project, "jobId": job_id, "location": location},
        "totalRows": total.to_string(),
        "totalBytesProcessed": "0",
        "jobComplete": true,
        "cacheHit": false,
    });
    put_items(&mut answer, "rows", rows);
    // BigQuery names the next page's token `pageToken` in the answer too, not `nextPageToken`.
    if let Some(token) = next {
        answer["pageToken"] = json!(token);
    }
    Ok(answer)
}
