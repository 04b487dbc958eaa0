//! The simulator as runs use it: its estate written back after every change when the run names an out file (the
//! command line's `--estate-out`), so the estate outlives a crash of the process the way a real cloud's does.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::saved::SavedEstate;
use crate::sim::Sim;
use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Bucket, Provider, ProviderCall, ProviderError, ProviderResponse, SimulatedClock};
use tokio::sync::watch;

/// The simulator, saving its estate to a file after each call that may have changed it. The file is the cloud: a
/// call returns only once a write that began after its change has finished. Calls that finish together share
/// one write, as journal records share a sync ([`EstateWriter`]).
pub struct Persisting {
    pub sim: Arc<Sim>,
    pub out: Option<PathBuf>,
    writer: Option<Arc<EstateWriter>>,
    /// Calls to the `die_after` action so far.
    calls_before_dying: std::sync::atomic::AtomicU64,
}

impl Persisting {
    pub fn new(sim: Arc<Sim>, out: Option<PathBuf>) -> Self {
        let writer = out.clone().map(|out| Arc::new(EstateWriter::new(sim.clone(), out)));
        Persisting { sim, out, writer, calls_before_dying: Default::default() }
    }

    /// How many times the estate file was written (for the tests and the makespan benchmark).
    pub fn writes(&self) -> u64 {
        self.writer.as_ref().map_or(0, |writer| lock(&writer.state).writes)
    }

    /// At the end of a run: writes the estate file whole and removes its change log, so the file alone holds
    /// the estate again.
    pub fn fold_change_log(&self) -> Result<(), String> {
        let Some(writer) = &self.writer else { return Ok(()) };
        let mut saved = lock(&writer.saved);
        saved.finish(&self.sim).map_err(|e| e.to_string())
    }

    /// The time spent writing the estate file, gathering before each write apart (for the makespan benchmark).
    pub fn time_writing(&self) -> (Duration, Duration) {
        self.writer.as_ref().map_or(Default::default(), |writer| {
            let state = lock(&writer.state);
            (state.time_writing, state.time_gathering)
        })
    }

    /// Makes a call that may change the estate and gives its answer once the file holds the change: the outer
    /// error is the file's. The change is made when the call comes in and saved while the call's latency
    /// passes, as a cloud's storage keeps a change within the time its API takes to answer; the answer waits
    /// for both.
    async fn call_and_save(
        &self,
        call: &ProviderCall,
    ) -> Result<Result<ProviderResponse, ProviderError>, ProviderError> {
        let Some(writer) = &self.writer else { return Ok(self.sim.call(call).await) };
        let inside = writer.entering();
        let Some(answer) = self.sim.answer_now(call) else {
            return Ok(self.sim.call(call).await);
        };
        let (_, saved) = tokio::join!(self.sim.take_latency(answer.latency), writer.saved(inside));
        saved.map_err(|e| ProviderError::Unavailable(format!("cannot save the estate: {e}")))?;
        Ok(answer.response)
    }
}

/// Writes the estate for every change waiting, one write at a time, on a blocking thread: each write takes the
/// estate as it is when it starts, so it holds every change numbered up to then, and answers all of them. The
/// first write is of the whole file; later ones append what changed to its change log and sync it, so a write
/// costs the changes, not the estate's size ([`SavedEstate`]); a crash leaves every answered change readable.
struct EstateWriter {
    sim: Arc<Sim>,
    /// The estate file and its change log: a write appends what changed to the log (see [`SavedEstate`]).
    saved: Mutex<SavedEstate>,
    state: Mutex<Writing>,
    /// What the file holds, for the calls waiting on it.
    written: watch::Sender<Written>,
}

/// The most a write waits for calls about to change the estate, and how often it looks whether they have.
const MOST_GATHERING: Duration = Duration::from_millis(25);
const LOOK_EVERY: Duration = Duration::from_micros(200);

