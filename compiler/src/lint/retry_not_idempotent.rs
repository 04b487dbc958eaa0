use super::walk::option;
use super::{Context, Finding, declare_rule};
use crate::syntax::ast::ExprKind;

declare_rule! {
    /// ## What it does
    /// Finds `retry` on a step whose action the stdlib declares `idempotent = false`: actions that make something
    /// new on every call (snapshots, images, copies, backups, restored volumes) or do it again (reboots and
    /// restarts).
    ///
    /// ## Why is this bad?
    /// `retry` repeats a call after a timeout or a server error, when the first call may well have done its work
    /// and only its answer was lost. For such an action the repeat is a second reboot, or a second snapshot: the
    /// runtime looks up what carries the batch's idempotency key first, but some APIs take no client token and
    /// list new resources late, so the look-up can miss. Leave `retry` off and rerun the step once you have
    /// looked, or give it a longer `timeout` instead.
    ///
    /// ## Example
    /// ```escher
    /// playbook backup {
    ///   let dbs = aws.rds.instances(tags = { env: "prod" })
    ///   /// A snapshot of each production database.
    ///   step snapshot = aws.rds.create_snapshots(dbs) { max_targets = 20, retry = 3, timeout = 1h }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook backup {
    ///   let dbs = aws.rds.instances(tags = { env: "prod" })
    ///   /// A snapshot of each production database.
    ///   step snapshot = aws.rds.create_snapshots(dbs) { max_targets = 20, timeout = 2h }
    /// }
    /// ```
    pub static RULE = {
        id: "L0103",
        name: "retry-not-idempotent",
        title: "retry on an action that is not idempotent",
        level: Warning,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for step in context.steps() {
        let Some((call, action)) = context.action(step) else { continue };
        let Some(retry) = option(step, "retry") else { continue };
        let retries = match &retry.value.kind {
            ExprKind::Int(n) => *n > 0,
            // A parameter: the plan has its value when it has a default.
            _ => context.node(&step.name.name).is_none_or(|node| node.options.retry > 0),
        };
        if action.idempotent || !retries {
            continue;
        }
        found.push(
            Finding::new(
                retry.span,
                format!("`{}` retries `{}`, which is not idempotent", step.name.name, action.name),
                "a retry after a lost answer may do it twice",
                format!(
                    "remove `retry` (or set it to 0): each call of `{}` makes something new or does it again",
                    action.name
                ),
            )
            .also(call.callee.span, "declared `idempotent = false`"),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    fn playbook(action: &str, options: &str) -> String {
        format!(
            "playbook p {{\n  let i = aws.ec2.instances(tags = {{ env: \"dev\" }})\n  param n: int = 2\n  \
             step s = {action}(i) {{ {options} }}\n}}\n"
        )
    }

    #[test]
    fn retry_on_a_reboot_is_found_whether_literal_or_a_parameter() {
        let found = findings(&RULE, &playbook("aws.ec2.reboot", "retry = 2"));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("retries `aws.ec2.reboot`"), "{}", found[0].message);
        assert_eq!(findings(&RULE, &playbook("aws.ec2.reboot", "retry = n")).len(), 1);
    }

    #[test]
    fn retry_on_a_stop_or_no_retry_on_a_reboot_is_fine() {
        assert!(findings(&RULE, &playbook("aws.ec2.stop", "retry = 2")).is_empty());
        assert!(findings(&RULE, &playbook("aws.ec2.reboot", "retry = 0")).is_empty());
        assert!(findings(&RULE, &playbook("aws.ec2.reboot", "max_targets = 3")).is_empty());
    }

    #[test]
    fn each_agnostic_action_is_as_idempotent_as_every_action_implementing_it() {
        let catalog = crate::stdlib::catalog();
        let mut checked = 0;
        for action in catalog.callables.values() {
            for implements in &action.implements {
                let agnostic = &catalog.callables[&implements.agnostic];
                assert_eq!(agnostic.idempotent, action.idempotent, "{} and {}", action.name, agnostic.name);
                checked += 1;
            }
        }
        assert!(checked > 20, "{checked}");
        assert!(!catalog.callables["aws.ec2.create_snapshots"].idempotent);
        assert!(catalog.callables["aws.ec2.stop"].idempotent);
    }
}
