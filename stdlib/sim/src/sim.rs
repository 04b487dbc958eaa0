//! The simulator as a provider: one estate shared by concurrent calls behind a lock held only to copy pointers
//! (queries) or to apply one batch (actions); latency is slept before the lock is taken.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Bucket, Provider, ProviderCall, ProviderError, ProviderResponse, SimulatedClock};

use crate::actions::local::{self, Local};
use crate::actions::{self, Batch};
use crate::config::SimConfig;
use crate::error::LoadError;
use crate::estate::transitions::Transitions;
use crate::estate::{Estate, Kinds, timestamp};
use crate::faults::CallFate;
use crate::faults::Faults;
use crate::pace::Pace;
use crate::queries::{self, View};
use crate::record::{row, text};
use escher_runtime::provider::args::Args;

/// A message `notify` would have sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub channel: String,
    pub message: String,
    pub sent_at: String,
}

struct World {
    estate: Estate,
    transitions: Transitions,
    notifications: Vec<Notification>,
}

/// The simulated clouds.
pub struct Sim {
    world: Mutex<World>,
    config: SimConfig,
    faults: Faults,
    pace: Pace,
}

impl Sim {
    pub fn new(estate: Estate) -> Sim {
        let world = World { estate, transitions: Transitions::default(), notifications: Vec::new() };
        Sim { world: Mutex::new(world), config: SimConfig::default(), faults: Faults::default(), pace: Pace::default() }
    }

    /// An estate from its JSON text (see [`Estate::from_json`]).
    pub fn from_json(text: &str) -> Result<Sim, LoadError> {
        Estate::from_json(text).map(Sim::new)
    }

    /// An estate file, with the change log beside it applied if it follows that file (see [`SavedEstate`]).
    ///
    /// [`SavedEstate`]: crate::SavedEstate
    pub fn from_file(path: impl AsRef<Path>) -> Result<Sim, LoadError> {
        let path = path.as_ref();
        let text =
            std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_path_buf(), source })?;
        let mut estate = Estate::from_json(&text)?;
        crate::change_log::apply_change_log(path, &text, &mut estate)?;
        Ok(Sim::new(estate))
    }

    /// A generated estate of `size` resources: the same seed gives the same estate.
    pub fn generate(size: usize, seed: u64) -> Sim {
        Sim::new(crate::generate::estate(size, seed))
    }

    /// The demo estate that `examples/estate/demo.json` holds, built in memory.
    pub fn demo() -> Sim {
        Sim::new(crate::demo::estate())
    }

    pub fn with_config(mut self, config: SimConfig) -> Sim {
        self.config = config;
        self
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The estate as it is now (transitions that are due applied).
    pub fn estate(&self) -> Estate {
        self.world().estate.clone()
    }

    /// The estate as a file, to save or to chain runs. Transitions still in flight are written as completed, so
    /// the next run starts from settled resources rather than ones stuck `stopping`.
    pub fn estate_json(&self) -> String {
        // The copy shares its resources with the estate (copy-on-write): it is taken under the lock, and
        // serialized after it, so calls are not held up by a large estate's serialization.
        self.settled_estate().to_json()
    }

    /// The estate as a file holds it: transitions in flight completed.
    pub(crate) fn settled_estate(&self) -> Estate {
        let world = self.world();
        let mut estate = world.estate.clone();
        world.transitions.complete_in(&mut estate);
        estate
    }

    /// [`Sim::settled_estate`]'s resources and serial, without copying the estate's index when no transition
    /// is in flight.
    pub(crate) fn settled_resources(&self) -> (Kinds, u64) {
        let world = self.world();
        if world.transitions.is_empty() {
            return (world.estate.share(), world.estate.serial());
        }
        let mut estate = world.estate.clone();
        world.transitions.complete_in(&mut estate);
        (estate.share(), estate.serial())
    }

    /// Writes the estate file, replacing `path` only once the new file is complete.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), LoadError> {
        let path = path.as_ref();
        let partial = path.with_extension("json.partial");
        let io = |source| LoadError::Io { path: path.to_path_buf(), source };
        std::fs::write(&partial, self.estate_json()).map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)?;
        // A change log beside the file followed the file replaced: it is stale now.
        match std::fs::remove_file(crate::change_log::change_log_path(path)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(io(error)),
            _ => Ok(()),
        }
    }

    /// Every resource, by kind then id.
    pub fn resources(&self) -> Vec<Value> {
        self.world().estate.resources().map(|r| Value::Record(r.clone())).collect()
    }

    pub fn resource(&self, id: &str) -> Option<Value> {
        self.world().estate.get(id).map(|r| Value::Record(r.clone()))
    }

    /// The messages `notify` was asked to send, in order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.world().notifications.clone()
    }

    /// The world, with the transitions that are due applied.
    fn world(&self) -> MutexGuard<'_, World> {
        let mut world = self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let World { estate, transitions, .. } = &mut *world;
        if !transitions.is_empty() {
            transitions.settle(estate);
        }
        world
    }

    fn view(&self) -> View {
        let world = self.world();
        View { now: world.estate.now(), accounts: world.estate.accounts().to_vec(), kinds: world.estate.share() }
    }

    async fn local(&self, local: Local, dry_run: bool) -> Result<ProviderResponse, ProviderError> {
        let answer = match local {
            Local::Wait(duration) => {
                if !dry_run {
                    tokio::time::sleep(duration).await;
                }
                row(vec![("waited", Value::Duration { duration_ms: duration.as_millis() as u64 })])
            }
            Local::Notify { channel, message } => {
                let mut world = self.world();
                let sent_at = timestamp(world.estate.now());
                if !dry_run {
                    world.notifications.push(Notification {
                        channel: channel.clone(),
                        message,
                        sent_at: sent_at.clone(),
                    });
                }
                row(vec![("channel", text(channel)), ("sent_at", text(sent_at))])
            }
            Local::Fail(message) => return Err(ProviderError::Rejected(message)),
            Local::Answer(value) => value,
        };
        Ok(ProviderResponse::Value(answer))
    }

    /// Waits a call's latency (see [`Pace`]).
    pub(crate) async fn take_latency(&self, latency: std::time::Duration) {
        self.pace.take(latency).await;
    }

    /// Makes a cloud call's change at once and gives its answer with the latency still to pass before a caller
    /// may have it: for [`Persisting`](crate::Persisting), which saves the change while that time passes, as a
    /// cloud's own storage does within its latency. `None` for local actions, which no cloud makes.
    pub(crate) fn answer_now(&self, call: &ProviderCall) -> Option<EarlyAnswer> {
        match local::interpret(&call.action, &Args(&call.args)) {
            Ok(Some(_)) => None,
            Err(error) => Some(EarlyAnswer { response: Err(error), latency: std::time::Duration::ZERO }),
            Ok(None) => {
                let fate = self.faults.decide(&self.config, &call.action, &call.idempotency_key);
                Some(EarlyAnswer { response: self.answer(call, &fate), latency: fate.latency })
            }
        }
    }

    /// The answer to a cloud call whose fate is decided and whose latency has passed (or is left to the caller).
    fn answer(&self, call: &ProviderCall, fate: &CallFate) -> Result<ProviderResponse, ProviderError> {
        let args = Args(&call.args);
        if let Some(error) = &fate.error {
            return Err(error.clone());
        }
        if let Some(query) = queries::find(&call.action) {
            let view = self.view();
            return query(&view, &args).map(ProviderResponse::Value);
        }
        if !actions::acts_on_targets(&call.action) {
            return Err(ProviderError::Unsupported(format!("the simulator has no query or action `{}`", call.action)));
        }
        let batch = Batch {
            action: &call.action,
            args: &call.args,
            targets: &call.targets,
            dry_run: call.dry_run,
            // A dry run answers with each resource as it would become, not as it would be mid-transition.
            transition: if call.dry_run { std::time::Duration::ZERO } else { self.config.transition },
            idempotency_key: &call.idempotency_key,
            in_doubt: call.in_doubt,
        };
        // Per-target faults model failures a dry run cannot foresee, so dry runs do not get them.
        let failure = |id: &str| match call.dry_run {
            true => None,
            false => self.faults.target_failure(&self.config, &call.action, fate, id),
        };
        let mut world = self.world();
        let World { estate, transitions, .. } = &mut *world;
        actions::run(estate, transitions, &batch, &failure).map(ProviderResponse::Targets)
    }
}