#[derive(Debug, Default)]
struct Writing {
    /// Changes so far, numbered from 1.
    changes: u64,
    /// The changes the latest write started after.
    started: u64,
    /// Whether a writer is at work.
    busy: bool,
    /// Writes that finished.
    writes: u64,
    /// How long the last write that finished took, and how many changes it held.
    last_write: Duration,
    /// All the writes took, and the waits for changes before them.
    time_writing: Duration,
    time_gathering: Duration,
    last_group: u64,
    /// The calls in the simulator now, by number, with when each went in.
    inside: BTreeMap<u64, Instant>,
    entered: u64,
    /// How long a call stays in the simulator, on average over the last few.
    call_time: Duration,
}

#[derive(Debug, Clone, Default)]
struct Written {
    /// Every change up to this number is in the file.
    durable: u64,
    /// The latest write that failed: the changes it was for, and why.
    failed: Option<(u64, String)>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl EstateWriter {
    fn new(sim: Arc<Sim>, out: PathBuf) -> Self {
        EstateWriter {
            sim,
            saved: Mutex::new(SavedEstate::new(out)),
            state: Mutex::default(),
            written: watch::Sender::new(Written::default()),
        }
    }

    /// Notes a call going into the simulator, until it comes out with its change (or is dropped).
    fn entering(self: &Arc<Self>) -> Inside {
        let mut state = lock(&self.state);
        state.entered += 1;
        let number = state.entered;
        state.inside.insert(number, Instant::now());
        Inside { writer: self.clone(), number }
    }

    /// Numbers the change the call that was `inside` just made and waits for a write that started after it: the
    /// first change with no writer at work starts one, later ones join its next write.
    async fn saved(self: &Arc<Self>, inside: Inside) -> Result<(), String> {
        let mut written = self.written.subscribe();
        let change = {
            let mut state = lock(&self.state);
            if let Some(entered) = state.inside.remove(&inside.number) {
                state.call_time = (state.call_time * 3 + entered.elapsed()) / 4;
            }
            state.changes += 1;
            if !std::mem::replace(&mut state.busy, true) {
                let writer = self.clone();
                tokio::task::spawn_blocking(move || writer.write_while_changed());
            }
            state.changes
        };
        let answered = written
            .wait_for(|w| w.durable >= change || w.failed.as_ref().is_some_and(|(upto, _)| *upto >= change))
            .await
            .map(|w| match &w.failed {
                _ if w.durable >= change => Ok(()),
                Some((_, error)) => Err(error.clone()),
                None => Err("the estate was not written".to_string()),
            });
        answered.unwrap_or_else(|_| Err("the estate writer stopped".into()))
    }

    /// The writer: writes until no change is left unwritten.
    fn write_while_changed(self: Arc<Self>) {
        let stopped = Stopped(&self);
        loop {
            self.gather();
            let (before, upto) = {
                let mut state = lock(&self.state);
                if state.started == state.changes {
                    state.busy = false;
                    break;
                }
                let before = state.started;
                state.started = state.changes;
                (before, state.changes)
            };
            let writing = Instant::now();
            let result = self.write();
            if result.is_ok() {
                let mut state = lock(&self.state);
                state.writes += 1;
                let took = writing.elapsed();
                state.last_write = took;
                state.time_writing += took;
                state.last_group = upto - before;
            }
            self.written.send_modify(|written| match result {
                Ok(()) => written.durable = written.durable.max(upto),
                Err(error) => written.failed = Some((upto, error)),
            });
        }
        std::mem::forget(stopped);
    }

    /// Before a write: waits, at most half as long as a write takes ([`MOST_GATHERING`] at most), while calls in
    /// the simulator should come out with their changes before then (by how long calls stay in it), or while
    /// fewer changes wait than half the last write held (the calls it answered may be coming back with more).
    /// Calls started together (a step's batches, or the calls that the last write answered, started again) then
    /// share a write instead of the first of them having one to itself and the rest waiting for the next:
    /// waiting is worth a fraction of the write it saves, which is mostly the change log's sync.
    fn gather(&self) {
        let started = Instant::now();
        let budget = (lock(&self.state).last_write / 2).min(MOST_GATHERING);
        let deadline = started + budget;
        while Instant::now() < deadline {
            let more_soon = {
                let state = lock(&self.state);
                let waiting = state.changes - state.started;
                waiting > 0 && waiting * 2 < state.last_group
                    || state.inside.values().any(|entered| *entered + state.call_time <= deadline)
            };
            if !more_soon {
                break;
            }
            std::thread::sleep(LOOK_EVERY.min(deadline.saturating_duration_since(Instant::now())));
        }
        lock(&self.state).time_gathering += started.elapsed();
    }

    fn write(&self) -> Result<(), String> {
        lock(&self.saved).save(&self.sim).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// A call in the simulator, for the writer to wait for; it leaves when its change is numbered, or is dropped.
struct Inside {
    writer: Arc<EstateWriter>,
    number: u64,
}

impl Drop for Inside {
    fn drop(&mut self) {
        lock(&self.writer.state).inside.remove(&self.number);
    }
}

/// Dropped only if the writer panicked: the calls waiting are told, and the next change starts a new writer.
struct Stopped<'a>(&'a EstateWriter);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        let changes = {
            let mut state = lock(&self.0.state);
            state.busy = false;
            state.started = state.changes;
            state.changes
        };
        self.0.written.send_modify(|written| written.failed = Some((changes, "the estate writer panicked".into())));
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
        if call.dry_run || call.targets.is_empty() {
            return self.sim.call(call).await;
        }
        let response = self.call_and_save(call).await?;
        self.die_if_asked(&call.action);
        response
    }

    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        self.sim.describe(resources).await
    }

    async fn finish(&self) -> Result<(), ProviderError> {
        self.fold_change_log().map_err(ProviderError::Unavailable)
    }

    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        self.sim.is_done(call, resource)
    }

    fn clock(&self) -> Option<&dyn SimulatedClock> {
        self.sim.clock()
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        self.sim.bucket(rate_class)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const ACCOUNT: &str = "111111111111";
    const REGION: &str = "us-east-1";

    /// An estate of `n` instances, and the instances as a step names them.
    fn estate(n: usize) -> (Arc<Sim>, Vec<Value>) {
        let mut estate = crate::estate::Estate::new(chrono::Utc::now());
        estate.add_account(crate::estate::Account::new("aws", ACCOUNT, "test"));
        for i in 0..n {
            let id = format!("i-{:017x}", 0x1000 + i);
            let draft = crate::build::ec2_instance(ACCOUNT, REGION, &id, &format!("vm-{i}"), "t3.micro");
            estate.insert(draft.record()).expect("a valid instance");
        }
        let sim = Sim::new(estate);
        let targets = sim.resources();
        (Arc::new(sim), targets)
    }

    /// Tags `target` with `key` = yes.
    fn tag(target: &Value, key: &str) -> ProviderCall {
        ProviderCall {
            run_id: "run".into(),
            node: key.into(),
            action: "aws.ec2.tag".into(),
            args: BTreeMap::from([(
                "tags".to_string(),
                Value::Record(BTreeMap::from([(key.to_string(), Value::String("yes".into()))])),
            )]),
            secrets: BTreeMap::new(),
            targets: vec![target.clone()],
            dry_run: false,
            idempotency_key: format!("run:{key}:0"),
            in_doubt: false,
        }
    }

    /// Whether the estate file holds `key` on the resource `id`.
    fn saved_tag(out: &std::path::Path, id: &str, key: &str) -> bool {
        // The whole file and its change log are two files: a load that overlaps a rewrite of the whole file can
        // read the old file with the new log (which it rightly ignores). Such a load is read again; one during
        // which the whole file stayed as it was is what a process starting then would have found.
        loop {
            let before = std::fs::read(out).expect("the estate file");
            let sim = Sim::from_file(out).expect("the estate file loads");
            if std::fs::read(out).expect("the estate file") != before {
                continue;
            }
            let Some(Value::Record(resource)) = sim.resource(id) else { return false };
            return matches!(resource.get("tags"), Some(Value::Record(tags)) if tags.contains_key(key));
        }
    }

    fn id_of(target: &Value) -> String {
        escher_runtime::provider::resource_id(target).expect("an id").to_string()
    }

    /// Calls that finish while a write is under way wait for the next one, which holds all their changes: one
    /// write answers them all, and none returns before its change is in the file.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn calls_waiting_together_share_one_write_that_holds_every_change() {
        let dir = tempfile::tempdir().expect("a directory");
        let out = dir.path().join("estate.json");
        let (sim, targets) = estate(8);
        let persisting = Arc::new(Persisting::new(sim, Some(out.clone())));
        let writer = persisting.writer.clone().expect("a writer");
        // As if a write were under way: the calls number their changes and wait, and no call starts a writer.
        lock(&writer.state).busy = true;
        let calls = 40;
        let mut running = tokio::task::JoinSet::new();
        for n in 0..calls {
            let (persisting, target, out) = (persisting.clone(), targets[n % targets.len()].clone(), out.clone());
            running.spawn(async move {
                let key = format!("k{n}");
                let answer = persisting.call(&tag(&target, &key)).await;
                assert!(answer.is_ok(), "call {n}: {answer:?}");
                assert!(saved_tag(&out, &id_of(&target), &key), "call {n} returned before its change was saved");
            });
        }
        while lock(&writer.state).changes < calls as u64 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert!(!out.exists(), "nothing is written while the calls wait");
        tokio::task::spawn_blocking(move || writer.write_while_changed());
        while let Some(done) = running.join_next().await {
            done.expect("each call returns with its change saved");
        }
        assert_eq!(persisting.writes(), 1, "one write for the {calls} calls that waited together");
    }

    /// Concurrent calls, as a run makes them: each returns with its change in the file, and they share writes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_calls_each_return_with_their_change_saved_in_fewer_writes() {
        let dir = tempfile::tempdir().expect("a directory");
        let out = dir.path().join("estate.json");
        let (sim, targets) = estate(16);
        let persisting = Arc::new(Persisting::new(sim, Some(out.clone())));
        let calls = 64;
        let mut running = tokio::task::JoinSet::new();
        for n in 0..calls {
            let (persisting, target, out) = (persisting.clone(), targets[n % targets.len()].clone(), out.clone());
            running.spawn(async move {
                let key = format!("k{n}");
                persisting.call(&tag(&target, &key)).await.expect("the call succeeds");
                assert!(saved_tag(&out, &id_of(&target), &key), "call {n} returned before its change was saved");
            });
        }
        while let Some(done) = running.join_next().await {
            done.expect("each call returns with its change saved");
        }
        let writes = persisting.writes();
        assert!(writes < calls as u64 / 2, "{writes} writes for {calls} concurrent calls: each call wrote alone");
        assert!(writes >= 1);
    }

    /// A write that fails fails the calls waiting on it; the next change tries again.
    #[tokio::test]
    async fn a_failed_write_fails_the_call_and_the_next_change_writes_again() {
        let dir = tempfile::tempdir().expect("a directory");
        let out = dir.path().join("missing").join("estate.json");
        let (sim, targets) = estate(1);
        let persisting = Persisting::new(sim, Some(out.clone()));
        let error = persisting.call(&tag(&targets[0], "first")).await.expect_err("the directory does not exist");
        assert!(error.to_string().contains("cannot save the estate"), "{error}");
        std::fs::create_dir(dir.path().join("missing")).expect("the directory");
        persisting.call(&tag(&targets[0], "second")).await.expect("the file can be written now");
        assert!(saved_tag(&out, &id_of(&targets[0]), "first") && saved_tag(&out, &id_of(&targets[0]), "second"));
        assert_eq!(persisting.writes(), 1);
    }

    /// Without `--estate-out` nothing is written and calls are the simulator's.
    #[tokio::test]
    async fn without_an_out_file_nothing_is_written() {
        let (sim, targets) = estate(1);
        let persisting = Persisting::new(sim.clone(), None);
        persisting.call(&tag(&targets[0], "k")).await.expect("the call succeeds");
        assert_eq!(persisting.writes(), 0);
        let Some(Value::Record(resource)) = sim.resource(&id_of(&targets[0])) else { panic!("the instance") };
        assert!(matches!(resource.get("tags"), Some(Value::Record(tags)) if tags.contains_key("k")));
    }
}
