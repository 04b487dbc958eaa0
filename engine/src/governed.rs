//! Where a run's governance comes from when the engine loads it itself: the policy file (given, else
//! `<state>/policy.toml` if it exists, else none: no governance), the runner's identity in the state directory,
//! the approvals directory and a published template; and what a run records of it so that `resume` governs it
//! as it started.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use escher_governance::approvals::{ApprovalsDir, FilesApprover, Notice, PlaybookText, Refresh, Requester};
use escher_governance::clock::SystemClock;
use escher_governance::identity::Identity;
use escher_governance::run::{RunGovernance, audit_entry, policy_stamp};
use escher_runtime::approval::Approver;
use escher_runtime::audit::AuditEntry;
use serde::{Deserialize, Serialize};

use crate::error::{EngineError, append_audit};

/// How the engine finds a run's governance. The default looks for `<state>/policy.toml`.
#[derive(Clone, Default)]
pub struct GovernanceSettings {
    /// The policy file; else `<state>/policy.toml` if it exists; else there is no policy and no governance.
    pub policy: Option<PathBuf>,
    /// The shared approvals directory; else `<state>/approvals`.
    pub approvals: Option<PathBuf>,
    /// The name the runner's identity is created under on first use; else `$USER`.
    pub runner_name: Option<String>,
    /// How long a step waits for signed approvals before the run suspends (zero: at once).
    pub wait: Duration,
    /// Told once per waiting step where its request is and how to approve it.
    pub notice: Option<Notice>,
}

impl std::fmt::Debug for GovernanceSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GovernanceSettings")
            .field("policy", &self.policy)
            .field("approvals", &self.approvals)
            .field("runner_name", &self.runner_name)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl GovernanceSettings {
    /// The policy and approvals directory a host was given, else `ESCHER_POLICY` and `ESCHER_APPROVALS` (the
    /// names every Escher host reads), else the defaults in the state.
    pub fn from_env(policy: Option<&Path>, approvals: Option<&Path>) -> Self {
        let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        GovernanceSettings {
            policy: policy.map(Path::to_path_buf).or_else(|| from_env("ESCHER_POLICY")),
            approvals: approvals.map(Path::to_path_buf).or_else(|| from_env("ESCHER_APPROVALS")),
            ..GovernanceSettings::default()
        }
    }

    /// The policy file in force for a state directory, if any.
    pub fn policy_path(&self, state_dir: &Path) -> Option<PathBuf> {
        if let Some(path) = &self.policy {
            return Some(path.clone());
        }
        let default = state_dir.join("policy.toml");
        default.exists().then_some(default)
    }

    /// Whether runs on this state are governed: a policy file is in force, or a policy root is pinned there (and
    /// then a run without a signed policy is refused rather than run on the built-in policy).
    pub fn governs(&self, state_dir: &Path) -> bool {
        self.policy_path(state_dir).is_some() || escher_governance::policy::pinned::is_pinned(state_dir)
    }

    pub fn approvals_dir(&self, state_dir: &Path) -> PathBuf {
        self.approvals.clone().unwrap_or_else(|| state_dir.join("approvals"))
    }

    /// The governance of a run: `None` without a policy. A runner in no role, or a template that does not
    /// verify, is refused (audited).
    pub(crate) fn load(
        &self,
        state_dir: &Path,
        template: Option<&str>,
        runner: Option<&Identity>,
    ) -> Result<Option<RunGovernance>, EngineError> {
        let Some(policy) = self.policy(state_dir)? else {
            return match template {
                Some(name) => Err(EngineError::NeedsPolicy { what: format!("template `{name}`") }),
                None => Ok(None),
            };
        };
        // A host that holds the runner's key pair itself (the Extended Laptop's container) gives it; else the
        // state directory's identity, created on first use.
        let runner = match runner {
            Some(identity) => identity.principal(),
            None => {
                Identity::load_or_create(state_dir, &self.runner_name.clone().unwrap_or_else(user_name))?.principal()
            }
        };
        let approvals = ApprovalsDir::new(self.approvals_dir(state_dir));
        let vouched = escher_governance::policy::pinned::is_pinned(state_dir);
        let stamp = policy_stamp(&policy, vouched);
        match RunGovernance::new(Arc::new(policy), runner.clone(), approvals, template) {
            Ok(mut governance) => {
                governance.vouched = vouched;
                Ok(Some(governance))
            }
            Err(refusal) => {
                let result = format!("refused: {refusal}");
                let entry = audit_entry(&runner.name, "", refusal.audit_kind(), "", "", result);
                let entry = AuditEntry { policy: Some(stamp), ..entry };
                append_audit(state_dir, entry)?;
                Err(EngineError::Refused(refusal))
            }
        }
    }

    /// The approver that waits for signed decisions in the approvals directory, as these settings say.
    pub(crate) fn files_approver(
        &self,
        governance: &RunGovernance,
        requester: Arc<Requester>,
        refresh: Option<Arc<dyn Refresh>>,
    ) -> Arc<dyn Approver> {
        Arc::new(FilesApprover {
            dir: governance.approvals.clone(),
            policy: governance.policy.clone(),
            requester,
            roles_vouched: governance.vouched,
            clock: Arc::new(SystemClock),
            wait: self.wait,
            poll: Duration::from_millis(250),
            notice: self.notice.clone(),
            refresh,
        })
    }

    /// These settings as a resume of `run_id` uses them: the run's own policy file and approvals directory
    /// where these give none.
    pub fn resuming(&self, state_dir: &Path, run_id: &str) -> GovernanceSettings {
        self.for_resume(state_dir, run_id).0
    }

    /// These settings for resuming a run that recorded its governance: its policy file and approvals directory
    /// unless the host gives others, and its template.
    pub(crate) fn for_resume(&self, state_dir: &Path, run_id: &str) -> (GovernanceSettings, Option<String>) {
        let mut settings = self.clone();
        let Some(remembered) = Remembered::read(state_dir, run_id) else { return (settings, None) };
        settings.approvals.get_or_insert(remembered.approvals);
        if settings.policy.is_none() {
            settings.policy = remembered.policy;
        }
        (settings, remembered.template)
    }
}

