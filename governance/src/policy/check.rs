//! From the file as written to a checked [`Policy`], reporting every problem found (not only the first).

use std::collections::BTreeMap;

use escher_compiler::plan::RiskLevel;

use super::error::{PolicyError, span};
use super::file::{PolicyFile, RoleFile};
use super::model::{ApprovalRule, DEFAULT_VALIDITY, MAX_SAFE_RETRIES, Member, Policy, Role};
use super::people::People;
use crate::scope::Scope;

pub fn check(text: &str) -> Result<Policy, Vec<PolicyError>> {
    let file: PolicyFile = toml::from_str(text).map_err(|error| {
        let range = error.span().unwrap_or(0..0);
        vec![PolicyError::Syntax { message: error.message().trim().to_string(), span: span(range) }]
    })?;
    let mut errors = Vec::new();
    let mut roles = BTreeMap::new();
    let mut people = People::default();
    for (name, role) in &file.roles {
        roles.insert(name.get_ref().clone(), check_role(name.get_ref(), role, &mut people, &mut errors));
    }
    let known = roles.keys().cloned().collect::<Vec<_>>().join(", ");
    let known = if known.is_empty() { "none".to_string() } else { known };
    let role_exists = |role: &toml::Spanned<String>, errors: &mut Vec<PolicyError>| {
        let exists = roles.contains_key(role.get_ref());
        if !exists {
            errors.push(PolicyError::UnknownRole {
                role: role.get_ref().clone(),
                known: known.clone(),
                span: span(role.span()),
            });
        }
        exists
    };
    let mut approvals = BTreeMap::new();
    for (level_name, rule) in &file.approvals {
        let Some(level) = RiskLevel::parse(level_name.get_ref()) else {
            errors
                .push(PolicyError::UnknownLevel { found: level_name.get_ref().clone(), span: span(level_name.span()) });
            continue;
        };
        let known_from: Vec<&toml::Spanned<String>> =
            rule.get_ref().from.iter().filter(|role| role_exists(role, &mut errors)).collect();
        let count = *rule.get_ref().count.get_ref();
        // People, not keys: a person with several keys gives one approval.
        let mut people: Vec<&str> = known_from
            .iter()
            .filter_map(|role| roles.get(role.get_ref()))
            .flat_map(|role: &Role| role.members.iter().map(|m| m.name.as_str()))
            .collect();
        people.sort_unstable();
        people.dedup();
        let at = span(rule.get_ref().count.span());
        if count == 0 {
            errors.push(PolicyError::ImpossibleApprovals {
                count,
                reason: "zero approvals approve nothing".into(),
                span: at,
            });
        } else if known_from.len() == rule.get_ref().from.len() && count > people.len() as u64 {
            let roles = rule.get_ref().from.iter().map(|r| r.get_ref().as_str()).collect::<Vec<_>>().join(", ");
            let (verb, n) = if rule.get_ref().from.len() == 1 { ("has", "") } else { ("have", " in all") };
            let plural = if people.len() == 1 { "" } else { "s" };
            let reason = format!("{roles} {verb} {} member{plural}{n}", people.len());
            errors.push(PolicyError::ImpossibleApprovals { count, reason, span: at });
        }
        let from = rule.get_ref().from.iter().map(|r| r.get_ref().clone()).collect();
        approvals.insert(level, ApprovalRule { count, from });
    }
    let template_publishers = match &file.template_publishers {
        Some(publishers) => {
            publishers.iter().filter(|r| role_exists(r, &mut errors)).map(|r| r.get_ref().clone()).collect()
        }
        None => vec!["manager".to_string()],
    };
    let approval_validity = match &file.approval_validity {
        Some(text) => crate::duration::parse(text.get_ref()).unwrap_or_else(|_| {
            errors.push(PolicyError::BadDuration { found: text.get_ref().clone(), span: span(text.span()) });
            DEFAULT_VALIDITY
        }),
        None => DEFAULT_VALIDITY,
    };
    let safe_retries = file.safe_retries.as_ref().and_then(|value| {
        let retries = value.get_ref().as_integer().and_then(|n| u32::try_from(n).ok());
        match retries {
            Some(retries) if retries <= MAX_SAFE_RETRIES => Some(retries),
            _ => {
                errors.push(PolicyError::BadRetries {
                    found: value.get_ref().to_string(),
                    max: MAX_SAFE_RETRIES,
                    span: span(value.span()),
                });
                None
            }
        }
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Policy {
        roles,
        approvals,
        self_approval: file.self_approval,
        approval_validity,
        template_publishers,
        safe_retries,
        sha256: crate::files::sha256_hex(text.as_bytes()),
    })
}

fn check_role(name: &str, role: &RoleFile, people: &mut People, errors: &mut Vec<PolicyError>) -> Role {
    let run_without_approval = match &role.run_without_approval {
        Some(level) => RiskLevel::parse(level.get_ref()).unwrap_or_else(|| {
            errors.push(PolicyError::UnknownLevel { found: level.get_ref().clone(), span: span(level.span()) });
            RiskLevel::Low
        }),
        None => RiskLevel::Low,
    };
    let mut members: Vec<Member> = Vec::new();
    for entry in &role.members {
        if let Some(member) = people.member(entry, name, &members, errors) {
            members.push(member);
        }
    }
    if let Some(clouds) = &role.clouds {
        for cloud in clouds {
            if !matches!(cloud.get_ref().as_str(), "aws" | "azure" | "gcp") {
                errors.push(PolicyError::UnknownCloud { found: cloud.get_ref().clone(), span: span(cloud.span()) });
            }
        }
    }
    let scope = Scope {
        clouds: role.clouds.as_ref().map(|c| c.iter().map(|c| c.get_ref().clone()).collect()),
        accounts: role.accounts.clone(),
        subscriptions: role.subscriptions.clone(),
        projects: role.projects.clone(),
        regions: role.regions.clone(),
    };
    Role { name: name.to_string(), run_without_approval, members, scope }
}
