//! The simulator under the name `sim` in a provider registry: one provider for all three clouds, on the demo
//! estate or an estate file, with faults if asked, saving its estate to a file if asked.

use std::path::PathBuf;
use std::sync::Arc;

use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Provider, ProviderFactory, ProviderSetup, ProviderSetupError};

use crate::config::SimConfig;
use crate::persisting::Persisting;
use crate::sim::Sim;

/// The estate file to load (else the demo estate of `examples/estate/demo.json`).
pub const ESTATE: &str = "estate";
/// The file to save the estate to after every change (`--estate-out`); a resume goes on from it.
pub const ESTATE_OUT: &str = "estate_out";
/// Latency, throttling and failures to inject ([`SimConfig`]'s text form).
pub const FAULTS: &str = "faults";

/// Makes the simulator for a run.
pub struct SimFactory;

#[async_trait::async_trait]
impl ProviderFactory for SimFactory {
    fn name(&self) -> &'static str {
        "sim"
    }

    fn clouds(&self) -> &'static [Cloud] {
        &Cloud::ALL
    }

    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        setup.only("sim", &[ESTATE, ESTATE_OUT, FAULTS])?;
        let config = |reason: String| ProviderSetupError::Config { provider: "sim".into(), reason };
        let out = setup.option(ESTATE_OUT).map(PathBuf::from);
        // A resumed run goes on from the estate it left behind, not the one it started from.
        let estate = match &out {
            Some(out) if setup.resuming && out.exists() => Some(out.clone()),
            _ => setup.option(ESTATE).map(PathBuf::from),
        };
        let sim = match &estate {
            Some(path) => {
                Sim::from_file(path).map_err(|e| config(format!("cannot load the estate {}: {e}", path.display())))?
            }
            None => Sim::demo(),
        };
        let sim = match setup.option(FAULTS) {
            Some(faults) => {
                let faults = if setup.resuming { faults_for_resume(faults) } else { faults.to_string() };
                let parsed: SimConfig = faults.parse().map_err(|e| config(format!("the faults `{faults}`: {e}")))?;
                sim.with_config(parsed)
            }
            None => sim,
        };
        Ok(Arc::new(Persisting::new(Arc::new(sim), out)))
    }
}

/// The faults of a run's first process, for its resumes: a `die_after` death happens once, in the process that
/// was started with it (the `key=value` form; JSON settings are kept as they are).
fn faults_for_resume(faults: &str) -> String {
    if faults.trim_start().starts_with('{') {
        return faults.to_string();
    }
    faults.split(',').filter(|setting| !setting.trim_start().starts_with("die_after=")).collect::<Vec<_>>().join(",")
}
