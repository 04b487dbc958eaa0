//! How one node ended: its status, its output for later nodes, and what the report and audit say of it.

use std::collections::BTreeMap;

use escher_compiler::plan::{PlanNode, Value};
use escher_compiler::types::Type;

use crate::events::StepStatus;
use crate::provider::resource_id;
use crate::report::FailedTarget;
use crate::report::change::{ResourceChange, changes_in};
use crate::scheduler::Outcome;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeResult {
    pub status: StepStatus,
    pub output: Value,
    pub error: Option<String>,
    /// Why it was skipped, when it was.
    pub skipped: Option<String>,
    pub attempts: u32,
    pub duration_ms: u64,
    /// Of that, the time spent waiting for a person's approval: left out of the step's duration.
    pub waited_ms: u64,
    /// Who approved it, as `by (role)`.
    pub approval: Option<String>,
    /// Targets of batches in doubt that were found changed by this run on resume (they are in `changed`).
    pub resolved: Vec<String>,
    /// What the report says of the step's targets: worked out by the step's own task when it ends, while
    /// other steps' calls are in flight, so the report at the run's end only gathers.
    pub targets: Option<Box<TargetReport>>,
}

/// A step's targets as the report lists them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetReport {
    pub changed: Vec<String>,
    pub unchanged: Vec<String>,
    pub failed: Vec<FailedTarget>,
    pub changes: Vec<ResourceChange>,
}

impl NodeResult {
    pub fn new(status: StepStatus, output: Value) -> Self {
        NodeResult {
            status,
            output,
            error: None,
            skipped: None,
            attempts: 0,
            duration_ms: 0,
            waited_ms: 0,
            approval: None,
            resolved: Vec::new(),
            targets: None,
        }
    }

    pub fn failed(node: &PlanNode, error: impl Into<String>) -> Self {
        NodeResult { error: Some(error.into()), ..Self::new(StepStatus::Failed, empty_output(node)) }
    }

    pub fn skipped(node: &PlanNode, reason: impl Into<String>) -> Self {
        NodeResult { skipped: Some(reason.into()), ..Self::new(StepStatus::Skipped, empty_output(node)) }
    }

    pub fn with_error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }

    /// Works out what the report says of the targets now, from the output as the step ended.
    pub fn report_targets(&mut self, action: &str) {
        self.targets = Some(Box::new(self.target_report(action)));
    }

    /// What the report says of the targets: as worked out when the step ended, or now.
    pub fn take_target_report(&mut self, action: &str) -> TargetReport {
        match self.targets.take() {
            Some(targets) => *targets,
            None => self.target_report(action),
        }
    }

    fn target_report(&self, action: &str) -> TargetReport {
        TargetReport {
            changed: self.ids("changed"),
            unchanged: self.ids("unchanged"),
            failed: self.failures(),
            changes: changes_in(action, &self.output),
        }
    }

    /// What the scheduler makes of it.
    pub fn outcome(&self) -> Outcome {
        match self.status {
            StepStatus::Succeeded | StepStatus::PartiallySucceeded | StepStatus::RolledBack => Outcome::Completed,
            StepStatus::Skipped | StepStatus::NotSimulated => Outcome::NoEffect,
            StepStatus::Failed | StepStatus::Refused => Outcome::Failed,
            StepStatus::Cancelled => Outcome::Stopped,
        }
    }

    /// Ids the output lists under `field` (`changed`, `unchanged`, `targets`).
    pub fn ids(&self, field: &str) -> Vec<String> {
        ids_in(&self.output, field)
    }

    /// The output's `failed` entries.
    pub fn failures(&self) -> Vec<FailedTarget> {
        let Value::Record(fields) = &self.output else {
            return Vec::new();
        };
        let Some(Value::List(failed)) = fields.get("failed") else {
            return Vec::new();
        };
        failed
            .iter()
            .map(|entry| FailedTarget { id: field_text(entry, "id"), error: field_text(entry, "error") })
            .collect()
    }
}

pub(crate) fn ids_in(output: &Value, field: &str) -> Vec<String> {
    let Value::Record(fields) = output else {
        return Vec::new();
    };
    let Some(Value::List(items)) = fields.get(field) else {
        return Vec::new();
    };
    items.iter().filter_map(resource_id).map(str::to_string).collect()
}

fn field_text(value: &Value, field: &str) -> String {
    crate::provider::resource_field(value, field).unwrap_or_default().to_string()
}

/// An outcome record: `{targets, changed, unchanged, failed}`, plus `not_simulated` when a dry run could not
/// simulate some targets.
pub(crate) fn outcome_record(
    targets: Vec<Value>,
    changed: Vec<Value>,
    unchanged: Vec<Value>,
    failed: Vec<(String, String)>,
    not_simulated: Vec<(String, String)>,
) -> Value {
    let pairs = |items: Vec<(String, String)>, second: &str| {
        Value::List(
            items
                .into_iter()
                .map(|(id, text)| {
                    Value::Record(BTreeMap::from([
                        ("id".to_string(), Value::String(id)),
                        (second.to_string(), Value::String(text)),
                    ]))
                })
                .collect(),
        )
    };
    let mut fields = BTreeMap::from([
        ("targets".to_string(), Value::List(targets)),
        ("changed".to_string(), Value::List(changed)),
        ("unchanged".to_string(), Value::List(unchanged)),
        ("failed".to_string(), pairs(failed, "error")),
    ]);
    if !not_simulated.is_empty() {
        fields.insert("not_simulated".to_string(), pairs(not_simulated, "reason"));
    }
    Value::Record(fields)
}

/// What a node that did nothing leaves for later nodes: an empty outcome for action steps over targets (so
/// `step.changed` reads as empty), none otherwise.
pub(crate) fn empty_output(node: &PlanNode) -> Value {
    match &node.output {
        Type::Outcome(_) => outcome_record(Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        _ => Value::Null,
    }
}
