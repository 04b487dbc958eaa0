//! A template's bounds: per-parameter ranges, allowed values and allowed tag values, and for the whole run the
//! most targets a step may touch and the regions and accounts it may touch. Written as TOML by the manager
//! (docs/policy.md), checked against a plan's parameters before anything runs.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use serde::{Deserialize, Serialize};

use crate::scope::Scope;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// The steps that run without further approval; left out, every step.
    pub covers: Option<Vec<String>>,
    /// The most targets any mutating step may act on.
    pub max_targets: Option<u64>,
    pub regions: Option<Vec<String>>,
    pub accounts: Option<Vec<String>>,
    #[serde(default)]
    pub params: BTreeMap<String, ParamBound>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamBound {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The values allowed (for a list parameter, every element must be one of them).
    pub allowed: Option<Vec<serde_json::Value>>,
    /// For a record of tags: the values each tag key may have. Keys not listed are not allowed.
    pub tag_values: Option<BTreeMap<String, Vec<String>>>,
}

/// A parameter outside its bound: which parameter, which bound, what was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfBounds {
    pub param: String,
    pub bound: String,
    pub given: String,
}

impl std::fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "parameter `{}` = {} is outside the template's bound {}", self.param, self.given, self.bound)
    }
}

impl Bounds {
    /// Parses a bounds file.
    pub fn parse(text: &str) -> Result<Bounds, String> {
        toml::from_str(text).map_err(|error| error.to_string())
    }

    pub fn covers(&self, step: &str) -> bool {
        self.covers.as_ref().is_none_or(|steps| steps.iter().any(|s| s == step || step.starts_with(&format!("{s}."))))
    }

    /// The regions and accounts as a scope (accounts bind every cloud's account id).
    pub fn scope(&self) -> Scope {
        Scope {
            regions: self.regions.clone(),
            accounts: self.accounts.clone(),
            subscriptions: self.accounts.clone(),
            projects: self.accounts.clone(),
            clouds: None,
        }
    }

    /// Checks the plan's parameter values (lowered, defaults applied) against every bound.
    pub fn check_params(&self, params: &BTreeMap<String, Value>) -> Result<(), OutOfBounds> {
        for (name, bound) in &self.params {
            let Some(value) = params.get(name) else { continue };
            bound.check(name, value)?;
        }
        Ok(())
    }
}

impl ParamBound {
    fn check(&self, name: &str, value: &Value) -> Result<(), OutOfBounds> {
        let out = |bound: String, given: &Value| OutOfBounds { param: name.to_string(), bound, given: show(given) };
        let items: Vec<&Value> = match value {
            Value::List(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            if let Some(number) = number(item) {
                if let Some(min) = self.min.filter(|min| number < *min) {
                    return Err(out(format!("min = {min}"), item));
                }
                if let Some(max) = self.max.filter(|max| number > *max) {
                    return Err(out(format!("max = {max}"), item));
                }
            }
            if let Some(allowed) = &self.allowed
                && !allowed.iter().any(|a| same(a, item))
            {
                let list = allowed.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
                return Err(out(format!("allowed = [{list}]"), item));
            }
            if let (Some(tags), Value::Record(given)) = (&self.tag_values, item) {
                for (key, tag) in given {
                    let allowed = tags.get(key);
                    let ok = matches!((allowed, tag), (Some(values), Value::String(v)) if values.contains(v));
                    if !ok {
                        let bound = match allowed {
                            Some(values) => format!("tag_values.{key} = [{}]", values.join(", ")),
                            None => format!("tag_values (no `{key}` tag allowed)"),
                        };
                        return Err(OutOfBounds {
                            param: name.to_string(),
                            bound,
                            given: format!("{key} = {}", show(tag)),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Int(n) => Some(*n as f64),
        Value::Float(n) => Some(*n),
        _ => None,
    }
}

fn same(allowed: &serde_json::Value, value: &Value) -> bool {
    match (allowed, value) {
        (serde_json::Value::String(a), Value::String(v)) => a == v,
        (serde_json::Value::Number(a), _) => a.as_f64().zip(number(value)).is_some_and(|(a, v)| a == v),
        (serde_json::Value::Bool(a), Value::Bool(v)) => a == v,
        _ => false,
    }
}

fn show(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_bound_names_the_parameter_and_the_bound() {
        let bounds = Bounds::parse(
            r#"
            [params.count]
            min = 1
            max = 5
            [params.env]
            allowed = ["dev", "test"]
            [params.regions]
            allowed = ["us-east-1"]
            [params.tags]
            tag_values = { env = ["dev"] }
            "#,
        )
        .expect("parses");
        let params = |name: &str, value: Value| BTreeMap::from([(name.to_string(), value)]);
        assert_eq!(bounds.check_params(&params("count", Value::Int(3))), Ok(()));
        let error = bounds.check_params(&params("count", Value::Int(9))).expect_err("above max");
        assert_eq!(error.to_string(), "parameter `count` = 9 is outside the template's bound max = 5");
        let error = bounds.check_params(&params("env", Value::String("prod".into()))).expect_err("not allowed");
        assert_eq!(error.bound, "allowed = [\"dev\", \"test\"]");
        let regions = Value::List(vec![Value::String("us-east-1".into()), Value::String("eu-west-1".into())]);
        assert_eq!(bounds.check_params(&params("regions", regions)).map_err(|e| e.given), Err("\"eu-west-1\"".into()));
        let tags = Value::Record(BTreeMap::from([("env".to_string(), Value::String("prod".into()))]));
        assert_eq!(
            bounds.check_params(&params("tags", tags)).map_err(|e| e.bound),
            Err("tag_values.env = [dev]".into())
        );
    }

    #[test]
    fn covers_means_every_step_unless_listed() {
        assert!(Bounds::default().covers("anything"));
        let bounds = Bounds { covers: Some(vec!["stop".into()]), ..Bounds::default() };
        assert!(bounds.covers("stop"));
        assert!(!bounds.covers("start"));
    }
}
