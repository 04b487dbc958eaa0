//! The runtime [`Guard`] governance installs: every mutating step's live targets must lie inside the runner's
//! role scope (any of their roles), and for a template run inside the template's regions, accounts and
//! maximum targets.

use escher_compiler::plan::{PlanNode, Value};
use escher_runtime::guard::Guard;

use crate::scope::Scope;
use crate::template::Bounds;

pub struct PolicyGuard {
    /// The scopes of the runner's roles; a target must lie inside one of them. Empty: no restriction.
    pub role_scopes: Vec<Scope>,
    /// The template run's name and bounds.
    pub template: Option<(String, Bounds)>,
}

impl Guard for PolicyGuard {
    fn check(&self, _node: &PlanNode, targets: &[Value]) -> Result<(), String> {
        if let Some((name, bounds)) = &self.template {
            if let Some(max) = bounds.max_targets
                && targets.len() as u64 > max
            {
                return Err(format!(
                    "it would act on {} targets, more than template `{name}` allows (max_targets = {max})",
                    targets.len()
                ));
            }
            let scope = bounds.scope();
            for target in targets {
                scope.check_target(target).map_err(|out| format!("template `{name}`: {out}"))?;
            }
        }
        if !self.role_scopes.is_empty() {
            for target in targets {
                let mut first = None;
                for scope in &self.role_scopes {
                    match scope.check_target(target) {
                        Ok(()) => {
                            first = None;
                            break;
                        }
                        Err(out) => {
                            first.get_or_insert(out);
                        }
                    }
                }
                if let Some(out) = first {
                    return Err(format!("the policy does not let this role touch it: {out}"));
                }
            }
        }
        Ok(())
    }
}
