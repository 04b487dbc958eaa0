use super::{Context, Finding, declare_rule};
use crate::span::Span;
use crate::syntax::ast::Member;

declare_rule! {
    /// ## What it does
    /// Finds a `schedule cron(...)` without a `tz` argument.
    ///
    /// ## Why is this bad?
    /// Without `tz` the expression is read in UTC. "8 pm on weekdays" then moves by an hour for half the year
    /// wherever clocks change, and by the whole offset wherever the author is not on UTC. Writing the zone, even
    /// `tz = "UTC"`, says which was meant; with a zone, daylight saving time is handled.
    ///
    /// ## Example
    /// ```escher
    /// playbook nightly {
    ///   schedule cron("0 20 * * MON-FRI")
    ///   step done = report.summary("Nightly check")
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook nightly {
    ///   schedule cron("0 20 * * MON-FRI", tz = "Europe/London")
    ///   step done = report.summary("Nightly check")
    /// }
    /// ```
    pub static RULE = {
        id: "L0104",
        name: "cron-without-tz",
        title: "cron schedule without a time zone",
        level: Warning,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    context
        .members()
        .filter_map(|member| match member {
            Member::Schedule(schedule) => Some(schedule),
            _ => None,
        })
        .filter(|schedule| schedule.kind.name == "cron")
        .filter(|schedule| !schedule.args.iter().any(|arg| arg.name.as_ref().is_some_and(|n| n.name == "tz")))
        .map(|schedule| {
            Finding::new(
                Span::new(schedule.kind.span.start as usize, schedule.span.end as usize),
                "this cron schedule has no time zone, so it runs in UTC",
                "no `tz = \"...\"`",
                "add the IANA zone the times are meant in, such as `tz = \"Europe/London\"`, or `tz = \"UTC\"`",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    fn playbook(schedule: &str) -> String {
        format!("playbook p {{\n  {schedule}\n  step s = report.summary(\"x\")\n}}\n")
    }

    #[test]
    fn a_cron_without_tz_is_found() {
        let found = findings(&RULE, &playbook("schedule cron(\"0 8 * * *\")"));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("runs in UTC"));
    }

    #[test]
    fn a_cron_with_tz_even_utc_is_not() {
        assert!(findings(&RULE, &playbook("schedule cron(\"0 8 * * *\", tz = \"UTC\")")).is_empty());
        assert!(findings(&RULE, &playbook("")).is_empty());
    }
}
