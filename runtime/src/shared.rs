//! What a [`Runtime`](crate::Runtime) hands each of its runs: its own module, so the runtime that builds it and
//! the executor that reads it both depend on it and neither on the other.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use crate::approval::Approver;
use crate::audit::AuditLog;
use crate::events::EventSink;
use crate::identity::Identity;
use crate::limits::Limits;
use crate::provider::Provider;
use crate::secrets::SecretStore;

/// What every run of a runtime shares.
pub(crate) struct Shared {
    pub providers: Vec<Arc<dyn Provider>>,
    pub approver: Arc<dyn Approver>,
    pub events: Arc<dyn EventSink>,
    pub state_dir: PathBuf,
    pub limits: Limits,
    pub cancel: CancellationToken,
    pub secrets: Arc<dyn SecretStore>,
    pub identity: Identity,
    /// One appender for the audit log of the state directory, shared by this runtime's runs.
    pub audit: Arc<Mutex<AuditLog>>,
    /// Checks each mutating step's live targets before it acts (governance), if the host gave one.
    pub guard: Option<Arc<dyn crate::guard::Guard>>,
    /// Where each journal commit is copied before the run acts on it (state in a bucket), if the host gave one.
    pub replica: Option<Arc<dyn crate::replica::Replica>>,
    /// The policy a governed run's audit entries name, if the host gave one.
    pub policy: Option<String>,
    /// Whether the roles the policy grants are authority (a pinned root vouches for it, or there is no policy):
    /// if not, audit entries name no role, only [`crate::audit::UNGOVERNED`].
    pub roles_vouched: bool,
}