#[async_trait::async_trait]
impl Provider for Sim {
    fn name(&self) -> &str {
        "sim"
    }

    fn serves(&self, _cloud: Cloud) -> bool {
        true
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        let args = Args(&call.args);
        // Local actions touch no cloud, so no cloud faults apply to them.
        if let Some(local) = local::interpret(&call.action, &args)? {
            return self.local(local, call.dry_run).await;
        }
        let fate = self.faults.decide(&self.config, &call.action, &call.idempotency_key);
        self.pace.take(fate.latency).await;
        self.answer(call, &fate)
    }

    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        let fate = self.faults.decide(&self.config, "describe", "");
        self.pace.take(fate.latency).await;
        if let Some(error) = fate.error {
            return Err(error);
        }
        let world = self.world();
        Ok(resources
            .iter()
            .filter_map(escher_runtime::provider::resource_id)
            .filter_map(|id| world.estate.get(id))
            .map(|r| Value::Record(r.clone()))
            .collect())
    }

    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        actions::is_done(&self.world().estate, &call.action, &call.args, resource)
    }

    fn clock(&self) -> Option<&dyn SimulatedClock> {
        Some(self)
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        crate::buckets::bucket(rate_class)
    }
}

/// A `wait` in a run on the simulator moves its clock instead of sleeping: transitions due within the wait are
/// done when it ends, and `weekend_startup`'s five minutes pass at once.
impl SimulatedClock for Sim {
    fn advance(&self, by: std::time::Duration) {
        self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).transitions.advance(by);
    }
}

/// A cloud call answered before its latency passed ([`Sim::answer_now`]).
pub(crate) struct EarlyAnswer {
    pub response: Result<ProviderResponse, ProviderError>,
    /// What is left to wait before the answer may be given.
    pub latency: std::time::Duration,
}
