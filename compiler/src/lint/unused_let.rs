use super::walk::names_used;
use super::{Context, Finding, declare_rule};
use crate::stdlib::CallableKind;
use crate::syntax::ast::{ExprKind, Member};

declare_rule! {
    /// ## What it does
    /// Finds `let`s that nothing in the playbook reads. Names that start with `_` are left alone.
    ///
    /// ## Why is this bad?
    /// A `let` that holds a query is a node of the plan: it lists the cloud at run time, spends API calls and
    /// rate-limit budget, and can fail the run, for a result nobody reads. An unread value is dead text at best,
    /// and often a sign that a step reads the wrong name.
    ///
    /// ## Example
    /// ```escher
    /// playbook stop_dev {
    ///   let dev = aws.ec2.instances(tags = { env: "dev" })
    ///   let test = aws.ec2.instances(tags = { env: "test" })
    ///   step stop = aws.ec2.stop(dev) { max_targets = 10, timeout = 10m }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook stop_dev {
    ///   let dev = aws.ec2.instances(tags = { env: "dev" })
    ///   step stop = aws.ec2.stop(dev) { max_targets = 10, timeout = 10m }
    /// }
    /// ```
    pub static RULE = {
        id: "L0107",
        name: "unused-let",
        title: "`let` never read",
        level: Warning,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let used = names_used(context.file);
    let mut found = Vec::new();
    for member in context.members() {
        let Member::Let(binding) = member else { continue };
        let name = &binding.name.name;
        if name.starts_with('_') || used.contains(name.as_str()) {
            continue;
        }
        let query = match &binding.value.kind {
            ExprKind::Call(call) => context.callable(call).filter(|c| c.kind == CallableKind::Query),
            _ => None,
        };
        let (message, label) = match query {
            Some(query) => {
                (format!("`{name}` is never read, but its query `{}` still runs", query.name), "a query nothing reads")
            }
            None => (format!("`{name}` is never read"), "not read anywhere in the playbook"),
        };
        found.push(Finding::new(
            binding.name.span,
            message,
            label,
            format!("remove it, read it where it was meant, or name it `_{name}` to keep it unread"),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    #[test]
    fn an_unread_query_and_an_unread_value_are_found() {
        let text = "playbook p {\n  let all = aws.ec2.instances()\n  let label = \"x\"\n  \
                    step s = report.summary(\"y\")\n}\n";
        let found = findings(&RULE, text);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("its query `aws.ec2.instances` still runs"), "{}", found[0].message);
        assert_eq!(found[1].message, "`label` is never read");
    }

    #[test]
    fn lets_read_by_steps_by_other_lets_or_in_after_are_not() {
        let text = "playbook p {\n  let all = aws.ec2.instances()\n  let ids = [i.id for i in all]\n  \
                    let _keep = 1\n  step s = report.table(\"Ids\", ids)\n}\n";
        assert!(findings(&RULE, text).is_empty());
    }
}
