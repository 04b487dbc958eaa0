//! The governance side of `escher run` and `escher resume` when a policy is in force: the policy and identity
//! found on disk, and the governance every host applies (`escher_governance::run::RunGovernance`), with its
//! refusals and template runs audited and printed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use escher_governance::approvals::{ApprovalsDir, FilesApprover};
use escher_governance::clock::SystemClock;
use escher_governance::run::{Refusal, RunGovernance, audit_entry};
use escher_runtime::approval::Approver;
use escher_runtime::audit::{AuditEntry, AuditLog};
use serde::{Deserialize, Serialize};

use super::{EXIT_DIAGNOSTICS, EXIT_USAGE};

/// Governance options of `run` and `resume`.
#[derive(Debug, Clone, Default)]
pub struct GovOptions {
    pub policy: Option<PathBuf>,
    pub approvals: Option<PathBuf>,
    /// How long to wait for approvals before suspending the run.
    pub wait: Option<Duration>,
    /// Suspend at once when an approval is missing.
    pub detach: bool,
}

/// How long `run` waits for approvals when neither `--wait` nor `--detach` is given.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);

/// What a governed run is, as `resume` needs it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Remembered {
    template: Option<String>,
    approvals: PathBuf,
    /// The policy file given with `--policy`, if any; `resume` reads it again unless given another.
    #[serde(default)]
    policy: Option<PathBuf>,
}

/// A governed run as the command line finds it: the governance every host applies ([`RunGovernance`]), which
/// the engine is given.
pub struct Governed {
    pub governance: RunGovernance,
}

impl Governed {
    /// The governance of a run: `None` without a policy. A runner in no role, or a template that does not
    /// verify, is refused here (audited, printed).
    pub fn load(state: &Path, options: &GovOptions, template: Option<&str>) -> Result<Option<Governed>, u8> {
        let Some(policy) = super::policy::load(state, options.policy.as_deref())? else {
            if template.is_some() || options.wait.is_some() || options.detach {
                eprintln!(
                    "error: templates and signed approvals (--template, --wait, --detach) need a policy: --policy FILE, ESCHER_POLICY or {}",
                    state.join("policy.toml").display()
                );
                return Err(EXIT_USAGE);
            }
            return Ok(None);
        };
        let runner = super::identity::local(state, None)?.principal();
        let approvals = ApprovalsDir::new(super::policy::approvals_dir(state, options.approvals.as_deref()));
        match RunGovernance::new(Arc::new(policy), runner.clone(), approvals, template) {
            Ok(governance) => Ok(Some(Governed { governance })),
            Err(refusal) => {
                let roles = "";
                let entry =
                    audit_entry(&runner.name, roles, refusal.audit_kind(), "", "", format!("refused: {refusal}"));
                Err(refuse(state, entry, &refusal))
            }
        }
    }

    /// The governance of a run being resumed, as it was when it started.
    pub fn for_resume(state: &Path, options: &GovOptions, run_id: &str) -> Result<Option<Governed>, u8> {
        let remembered = std::fs::read_to_string(remembered_path(state, run_id))
            .ok()
            .and_then(|text| serde_json::from_str::<Remembered>(&text).ok());
        let mut options = options.clone();
        if let Some(remembered) = &remembered {
            options.approvals.get_or_insert(remembered.approvals.clone());
            if options.policy.is_none() && std::env::var_os("ESCHER_POLICY").is_none() {
                options.policy.clone_from(&remembered.policy);
            }
        }
        Governed::load(state, &options, remembered.as_ref().and_then(|r| r.template.as_deref()))
    }

    /// What `resume` needs of this governance, to record with the run ([`Remembered::write`]).
    pub fn remembered(&self, options: &GovOptions) -> Remembered {
        let absolute = |path: &PathBuf| std::path::absolute(path).unwrap_or_else(|_| path.clone());
        Remembered {
            template: self.governance.template.as_ref().map(|t| t.signed.template.name.clone()),
            approvals: absolute(&self.governance.approvals.root),
            policy: options.policy.as_ref().map(absolute),
        }
    }

    /// The command line's approver: the approvals directory, waiting as asked for signed decisions. The engine
    /// binds it to the policy (a template's covered steps need no approval; every other must be signed).
    pub fn approver(&self, options: &GovOptions, human: bool) -> Arc<dyn Approver> {
        let wait = if options.detach { Duration::ZERO } else { options.wait.unwrap_or(DEFAULT_WAIT) };
        let files: Arc<dyn Approver> = Arc::new(FilesApprover {
            dir: self.governance.approvals.clone(),
            policy: self.governance.policy.clone(),
            runner: self.governance.runner.clone(),
            clock: Arc::new(SystemClock),
            wait,
            poll: Duration::from_millis(250),
            notice: human.then(|| Arc::new(|line: &str| eprintln!("{line}")) as escher_governance::approvals::Notice),
        });
        files
    }
}

impl Remembered {
    /// Records it with the run `run_id`.
    pub fn write(&self, state: &Path, run_id: &str) -> std::io::Result<()> {
        let path = remembered_path(state, run_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_vec_pretty(self).unwrap_or_default())
    }
}

/// Audits and prints a refusal; returns the exit code.
fn refuse(state: &Path, entry: AuditEntry, refusal: &Refusal) -> u8 {
    if let Err(error) = append_audit(state, entry) {
        eprintln!("error: {error}");
    }
    eprintln!("refused: {refusal}; nothing was run");
    EXIT_DIAGNOSTICS
}

/// Appends one entry to the state directory's audit log.
pub fn append_audit(state: &Path, entry: AuditEntry) -> Result<(), String> {
    let mut log = AuditLog::open(state).map_err(|error| format!("cannot open the audit log: {error}"))?;
    log.append(entry).map(drop).map_err(|error| format!("cannot write the audit log: {error}"))
}

fn remembered_path(state: &Path, run_id: &str) -> PathBuf {
    state.join("runs").join(run_id).join("governance.json")
}
