//! A state location made ready for work: its layout checked, a bucket pulled into its local copy and pushed
//! back while the host works.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use escher_governance::approvals::Refresh;
use escher_runtime::replica::Replica;
use escher_state::layout::{LayoutOutcome, ensure_layout};
use escher_state::mirror::{pull, pull_filed};
use escher_state::{Replicator, Store, StoreError, StoreOptions};

use super::location::StateLocation;

/// How often a bucket's local copy is pushed back besides each journal commit.
const PUSH_EVERY: Duration = Duration::from_millis(250);

/// Why state could not be attached, leased or pushed. Nothing already stored is lost: a copy that could not be
/// pushed stays in the local directory for the next attach to push.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot push state to {location}: {reason}")]
    Replication { location: String, reason: String },
    #[error("state not yet pushed to {location}: {reason}; it is kept in {} and pushed by the next command", .kept_in.display())]
    NotPushed { location: String, kept_in: PathBuf, reason: String },
    #[error("run {run_id} is being run by {holder} (its lease lasts until {until}); try again once it ends")]
    LeaseHeld { run_id: String, holder: String, until: String },
    #[error("the takeover of run {run_id} could not be audited: {reason}")]
    Audit { run_id: String, reason: String },
}

/// See the module's documentation. [`AttachedState::close`] pushes a bucket's copy a last time.
pub struct AttachedState {
    location: StateLocation,
    replicator: Option<Replicator>,
    migrated: Option<(u32, usize)>,
}

impl AttachedState {
    /// Checks the layout (an older one is migrated, a newer one refused with nothing changed); for a bucket,
    /// brings the local copy up to date and starts pushing it back. `on_push_failure` hears a push that failed
    /// (the next push tries again).
    pub async fn attach(
        location: StateLocation,
        on_push_failure: impl Fn(&str) + Send + 'static,
    ) -> Result<AttachedState, StateError> {
        let store = Store::open(location.url(), &StoreOptions::default())?;
        let migrated = match ensure_layout(&store).await? {
            LayoutOutcome::Migrated { from, runs } => Some((from, runs)),
            LayoutOutcome::Current | LayoutOutcome::Created => None,
        };
        let replicator = if location.is_local() {
            None
        } else {
            pull(&store, location.dir()).await?;
            let replicator = Replicator::start(store, location.dir(), PUSH_EVERY, on_push_failure)
                .map_err(|reason| StateError::Replication { location: location.to_string(), reason })?;
            Some(replicator)
        };
        Ok(AttachedState { location, replicator, migrated })
    }

    pub fn location(&self) -> &StateLocation {
        &self.location
    }

    /// The directory journals, the audit log and each run's records are written to.
    pub fn dir(&self) -> &Path {
        self.location.dir()
    }

    /// The layout version the state was migrated from and how many runs were summarized, if attaching did it.
    pub fn migrated(&self) -> Option<(u32, usize)> {
        self.migrated
    }

    /// For a bucket: what holds each journal commit until the bucket has it.
    pub fn replica(&self) -> Option<Arc<dyn Replica>> {
        self.replicator.as_ref().map(Replicator::replica)
    }

    /// For a bucket: what brings the local copy's approvals up to date while a run waits for decisions filed
    /// from other machines (at most once a second, however often the run looks).
    pub fn approvals_refresh(&self) -> Option<Arc<dyn Refresh>> {
        if self.location.is_local() {
            return None;
        }
        let store = Store::open(self.location.url(), &StoreOptions::default()).ok()?;
        let last = std::sync::Mutex::new(None);
        Some(Arc::new(BucketApprovals { store, dir: self.location.dir().to_path_buf(), last }))
    }

    /// Pushes a bucket's copy a last time and stops. Dropped without this, it pushes all the same and keeps
    /// any failure to itself (the next attach pushes what is left).
    pub fn close(mut self) -> Result<(), StateError> {
        let Some(replicator) = self.replicator.take() else { return Ok(()) };
        replicator.finish().map_err(|reason| StateError::NotPushed {
            location: self.location.to_string(),
            kept_in: self.location.dir().to_path_buf(),
            reason,
        })
    }
}

/// See [`AttachedState::approvals_refresh`].
struct BucketApprovals {
    store: Store,
    dir: PathBuf,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How often a waiting run brings its approvals up to date from the bucket.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

#[async_trait::async_trait]
impl Refresh for BucketApprovals {
    async fn refresh(&self) {
        {
            let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.is_some_and(|at| at.elapsed() < REFRESH_EVERY) {
                return;
            }
            *last = Some(std::time::Instant::now());
        }
        // A failed pull is tried again at the next look; the run goes on waiting meanwhile.
        let _ = pull_filed(&self.store, &self.dir).await;
    }
}

impl Drop for AttachedState {
    fn drop(&mut self) {
        if let Some(replicator) = self.replicator.take() {
            let _ = replicator.finish();
        }
    }
}
