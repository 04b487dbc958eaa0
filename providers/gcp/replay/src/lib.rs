//! A stateful fake of the Google Cloud REST APIs Escher's GCP provider calls (Compute Engine, Cloud SQL Admin,
//! Cloud Functions v1 and v2, Cloud Storage, BigQuery), with an OAuth2 token endpoint and a metadata server, on
//! 127.0.0.1 over plain HTTP. None of these APIs has an emulator; this is what the provider's tests run against.
//!
//! **Every request is checked against Google's Discovery documents** (the subsets in
//! `providers/gcp/tests/fixtures/discovery/`): the method its HTTP method and path name, each path parameter's
//! `pattern`, every query parameter declared (by the method or as a standard parameter), required ones present,
//! `enum`s and types, and the body against the method's request schema, unknown fields included. A request that
//! fails is answered 400 (a path no method has: 404) and recorded; so is a request without a bearer token, and
//! every answer of the fake's own that departs from the method's response schema. [`Replay::assert_clean`] fails
//! the test on any of them.
//!
//! **The estate is stateful**: mutations answer an operation and their effect lands when a poll finds it DONE
//! ([`Replay::set_operation_polls`]); lists page ([`Replay::set_page_size`], 2 by default so paging is always
//! exercised); faults are queued per method ([`Fault`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use escher_gcp_replay::{Api, Estate, Replay};
//!
//! let replay = Replay::start(Estate::two_projects()).await;
//! let url = format!("{}compute/v1/projects/acme-dev/zones/us-central1-a/instances/web-1", replay.endpoints().compute);
//! let answer = reqwest::Client::new().get(url).bearer_auth("ya29.test").send().await.expect("the replay answers");
//! assert_eq!(answer.status(), 200);
//! assert_eq!(replay.calls(), ["GET compute.instances.get projects/acme-dev/zones/us-central1-a/instances/web-1"]);
//! let web_1 = replay.resource(Api::Compute, "projects/acme-dev/zones/us-central1-a/instances/web-1");
//! assert_eq!(web_1.expect("web-1 is in the estate")["status"], "RUNNING");
//! replay.assert_clean();
//! # }
//! ```
//!
//! # The standard estate ([`Estate::two_projects`])
//!
//! Projects `acme-dev` (number 111111111111) and `acme-prod` (222222222222); zones `us-central1-a`,
//! `us-central1-b`, `europe-west1-b` (regions `us-central1`, `europe-west1`).
//!
//! | API | Path | What |
//! |---|---|---|
//! | Compute | `projects/acme-dev/zones/us-central1-a/instances/web-1` | RUNNING, e2-standard-2, `env=dev` |
//! | Compute | `projects/acme-dev/zones/us-central1-a/instances/web-2` | RUNNING, e2-medium, `env=dev` |
//! | Compute | `projects/acme-dev/zones/us-central1-b/instances/api-1` | RUNNING, e2-medium, `env=dev` |
//! | Compute | `projects/acme-dev/zones/us-central1-a/instances/batch-1` | TERMINATED, e2-standard-2, `env=dev` |
//! | Compute | `projects/acme-dev/zones/europe-west1-b/instances/bastion` | RUNNING, e2-micro, no labels |
//! | Compute | `projects/acme-prod/zones/us-central1-a/instances/web-prod-1` | RUNNING, e2-standard-2, `env=prod` |
//! | Compute | `projects/acme-prod/zones/europe-west1-b/instances/web-prod-2` | RUNNING, e2-standard-2, `env=prod` |
//! | Compute | `projects/acme-prod/zones/us-central1-b/instances/tools-1` | RUNNING, e2-medium, `env=dev` |
//! | Compute | `projects/P/zones/Z/disks/N` for each instance above | its 10 GB boot disk, `users` = the instance, auto-delete |
//! | Compute | `projects/acme-dev/zones/us-central1-b/disks/data-archive` | unattached, 200 GB, `env=dev`, `purpose=archive` |
//! | Compute | `projects/acme-dev/regions/us-central1/disks/shared-data` | unattached regional, 100 GB, no labels |
//! | Compute | `projects/acme-dev/global/snapshots/web-1-nightly` | of disk `web-1`, `env=dev` |
//! | Compute | `projects/acme-dev/global/snapshots/archive-2025` | of disk `data-archive`, no labels |
//! | Compute | `projects/acme-dev/global/firewalls/allow-ssh-anywhere` | `0.0.0.0/0` tcp:22, enabled |
//! | Compute | `projects/acme-dev/global/firewalls/allow-web-anywhere` | `0.0.0.0/0` tcp:80,443, disabled |
//! | Compute | `projects/acme-dev/global/firewalls/allow-internal` | `10.0.0.0/8` tcp, udp, icmp, enabled |
//! | Cloud SQL | `projects/acme-dev/instances/orders-db` | RUNNABLE, POSTGRES_15, `db-custom-2-7680`, `env=dev` |
//! | Cloud SQL | `projects/acme-dev/instances/legacy-mysql` | stopped (`state` RUNNABLE, `activationPolicy` NEVER), MYSQL_8_0, `db-n1-standard-1` |
//! | Cloud SQL | `projects/acme-prod/instances/orders-db-prod` | RUNNABLE, POSTGRES_15, `db-custom-4-15360`, `env=prod` |
//! | Functions | `projects/acme-dev/locations/us-central1/functions/thumbnailer` | GEN_2, python312, `maxInstanceCount` 100, `env=dev` |
//! | Functions | `projects/acme-dev/locations/europe-west1/functions/legacy-webhook` | GEN_1, nodejs20, `maxInstanceCount` 10, `env=dev` |
//! | Storage | `b/acme-dev-public-assets` | acme-dev, US, `allUsers` objectViewer, PAP inherited, versioning off, `env=dev` |
//! | Storage | `b/acme-dev-backups` | acme-dev, US-CENTRAL1, private, versioned, CMEK, `env=dev`, `purpose=backup` |
//! | Storage | `b/acme-prod-logs` | acme-prod, EU, private, `env=prod` |
//! | BigQuery | `projects/acme-dev/billing` | Compute Engine 123.45, Cloud SQL 67.8, Cloud Storage 4.2 (USD) |
//! | BigQuery | `projects/acme-prod/billing` | Compute Engine 456.78, Cloud Functions 12.5 (USD) |
//!
//! # What the documents hold a client to (and the fake with it)
//!
//! - 64-bit integers are JSON strings in answers (Compute `id`, `targetId`, `sizeGb`, `diskSizeGb`; Cloud SQL
//!   `settingsVersion`; Storage `metageneration`, `projectNumber`; BigQuery `totalRows`); in a request either
//!   form is accepted, as Google's parsers accept both. 32-bit ones are numbers (`progress`, `priority`,
//!   `maxInstanceCount`).
//! - Cloud SQL has no STOPPED state: a stopped instance is `state: RUNNABLE` with
//!   `settings.activationPolicy: NEVER` (`gcloud` shows STOPPED).
//! - Compute's `requestId` must be a UUID; `Operation.error.errors[].code` is a string; lists leave `items` out
//!   when empty; `instances.aggregatedList` has no `returnPartialSuccess` in revision 20261106.
//! - Cloud Functions and BigQuery paths use reserved expansion (`v2/{+name}`, `projects/{+projectId}/queries`):
//!   their slashes are sent as they are, not percent-encoded. A long-running operation's `error.code` is a
//!   `google.rpc.Code` number.
//! - BigQuery answers every cell as a string (`"123.45"`), names the next page's token `pageToken` (not
//!   `nextPageToken`), and `jobs.query` defaults to legacy SQL, which takes no query parameters
//!   (`useLegacySql: false` is needed).

