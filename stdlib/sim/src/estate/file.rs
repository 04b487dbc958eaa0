//! The estate file: JSON, with resources grouped under the account, subscription or project that holds them.
//!
//! ```json
//! { "now": "2025-06-02T19:00:00Z", "serial": 0,
//!   "accounts": [ { "cloud": "aws", "id": "402918375566", "name": "acme-prod",
//!                   "resources": [ { "kind": "aws.ec2.Instance", "id": "i-0...", ... } ] } ] }
//! ```
//! A resource may leave out `account`: it is the enclosing account's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use escher_compiler::plan::Value;
use serde::{Deserialize, Serialize};

use super::{Account, Estate, timestamp, validate};
use crate::error::{LoadError, Problem};
use crate::record::{self, Record, text};

#[derive(Deserialize)]
struct EstateFile {
    now: String,
    #[serde(default)]
    serial: u64,
    accounts: Vec<AccountFile>,
}

#[derive(Deserialize)]
struct AccountFile {
    cloud: String,
    id: String,
    name: String,
    #[serde(default)]
    resources: Vec<Value>,
}

/// Writes a resource with `kind`, `id` and `name` first, then the other fields by name, so a file reads well.
struct Ordered<'a>(&'a Record);

const LEADING: [&str; 3] = ["kind", "id", "name"];

