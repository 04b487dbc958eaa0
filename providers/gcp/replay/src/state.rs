//! Everything the fake holds between requests, behind one lock: every handler runs synchronously under it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value as Json;

use crate::api::Api;
use crate::discovery::discovery;
use crate::estate::{Estate, schema_of};
use crate::faults::Faults;
use crate::ids;
use crate::log::Logged;
use crate::operations::Operations;
use crate::schema::{self, Direction};

pub(crate) struct State {
    pub(crate) estate: Estate,
    pub(crate) log: Vec<Logged>,
    /// The one-line form of each API request, for [`crate::Replay::calls`].
    pub(crate) calls: Vec<String>,
    pub(crate) violations: Vec<String>,
    pub(crate) faults: Faults,
    pub(crate) page_size: usize,
    pub(crate) operation_polls: usize,
    pub(crate) operations: Operations,
    pub(crate) token_fetches: usize,
    /// Seconds since the replay's start of time; each event moves it on by one.
    clock: u64,
    counter: u64,
    /// Compute's `requestId`s by (project, id): the operation each started.
    pub(crate) request_ids: BTreeMap<(String, String), String>,
    /// How often each function was updated, for v1's `versionId`.
    pub(crate) function_updates: BTreeMap<String, u64>,
    /// BigQuery jobs by id: the project and the rows frozen when the query ran.
    pub(crate) jobs: BTreeMap<String, Job>,
}

pub(crate) struct Job {
    pub(crate) project: String,
    pub(crate) rows: Vec<Json>,
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A test that panicked while holding the lock must not hide its own failure behind a poisoned mutex.
    shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// Serves `estate`, whose resources are checked against their Discovery schemas first.
    pub(crate) fn new(estate: Estate) -> State {
        let violations =
            estate.resources.iter().flat_map(|((api, path), resource)| stored_problems(*api, path, resource)).collect();
        State {
            estate,
            log: Vec::new(),
            calls: Vec::new(),
            violations,
            faults: Faults::default(),
            page_size: 2,
            operation_polls: 1,
            operations: Operations::default(),
            token_fetches: 0,
            clock: 0,
            counter: 0,
            request_ids: BTreeMap::new(),
            function_updates: BTreeMap::new(),
            jobs: BTreeMap::new(),
        }
    }

    /// The replay's "now", one second after the last.
    pub(crate) fn now(&mut self) -> String {
        ids::timestamp(self.tick())
    }

    /// Moves the clock on by one second; the new time in seconds since the replay's start of time.
    pub(crate) fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// The next number of a sequence shared by every name the fake makes (operations, jobs, backups).
    pub(crate) fn next_number(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Records, as violations, how a resource put into the estate departs from its Discovery schema: the fake's
    /// answers are checked anyway, but this names the resource that is wrong.
    pub(crate) fn check_stored(&mut self, api: Api, path: &str, resource: &Json) {
        self.violations.extend(stored_problems(api, path, resource));
    }
}

fn stored_problems(api: Api, path: &str, resource: &Json) -> Vec<String> {
    let Some((version, schema_name)) = schema_of(api, path) else { return Vec::new() };
    let Some(document) = discovery().document(api, version) else { return Vec::new() };
    schema::check(document, schema_name, resource, Direction::Response)
        .into_iter()
        .map(|problem| format!("estate {api:?} {path} ({schema_name}): {problem}"))
        .collect()
}
