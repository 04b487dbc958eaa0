//! The simulated cloud as the command line runs it: loaded from an estate file, optionally with faults, and
//! written back after every change when `--estate-out` is given, so the estate outlives a crash of `escher` the
//! way a real cloud's does.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Bucket, Provider, ProviderCall, ProviderError, ProviderResponse};
use escher_sim::{Sim, SimConfig};

/// Builds the simulator for a run: the given estate, or the built-in demo estate (the one in
/// examples/estate/demo.json).
pub fn simulator(estate: Option<&Path>, faults: Option<&str>) -> Result<Sim, String> {
    let sim = match estate {
        Some(path) => Sim::from_file(path).map_err(|e| format!("cannot load the estate {}: {e}", path.display()))?,
        None => Sim::demo(),
    };
    match faults {
        Some(text) => {
            let config: SimConfig = text.parse().map_err(|e| format!("--sim-faults: {e}"))?;
            Ok(sim.with_config(config))
        }
        None => Ok(sim),
    }
}

/// The faults of a run's first process, for its resumes: a `die_after` death happens once, in the process that
/// was started with it (the `key=value` form; JSON settings are kept as they are).
pub fn faults_for_resume(faults: &str) -> String {
    if faults.trim_start().starts_with('{') {
        return faults.to_string();
    }
    faults.split(',').filter(|setting| !setting.trim_start().starts_with("die_after=")).collect::<Vec<_>>().join(",")
}

/// The simulator, saving its estate to a file after each call that may have changed it.
pub struct Persisting {
    pub sim: Arc<Sim>,
    pub out: Option<PathBuf>,
    /// Saves run one at a time, so concurrent steps neither share the temporary file nor land out of order.
    saving: std::sync::Mutex<()>,
    /// Calls to the `die_after` action so far.
    calls_before_dying: std::sync::atomic::AtomicU64,
}

impl Persisting {
    pub fn new(sim: Arc<Sim>, out: Option<PathBuf>) -> Self {
        Persisting { sim, out, saving: std::sync::Mutex::new(()), calls_before_dying: Default::default() }
    }

    /// Writes the estate atomically: a crash leaves the old file or the new one, never half of one. The
    /// estate is read under the lock, so the last save holds every change made before it.
    pub fn save(&self) -> Result<(), String> {
        let Some(out) = &self.out else { return Ok(()) };
        let _one_at_a_time = self.saving.lock().map_err(|_| "an earlier save panicked".to_string())?;
        let tmp = out.with_extension("json.tmp");
        let mut file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut file, self.sim.estate_json().as_bytes()).map_err(|e| e.to_string())?;
        file.sync_data().map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, out).map_err(|e| e.to_string())
    }
}

impl Persisting {
    /// `--sim-faults die_after=ACTION#N`: the process ends at once, like a killed one (no destructor runs, no
    /// record is written), right after the Nth call to ACTION changed the saved estate: the cloud acted and the
    /// run never heard.
    fn die_if_asked(&self, action: &str) {
        let Some((dying, nth)) = &self.sim.config().die_after else { return };
        if dying != action || self.out.is_none() {
            return;
        }
        if self.calls_before_dying.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == *nth {
            eprintln!("simulated death: the process ends right after {action} call #{nth} changed the estate");
            std::process::exit(137);
        }
    }
}

#[async_trait::async_trait]
impl Provider for Persisting {
    fn name(&self) -> &str {
        self.sim.name()
    }

    fn serves(&self, cloud: Cloud) -> bool {
        self.sim.serves(cloud)
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        let response = self.sim.call(call).await;
        if !call.dry_run && !call.targets.is_empty() {
            self.save().map_err(|e| ProviderError::Unavailable(format!("cannot save the estate: {e}")))?;
            self.die_if_asked(&call.action);
        }
        response
    }

    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        self.sim.describe(resources).await
    }

    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        self.sim.is_done(call, resource)
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        self.sim.bucket(rate_class)
    }
}
