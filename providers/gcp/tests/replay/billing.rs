//! Billing: the configured BigQuery export, queried with parameters, followed until the job completes.

use escher_compiler::plan::Value;
use escher_gcp::{BillingExport, GcpContext, GcpProvider};
use escher_runtime::provider::{Provider, ProviderResponse};

use crate::support::{DEV, PROD, call, config, gcp, labels, service_account, text};

async fn with_billing(gcp: &crate::support::Gcp) -> GcpProvider {
    let mut config = config(&gcp.replay, &[DEV, PROD]);
    config.billing = Some(BillingExport {
        table: "acme-billing.billing_export.gcp_billing_export_v1_0123AB".into(),
        job_project: Some(DEV.into()),
        location: Some("US".into()),
        maximum_bytes_billed: Some(1 << 30),
    });
    GcpProvider::new(GcpContext::connect(config, &service_account()).await.expect("signed in"))
}

fn rows(response: ProviderResponse) -> Vec<(String, f64)> {
    let ProviderResponse::Value(Value::List(rows)) = response else { panic!("a list") };
    rows.iter()
        .map(|row| {
            let service = escher_runtime::provider::resource_field(row, "service").unwrap_or("").to_string();
            let Value::Record(fields) = row else { panic!("a record") };
            let Some(Value::Float(amount)) = fields.get("amount") else { panic!("an amount") };
            (service, *amount)
        })
        .collect()
}

#[tokio::test]
async fn by_service_reads_the_export_with_query_parameters() {
    let gcp = gcp().await;
    let provider = with_billing(&gcp).await;
    let args = [
        ("project", text(DEV)),
        ("period", Value::Duration { duration_ms: 7 * 86_400_000 }),
        ("labels", labels(&[("env", "dev")])),
    ];
    let answer = provider.call(&call("gcp.billing.by_service", &args, Vec::new())).await.expect("queried");
    assert_eq!(
        rows(answer),
        [("Compute Engine".to_string(), 123.45), ("Cloud SQL".into(), 67.8), ("Cloud Storage".into(), 4.2)]
    );
    let query =
        gcp.replay.log().into_iter().find(|l| l.method_id.as_deref() == Some("bigquery.jobs.query")).expect("a query");
    let body = query.body.expect("a body");
    let sql = body["query"].as_str().expect("text");
    assert!(
        sql.contains("`acme-billing.billing_export.gcp_billing_export_v1_0123AB`")
            && !sql.contains(DEV)
            && !sql.contains("168")
    );
    assert_eq!(
        (body["parameterMode"].as_str(), body["maximumBytesBilled"].as_str()),
        (Some("NAMED"), Some("1073741824"))
    );
    assert!(
        gcp.replay.log().iter().any(|l| l.method_id.as_deref() == Some("bigquery.jobs.getQueryResults")),
        "followed to complete"
    );
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn cost_by_service_covers_every_project_and_without_an_export_says_so() {
    let gcp = gcp().await;
    let provider = with_billing(&gcp).await;
    let answer = provider.call(&call("cost.by_service", &[], Vec::new())).await.expect("queried");
    assert_eq!(rows(answer)[0], ("Compute Engine".to_string(), 580.23), "both projects, to the cent");
    let refused = gcp.provider.call(&call("cost.by_service", &[], Vec::new())).await.expect_err("no export");
    assert!(refused.to_string().contains("billing.table"), "{refused}");
    gcp.replay.assert_clean();
}
