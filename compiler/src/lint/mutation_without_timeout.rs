use super::walk::option;
use super::{Context, Finding, declare_rule};
use crate::stdlib::Effect;

declare_rule! {
    /// ## What it does
    /// Finds steps that change something (an action whose effect is `mutate`, `disrupt` or `destroy`) without a
    /// `timeout` option.
    ///
    /// ## Why is this bad?
    /// Without a timeout a step waits as long as its provider calls do: a stuck API call or a resize that never
    /// finishes holds the run, its lease and everything after it, and nobody is told. A timeout turns that into
    /// a failure that `on_failure` handles and the report names.
    ///
    /// ## Example
    /// ```escher
    /// playbook stop_dev {
    ///   let dev = aws.ec2.instances(tags = { env: "dev" })
    ///   step stop = aws.ec2.stop(dev) { max_targets = 10 }
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
        id: "L0108",
        name: "mutation-without-timeout",
        title: "changing step without a timeout",
        level: Note,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for step in context.steps() {
        let Some((_, action)) = context.action(step) else { continue };
        if action.effect == Effect::Read || option(step, "timeout").is_some() {
            continue;
        }
        found.push(Finding::new(
            step.name.span,
            format!("`{}` changes resources ({}) and has no timeout", step.name.name, action.effect.as_str()),
            "may wait as long as its calls do",
            "add `timeout = ...` to the step's options, such as `{ timeout = 15m }`",
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    fn playbook(step: &str) -> String {
        format!("playbook p {{\n  let i = aws.ec2.instances(tags = {{ env: \"dev\" }})\n  {step}\n}}\n")
    }

    #[test]
    fn a_tag_or_stop_without_timeout_is_found() {
        let found = findings(&RULE, &playbook("step s = aws.ec2.tag(i, tags = { seen: \"yes\" })"));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("(mutate)"), "{}", found[0].message);
    }

    #[test]
    fn a_timeout_or_a_read_only_step_is_fine() {
        assert!(findings(&RULE, &playbook("step s = aws.ec2.stop(i) { timeout = 5m }")).is_empty());
        assert!(findings(&RULE, &playbook("step s = report.table(\"x\", i)")).is_empty());
    }
}
