//! Where a role may act: clouds, accounts (AWS), subscriptions (Azure), projects (GCP) and regions. A list left
//! out allows everything of its kind. Checked statically on the plan where the values are constants, and at run
//! time on every mutating step's live targets.

use escher_compiler::plan::{Plan, PlanExpr, Value};
use escher_compiler::stdlib::Cloud;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub clouds: Option<Vec<String>>,
    pub accounts: Option<Vec<String>>,
    pub subscriptions: Option<Vec<String>>,
    pub projects: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
}

/// One thing outside a scope: what kind, the value, and the list that does not hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfScope {
    pub kind: &'static str,
    pub value: String,
    pub allowed: Vec<String>,
}

impl std::fmt::Display for OutOfScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}` is not among the allowed {}s: {}", self.kind, self.value, self.kind, self.allowed.join(", "))
    }
}

fn check(kind: &'static str, list: &Option<Vec<String>>, value: &str) -> Result<(), OutOfScope> {
    match list {
        Some(allowed) if !allowed.iter().any(|a| a == value) => {
            Err(OutOfScope { kind, value: value.to_string(), allowed: allowed.clone() })
        }
        _ => Ok(()),
    }
}

/// A GCP zone's region: `us-central1-a` is in `us-central1`.
fn region_of_zone(zone: &str) -> &str {
    zone.rsplit_once('-').map_or(zone, |(region, _)| region)
}

fn text<'a>(target: &'a Value, field: &str) -> Option<&'a str> {
    match target {
        Value::Record(fields) => match fields.get(field) {
            Some(Value::String(text)) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

impl Scope {
    pub fn is_unrestricted(&self) -> bool {
        self == &Scope::default()
    }

    /// Whether a resource (a record with `cloud`, `account`, `region` or `zone`) lies inside the scope.
    pub fn check_target(&self, target: &Value) -> Result<(), OutOfScope> {
        let cloud = text(target, "cloud");
        if let Some(cloud) = cloud {
            check("cloud", &self.clouds, cloud)?;
        }
        if let Some(account) = text(target, "account") {
            match cloud {
                Some("azure") => check("subscription", &self.subscriptions, account)?,
                Some("gcp") => check("project", &self.projects, account)?,
                _ => check("account", &self.accounts, account)?,
            }
        }
        if let Some(region) = text(target, "region").or_else(|| text(target, "zone").map(region_of_zone)) {
            check("region", &self.regions, region)?;
        }
        Ok(())
    }

    /// Whether every constant cloud, region, zone, subscription and project the plan's nodes name lies inside
    /// the scope. Values computed at run time are left to the run-time check.
    pub fn check_plan(&self, plan: &Plan) -> Result<(), (String, OutOfScope)> {
        for node in &plan.nodes {
            let cloud = match node.cloud {
                Cloud::Aws => Some("aws"),
                Cloud::Azure => Some("azure"),
                Cloud::Gcp => Some("gcp"),
                Cloud::Any | Cloud::None => None,
            };
            let at = |error| (node.id.clone(), error);
            if let Some(cloud) = cloud {
                check("cloud", &self.clouds, cloud).map_err(at)?;
            }
            for (name, arg) in &node.args {
                let PlanExpr::Value { value } = arg else { continue };
                let values: Vec<&str> = match value {
                    Value::String(text) => vec![text.as_str()],
                    Value::List(items) => items
                        .iter()
                        .filter_map(|v| if let Value::String(s) = v { Some(s.as_str()) } else { None })
                        .collect(),
                    _ => continue,
                };
                for value in values {
                    match name.as_str() {
                        "region" | "regions" | "location" => check("region", &self.regions, value),
                        "zone" => check("region", &self.regions, region_of_zone(value)),
                        "project" => check("project", &self.projects, value),
                        "subscription" => check("subscription", &self.subscriptions, value),
                        "account" | "accounts" => check("account", &self.accounts, value),
                        _ => Ok(()),
                    }
                    .map_err(at)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn resource(cloud: &str, account: &str, region: &str) -> Value {
        let field = |v: &str| Value::String(v.into());
        Value::Record(BTreeMap::from([
            ("cloud".to_string(), field(cloud)),
            ("account".to_string(), field(account)),
            ("region".to_string(), field(region)),
        ]))
    }

    #[test]
    fn a_scope_allows_only_what_its_lists_hold() {
        let scope = Scope {
            clouds: Some(vec!["aws".into()]),
            accounts: Some(vec!["111".into()]),
            regions: Some(vec!["us-east-1".into()]),
            ..Scope::default()
        };
        assert_eq!(scope.check_target(&resource("aws", "111", "us-east-1")), Ok(()));
        let error = scope.check_target(&resource("aws", "111", "eu-west-1")).expect_err("region refused");
        assert_eq!(error.to_string(), "region `eu-west-1` is not among the allowed regions: us-east-1");
        assert_eq!(scope.check_target(&resource("aws", "222", "us-east-1")).map_err(|e| e.kind), Err("account"));
        assert_eq!(scope.check_target(&resource("gcp", "p", "us-east-1")).map_err(|e| e.kind), Err("cloud"));
        assert_eq!(Scope::default().check_target(&resource("gcp", "p", "x")), Ok(()));
    }
}

/// Where a runner may act: inside any scope of any of their roles. A runner in no role may act nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleScopes {
    /// One of the runner's roles is unrestricted.
    Unrestricted,
    /// Inside one of these, and nowhere if there is none.
    AnyOf(Vec<Scope>),
}

impl RoleScopes {
    /// The scopes of the given roles' scopes.
    pub fn of<'a>(scopes: impl IntoIterator<Item = &'a Scope>) -> RoleScopes {
        let scopes: Vec<Scope> = scopes.into_iter().cloned().collect();
        match scopes.iter().any(Scope::is_unrestricted) {
            true => RoleScopes::Unrestricted,
            false => RoleScopes::AnyOf(scopes),
        }
    }

    /// Whether some scope holds every constant the plan names (see [`Scope::check_plan`]); if none does, the
    /// first scope's objection.
    pub fn check_plan(&self, plan: &Plan) -> Result<(), Option<(String, OutOfScope)>> {
        self.any(|scope| scope.check_plan(plan))
    }

    /// Whether some scope holds the target; if none does, the first scope's objection.
    pub fn check_target(&self, target: &Value) -> Result<(), Option<OutOfScope>> {
        self.any(|scope| scope.check_target(target))
    }

    /// `Err(None)`: there is no scope at all, so nothing is allowed.
    fn any<E>(&self, check: impl Fn(&Scope) -> Result<(), E>) -> Result<(), Option<E>> {
        let RoleScopes::AnyOf(scopes) = self else { return Ok(()) };
        let mut first = None;
        for scope in scopes {
            match check(scope) {
                Ok(()) => return Ok(()),
                Err(error) => {
                    first.get_or_insert(error);
                }
            }
        }
        Err(first)
    }
}
