//! The governance side of `escher run` and `escher resume` when a policy is in force: who runs (their key and
//! roles), the compiler's risk policy for them, the static checks before anything runs (role scope, template
//! signature and bounds), and the signed-approvals approver and scope guard the runtime gets.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use escher_compiler::plan::Plan;
use escher_governance::approvals::{ApprovalsDir, FilesApprover};
use escher_governance::clock::SystemClock;
use escher_governance::guard::PolicyGuard;
use escher_governance::identity::Principal;
use escher_governance::policy::Policy;
use escher_governance::template::{SignedTemplate, TemplateApprover};
use escher_runtime::approval::Approver;
use escher_runtime::audit::{AuditEntry, AuditLog};
use escher_runtime::guard::Guard;
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
struct Remembered {
    template: Option<String>,
    approvals: PathBuf,
    /// The policy file given with `--policy`, if any; `resume` reads it again unless given another.
    #[serde(default)]
    policy: Option<PathBuf>,
}

pub struct Governed {
    pub policy: Arc<Policy>,
    pub runner: Principal,
    pub roles: Vec<String>,
    pub dir: ApprovalsDir,
    /// The template run: the verified template and its publisher's role.
    pub template: Option<(SignedTemplate, String)>,
    state: PathBuf,
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
        let identity = super::identity::local(state, None)?;
        let runner = identity.principal();
        let roles: Vec<String> = policy.roles_of(&runner.key).iter().map(|role| role.name.clone()).collect();
        let mut governed = Governed {
            policy: Arc::new(policy),
            runner,
            roles,
            dir: ApprovalsDir::new(super::policy::approvals_dir(state, options.approvals.as_deref())),
            template: None,
            state: state.to_path_buf(),
        };
        if governed.roles.is_empty() {
            let why = format!(
                "{} (key {}) is not a member of any role in the policy; a manager adds the key that `escher identity` prints",
                governed.runner.name, governed.runner.key
            );
            return Err(governed.refuse("policy.refused", "", "", &why));
        }
        if let Some(name) = template {
            let signed = escher_governance::template::load(&governed.dir, name)
                .map_err(|why| governed.refuse("template.refused", "", "", &why))?;
            let role =
                signed.verify(&governed.policy).map_err(|why| governed.refuse("template.refused", "", "", &why))?;
            governed.template = Some((signed, role));
        }
        Ok(Some(governed))
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

    /// Records what `resume` needs.
    pub fn remember(&self, run_id: &str, options: &GovOptions) -> std::io::Result<()> {
        let absolute = |path: &PathBuf| std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let remembered = Remembered {
            template: self.template.as_ref().map(|(t, _)| t.template.name.clone()),
            approvals: absolute(&self.dir.root),
            policy: options.policy.as_ref().map(absolute),
        };
        let path = remembered_path(&self.state, run_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_vec_pretty(&remembered).unwrap_or_default())
    }

    /// The compiler's risk policy for this runner.
    pub fn risk_policy(&self) -> escher_compiler::risk::Policy {
        self.policy.risk_policy(Some(&self.runner.key))
    }

    /// The playbook text a template run compiles: (name, text).
    pub fn template_source(&self) -> Option<(String, String)> {
        self.template.as_ref().map(|(t, _)| (format!("template:{}", t.template.name), t.template.source.clone()))
    }

    /// Checks before anything runs: the plan's constant regions, accounts and clouds against the runner's
    /// roles, and a template's bounds against the parameters. A refusal is audited and printed.
    pub fn check_plan(&self, run_id: &str, plan: &Plan) -> Result<(), u8> {
        let scopes = self.role_scopes();
        if !scopes.is_empty() {
            let mut refusal = None;
            for scope in &scopes {
                match scope.check_plan(plan) {
                    Ok(()) => {
                        refusal = None;
                        break;
                    }
                    Err(error) => {
                        refusal.get_or_insert(error);
                    }
                }
            }
            if let Some((node, out)) = refusal {
                let why = format!("step `{node}`: the policy does not let {} touch it: {out}", self.roles.join(", "));
                return Err(self.refuse("policy.refused", run_id, &plan.hash, &why));
            }
        }
        if let Some((template, role)) = &self.template {
            let name = &template.template.name;
            let bounds = &template.template.bounds;
            if let Err(out) = bounds.check_params(&plan.params) {
                let why = format!("template `{name}`: {out}");
                return Err(self.refuse("template.refused", run_id, &plan.hash, &why));
            }
            if let Err((node, out)) = bounds.scope().check_plan(plan) {
                let why = format!("template `{name}`: step `{node}`: {out}");
                return Err(self.refuse("template.refused", run_id, &plan.hash, &why));
            }
            let publisher = format!("{} ({role})", template.template.publisher.name);
            let entry =
                self.entry("template.run", run_id, &plan.hash, format!("template `{name}` signed by {publisher}"));
            self.audit(entry).map_err(|error| {
                eprintln!("error: {error}");
                EXIT_USAGE
            })?;
        }
        Ok(())
    }