impl Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for key in LEADING {
            if let Some(value) = self.0.get(key) {
                map.serialize_entry(key, value)?;
            }
        }
        for (key, value) in self.0.iter().filter(|(k, _)| !LEADING.contains(&k.as_str())) {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl Estate {
    /// Reads and checks an estate: unknown kinds, missing or mistyped fields, unknown accounts and regions, and
    /// duplicate ids are all reported, each naming its resource.
    pub fn from_json(text: &str) -> Result<Estate, LoadError> {
        let file: EstateFile = serde_json::from_str(text)?;
        let mut problems = Vec::new();
        let now = match DateTime::parse_from_rfc3339(&file.now) {
            Ok(now) => now.with_timezone(&Utc),
            Err(e) => {
                problems
                    .push(Problem { resource: "the estate".into(), message: format!("`now` is not RFC 3339: {e}") });
                DateTime::<Utc>::UNIX_EPOCH
            }
        };
        let mut estate = Estate::new(now);
        estate.serial = file.serial;
        let mut seen_accounts = BTreeSet::new();
        for account in &file.accounts {
            if !matches!(account.cloud.as_str(), "aws" | "azure" | "gcp") {
                problems.push(account_problem(account, format!("unknown cloud `{}`", account.cloud)));
            }
            if !seen_accounts.insert((account.cloud.clone(), account.id.clone())) {
                problems.push(account_problem(account, "is listed twice".to_string()));
            }
            estate.add_account(Account::new(&account.cloud, &account.id, &account.name));
        }
        for mut account in file.accounts {
            let resources = std::mem::take(&mut account.resources);
            for (position, resource) in resources.into_iter().enumerate() {
                match place(resource, &account, position) {
                    Ok(resource) => check_and_put(&mut estate, resource, &mut problems),
                    Err(problem) => problems.push(problem),
                }
            }
        }
        if problems.is_empty() { Ok(estate) } else { Err(LoadError::Invalid(problems)) }
    }

    /// The estate as a file: accounts in their order, each account's resources by kind and id.
    pub fn to_json(&self) -> String {
        self.to_json_cached(&mut JsonCache::default())
    }

    /// [`Estate::to_json`], serializing only the resources that changed since `cache` last saw them: a large
    /// estate saved after every change costs its changes, not its size. The text is the same either way.
    pub(crate) fn to_json_cached(&self, cache: &mut JsonCache) -> String {
        let mut by_account: BTreeMap<(&str, &str), Vec<&Arc<Record>>> = BTreeMap::new();
        for resource in self.kinds.values().flat_map(|by_id| by_id.values()) {
            let key = (record::kinds_cloud(resource), record::field(resource, "account"));
            by_account.entry(key).or_default().push(resource);
        }
        let mut kept = HashMap::with_capacity(cache.resources.len());
        let mut out = String::with_capacity(cache.last_len + cache.last_len / 8);
        out.push_str("{\n  \"now\": ");
        push_json(&mut out, &timestamp(self.now));
        out.push_str(&format!(",\n  \"serial\": {},\n  \"accounts\": ", self.serial));
        if self.accounts.is_empty() {
            out.push_str("[]");
        }
        for (i, account) in self.accounts.iter().enumerate() {
            out.push_str(if i == 0 { "[\n    {\n      \"cloud\": " } else { ",\n    {\n      \"cloud\": " });
            push_json(&mut out, &account.cloud);
            out.push_str(",\n      \"id\": ");
            push_json(&mut out, &account.id);
            out.push_str(",\n      \"name\": ");
            push_json(&mut out, &account.name);
            out.push_str(",\n      \"resources\": ");
            let resources = by_account.remove(&(account.cloud.as_str(), account.id.as_str())).unwrap_or_default();
            if resources.is_empty() {
                out.push_str("[]");
            }
            let listed = !resources.is_empty();
            for (j, resource) in resources.into_iter().enumerate() {
                out.push_str(if j == 0 { "[\n        " } else { ",\n        " });
                let id = record::id(resource);
                let text = match cache.resources.remove(id) {
                    Some((seen, text)) if Arc::ptr_eq(&seen, resource) => text,
                    _ => resource_json(resource),
                };
                out.push_str(&text);
                // Holding the record keeps it shared, so a change to it makes a new one (copy-on-write) and the
                // pointer tells a changed resource from an unchanged one.
                kept.insert(id.to_string(), (Arc::clone(resource), text));
            }
            if listed {
                out.push_str("\n      ]");
            }
            out.push_str("\n    }");
        }
        if !self.accounts.is_empty() {
            out.push_str("\n  ]");
        }
        out.push_str("\n}\n");
        cache.resources = kept;
        cache.last_len = out.len();
        out
    }
}

/// Resources as [`Estate::to_json_cached`] last wrote them, by id, with the record each text was made from.
#[derive(Debug, Default)]
pub(crate) struct JsonCache {
    resources: HashMap<String, (Arc<Record>, String)>,
    last_len: usize,
}

/// One resource as it stands in the file's `resources` list (pretty, indented to its depth there).
fn resource_json(resource: &Record) -> String {
    // Serializing plain values and strings cannot fail; JSON strings hold no raw newline, so every newline is
    // the layout's.
    serde_json::to_string_pretty(&Ordered(resource)).unwrap_or_default().replace('\n', "\n        ")
}

fn push_json(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

fn account_problem(account: &AccountFile, message: String) -> Problem {
    Problem { resource: format!("account `{}` ({})", account.id, account.cloud), message }
}

/// A resource of an account's list, with its `account` filled in from the account.
fn place(resource: Value, account: &AccountFile, position: usize) -> Result<Record, Problem> {
    let label = || format!("resource #{} of account `{}`", position + 1, account.id);
    let Value::Record(mut resource) = resource else {
        return Err(Problem { resource: label(), message: "is not a JSON object".into() });
    };
    match record::str_of(&resource, "account") {
        None => {
            resource.insert("account".into(), text(account.id.clone()));
        }
        Some(other) if other != account.id => {
            let name = record::str_of(&resource, "id").map(|id| id.to_string()).unwrap_or_else(label);
            return Err(Problem {
                resource: name,
                message: format!("is listed under account `{}` but names `{other}`", account.id),
            });
        }
        Some(_) => {}
    }
    Ok(resource)
}

fn check_and_put(estate: &mut Estate, mut resource: Record, problems: &mut Vec<Problem>) {
    match validate::normalize(&mut resource, &estate.accounts) {
        Err(found) => problems.extend(found),
        Ok(()) if estate.kind_of.contains_key(record::id(&resource)) => problems.push(Problem {
            resource: record::id(&resource).to_string(),
            message: "duplicate id: another resource already has it".into(),
        }),
        Ok(()) => estate.put(Arc::new(resource)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The file as serde_json lays it out from whole values: what the cached writer must match byte for byte.
    #[derive(Serialize)]
    struct AccountOut<'a> {
        cloud: &'a str,
        id: &'a str,
        name: &'a str,
        resources: Vec<Ordered<'a>>,
    }

    #[derive(Serialize)]
    struct EstateOut<'a> {
        now: String,
        serial: u64,
        accounts: Vec<AccountOut<'a>>,
    }

    fn written_whole(estate: &Estate) -> String {
        let mut by_account: BTreeMap<(&str, &str), Vec<Ordered>> = BTreeMap::new();
        for resource in estate.resources() {
            let key = (record::kinds_cloud(resource), record::field(resource, "account"));
            by_account.entry(key).or_default().push(Ordered(resource));
        }
        let accounts = estate
            .accounts
            .iter()
            .map(|a| AccountOut {
                cloud: &a.cloud,
                id: &a.id,
                name: &a.name,
                resources: by_account.remove(&(a.cloud.as_str(), a.id.as_str())).unwrap_or_default(),
            })
            .collect();
        let file = EstateOut { now: timestamp(estate.now), serial: estate.serial, accounts };
        serde_json::to_string_pretty(&file).expect("serializes") + "\n"
    }

    #[test]
    fn the_cached_writer_writes_what_serde_json_would_and_follows_changes() {
        let mut estate = crate::demo::estate();
        estate.add_account(Account::new("gcp", "empty-project", "nothing in it"));
        let mut cache = JsonCache::default();
        assert_eq!(estate.to_json_cached(&mut cache), written_whole(&estate));
        let some: Vec<String> = estate.resources().take(3).map(|r| record::id(r).to_string()).collect();
        estate.set_field(&some[0], "name", Value::String("renamed\nwith a newline".into()));
        estate.remove(&some[1]);
        assert_eq!(estate.to_json_cached(&mut cache), written_whole(&estate), "after a change and a removal");
        assert!(estate.to_json_cached(&mut cache).contains("renamed\\nwith a newline"));
        assert_eq!(Estate::new(estate.now).to_json(), written_whole(&Estate::new(estate.now)), "no accounts");
    }
}
