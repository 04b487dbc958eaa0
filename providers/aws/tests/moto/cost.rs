//! Cost Explorer through the provider against moto. moto tracks no costs: it answers GetCostAndUsage from a queue
//! of results given to it beforehand (`/moto-api/static/ce/cost-and-usage-results`), one per distinct request,
//! and checks none of the request's parameters. So this proves the requests are sent, every page is read
//! (NextPageToken), amounts are summed over months per group and ranked, and the agnostic rows are shaped; it
//! cannot prove that Cost Explorer would accept the filter and grouping sent, nor what real amounts look like.
//! One test only: the queue is shared by everything that talks to this moto server.

use crate::services::*;
use escher_compiler::plan::Value;
use escher_runtime::provider::Provider;

fn month(start: &str, end: &str, groups: &[(&str, &str)]) -> String {
    let groups: Vec<String> = groups
        .iter()
        .map(|(key, amount)| {
            format!(r#"{{"Keys": ["{key}"], "Metrics": {{"UnblendedCost": {{"Amount": "{amount}", "Unit": "USD"}}}}}}"#)
        })
        .collect();
    format!(
        r#"{{"TimePeriod": {{"Start": "{start}", "End": "{end}"}}, "Total": {{}}, "Groups": [{}], "Estimated": false}}"#,
        groups.join(", ")
    )
}

fn row(fields: &[(&str, Value)]) -> Value {
    Value::Record(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

#[tokio::test]
async fn costs_are_summed_over_every_page_and_month_ranked_and_shaped_per_query() {
    let ec2 = "Amazon Elastic Compute Cloud - Compute";
    let page_one = format!(
        r#"{{"NextPageToken": "page-2", "ResultsByTime": [{}, {}]}}"#,
        month("2026-10-01", "2026-11-01", &[(ec2, "10.004"), ("Amazon Simple Storage Service", "1.5")]),
        month("2026-11-01", "2026-11-24", &[(ec2, "5.0"), ("AWS Lambda", "0.004")])
    );
    let page_two =
        format!(r#"{{"ResultsByTime": [{}]}}"#, month("2026-11-01", "2026-11-24", &[("Amazon Route 53", "2.25")]));
    let regions = format!(
        r#"{{"ResultsByTime": [{}]}}"#,
        month("2026-10-25", "2026-11-24", &[("us-east-1", "7.5"), ("eu-west-1", "12.0"), ("global", "0")])
    );
    let body = format!(r#"{{"results": [{page_one}, {page_two}, {regions}]}}"#);
    let (status, answer) =
        moto_http("POST", "/moto-api/static/ce/cost-and-usage-results", &[("Content-Type", "application/json")], &body);
    assert_eq!(status, 201, "moto took the results: {answer}");

    let aws = provider(&["us-east-1"]);
    let usd = || text("USD");
    let by_service = listed(aws.call(&call("aws.cost.by_service", &[], vec![], false)).await.expect("by service"));
    assert_eq!(
        by_service,
        [
            row(&[("service", text(ec2)), ("amount", Value::Float(15.0)), ("currency", usd())]),
            row(&[("service", text("Amazon Route 53")), ("amount", Value::Float(2.25)), ("currency", usd())]),
            row(&[
                ("service", text("Amazon Simple Storage Service")),
                ("amount", Value::Float(1.5)),
                ("currency", usd())
            ]),
        ],
        "summed over both months and both pages, rounded to cents, free services left out, dearest first"
    );

    let by_region = listed(aws.call(&call("aws.cost.by_region", &[], vec![], false)).await.expect("by region"));
    assert_eq!(
        by_region,
        [
            row(&[("region", text("eu-west-1")), ("amount", Value::Float(12.0)), ("currency", usd())]),
            row(&[("region", text("us-east-1")), ("amount", Value::Float(7.5)), ("currency", usd())]),
        ]
    );

    // The agnostic queries ask the same as by_service, which moto answers again with the same pages.
    let agnostic = listed(aws.call(&call("cost.by_service", &[], vec![], false)).await.expect("agnostic by service"));
    assert!(agnostic.iter().all(|r| field(r, "cloud") == &text("aws")), "{agnostic:?}");
    assert_eq!(agnostic.len(), 3);
    let by_cloud = listed(aws.call(&call("cost.by_cloud", &[], vec![], false)).await.expect("by cloud"));
    assert_eq!(by_cloud, [row(&[("cloud", text("aws")), ("amount", Value::Float(18.76)), ("currency", usd())])]);
}