mod api;
mod apis;
mod auth;
mod discovery;
mod errors;
mod estate;
mod faults;
mod ids;
mod log;
mod operations;
mod paging;
mod pipeline;
mod schema;
mod server;
mod state;
mod storage_front;
mod validate;

use std::sync::{Arc, Mutex};

use serde_json::Value as Json;
use tokio::task::JoinHandle;

pub use api::{Api, Endpoints};
pub use estate::{Estate, Project};
pub use faults::Fault;
pub use log::Logged;
pub use storage_front::StorageFront;

use server::Listener;
use state::{Shared, State, lock};

/// The running fake. Clones share it; it stops when the last is dropped.
#[derive(Clone)]
pub struct Replay {
    inner: Arc<Inner>,
}

struct Inner {
    endpoints: Endpoints,
    shared: Shared,
    servers: Vec<JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}

impl Replay {
    /// Serves `estate`: one listener per API on 127.0.0.1 and one for the token endpoint and metadata server.
    /// The estate's resources are checked against their Discovery schemas now (violations name them).
    pub async fn start(estate: Estate) -> Replay {
        let shared: Shared = Arc::new(Mutex::new(State::new(estate)));
        let mut servers = Vec::new();
        let mut bases = Vec::new();
        for api in Api::ALL {
            let (address, server) = server::listen(Listener::Api(api), shared.clone()).await;
            servers.push(server);
            bases.push(format!("http://{address}/"));
        }
        let (auth, server) = server::listen(Listener::Auth, shared.clone()).await;
        servers.push(server);
        let [compute, sqladmin, cloudfunctions, storage, bigquery] =
            <[String; 5]>::try_from(bases).expect("one listener per API");
        let endpoints = Endpoints {
            compute,
            sqladmin,
            cloudfunctions,
            storage,
            bigquery,
            oauth_token: format!("http://{auth}/token"),
            metadata_host: auth,
        };
        Replay { inner: Arc::new(Inner { endpoints, shared, servers }) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.inner.shared)
    }

