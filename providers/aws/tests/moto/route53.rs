//! Route 53 through the provider against moto: record sets of named zones, failover roles with a health check,
//! new values, an unknown zone refused, dry runs.

use crate::services::*;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover, RrType,
};
use escher_aws::AwsProvider;
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, ProviderError, TargetStatus};

/// A zone `NAME.` with `app` as a failover pair (primary 10.0.0.1, secondary 10.1.0.1) and `www` as a plain A
/// record; returns the zone id.
async fn zone(name: &str) -> String {
    let client = route53();
    let created =
        client.create_hosted_zone().name(name).caller_reference(unique("ref")).send().await.expect("zone created");
    let id = created.hosted_zone().expect("a zone").id().trim_start_matches("/hostedzone/").to_string();
    let set = |record: &str, set_id: Option<(&str, ResourceRecordSetFailover)>, value: &str| {
        let mut set = ResourceRecordSet::builder()
            .name(format!("{record}.{name}."))
            .r#type(RrType::A)
            .ttl(300)
            .resource_records(ResourceRecord::builder().value(value).build().expect("record"));
        if let Some((set_id, role)) = set_id {
            set = set.set_identifier(set_id).failover(role);
        }
        Change::builder()
            .action(ChangeAction::Create)
            .resource_record_set(set.build().expect("set"))
            .build()
            .expect("change")
    };
    let batch = ChangeBatch::builder()
        .changes(set("app", Some(("primary", ResourceRecordSetFailover::Primary)), "10.0.0.1"))
        .changes(set("app", Some(("secondary", ResourceRecordSetFailover::Secondary)), "10.1.0.1"))
        .changes(set("www", None, "10.0.0.9"))
        .build()
        .expect("batch");
    client.change_resource_record_sets().hosted_zone_id(&id).change_batch(batch).send().await.expect("records created");
    id
}

async fn a_records(aws: &AwsProvider, zone: &str) -> Vec<Value> {
    let query = call("aws.route53.records", &[("zones", strings(&[zone])), ("record_type", text("A"))], vec![], false);
    listed(aws.call(&query).await.expect("records listed"))
}

fn by_set<'a>(records: &'a [Value], set: &str) -> &'a Value {
    find(records, "set_identifier", set).unwrap_or_else(|| panic!("a record with set {set}: {records:?}"))
}

