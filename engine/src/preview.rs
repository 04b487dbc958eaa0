//! A plan's changes before any run, as `terraform plan` shows them: a dry run on the simulated estate, in a
//! state directory of its own that is removed after it, so nothing is recorded in the host's state, no run is
//! listed and nothing in the estate changes (a dry run calls no mutating action; the estate file is only read).

use std::path::Path;

use escher_compiler::plan::Plan;
use escher_runtime::report::RunReport;

use crate::{Engine, EngineError, Launch, ProviderChoice};

/// Dry-runs `plan` on the simulator over `estate` (a JSON estate file, as `escher run --estate` takes it), or
/// the built-in demo estate, and gives its report: each step's resources with what would change.
pub async fn preview(plan: Plan, estate: Option<&Path>) -> Result<RunReport, EngineError> {
    let scratch = tempfile::tempdir().map_err(|error| EngineError::Preview(error.to_string()))?;
    let engine = Engine::builder().state_dir(scratch.path()).identity("preview", "planner").build()?;
    let mut sim = ProviderChoice::new("sim");
    if let Some(estate) = estate {
        sim = sim.option(escher_sim::factory::ESTATE, estate.to_string_lossy());
    }
    let started = engine.run(plan, &[sim], Launch { run_id: None, dry_run: true }).await?;
    let ended = started.finish().await;
    Ok(ended.report?)
}
