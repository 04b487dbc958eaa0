//! The runtime [`Guard`] governance installs: every mutating step's live targets must lie inside the runner's
//! role scope (any of their roles), and for a template run inside the template's regions, accounts and
//! maximum targets.

use escher_compiler::plan::{PlanNode, Value};
use escher_runtime::guard::{Guard, GuardRefusal};

use crate::scope::RoleScopes;
use crate::template::Bounds;

pub struct PolicyGuard {
    /// The scopes of the runner's roles; a target must lie inside one of them.
    pub role_scopes: RoleScopes,
    /// The template run's name and bounds.
    pub template: Option<(String, Bounds)>,
}

impl Guard for PolicyGuard {
    fn check(&self, _node: &PlanNode, targets: &[Value]) -> Result<(), GuardRefusal> {
        if let Some((name, bounds)) = &self.template {
            if let Some(max) = bounds.max_targets
                && targets.len() as u64 > max
            {
                return Err(GuardRefusal::new(format!(
                    "it would act on {} targets, more than template `{name}` allows (max_targets = {max})",
                    targets.len()
                )));
            }
            let scope = bounds.scope();
            for target in targets {
                scope.check_target(target).map_err(|out| GuardRefusal::new(format!("template `{name}`: {out}")))?;
            }
        }
        for target in targets {
            match self.role_scopes.check_target(target) {
                Ok(()) => {}
                Err(Some(out)) => {
                    return Err(GuardRefusal::new(format!("the policy does not let this role touch it: {out}")));
                }
                Err(None) => {
                    return Err(GuardRefusal::new("the runner is in no role of the policy, so may touch nothing"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use escher_compiler::plan::Value;

    use super::*;
    use crate::scope::Scope;

    fn instance(id: &str, region: &str) -> Value {
        let field = |v: &str| Value::String(v.into());
        Value::Record(BTreeMap::from([
            ("id".to_string(), field(id)),
            ("cloud".to_string(), field("aws")),
            ("account".to_string(), field("111")),
            ("region".to_string(), field(region)),
        ]))
    }

    fn node() -> PlanNode {
        let source = r#"playbook p {
          let vms = aws.ec2.instances(regions = ["us-east-1"])
          step stop = aws.ec2.stop(vms) { max_targets = 10 }
        }"#;
        let options = escher_compiler::CompileOptions::plan(&escher_compiler::NoImports, BTreeMap::new());
        let plan = escher_compiler::compile("p.esc", source, &options).plan.expect("compiles");
        plan.nodes.into_iter().find(|n| n.id == "stop").expect("the stop step")
    }

    #[test]
    fn live_targets_outside_every_role_scope_are_refused() {
        let us = Scope { regions: Some(vec!["us-east-1".into()]), ..Scope::default() };
        let eu = Scope { regions: Some(vec!["eu-west-1".into()]), ..Scope::default() };
        let guard = PolicyGuard { role_scopes: RoleScopes::AnyOf(vec![us, eu]), template: None };
        assert_eq!(guard.check(&node(), &[instance("i-1", "us-east-1"), instance("i-2", "eu-west-1")]), Ok(()));
        let refused = guard.check(&node(), &[instance("i-3", "ap-south-1")]).expect_err("refused");
        assert!(refused.reason.contains("region `ap-south-1`"), "{refused}");
        let open = PolicyGuard { role_scopes: RoleScopes::Unrestricted, template: None };
        assert_eq!(open.check(&node(), &[instance("i-3", "ap-south-1")]), Ok(()));
        let no_role = PolicyGuard { role_scopes: RoleScopes::AnyOf(Vec::new()), template: None };
        let refused = no_role.check(&node(), &[instance("i-1", "us-east-1")]).expect_err("a runner in no role");
        assert!(refused.reason.contains("in no role"), "{refused}");
    }

    #[test]
    fn a_template_run_is_held_to_its_max_targets_and_regions_on_live_targets() {
        let bounds = Bounds { max_targets: Some(1), regions: Some(vec!["us-east-1".into()]), ..Bounds::default() };
        let guard = PolicyGuard { role_scopes: RoleScopes::Unrestricted, template: Some(("t".into(), bounds)) };
        assert_eq!(guard.check(&node(), &[instance("i-1", "us-east-1")]), Ok(()));
        let two = [instance("i-1", "us-east-1"), instance("i-2", "us-east-1")];
        assert!(guard.check(&node(), &two).expect_err("too many").reason.contains("max_targets = 1"));
        assert!(
            guard.check(&node(), &[instance("i-3", "eu-west-1")]).expect_err("region").reason.contains("template `t`")
        );
    }
}