    /// The approver: signed approvals from the shared directory, waiting as asked; a template's covered steps
    /// need none.
    pub fn approver(&self, options: &GovOptions, human: bool) -> Arc<dyn Approver> {
        let wait = if options.detach { Duration::ZERO } else { options.wait.unwrap_or(DEFAULT_WAIT) };
        let files: Arc<dyn Approver> = Arc::new(FilesApprover {
            dir: self.dir.clone(),
            policy: self.policy.clone(),
            runner: self.runner.clone(),
            clock: Arc::new(SystemClock),
            wait,
            poll: Duration::from_millis(250),
            notice: human.then(|| Arc::new(|line: &str| eprintln!("{line}")) as escher_governance::approvals::Notice),
        });
        match &self.template {
            Some((template, role)) => Arc::new(TemplateApprover {
                name: template.template.name.clone(),
                publisher: format!("{} ({role})", template.template.publisher.name),
                bounds: template.template.bounds.clone(),
                inner: files,
            }),
            None => files,
        }
    }

    /// The guard on live targets: the runner's role scopes and the template's bounds.
    pub fn guard(&self) -> Arc<dyn Guard> {
        Arc::new(PolicyGuard {
            role_scopes: self.role_scopes(),
            template: self.template.as_ref().map(|(t, _)| (t.template.name.clone(), t.template.bounds.clone())),
        })
    }

    /// The scopes of the runner's roles; empty when any of them is unrestricted.
    fn role_scopes(&self) -> Vec<escher_governance::scope::Scope> {
        let roles = self.policy.roles_of(&self.runner.key);
        if roles.iter().any(|role| role.scope.is_unrestricted()) {
            return Vec::new();
        }
        roles.iter().map(|role| role.scope.clone()).collect()
    }

    /// `alice` and `executor, auditor`, as the audit log records the runner.
    pub fn who(&self) -> (String, String) {
        (self.runner.name.clone(), self.roles.join(", "))
    }

    fn entry(&self, kind: &str, run_id: &str, plan_hash: &str, result: String) -> AuditEntry {
        let (who, role) = self.who();
        AuditEntry {
            at: escher_governance::clock::stamp(chrono::Utc::now()),
            who,
            role,
            run_id: run_id.to_string(),
            plan_hash: plan_hash.to_string(),
            kind: kind.to_string(),
            step: None,
            action: None,
            targets: Vec::new(),
            approval: None,
            journal: None,
            result,
        }
    }

    fn audit(&self, entry: AuditEntry) -> Result<(), String> {
        append_audit(&self.state, entry)
    }

    /// Audits and prints a refusal; returns the exit code.
    fn refuse(&self, kind: &str, run_id: &str, plan_hash: &str, why: &str) -> u8 {
        if let Err(error) = self.audit(self.entry(kind, run_id, plan_hash, format!("refused: {why}"))) {
            eprintln!("error: {error}");
        }
        eprintln!("refused: {why}; nothing was run");
        EXIT_DIAGNOSTICS
    }
}

/// Appends one entry to the state directory's audit log.
pub fn append_audit(state: &Path, entry: AuditEntry) -> Result<(), String> {
    let mut log = AuditLog::open(state).map_err(|error| format!("cannot open the audit log: {error}"))?;
    log.append(entry).map(drop).map_err(|error| format!("cannot write the audit log: {error}"))
}

fn remembered_path(state: &Path, run_id: &str) -> PathBuf {
    state.join("runs").join(run_id).join("governance.json")
}
