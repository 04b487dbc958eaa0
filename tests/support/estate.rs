//! An estate file read as plain JSON, independently of the simulator's own code, so that the tests' filters and
//! the simulator's queries can disagree and a test can fail.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

/// One resource record and the account entry it is listed under.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub account: String,
    pub fields: Map<String, Value>,
}

impl Resource {
    pub fn id(&self) -> &str {
        self.text("id").unwrap_or_else(|| panic!("a resource without an id: {:?}", self.fields))
    }

    pub fn kind(&self) -> &str {
        self.text("kind").unwrap_or("?")
    }

    pub fn is(&self, kind: &str) -> bool {
        self.kind() == kind
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }

    pub fn flag(&self, field: &str) -> Option<bool> {
        self.fields.get(field).and_then(Value::as_bool)
    }

    pub fn number(&self, field: &str) -> Option<f64> {
        self.fields.get(field).and_then(Value::as_f64)
    }

    pub fn state(&self) -> &str {
        self.text("state").unwrap_or("")
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        self.fields.get("tags").and_then(|tags| tags.get(key)).and_then(Value::as_str)
    }

    pub fn has_tag(&self, key: &str) -> bool {
        self.fields.get("tags").and_then(|tags| tags.get(key)).is_some()
    }

    pub fn tags(&self) -> Map<String, Value> {
        self.fields.get("tags").and_then(Value::as_object).cloned().unwrap_or_default()
    }

    pub fn in_regions(&self, regions: &[&str]) -> bool {
        self.text("region").is_some_and(|region| regions.contains(&region))
    }

    /// `kind id (name)`, for messages.
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.kind(), self.id(), self.text("name").unwrap_or("-"))
    }
}

/// Every resource of an estate file by id, with the estate's clock.
#[derive(Debug, Clone)]
pub struct Estate {
    pub now: String,
    pub resources: BTreeMap<String, Resource>,
}

impl Estate {
    pub fn load(path: &Path) -> Estate {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let now = json["now"].as_str().unwrap_or_else(|| panic!("{} has no `now`", path.display())).to_string();
        let mut resources = BTreeMap::new();
        for account in json["accounts"].as_array().unwrap_or_else(|| panic!("{} has no accounts", path.display())) {
            let account_id = account["id"].as_str().unwrap_or("?").to_string();
            for record in account["resources"].as_array().into_iter().flatten() {
                let fields = record.as_object().unwrap_or_else(|| panic!("a resource is not an object: {record}"));
                let resource = Resource { account: account_id.clone(), fields: fields.clone() };
                let id = resource.id().to_string();
                if let Some(twin) = resources.insert(id.clone(), resource) {
                    panic!("{} lists {id} twice (once as {})", path.display(), twin.label());
                }
            }
        }
        Estate { now, resources }
    }

    pub fn get(&self, id: &str) -> &Resource {
        self.resources.get(id).unwrap_or_else(|| panic!("no resource {id} in the estate"))
    }

    /// The resources that satisfy `keep`, by id.
    pub fn select(&self, keep: impl Fn(&Resource) -> bool) -> Vec<&Resource> {
        self.resources.values().filter(|resource| keep(resource)).collect()
    }
}
