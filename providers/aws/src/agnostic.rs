//! The cloud-agnostic stdlib names as AWS answers them. The runtime sends an agnostic action's AWS targets as the
//! AWS action the stdlib declares implements it (`implements = compute.stop` on `aws.ec2.stop`); a host that
//! sends the agnostic name gets the same routing here. Agnostic queries become the AWS query with the same
//! filters, over the configured accounts and regions.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use crate::record::field;
use crate::services;
use escher_runtime::provider::args::Args;

/// Agnostic queries that are an AWS query with the same arguments (plus `regions` = all).
const QUERIES: &[(&str, &str)] = &[
    ("compute.instances", "aws.ec2.instances"),
    ("compute.disks", "aws.ec2.volumes"),
    ("compute.snapshots", "aws.ec2.snapshots"),
    ("compute.functions", "aws.lambda.functions"),
    ("storage.buckets", "aws.s3.buckets"),
    ("security.open_ports", "aws.ec2.open_ingress_rules"),
];

/// The AWS call an agnostic action or plain query is, or `None` when the name is not one of those.
pub(crate) fn route(call: &ProviderCall) -> Result<Option<ProviderCall>, ProviderError> {
    Ok(aws_name(&call.action).map(|aws| renamed_call(call, aws, call.args.clone())))
}

/// The AWS name of an agnostic action or plain query (`compute.stop` → `aws.ec2.stop`).
pub(crate) fn aws_name(action: &str) -> Option<&'static str> {
    let implementer = escher_compiler::stdlib::catalog().implementer(action, Cloud::Aws);
    implementer
        .map(|callable| callable.name.as_str())
        .or_else(|| QUERIES.iter().find(|(name, _)| *name == action).map(|(_, aws)| *aws))
}

fn renamed_call(call: &ProviderCall, action: &str, args: BTreeMap<String, Value>) -> ProviderCall {
    ProviderCall { action: action.to_string(), args, ..call.clone() }
}

/// Which records of the AWS query's answer the agnostic query keeps.
type Keep = Box<dyn Fn(&Value) -> bool + Send>;

/// Agnostic queries that are an AWS query followed by a filter, and `inventory.accounts`.
pub(crate) async fn answer(ctx: &AwsContext, call: &ProviderCall) -> Result<Option<ProviderResponse>, ProviderError> {
    let args = Args(&call.args);
    let (aws, mut aws_args, keep): (&str, BTreeMap<String, Value>, Keep) = match call.action.as_str() {
        "database.instances" => {
            let state = args.opt_str("state")?.map(str::to_string);
            let keep = move |r: &Value| match &state {
                Some(wanted) => field(r, "state") == Some(&Value::String(wanted.clone())),
                None => true,
            };
            ("aws.rds.instances", BTreeMap::new(), Box::new(keep))
        }
        "security.public_storage" => {
            let args = BTreeMap::from([("public".to_string(), Value::Bool(true))]);
            ("aws.s3.buckets", args, Box::new(|_: &Value| true))
        }
        "security.unencrypted_disks" => (
            "aws.ec2.volumes",
            BTreeMap::new(),
            Box::new(|r: &Value| field(r, "encrypted") == Some(&Value::Bool(false))),
        ),
        "inventory.accounts" => {
            let rows = ctx
                .accounts()
                .await?
                .into_iter()
                .map(|a| {
                    Value::Record(BTreeMap::from([
                        ("cloud".to_string(), Value::String("aws".into())),
                        ("id".to_string(), Value::String(a.id)),
                        ("name".to_string(), Value::String(a.name)),
                    ]))
                })
                .collect();
            return Ok(Some(ProviderResponse::Value(Value::List(rows))));
        }
        _ => return Ok(None),
    };
    if let Some(tags) = call.args.get("tags") {
        aws_args.insert("tags".into(), tags.clone());
    }
    let answer = Box::pin(services::call(ctx, &renamed_call(call, aws, aws_args))).await?;
    match answer {
        ProviderResponse::Value(Value::List(items)) => {
            Ok(Some(ProviderResponse::Value(Value::List(items.into_iter().filter(|r| keep(r)).collect()))))
        }
        other => Err(ProviderError::Invalid(format!("`{aws}` answered {other:?} where a list was expected"))),
    }
}
