//! Lambda through the provider against moto: functions listed with their configuration, tags and reserved
//! concurrency; reserved concurrency set and removed; tags; delete; dry runs. moto creates, lists and configures
//! functions without a container backend (only invoking one would need Docker, which no test here does).

use crate::services::*;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use escher_aws::AwsProvider;
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, TargetStatus};

const REGION: &str = "eu-west-1";

/// A python function tagged `suite=SUITE`, with a role moto accepts and code zipped here.
async fn function(name: &str, suite: &str) {
    let role = lambda_role(&format!("{name}-role"));
    let code = zip::one_file("index.py", b"def handler(event, context):\n    return event\n");
    lambda(REGION)
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(role)
        .handler("index.handler")
        .memory_size(256)
        .timeout(30)
        .code(FunctionCode::builder().zip_file(Blob::new(code)).build())
        .tags("suite", suite)
        .send()
        .await
        .expect("moto creates the function");
}

async fn suite_functions(aws: &AwsProvider, suite: &str) -> Vec<Value> {
    let query = call(
        "aws.lambda.functions",
        &[("regions", strings(&[REGION])), ("tags", map(&[("suite", suite)]))],
        vec![],
        false,
    );
    listed(aws.call(&query).await.expect("functions listed"))
}

async fn reserved(name: &str) -> Option<i32> {
    let out = lambda(REGION).get_function_concurrency().function_name(name).send().await.expect("concurrency read");
    out.reserved_concurrent_executions()
}

#[tokio::test]
async fn functions_are_listed_with_configuration_tags_and_reserved_concurrency() {
    let suite = unique("fnlist");
    let (plain, throttled) = (format!("{suite}-plain"), format!("{suite}-throttled"));
    function(&plain, &suite).await;
    function(&throttled, &suite).await;
    function(&unique("fnother"), "another-suite").await;
    lambda(REGION)
        .put_function_concurrency()
        .function_name(&throttled)
        .reserved_concurrent_executions(7)
        .send()
        .await
        .expect("concurrency set");
    let aws = provider(&[REGION]);
    let found = suite_functions(&aws, &suite).await;
    assert_eq!(found.len(), 2, "only this suite's functions: {found:?}");
    let record = find(&found, "name", &plain).expect("the plain function is listed");
    assert_eq!(str_of(record, "kind"), "aws.lambda.Function");
    assert_eq!(str_of(record, "id"), format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{plain}"));
    assert_eq!(str_of(record, "account"), ACCOUNT);
    assert_eq!(str_of(record, "region"), REGION);
    assert_eq!(str_of(record, "runtime"), "python3.12");
    assert_eq!(field(record, "memory_mb"), &Value::Int(256));
    assert_eq!(field(record, "timeout_seconds"), &Value::Int(30));
    assert_eq!(field(record, "reserved_concurrency"), &Value::Null);
    assert_eq!(field(record, "tags"), &map(&[("suite", &suite)]));
    assert!(str_of(record, "last_modified").ends_with('Z'), "RFC 3339 UTC: {record:?}");
    assert_ne!(str_of(record, "last_modified"), "1970-01-01T00:00:00Z", "Lambda's time format is read");
    let record = find(&found, "name", &throttled).expect("the throttled function is listed");
    // (7, not 0: moto's GetFunction leaves out a reserved concurrency of 0, which AWS reports.)
    assert_eq!(field(record, "reserved_concurrency"), &Value::Int(7));
}

#[tokio::test]
async fn reserved_concurrency_is_set_and_removed_and_a_repeat_is_unchanged() {
    let suite = unique("fnconc");
    let name = format!("{suite}-fn");
    function(&name, &suite).await;
    let aws = provider(&[REGION]);
    let target = suite_functions(&aws, &suite).await.remove(0);
    let set =
        call("aws.lambda.set_reserved_concurrency", &[("concurrency", Value::Int(5))], vec![target.clone()], false);
    let answered = results(aws.call(&set).await.expect("set answered"));
    assert_eq!(statuses(&answered), ["changed"]);
    assert_eq!(field(&answered[0].resource, "reserved_concurrency"), &Value::Int(5));
    assert_eq!(reserved(&name).await, Some(5));
    assert_eq!(statuses(&results(aws.call(&set).await.expect("set answered"))), ["unchanged"]);

    let remove = call("aws.lambda.remove_reserved_concurrency", &[], vec![target], false);
    assert_eq!(statuses(&results(aws.call(&remove).await.expect("remove answered"))), ["changed"]);
    assert_eq!(reserved(&name).await, None);
    assert_eq!(statuses(&results(aws.call(&remove).await.expect("remove answered"))), ["unchanged"]);
}

#[tokio::test]
async fn tags_are_added_and_a_deleted_function_stays_deleted() {
    let suite = unique("fntag");
    let name = format!("{suite}-fn");
    function(&name, &suite).await;
    let aws = provider(&[REGION]);
    let target = suite_functions(&aws, &suite).await.remove(0);
    let tag = call("aws.lambda.tag", &[("tags", map(&[("owner", "web")]))], vec![target.clone()], false);
    assert_eq!(statuses(&results(aws.call(&tag).await.expect("tag answered"))), ["changed"]);
    let now = suite_functions(&aws, &suite).await.remove(0);
    assert_eq!(field(&now, "tags"), &map(&[("owner", "web"), ("suite", &suite)]));
    assert_eq!(statuses(&results(aws.call(&tag).await.expect("tag answered"))), ["unchanged"]);

    let described = aws.describe(std::slice::from_ref(&target)).await.expect("described");
    assert_eq!(described.len(), 1);
    let delete = call("aws.lambda.delete", &[], vec![target.clone()], false);
    assert_eq!(statuses(&results(aws.call(&delete).await.expect("delete answered"))), ["changed"]);
    assert!(lambda(REGION).get_function().function_name(&name).send().await.is_err(), "the function is gone");
    assert_eq!(statuses(&results(aws.call(&delete).await.expect("delete answered"))), ["unchanged"]);
    assert!(aws.describe(&[target]).await.expect("described").is_empty(), "describe leaves a deleted function out");
}

#[tokio::test]
async fn a_dry_run_reports_not_simulated_and_changes_nothing() {
    let suite = unique("fndry");
    let name = format!("{suite}-fn");
    function(&name, &suite).await;
    let aws = provider(&[REGION]);
    let target = suite_functions(&aws, &suite).await.remove(0);
    for (action, args) in
        [("aws.lambda.set_reserved_concurrency", vec![("concurrency", Value::Int(0))]), ("aws.lambda.delete", vec![])]
    {
        let answered = results(aws.call(&call(action, &args, vec![target.clone()], true)).await.expect("dry run"));
        assert!(matches!(answered[0].status, TargetStatus::NotSimulated { .. }), "{action}: {answered:?}");
    }
    assert_eq!(reserved(&name).await, None);
    assert!(lambda(REGION).get_function().function_name(&name).send().await.is_ok(), "the function is still there");
}
