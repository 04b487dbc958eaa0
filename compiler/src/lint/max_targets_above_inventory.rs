use super::walk::option;
use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// With an inventory of the estate (`escher inventory`, then `escher lint` with the same state), finds steps
    /// whose `max_targets` is far above what their query matches today: more than twice as many, and at least
    /// ten more.
    ///
    /// ## Why is this bad?
    /// `max_targets` is the step's brake: a run whose query matches more than it says is refused before it
    /// acts. Set ten times above the estate, it brakes nothing: a filter that matches far more than meant (a
    /// misspelt tag, a dropped region) goes through. A bound near the expected count stops that run, and the
    /// report says why.
    ///
    /// ## Example
    /// With 12 dev instances in the inventory:
    /// ```escher
    /// playbook stop_dev {
    ///   let dev = aws.ec2.instances(tags = { env: "dev" })
    ///   step stop = aws.ec2.stop(dev) { max_targets = 500 }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook stop_dev {
    ///   let dev = aws.ec2.instances(tags = { env: "dev" })
    ///   step stop = aws.ec2.stop(dev) { max_targets = 15 }
    /// }
    /// ```
    pub static RULE = {
        id: "L0110",
        name: "max-targets-above-inventory",
        title: "max_targets far above what the estate holds",
        level: Warning,
        check: check,
    };
}

/// How far above today's count a bound may go before it is called loose: twice the count, and ten more.
fn is_loose(bound: u64, today: u64) -> bool {
    bound > 2 * today && bound >= today + 10
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let Some(targets) = context.targets_today else { return Vec::new() };
    let mut found = Vec::new();
    for step in context.steps() {
        let (Some(written), Some(node)) = (option(step, "max_targets"), context.node(&step.name.name)) else {
            continue;
        };
        let (Some(bound), Some(&today)) = (node.options.max_targets, targets.counts.get(&step.name.name)) else {
            continue;
        };
        if !is_loose(bound, today as u64) {
            continue;
        }
        found.push(Finding::new(
            written.value.span,
            format!(
                "`{}` may act on up to {bound} resources, far above the {today} its query matches today",
                step.name.name
            ),
            format!("{today} in {}", targets.source),
            format!(
                "lower `max_targets` to near what this step is meant to change, such as {}",
                (today + today.div_ceil(4)).max(1)
            ),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{RULE, is_loose};
    use crate::lint::level::TargetsToday;
    use crate::lint::walk::Context;
    use crate::syntax::parse_playbook;
    use crate::{CompileOptions, NoImports, compile};

    const PLAYBOOK: &str = r#"playbook stop_dev {
  let dev = aws.ec2.instances(tags = { env: "dev" })
  step stop = aws.ec2.stop(dev) { max_targets = 500 }
  step tag = aws.ec2.tag(dev, tags = { stopped: "yes" }) { max_targets = 20 }
}
"#;

    fn findings(counts: &[(&str, usize)]) -> Vec<String> {
        let compilation = compile("test.esc", PLAYBOOK, &CompileOptions::check(&NoImports));
        assert!(!compilation.has_errors());
        let ast = parse_playbook(PLAYBOOK).tree.expect("it parses");
        let targets = TargetsToday {
            source: "the aws inventory".into(),
            counts: counts.iter().map(|&(step, n)| (step.to_string(), n)).collect::<BTreeMap<_, _>>(),
        };
        let context =
            Context::new(&ast, crate::stdlib::catalog(), compilation.plan.as_ref()).with_targets_today(Some(&targets));
        RULE.check(&context).into_iter().map(|finding| finding.message).collect()
    }

    #[test]
    fn a_bound_far_above_the_inventory_is_found_and_a_close_one_is_not() {
        let found = findings(&[("stop", 12), ("tag", 12)]);
        assert_eq!(found, ["`stop` may act on up to 500 resources, far above the 12 its query matches today"]);
    }

    #[test]
    fn without_an_inventory_or_a_count_for_the_step_nothing_is_judged() {
        assert!(findings(&[]).is_empty());
        let compilation = compile("test.esc", PLAYBOOK, &CompileOptions::check(&NoImports));
        let ast = parse_playbook(PLAYBOOK).tree.expect("it parses");
        assert!(RULE.check(&Context::new(&ast, crate::stdlib::catalog(), compilation.plan.as_ref())).is_empty());
    }

    #[test]
    fn loose_means_more_than_twice_the_count_and_ten_more() {
        assert!(!is_loose(24, 12));
        assert!(is_loose(25, 12));
        assert!(!is_loose(9, 0));
        assert!(is_loose(10, 0));
        assert!(!is_loose(2_000, 1_500));
    }
}
