//! The estate file: JSON, with resources grouped under the account, subscription or project that holds them.
//!
//! ```json
//! { "now": "2025-06-02T19:00:00Z", "serial": 0,
//!   "accounts": [ { "cloud": "aws", "id": "402918375566", "name": "acme-prod",
//!                   "resources": [ { "kind": "aws.ec2.Instance", "id": "i-0...", ... } ] } ] }
//! ```
//! A resource may leave out `account`: it is the enclosing account's.

use std::collections::{BTreeMap, BTreeSet};
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
        let mut by_account: BTreeMap<(&str, &str), Vec<Ordered>> = BTreeMap::new();
        for resource in self.resources() {
            let key = (record::kinds_cloud(resource), record::field(resource, "account"));
            by_account.entry(key).or_default().push(Ordered(resource));
        }
        let accounts = self
            .accounts
            .iter()
            .map(|a| AccountOut {
                cloud: &a.cloud,
                id: &a.id,
                name: &a.name,
                resources: by_account.remove(&(a.cloud.as_str(), a.id.as_str())).unwrap_or_default(),
            })
            .collect();
        let file = EstateOut { now: timestamp(self.now), serial: self.serial, accounts };
        // Serializing plain values and strings cannot fail.
        let mut json = serde_json::to_string_pretty(&file).unwrap_or_default();
        json.push('\n');
        json
    }
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
