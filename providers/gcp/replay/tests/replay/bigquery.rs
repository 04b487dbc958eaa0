//! BigQuery: a query answers not complete, then `getQueryResults` pages the project's billing rows.

use escher_gcp_replay::Api;
use serde_json::{Value as Json, json};

use super::{Client, reason};

fn billing_query() -> Json {
    json!({
        "query": "SELECT service.description AS service, SUM(cost) AS amount, currency FROM `acme-dev.billing.export` WHERE project.id = @project GROUP BY 1, 3",
        "useLegacySql": false,
        "parameterMode": "NAMED",
        "queryParameters": [{"name": "project", "parameterType": {"type": "STRING"}, "parameterValue": {"value": "acme-dev"}}],
        "maximumBytesBilled": "1000000000",
    })
}

#[tokio::test]
async fn a_query_completes_through_get_query_results_paged() {
    let client = Client::standard().await;
    let (status, started) =
        client.post(Api::BigQuery, "bigquery/v2/projects/acme-dev/queries", Some(billing_query())).await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["jobComplete"], false);
    let job = started["jobReference"]["jobId"].as_str().expect("a job id");
    let results = format!("bigquery/v2/projects/acme-dev/queries/{job}?location=US");
    let (_, first) = client.get(Api::BigQuery, &results).await;
    assert_eq!((first["jobComplete"].as_bool(), first["totalRows"].as_str()), (Some(true), Some("3")));
    assert_eq!(first["rows"][0], json!({"f": [{"v": "Compute Engine"}, {"v": "123.45"}, {"v": "USD"}]}));
    let token = first["pageToken"].as_str().expect("a second page");
    let (_, second) = client.get(Api::BigQuery, &format!("{results}&pageToken={token}")).await;
    assert_eq!(second["rows"].as_array().map(Vec::len), Some(1));
    assert!(second.get("pageToken").is_none());
    let sent = &client.replay().requests_to("bigquery.jobs.query")[0];
    assert_eq!(sent.body_at("/parameterMode"), Some(&json!("NAMED")));
    assert_eq!(sent.body_at("/maximumBytesBilled"), Some(&json!("1000000000")));
    client.replay().assert_clean();
}

#[tokio::test]
async fn query_parameters_need_standard_sql() {
    let client = Client::standard().await;
    let mut legacy = billing_query();
    legacy.as_object_mut().expect("an object").remove("useLegacySql");
    let (status, answer) = client.post(Api::BigQuery, "bigquery/v2/projects/acme-dev/queries", Some(legacy)).await;
    assert_eq!((status, reason(&answer)), (400, "invalidQuery"));
    client.replay().assert_clean();
}
