use std::collections::BTreeSet;

use super::{Context, Finding, declare_rule};
use crate::stdlib::{CallableKind, Effect};
use crate::syntax::ast::*;

/// Query parameters that say where to look rather than which resources to take.
const SCOPE_PARAMS: &[&str] =
    &["regions", "region", "zones", "zone", "project", "subscription", "resource_group", "storage_account", "server"];

declare_rule! {
    /// ## What it does
    /// Finds a query that selects by nothing but where to look (no `tags`, `labels`, `state` or other filter of
    /// its declaration is given, or only an empty one) whose result reaches a step that changes what it lists,
    /// without a comprehension with `if` in between.
    ///
    /// ## Why is this bad?
    /// Such a step acts on every resource of its kind in the account, region or project: today's estate decides
    /// the blast radius, not the playbook. A tag or state filter (or an `if` in a comprehension) says which
    /// resources are meant, and keeps new ones out of reach.
    ///
    /// ## Example
    /// ```escher
    /// playbook stop_all {
    ///   let instances = aws.ec2.instances(regions = ["eu-west-1"])
    ///   step stop = aws.ec2.stop(instances) { max_targets = 10, timeout = 10m }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook stop_dev {
    ///   let instances = aws.ec2.instances(regions = ["eu-west-1"], tags = { env: "dev" }, state = "running")
    ///   step stop = aws.ec2.stop(instances) { max_targets = 10, timeout = 10m }
    /// }
    /// ```
    pub static RULE = {
        id: "L0102",
        name: "unfiltered-query",
        title: "unfiltered query feeds a changing step",
        level: Warning,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut reported = BTreeSet::new();
    for step in context.steps() {
        let Some((call, action)) = context.action(step) else { continue };
        if action.effect == Effect::Read {
            continue;
        }
        let source = match &step.body {
            StepBody::ForEach { over, .. } => Some(over),
            _ => action.targets.as_deref().and_then(|targets| context.argument(call, action, targets)),
        };
        let Some(source) = source else { continue };
        let Some((query, binding)) = unfiltered(context, source, &mut BTreeSet::new()) else { continue };
        if !reported.insert((query.span.start, step.name.span.start)) {
            continue;
        }
        let name = binding.map_or_else(|| "a query".to_string(), |b| format!("`{b}`"));
        found.push(
            Finding::new(
                query.callee.span,
                format!(
                    "{name} lists everything `{}` finds and `{}` changes it",
                    query.callee.dotted(),
                    step.name.name
                ),
                "no tag, label or state filter",
                "filter the query (`tags = {...}`, `state = ...`) or the list (`[x for x in xs if ...]`) to the \
                 resources meant",
            )
            .also(source.span, format!("changed by `{}`", step.name.name)),
        );
    }
    found
}

/// The unfiltered query call an expression's values come from, with the `let` that holds it.
fn unfiltered<'a>(
    context: &Context<'a>,
    expr: &'a Expr,
    seen: &mut BTreeSet<&'a str>,
) -> Option<(&'a Call, Option<&'a str>)> {
    match &expr.kind {
        ExprKind::Name(ident) => {
            if !seen.insert(&ident.name) {
                return None;
            }
            let Some(Member::Let(binding)) = context.member(&ident.name) else { return None };
            match &binding.value.kind {
                ExprKind::Call(call) if is_query(context, call) => {
                    (!filters(context, call)).then_some((call, Some(binding.name.name.as_str())))
                }
                _ => unfiltered(context, &binding.value, seen),
            }
        }
        ExprKind::Call(call) if is_query(context, call) => (!filters(context, call)).then_some((call, None)),
        ExprKind::Comprehension { iter, cond: None, .. } => unfiltered(context, iter, seen),
        ExprKind::Binary(BinaryOp::Concat, left, right) => {
            unfiltered(context, left, seen).or_else(|| unfiltered(context, right, seen))
        }
        ExprKind::List(items) => items.iter().find_map(|item| unfiltered(context, item, seen)),
        _ => None,
    }
}

fn is_query(context: &Context<'_>, call: &Call) -> bool {
    context.callable(call).is_some_and(|callable| callable.kind == CallableKind::Query)
}

/// Whether a query call selects resources: it gives one of its filter parameters a value that is not empty. A
/// query that declares no filter (`security.public_storage()`) selects by what it is.
fn filters(context: &Context<'_>, call: &Call) -> bool {
    let Some(query) = context.callable(call) else { return true };
    let filter_params: Vec<&str> =
        query.params.iter().map(|p| p.name.as_str()).filter(|name| !SCOPE_PARAMS.contains(name)).collect();
    filter_params.is_empty()
        || filter_params.iter().any(|param| context.argument(call, query, param).is_some_and(|value| !is_empty(value)))
}

fn is_empty(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::List(items) => items.is_empty(),
        ExprKind::Record(fields) => fields.is_empty(),
        ExprKind::None => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    fn playbook(query: &str, targets: &str) -> String {
        format!("playbook p {{\n  let all = {query}\n  step stop = aws.ec2.stop({targets}) {{ max_targets = 5 }}\n}}\n")
    }

    #[test]
    fn a_query_with_no_filter_feeding_a_stop_is_found() {
        let found = findings(&RULE, &playbook("aws.ec2.instances(regions = [\"eu-west-1\"])", "all"));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`all` lists everything `aws.ec2.instances` finds"), "{}", found[0].message);
        // An empty filter is no filter, and a comprehension without `if` keeps everything.
        assert_eq!(findings(&RULE, &playbook("aws.ec2.instances(tags = {})", "[i for i in all]")).len(), 1);
    }

    #[test]
    fn a_tag_filter_or_an_if_is_a_filter() {
        assert!(findings(&RULE, &playbook("aws.ec2.instances(tags = { env: \"dev\" })", "all")).is_empty());
        assert!(findings(&RULE, &playbook("aws.ec2.instances(state = \"running\")", "all")).is_empty());
        let filtered = "[i for i in all if i.state == \"running\"]";
        assert!(findings(&RULE, &playbook("aws.ec2.instances()", filtered)).is_empty());
    }

    #[test]
    fn an_unfiltered_query_read_only_by_reports_is_not_found() {
        let text = "playbook p {\n  let all = aws.ec2.instances()\n  step r = report.table(\"All\", all)\n}\n";
        assert!(findings(&RULE, text).is_empty());
    }
}
