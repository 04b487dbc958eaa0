use super::walk::names_used;
use super::{Context, Finding, declare_rule};
use crate::syntax::ast::Member;

declare_rule! {
    /// ## What it does
    /// Finds parameters that nothing in the playbook reads. Names that start with `_` are left alone.
    ///
    /// ## Why is this bad?
    /// A parameter is a promise to whoever runs the playbook: `--param` changes what it does. One that is never
    /// read changes nothing, so a value given for it (a region, a limit) is silently ignored, and a template's
    /// bounds on it bound nothing. It is usually a leftover, or a typo where another name was read instead.
    ///
    /// ## Example
    /// ```escher
    /// playbook report_dev {
    ///   param env: string = "dev"
    ///   let vms = compute.instances(tags = { env: "dev" })
    ///   step list = report.table("VMs", vms)
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook report_dev {
    ///   param env: string = "dev"
    ///   let vms = compute.instances(tags = { env: env })
    ///   step list = report.table("VMs", vms)
    /// }
    /// ```
    pub static RULE = {
        id: "L0106",
        name: "unused-param",
        title: "parameter never read",
        level: Warning,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let used = names_used(context.file);
    context
        .members()
        .filter_map(|member| match member {
            Member::Param(param) => Some(param),
            _ => None,
        })
        .filter(|param| !param.name.name.starts_with('_') && !used.contains(param.name.name.as_str()))
        .map(|param| {
            Finding::new(
                param.name.span,
                format!("the parameter `{}` is never read", param.name.name),
                "not read anywhere in the playbook",
                format!("remove it, read it where it was meant, or name it `_{}` to keep it unread", param.name.name),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    #[test]
    fn a_parameter_nothing_reads_is_found() {
        let text = "playbook p {\n  param env: string = \"dev\"\n  step s = report.summary(\"x\")\n}\n";
        let found = findings(&RULE, text);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`env` is never read"));
    }

    #[test]
    fn parameters_read_in_options_defaults_or_comprehensions_or_named_with_underscore_are_not() {
        let text = "playbook p {\n  param n: int = 3\n  param m: int = n\n  param env: string = \"dev\"\n  \
                    param _spare: int = 1\n  let i = aws.ec2.instances(tags = { env: \"x\" })\n  \
                    step s = aws.ec2.stop([x for x in i if x.name != env]) { max_targets = m }\n}\n";
        assert!(findings(&RULE, text).is_empty());
    }
}
