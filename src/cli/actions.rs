//! `escher actions [PATTERN] [--cloud C]`: the stdlib's actions and queries with their signature, effect and
//! documentation, from the catalog the compiler checks playbooks against (what `ansible-doc` and `custodian
//! schema` give); one name in full.

use escher_compiler::stdlib::{Callable, CallableKind, Cloud, catalog};

use super::{CliError, EXIT_OK, Format, Outcome};

#[derive(Debug, clap::Args)]
pub struct ActionsArgs {
    /// A name, or part of one (`ec2`, `compute.stop`); a full name shows that action or query in full.
    pub pattern: Option<String>,
    /// Only this cloud's: aws, azure, gcp, or any (the cloud-agnostic ones).
    #[arg(long, value_name = "CLOUD", value_parser = parse_cloud)]
    pub cloud: Option<Cloud>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

fn parse_cloud(text: &str) -> Result<Cloud, String> {
    match text {
        "any" | "agnostic" => Ok(Cloud::Any),
        other => other.parse::<Cloud>(),
    }
}

pub fn run(args: &ActionsArgs) -> Outcome {
    let catalog = catalog();
    if let Some(callable) = args.pattern.as_deref().and_then(|name| catalog.callables.get(name)) {
        match args.format {
            Format::Human => out!("{}", in_full(callable)),
            Format::Json => outln!("{}", json(callable)),
        }
        return Ok(EXIT_OK);
    }
    let matching: Vec<&Callable> = catalog
        .callables
        .values()
        .filter(|c| args.pattern.as_deref().is_none_or(|pattern| c.name.contains(pattern)))
        .filter(|c| args.cloud.is_none_or(|cloud| c.cloud == cloud))
        .collect();
    if matching.is_empty() {
        let what = args.pattern.as_deref().map_or_else(String::new, |p| format!(" matching \"{p}\""));
        return Err(CliError::Usage(format!("no stdlib action or query{what}; `escher actions` lists them all")));
    }
    for callable in matching {
        match args.format {
            Format::Human => outln!(
                "{:<44} {:<7} {:<8} {}",
                callable.name,
                kind(callable),
                callable.effect.as_str(),
                first_line(&callable.docs)
            ),
            Format::Json => outln!("{}", json(callable)),
        }
    }
    Ok(EXIT_OK)
}

fn kind(callable: &Callable) -> &'static str {
    match callable.kind {
        CallableKind::Query => "query",
        CallableKind::Action => "action",
    }
}

fn first_line(docs: &str) -> &str {
    docs.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("")
}

/// One action or query as its documentation page.
fn in_full(callable: &Callable) -> String {
    let mut out = format!("{}\n\n{}\n", callable.signature(), callable.docs.trim());
    out.push_str(&format!("\n{} on {}, effect {}", kind(callable), callable.cloud, callable.effect.as_str()));
    if callable.kind == CallableKind::Action {
        out.push_str(&format!(", dry run {:?}", callable.dry_run).to_lowercase());
        if let Some(batch) = callable.batch {
            out.push_str(&format!(", {batch} targets a call"));
        }
    }
    out.push_str(&format!(", rate class `{}`\n", callable.rate_class));
    if let Some(undo) = &callable.undo {
        out.push_str(&format!("undone by {undo}\n"));
    }
    for implements in &callable.implements {
        out.push_str(&format!("implements `{}` on {}\n", implements.agnostic, callable.cloud));
    }
    if !callable.params.is_empty() {
        out.push_str("\nparameters:\n");
        for param in &callable.params {
            let default = param.default.as_ref().map(|d| format!(" = {}", escher_compiler::lower::display(d)));
            let targets = if callable.targets.as_deref() == Some(param.name.as_str()) { " (its targets)" } else { "" };
            out.push_str(&format!("  {}: {}{}{targets}\n", param.name, param.ty, default.unwrap_or_default()));
            for line in param.docs.lines().map(str::trim).filter(|line| !line.is_empty()) {
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    out
}

fn json(callable: &Callable) -> serde_json::Value {
    serde_json::json!({
        "name": callable.name,
        "kind": kind(callable),
        "cloud": callable.cloud.to_string(),
        "signature": callable.signature(),
        "effect": callable.effect.as_str(),
        "docs": callable.docs.trim(),
        "params": callable.params.iter().map(|p| serde_json::json!({
            "name": p.name, "type": p.ty.to_string(), "optional": p.has_default, "docs": p.docs.trim(),
        })).collect::<Vec<_>>(),
        "undo": callable.undo,
        "rate_class": callable.rate_class,
        "implements": callable.implements.iter().map(|i| i.agnostic.clone()).collect::<Vec<_>>(),
    })
}