    pub fn endpoints(&self) -> Endpoints {
        self.inner.endpoints.clone()
    }

    /// Every request, in order (auth requests included).
    pub fn log(&self) -> Vec<Logged> {
        self.state().log.clone()
    }

    /// The logged requests of one Discovery method (`compute.instances.stop`), in order.
    pub fn requests_to(&self, method_id: &str) -> Vec<Logged> {
        self.log().into_iter().filter(|l| l.method_id.as_deref() == Some(method_id)).collect()
    }

    /// Each API request (auth left out) as one line: `POST compute.instances.stop
    /// projects/acme-dev/zones/us-central1-a/instances/web-1`; required query parameters follow (`?project=...`).
    /// A request no Discovery method has reads `GET ? /compute/v1/...`.
    pub fn calls(&self) -> Vec<String> {
        self.state().calls.clone()
    }

    /// Every violation seen: requests off their Discovery method, requests without a bearer token, the fake's own
    /// answers off their schema, estate resources off theirs, auth requests the fake does not serve, and behaviour
    /// the fake does not model ("replay gap: ...").
    pub fn violations(&self) -> Vec<String> {
        self.state().violations.clone()
    }

    /// Panics, listing the violations and the calls, if there is any.
    pub fn assert_clean(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "the GCP replay saw {} violation(s):\n  {}\ncalls:\n  {}",
            violations.len(),
            violations.join("\n  "),
            self.calls().join("\n  ")
        );
    }

    /// Forgets the requests seen so far (the log and the calls); violations stay.
    pub fn clear_log(&self) {
        let mut state = self.state();
        state.log.clear();
        state.calls.clear();
    }

    /// Forgets the violations seen so far: for a test that provoked them on purpose.
    pub fn clear_violations(&self) {
        self.state().violations.clear();
    }

    /// Queues a fault for the method it names.
    pub fn fail(&self, fault: Fault) {
        self.state().faults.push(fault);
    }

    /// The stored resource at `path` (`projects/acme-dev/zones/us-central1-a/instances/web-1`, `b/NAME`, ...), as
    /// the API would answer it (Cloud Functions: v2's form).
    pub fn resource(&self, api: Api, path: &str) -> Option<Json> {
        self.state().estate.get(api, path).cloned()
    }

    /// Stores `resource` at `path`, replacing what was there; it is checked against its schema like the estate's.
    pub fn put(&self, api: Api, path: &str, resource: Json) {
        let mut state = self.state();
        state.check_stored(api, path, &resource);
        state.estate.insert(api, path, resource);
    }

    pub fn remove(&self, api: Api, path: &str) {
        self.state().estate.remove(api, path);
    }

    /// The most items any list answers per page (default 2); 0: no limit. A request's own smaller
    /// `maxResults`/`pageSize` wins.
    pub fn set_page_size(&self, n: usize) {
        self.state().page_size = n;
    }

    /// How many polls (`get` or `wait`) an operation answers not done before the next finds it DONE (default 1).
    pub fn set_operation_polls(&self, n: usize) {
        self.state().operation_polls = n;
    }

    /// Access tokens served: the OAuth2 token endpoint's and the metadata server's.
    pub fn token_fetches(&self) -> usize {
        self.state().token_fetches
    }
}