/// `$USER`, else `$USERNAME`, else `unknown`: who runs, when the host does not say.
pub fn user_name() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}

/// What a governed run records (`runs/<id>/governance.json`) before its first journal record, so a run killed
/// at any point resumes governed as it started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Remembered {
    template: Option<String>,
    approvals: PathBuf,
    /// The policy file the run was governed by; a resume that cannot read it does not run.
    #[serde(default)]
    policy: Option<PathBuf>,
    /// The playbook the run compiled, with its imports: every approval request it files carries it.
    #[serde(default)]
    playbook: Option<PlaybookText>,
}

impl Remembered {
    pub(crate) fn of(governance: &RunGovernance, policy: Option<&Path>, playbook: Option<PlaybookText>) -> Remembered {
        let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Remembered {
            template: governance.template.as_ref().map(|t| t.signed.template.name.clone()),
            approvals: absolute(&governance.approvals.root),
            policy: policy.map(absolute),
            playbook,
        }
    }

    /// The playbook a run recorded.
    pub(crate) fn playbook(state_dir: &Path, run_id: &str) -> Option<PlaybookText> {
        Remembered::read(state_dir, run_id).and_then(|remembered| remembered.playbook)
    }

    pub(crate) fn write(&self, state_dir: &Path, run_id: &str) -> std::io::Result<()> {
        let path = path(state_dir, run_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_vec_pretty(self).unwrap_or_default())
    }

    fn read(state_dir: &Path, run_id: &str) -> Option<Remembered> {
        let text = std::fs::read_to_string(path(state_dir, run_id)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

fn path(state_dir: &Path, run_id: &str) -> PathBuf {
    state_dir.join("runs").join(run_id).join("governance.json")
}