/// The set as moto holds it.
async fn held(zone_id: &str, name: &str, set: Option<&str>) -> ResourceRecordSet {
    let out = route53().list_resource_record_sets().hosted_zone_id(zone_id).send().await.expect("listed");
    out.resource_record_sets()
        .iter()
        .find(|s| s.name() == name && s.set_identifier() == set && s.r#type() == &RrType::A)
        .cloned()
        .unwrap_or_else(|| panic!("{name} {set:?} is held"))
}

#[tokio::test]
async fn records_of_a_named_zone_are_listed_and_an_unknown_zone_is_refused() {
    let name = format!("{}.example", unique("r53list"));
    let zone_id = zone(&name).await;
    let aws = provider(&["us-east-1"]);
    let records = a_records(&aws, &name).await;
    assert_eq!(records.len(), 3, "{records:?}");
    let primary = by_set(&records, "primary");
    assert_eq!(str_of(primary, "kind"), "aws.route53.Record");
    assert_eq!(str_of(primary, "id"), format!("{zone_id}/app.{name}./A/primary"));
    assert_eq!(str_of(primary, "name"), format!("app.{name}."));
    assert_eq!(str_of(primary, "zone_id"), zone_id);
    assert_eq!(str_of(primary, "region"), "global");
    assert_eq!(str_of(primary, "account"), ACCOUNT);
    assert_eq!(str_of(primary, "failover"), "PRIMARY");
    assert_eq!(field(primary, "ttl"), &Value::Int(300));
    assert_eq!(field(primary, "values"), &strings(&["10.0.0.1"]));
    assert_eq!(field(primary, "health_check_id"), &Value::Null);
    let www = find(&records, "name", &format!("www.{name}.")).expect("www listed");
    assert_eq!(field(www, "set_identifier"), &Value::Null);

    let unknown = call("aws.route53.records", &[("zones", strings(&["nowhere.invalid"]))], vec![], false);
    assert!(
        matches!(aws.call(&unknown).await, Err(ProviderError::Rejected(m)) if m.contains("NoSuchHostedZone")),
        "an unknown zone is an error, not an empty list"
    );
}

#[tokio::test]
async fn failover_roles_and_health_checks_are_set_and_a_record_without_a_set_is_refused() {
    let name = format!("{}.example", unique("r53fail"));
    let zone_id = zone(&name).await;
    let check = health_check().await;
    let aws = provider(&["us-east-1"]);
    let records = a_records(&aws, &name).await;
    let primary = by_set(&records, "primary").clone();
    let set_primary = call(
        "aws.route53.set_failover",
        &[("role", text("PRIMARY")), ("health_check_id", text(&check))],
        vec![primary.clone()],
        false,
    );
    let answered = results(aws.call(&set_primary).await.expect("answered"));
    assert_eq!(statuses(&answered), ["changed"], "{answered:?}");
    assert_eq!(str_of(&answered[0].resource, "health_check_id"), check);
    let now = held(&zone_id, &format!("app.{name}."), Some("primary")).await;
    assert_eq!(now.failover(), Some(&ResourceRecordSetFailover::Primary));
    assert_eq!(now.health_check_id(), Some(check.as_str()));
    assert_eq!(now.resource_records()[0].value(), "10.0.0.1", "the values are kept");
    assert_eq!(statuses(&results(aws.call(&set_primary).await.expect("answered"))), ["unchanged"]);

    let secondary = by_set(&records, "secondary").clone();
    let set_secondary = call("aws.route53.set_failover", &[("role", text("SECONDARY"))], vec![secondary], false);
    assert_eq!(statuses(&results(aws.call(&set_secondary).await.expect("answered"))), ["unchanged"]);

    let www = find(&records, "name", &format!("www.{name}.")).expect("www").clone();
    let refused = results(
        aws.call(&call("aws.route53.set_failover", &[("role", text("PRIMARY"))], vec![www], false))
            .await
            .expect("answered"),
    );
    assert!(matches!(&refused[0].status, TargetStatus::Failed { error } if error.contains("set identifier")));
    let wrong_role = call("aws.route53.set_failover", &[("role", text("BACKUP"))], vec![primary], false);
    assert!(matches!(aws.call(&wrong_role).await, Err(ProviderError::Invalid(_))));
}

#[tokio::test]
async fn values_and_ttl_are_set_and_a_dry_run_changes_nothing() {
    let name = format!("{}.example", unique("r53val"));
    let zone_id = zone(&name).await;
    let aws = provider(&["us-east-1"]);
    let records = a_records(&aws, &name).await;
    let www = find(&records, "name", &format!("www.{name}.")).expect("www").clone();
    let args = [("values", strings(&["10.9.0.1", "10.9.0.2"])), ("ttl", Value::Int(60))];

    let dry =
        results(aws.call(&call("aws.route53.set_values", &args, vec![www.clone()], true)).await.expect("dry run"));
    assert!(matches!(dry[0].status, TargetStatus::NotSimulated { .. }));
    assert_eq!(held(&zone_id, &format!("www.{name}."), None).await.resource_records()[0].value(), "10.0.0.9");

    let set = call("aws.route53.set_values", &args, vec![www], false);
    assert_eq!(statuses(&results(aws.call(&set).await.expect("answered"))), ["changed"]);
    let now = held(&zone_id, &format!("www.{name}."), None).await;
    let mut values: Vec<&str> = now.resource_records().iter().map(|r| r.value()).collect();
    values.sort();
    assert_eq!((values, now.ttl()), (vec!["10.9.0.1", "10.9.0.2"], Some(60)));
    assert_eq!(statuses(&results(aws.call(&set).await.expect("answered"))), ["unchanged"]);
}
