//! `escher template publish FILE --name NAME [--bounds BOUNDS.toml]` and `escher template list`: a manager signs
//! a playbook with bounds on its parameters into `<approvals dir>/templates/`, where executors find it for
//! `escher run --template NAME`.

use std::path::Path;

use escher::FsLoader;
use escher_compiler::{CompileOptions, compile_input};
use escher_governance::approvals::ApprovalsDir;
use escher_governance::template::{Bounds, SignedTemplate, TemplatePayload};
use escher_runtime::audit::AuditEntry;

use super::approvals::Where;
use super::report::print_diagnostics;
use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Format, read_source};

pub fn publish(at: &Where<'_>, file: &Path, name: &str, bounds: Option<&Path>) -> u8 {
    let (file_name, source) = match read_source(file) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let mut options = CompileOptions::check(&FsLoader);
    options.policy = match super::policy::risk_policy_in_force(&super::state::state_dir(None)) {
        Ok(policy) => policy,
        Err(code) => return code,
    };
    let compilation = compile_input(&file_name, &source, &options);
    let (errors, _) = print_diagnostics(&compilation, Format::Human, super::use_color());
    if errors > 0 {
        return EXIT_DIAGNOSTICS;
    }
    let bounds = match bounds {
        None => Bounds::default(),
        Some(path) => match read_source(path) {
            Err(code) => return code,
            Ok((bounds_name, text)) => match Bounds::parse(&text) {
                Ok(bounds) => bounds,
                Err(error) => {
                    eprintln!("error: the bounds file {bounds_name} is not valid: {error}");
                    return EXIT_DIAGNOSTICS;
                }
            },
        },
    };
    // Steps the bounds cover must be steps of the playbook: a misspelt name would silently cover nothing.
    if let (Some(plan), Some(covers)) = (&compilation.plan, &bounds.covers) {
        for step in covers {
            if !plan.nodes.iter().any(|node| &node.id == step || node.id.starts_with(&format!("{step}."))) {
                let steps = plan.nodes.iter().map(|node| node.id.as_str()).collect::<Vec<_>>().join(", ");
                eprintln!(
                    "error: the bounds cover step `{step}`, which {file_name} does not have (its steps: {steps})"
                );
                return EXIT_DIAGNOSTICS;
            }
        }
    }
    let identity = match super::identity::local(at.state, None) {
        Ok(identity) => identity,
        Err(code) => return code,
    };
    let now = chrono::Utc::now();
    let payload = TemplatePayload {
        version: 1,
        name: name.to_string(),
        file: file_name,
        source,
        bounds,
        publisher: identity.principal(),
        published_at: escher_governance::clock::stamp(now),
    };
    let signed = match SignedTemplate::sign(&identity, payload) {
        Ok(signed) => signed,
        Err(error) => {
            eprintln!("error: cannot sign the template: {error}");
            return EXIT_USAGE;
        }
    };
    let dir = ApprovalsDir::new(super::policy::approvals_dir(at.state, at.approvals));
    let path = match escher_governance::template::publish(&dir, &signed) {
        Ok(path) => path,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!("error: a template named `{name}` is already published; publish under a new name");
            return EXIT_DIAGNOSTICS;
        }
        Err(error) => {
            eprintln!("error: cannot publish to {}: {error}", dir.root.display());
            return EXIT_USAGE;
        }
    };
    // The role is the publisher's under the policy in force here; the run verifies it again under its own.
    let role = match super::policy::load(at.state, at.policy) {
        Ok(Some(policy)) => {
            policy.roles_of(&identity.public_key()).iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", ")
        }
        Ok(None) | Err(_) => String::new(),
    };
    let entry = AuditEntry {
        at: escher_runtime::audit::stamp(now),
        who: identity.name.clone(),
        role,
        run_id: String::new(),
        plan_hash: String::new(),
        kind: "template.published".into(),
        step: None,
        action: None,
        targets: Vec::new(),
        approval: None,
        journal: None,
        result: format!("template `{name}` published to {}", path.display()),
    };
    if let Err(error) = super::governed::append_audit(at.state, entry) {
        eprintln!("error: {error}");
        return EXIT_USAGE;
    }
    eprintln!("{} published template `{name}`: {}", identity.name, path.display());
    EXIT_OK
}

pub fn list(at: &Where<'_>, format: Format) -> u8 {
    let policy = match super::policy::load(at.state, at.policy) {
        Ok(policy) => policy,
        Err(code) => return code,
    };
    let dir = ApprovalsDir::new(super::policy::approvals_dir(at.state, at.approvals));
    for (path, template) in escher_governance::template::list(&dir) {
        let template = match template {
            Ok(template) => template,
            Err(error) => {
                eprintln!("warning: {} is not a readable template: {error}", path.display());
                continue;
            }
        };
        let verified = match &policy {
            Some(policy) => match template.verify(policy) {
                Ok(role) => format!("signed by {} ({role})", template.template.publisher.name),
                Err(why) => format!("NOT VALID: {why}"),
            },
            None => format!("signed by {} (no policy to verify against)", template.template.publisher.name),
        };
        let bounds = serde_json::to_string(&template.template.bounds).unwrap_or_default();
        match format {
            Format::Human => {
                outln!("{}  {}  {verified}  bounds {bounds}", template.template.name, template.template.published_at)
            }
            Format::Json => outln!(
                "{}",
                serde_json::json!({
                    "name": template.template.name,
                    "published_at": template.template.published_at,
                    "publisher": template.template.publisher,
                    "status": verified,
                    "bounds": template.template.bounds,
                })
            ),
        }
    }
    EXIT_OK
}
