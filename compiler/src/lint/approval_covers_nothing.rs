use std::collections::{BTreeMap, BTreeSet};

use super::walk::option;
use super::{Context, Finding, declare_rule};
use crate::stdlib::Effect;

declare_rule! {
    /// ## What it does
    /// Finds `approve = ROLE` on a step that changes nothing (a report, a notification, a wait, a script) when
    /// no step that changes anything comes after it in the plan.
    ///
    /// ## Why is this bad?
    /// An approval is worth asking for when it holds something back. On a step that only reads, it guards
    /// nothing unless a changing step waits for it (the "review, then act" pattern, which this rule leaves
    /// alone); otherwise it only makes a person approve a report, and teaches approvers to click through.
    /// Put the approval on the step that changes things, or order that step `after` the approved one.
    ///
    /// ## Example
    /// ```escher
    /// playbook review {
    ///   let dev = aws.ec2.instances(tags = { env: "dev" })
    ///   step list = report.table("Dev machines", dev) { approve = manager }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook review {
    ///   let dev = aws.ec2.instances(tags = { env: "dev" })
    ///   step list = report.table("Dev machines", dev) { approve = manager }
    ///   step stop after (list) = aws.ec2.stop(dev) { max_targets = 10, timeout = 10m }
    /// }
    /// ```
    pub static RULE = {
        id: "L0109",
        name: "approval-covers-nothing",
        title: "approval on a step that holds nothing back",
        level: Note,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let Some(plan) = context.plan else { return Vec::new() };
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for edge in &plan.edges {
        children.entry(edge.from.as_str()).or_default().push(edge.to.as_str());
    }
    let changes: BTreeSet<&str> =
        plan.nodes.iter().filter(|node| node.effect != Effect::Read).map(|node| node.id.as_str()).collect();
    let mut found = Vec::new();
    for step in context.steps() {
        let Some(approve) = option(step, "approve") else { continue };
        if context.effect(step) != Some(Effect::Read) {
            continue;
        }
        let mut pending = vec![step.name.name.as_str()];
        let mut seen = BTreeSet::new();
        let mut covers = false;
        while let Some(at) = pending.pop() {
            for &child in children.get(at).into_iter().flatten() {
                covers |= changes.contains(child);
                if seen.insert(child) {
                    pending.push(child);
                }
            }
        }
        if covers {
            continue;
        }
        found.push(Finding::new(
            approve.span,
            format!("`{}` asks for approval, but it changes nothing and no changing step waits for it", step.name.name),
            "holds nothing back",
            "move `approve` to the step that changes things, or order that step `after` this one",
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    const QUERY: &str = "let i = aws.ec2.instances(tags = { env: \"dev\" })";

    #[test]
    fn an_approved_report_nothing_waits_for_is_found() {
        let text = format!("playbook p {{\n  {QUERY}\n  step r = report.table(\"x\", i) {{ approve = manager }}\n}}\n");
        let found = findings(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`r` asks for approval"));
    }

    #[test]
    fn an_approved_report_a_stop_waits_for_and_an_approved_stop_are_fine() {
        let review = format!(
            "playbook p {{\n  {QUERY}\n  step r = report.table(\"x\", i) {{ approve = manager }}\n  \
             step s after (r) = aws.ec2.stop(i)\n}}\n"
        );
        assert!(findings(&RULE, &review).is_empty());
        let stop = format!("playbook p {{\n  {QUERY}\n  step s = aws.ec2.stop(i) {{ approve = manager }}\n}}\n");
        assert!(findings(&RULE, &stop).is_empty());
    }
}
