use super::{Context, Finding, declare_rule};
use crate::stdlib::Effect;

declare_rule! {
    /// ## What it does
    /// Finds steps that destroy something (an action whose declared effect is `destroy`: deletes, terminations,
    /// deregistrations) and have no `///` doc comment.
    ///
    /// ## Why is this bad?
    /// A destroy cannot be undone, and its doc comment is what the approver reads in the plan and in the approval
    /// request: what goes, why it may go, and what was done first to keep it recoverable. Without one, the person
    /// asked to approve sees an action name and a count.
    ///
    /// ## Example
    /// ```escher
    /// playbook cleanup {
    ///   let old = aws.ec2.snapshots(tags = { temp: "true" }, older_than = 90d)
    ///   step delete = aws.ec2.delete_snapshots(old) { max_targets = 20, irreversible = true, timeout = 10m }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook cleanup {
    ///   let old = aws.ec2.snapshots(tags = { temp: "true" }, older_than = 90d)
    ///   /// Deletes temporary snapshots older than 90 days; nothing restores from them.
    ///   step delete = aws.ec2.delete_snapshots(old) { max_targets = 20, irreversible = true, timeout = 10m }
    /// }
    /// ```
    pub static RULE = {
        id: "L0101",
        name: "undocumented-destroy",
        title: "destroying step without doc comment",
        level: Warning,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for step in context.steps() {
        let Some((call, action)) = context.action(step) else { continue };
        if action.effect != Effect::Destroy || step.docs.iter().any(|line| !line.trim().is_empty()) {
            continue;
        }
        found.push(
            Finding::new(
                step.name.span,
                format!("`{}` destroys with `{}` and has no doc comment", step.name.name, action.name),
                "no `///` doc comment says what this deletes and why",
                "add a `///` line above the step: approvers read it before they allow what cannot be undone",
            )
            .also(call.callee.span, "declared `effect = destroy`"),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    #[test]
    fn an_undocumented_destroy_is_found_and_a_documented_one_is_not() {
        let text = |docs: &str| {
            format!(
                "playbook p {{\n  let v = aws.ec2.volumes(attached = false)\n  {docs}\n  step gone = \
                 aws.ec2.delete_volumes(v) {{ max_targets = 5, irreversible = true }}\n}}\n"
            )
        };
        let found = findings(&RULE, &text(""));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`gone` destroys with `aws.ec2.delete_volumes`"), "{}", found[0].message);
        assert!(findings(&RULE, &text("/// Unattached volumes only; snapshots are kept.")).is_empty());
    }

    #[test]
    fn a_step_that_only_stops_needs_no_doc_comment_from_this_rule() {
        let text =
            "playbook p {\n  let i = aws.ec2.instances(tags = { env: \"dev\" })\n  step s = aws.ec2.stop(i)\n}\n";
        assert!(findings(&RULE, text).is_empty());
    }
}
