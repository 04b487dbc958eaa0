//! Members as people. An entry names a person and the keys they sign with; the name is the person. Wherever a
//! name is listed it has the same keys, and no key is listed under two names: approvals are counted and
//! self-approval is judged by person, so one person under two identities could otherwise count twice toward an
//! M-of-N rule, or approve their own run.

use std::collections::{BTreeSet, HashMap};

use miette::SourceSpan;
use toml::Spanned;

use super::error::{PolicyError, span};
use super::file::MemberFile;
use super::model::Member;

/// The people listed so far, across roles, with the first role that listed each.
#[derive(Default)]
pub(crate) struct People {
    keys_of: HashMap<String, (BTreeSet<String>, String)>,
    name_of: HashMap<String, (String, String)>,
}

impl People {
    /// The member an entry of `role` lists (after `listed`, the role's members so far), or `None` with what is
    /// wrong with it in `errors`.
    pub(crate) fn member(
        &mut self,
        entry: &MemberFile,
        role: &str,
        listed: &[Member],
        errors: &mut Vec<PolicyError>,
    ) -> Option<Member> {
        let name = entry.name.get_ref();
        let keys = keys_of(entry, errors)?;
        for (i, (key, at)) in keys.iter().enumerate() {
            let earlier = keys[..i].iter().any(|(k, _)| k == key).then_some(name);
            if let Some(first) = listed.iter().find(|m| m.holds(key)).map(|m| &m.name).or(earlier) {
                errors.push(PolicyError::DuplicateMember {
                    member: name.clone(),
                    first: first.clone(),
                    role: role.to_string(),
                    span: *at,
                });
                return None;
            }
        }
        let before = errors.len();
        let set: BTreeSet<String> = keys.iter().map(|(key, _)| key.clone()).collect();
        match self.keys_of.get(name) {
            Some((first, first_role)) if *first != set => errors.push(PolicyError::OtherKeys {
                member: name.clone(),
                role: first_role.clone(),
                span: span(entry.name.span()),
            }),
            Some(_) => {}
            None => {
                self.keys_of.insert(name.clone(), (set, role.to_string()));
            }
        }
        for (key, at) in &keys {
            match self.name_of.get(key) {
                Some((owner, first_role)) if owner != name => errors.push(PolicyError::SharedKey {
                    member: name.clone(),
                    owner: owner.clone(),
                    role: first_role.clone(),
                    span: *at,
                }),
                Some(_) => {}
                None => {
                    self.name_of.insert(key.clone(), (name.clone(), role.to_string()));
                }
            }
        }
        (errors.len() == before)
            .then(|| Member { name: name.clone(), keys: keys.into_iter().map(|(key, _)| key).collect() })
    }
}

/// An entry's keys, trimmed and in lower case, each with where it is written; `None` when it has no usable
/// list of keys (P0110) or a key that is not one (P0103).
fn keys_of(entry: &MemberFile, errors: &mut Vec<PolicyError>) -> Option<Vec<(String, SourceSpan)>> {
    let name = entry.name.get_ref();
    let written: Vec<&Spanned<String>> = match (&entry.key, &entry.keys) {
        (Some(key), None) => vec![key],
        (None, Some(keys)) if !keys.is_empty() => keys.iter().collect(),
        (key, keys) => {
            let problem = match (key, keys) {
                (Some(_), Some(_)) => "both `key` and `keys`",
                (None, Some(_)) => "an empty `keys`",
                _ => "no `key`",
            };
            errors.push(PolicyError::MemberKeys {
                member: name.clone(),
                problem: problem.to_string(),
                span: span(entry.name.span()),
            });
            return None;
        }
    };
    let mut keys = Vec::new();
    for key in &written {
        let normalized = key.get_ref().trim().to_ascii_lowercase();
        if crate::identity::is_public_key(&normalized) {
            keys.push((normalized, span(key.span())));
        } else {
            errors.push(PolicyError::BadKey { member: name.clone(), span: span(key.span()) });
        }
    }
    (keys.len() == written.len()).then_some(keys)
}
