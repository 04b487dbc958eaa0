//! The actions the runtime performs itself, without a provider: reports, `wait`, `notify` and `fail`.

use std::collections::BTreeMap;
use std::time::Duration;

use escher_compiler::plan::{PlanNode, Value};

use super::result::NodeResult;
use crate::events::StepStatus;
use crate::executor::run::context::RunContext;
use crate::provider::Secret;

/// Whether the runtime implements `action` itself.
pub(crate) fn is_core(action: &str) -> bool {
    matches!(action, "wait" | "notify" | "fail") || action.starts_with("report.")
}

/// Performs a core action with evaluated arguments.
pub(crate) async fn perform(
    ctx: &RunContext,
    node: &PlanNode,
    args: &BTreeMap<String, Value>,
    secrets: &BTreeMap<String, Secret>,
) -> NodeResult {
    let text = |name: &str| match args.get(name) {
        Some(Value::String(text)) => text.clone(),
        _ => String::new(),
    };
    let record = |fields: Vec<(&str, Value)>| {
        Value::Record(fields.into_iter().map(|(name, value)| (name.to_string(), value)).collect())
    };
    let succeeded = |output| NodeResult::new(StepStatus::Succeeded, output);
    match node.action.as_str() {
        "report.table" => {
            let rows = match args.get("rows") {
                Some(Value::List(rows)) => rows.clone(),
                _ => Vec::new(),
            };
            let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            succeeded(record(vec![
                ("title", Value::String(text("title"))),
                ("row_count", Value::Int(count)),
                ("rows", Value::List(rows)),
            ]))
        }
        "report.summary" => succeeded(record(vec![
            ("title", Value::String(text("title"))),
            ("values", args.get("values").cloned().unwrap_or(Value::Record(BTreeMap::new()))),
            ("text", Value::String(text("text"))),
        ])),
        "wait" => {
            let Some(Value::Duration { duration_ms }) = args.get("duration") else {
                return NodeResult::failed(node, "`wait` needs a duration");
            };
            let waited = record(vec![("waited", Value::Duration { duration_ms: *duration_ms })]);
            let duration = Duration::from_millis(*duration_ms);
            // A dry run shows the wait without spending it; on simulated clouds it passes on their clock.
            if ctx.dry_run || ctx.on_simulated_clocks(|clock| clock.advance(duration)) {
                return succeeded(waited);
            }
            if ctx.until_cancelled(tokio::time::sleep(duration)).await.is_none() {
                let result = NodeResult::new(StepStatus::Cancelled, Value::Null);
                return result.with_error(Some("the run was cancelled during the wait".into()));
            }
            succeeded(waited)
        }
        "notify" => super::notify::notify(ctx, node, args, secrets).await,
        "fail" => {
            let message = text("message");
            let output = record(vec![("message", Value::String(message.clone()))]);
            NodeResult::new(StepStatus::Failed, output).with_error(Some(message))
        }
        other => NodeResult::failed(node, format!("the runtime has no implementation of `{other}`")),
    }
}
