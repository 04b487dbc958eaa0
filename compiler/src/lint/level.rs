//! How loudly a rule speaks: its default level, and the levels `escher.toml` and the command line may set.

use std::collections::BTreeMap;

use super::{RULES, Rule};
use crate::diagnostics::Severity;

/// A rule's level. `Allow` turns it off; the others are the severity of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Allow,
    Note,
    Warning,
    Error,
}

impl Level {
    /// The words `escher.toml` accepts: `allow`, `note`, `warn` (or `warning`), `deny` (or `error`).
    pub fn parse(word: &str) -> Option<Level> {
        match word {
            "allow" => Some(Level::Allow),
            "note" => Some(Level::Note),
            "warn" | "warning" => Some(Level::Warning),
            "deny" | "error" => Some(Level::Error),
            _ => None,
        }
    }

    /// The severity of a finding at this level; `None` for `Allow`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Note => Some(Severity::Note),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }

    /// SARIF's name for the level: `none`, `note`, `warning`, `error`.
    pub fn sarif(self) -> &'static str {
        match self {
            Level::Allow => "none",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// The levels a project sets for its rules (the `[lint]` table of `escher.toml`), parsed by the host and given
/// to [`super::lint`]; rules it does not name keep their default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintSettings {
    levels: BTreeMap<&'static str, Level>,
    targets_today: Option<TargetsToday>,
}

/// What the host knows of the estate today, from an inventory: for each step acting on a query's result, how
/// many resources that query matches. The rules that judge a step's bounds against the estate run only with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetsToday {
    /// Where the counts come from, as a person reads it: `the aws inventory of 2026-12-06T10:00:00Z`.
    pub source: String,
    /// Step name to the number of resources its targets' query matches.
    pub counts: BTreeMap<String, usize>,
}

impl LintSettings {
    /// These settings, judging steps' bounds against `targets` (see [`TargetsToday`]).
    pub fn with_targets_today(mut self, targets: TargetsToday) -> Self {
        self.targets_today = Some(targets);
        self
    }

    pub fn targets_today(&self) -> Option<&TargetsToday> {
        self.targets_today.as_ref()
    }

    /// Settings from `(rule, level)` pairs, such as `("L0101", "deny")`; a rule may be named by its id or its
    /// name (`undocumented-destroy`). Every pair that names no rule or no level is reported, in order.
    pub fn parse<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<LintSettings, Vec<String>> {
        let mut settings = LintSettings::default();
        let mut problems = Vec::new();
        for (key, value) in entries {
            if let Err(problem) = settings.set(key, value) {
                problems.push(problem);
            }
        }
        if problems.is_empty() { Ok(settings) } else { Err(problems) }
    }

    /// Sets one rule's level, or says why it cannot.
    pub fn set(&mut self, rule: &str, level: &str) -> Result<(), String> {
        let found = super::rule(rule).ok_or_else(|| {
            let ids: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
            format!("`{rule}` is not a lint rule; the rules are {}", ids.join(", "))
        })?;
        let level = Level::parse(level).ok_or_else(|| {
            format!("`{level}` is not a level for {}: say \"allow\", \"note\", \"warn\" or \"deny\"", found.id)
        })?;
        self.levels.insert(found.id, level);
        Ok(())
    }

    /// The level `rule` has under these settings.
    pub fn level(&self, rule: &Rule) -> Level {
        self.levels.get(rule.id).copied().unwrap_or(rule.default_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_is_set_by_its_id_or_its_name_and_others_keep_their_default() {
        let settings = LintSettings::parse([("l0101", "deny"), ("unused-let", "allow")]).expect("valid settings");
        let level = |id: &str| settings.level(super::super::rule(id).expect("a rule"));
        assert_eq!(level("L0101"), Level::Error);
        assert_eq!(level("L0107"), Level::Allow);
        assert_eq!(level("L0104"), super::super::rule("L0104").expect("a rule").default_level);
    }

    #[test]
    fn unknown_rules_and_levels_are_each_reported() {
        let problems = LintSettings::parse([("L0199", "deny"), ("L0101", "loud")]).expect_err("invalid settings");
        assert_eq!(problems.len(), 2);
        assert!(problems[0].contains("`L0199` is not a lint rule"), "{}", problems[0]);
        assert!(problems[1].contains("`loud` is not a level for L0101"), "{}", problems[1]);
    }
}
