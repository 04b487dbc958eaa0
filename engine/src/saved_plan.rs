//! A plan saved to be run later exactly as it was reviewed (`escher plan --out plan.json`, `escher run
//! plan.json`). It names the playbook and the parameters it came from; running it compiles them again and runs
//! only if the plan is the same, hash for hash, so an edited playbook or import, another stdlib or other
//! parameters are refused rather than run unreviewed. Approvals bind to that hash as for any run.

use std::collections::BTreeMap;
use std::path::PathBuf;

use escher_compiler::plan::Plan;
use escher_compiler::{ParamInput, SourceLoader};
use serde::{Deserialize, Serialize};

use crate::engine::{Engine, Playbook, Prepared};
use crate::error::EngineError;

/// The format version saved plans are written in.
const FORMAT: u32 = 1;

/// See the module's documentation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Marks the file as a saved plan, with its format version.
    pub escher_saved_plan: u32,
    /// The playbook file the plan was compiled from.
    pub source: PathBuf,
    /// The parameters as they were given (`NAME=VALUE` text).
    pub params: BTreeMap<String, String>,
    pub plan: Plan,
}

impl SavedPlan {
    pub fn new(source: PathBuf, params: BTreeMap<String, String>, plan: Plan) -> SavedPlan {
        SavedPlan { escher_saved_plan: FORMAT, source, params, plan }
    }

    /// `None` when `text` is not a saved plan (it has no `escher_saved_plan` field); otherwise the plan, or why
    /// it cannot be read.
    pub fn detect(text: &str) -> Option<Result<SavedPlan, String>> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let version = value.get("escher_saved_plan")?;
        if version.as_u64() != Some(u64::from(FORMAT)) {
            return Some(Err(format!("a saved plan of format {version}; this escher reads format {FORMAT}")));
        }
        Some(serde_json::from_value(value).map_err(|error| format!("a saved plan that cannot be read: {error}")))
    }
}

impl Engine {
    /// Compiles the saved plan's playbook with its parameters again, under the run's governance, and prepares
    /// it only if it is the saved plan: otherwise [`EngineError::PlanChanged`], and nothing runs.
    pub fn prepare_saved(&self, saved: &SavedPlan, loader: &dyn SourceLoader) -> Result<Prepared, EngineError> {
        let name = saved.source.display().to_string();
        let text = std::fs::read_to_string(&saved.source)
            .map_err(|error| EngineError::PlanSource { file: name.clone(), reason: error.to_string() })?;
        let params: BTreeMap<String, ParamInput> =
            saved.params.iter().map(|(name, value)| (name.clone(), ParamInput::Text(value.clone()))).collect();
        let prepared = self.prepare(Playbook::Source { name: &name, text: &text }, params, loader)?;
        let now = prepared.plan().map(|plan| plan.hash.clone());
        if now.as_deref() != Some(saved.plan.hash.as_str()) {
            return Err(EngineError::PlanChanged {
                file: name,
                saved: saved.plan.hash.clone(),
                now: now.unwrap_or_else(|| "nothing: it no longer compiles".into()),
            });
        }
        Ok(prepared)
    }
}
