//! Lint: rules beyond type errors, run on playbooks that compile (`escher lint`).
//!
//! Each rule is one file here with a stable id (`L01xx`), a default [`Level`] and a check over the playbook's
//! syntax tree, the stdlib catalog and the plan; its `///` doc comment is its explanation (`escher explain
//! L0101`, `docs/lint.md`). [`RULES`] is the registry. A project sets levels in `escher.toml`'s `[lint]` table,
//! which the host reads and hands over as [`LintSettings`] (this crate does no IO); a comment `// escher:
//! allow(L0101)` on a finding's line or the line before silences it there. Findings are [`Diagnostic`]s with the
//! rule's id as their code, rendered like every other diagnostic, and as SARIF by [`sarif`].

mod finding;
mod level;
pub mod sarif;
mod suppress;
mod walk;

mod approval_covers_nothing;
mod credential_in_notify;
mod cron_without_tz;
mod max_targets_above_inventory;
mod mutation_without_timeout;
mod retry_not_idempotent;
mod undocumented_destroy;
mod unfiltered_query;
mod unused_let;
mod unused_param;

use std::sync::LazyLock;

pub use finding::{Finding, LintDiagnostic};
pub use level::{Level, LintSettings, TargetsToday};
pub use walk::Context;

use crate::compile::Compilation;
use crate::diagnostics::{CodeInfo, Diagnostic, Diagnostics};
use crate::input::{InputKind, extract};
use crate::span::FileId;
use crate::stdlib::Catalog;
use crate::syntax::parse_playbook;

/// One lint rule.
#[derive(Debug)]
pub struct Rule {
    /// The stable id, such as `L0101`.
    pub id: &'static str,
    /// A kebab-case name, accepted wherever the id is.
    pub name: &'static str,
    /// A short lowercase phrase.
    pub title: &'static str,
    pub default_level: Level,
    /// The rule's doc comment, one line per `///` line.
    docs: &'static str,
    check: fn(&Context<'_>) -> Vec<Finding>,
}

impl Rule {
    /// The long explanation: the rule's doc comment as Markdown.
    pub fn explanation(&self) -> String {
        let lines: Vec<&str> = self.docs.lines().map(|line| line.strip_prefix(' ').unwrap_or(line)).collect();
        lines.join("\n").trim().to_string()
    }

    /// What the rule finds in a playbook, before levels and `allow` comments.
    pub fn check(&self, context: &Context<'_>) -> Vec<Finding> {
        (self.check)(context)
    }
}

/// Declares a rule: its doc comment becomes its explanation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $static:ident = {
            id: $id:literal,
            name: $name:literal,
            title: $title:literal,
            level: $level:ident,
            check: $check:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $static: $crate::lint::Rule = $crate::lint::Rule {
            id: $id,
            name: $name,
            title: $title,
            default_level: $crate::lint::Level::$level,
            docs: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in the order of their ids.
pub static RULES: &[&Rule] = &[
    &undocumented_destroy::RULE,
    &unfiltered_query::RULE,
    &retry_not_idempotent::RULE,
    &cron_without_tz::RULE,
    &credential_in_notify::RULE,
    &unused_param::RULE,
    &unused_let::RULE,
    &mutation_without_timeout::RULE,
    &approval_covers_nothing::RULE,
    &max_targets_above_inventory::RULE,
];

/// The rule with this id (any case) or name.
pub fn rule(id_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id.eq_ignore_ascii_case(id_or_name) || rule.name == id_or_name)
}

static EXPLANATIONS: LazyLock<Vec<String>> = LazyLock::new(|| RULES.iter().map(|rule| rule.explanation()).collect());
static CODE_INFOS: LazyLock<Vec<CodeInfo>> = LazyLock::new(|| {
    RULES
        .iter()
        .zip(EXPLANATIONS.iter())
        .map(|(rule, explanation)| CodeInfo { code: rule.id, title: rule.title, explanation })
        .collect()
});

/// A rule's title and explanation in the shape of every other code's, for `escher explain`.
pub fn explain(id: &str) -> Option<&'static CodeInfo> {
    CODE_INFOS.iter().find(|info| info.code.eq_ignore_ascii_case(id))
}

/// Lints a compilation's playbook under `settings`. A compilation with errors gets no findings: lint runs on
/// playbooks that compile. AI output (Markdown, an envelope) is linted in its playbook and reported in the
/// original text, like its compile diagnostics.
pub fn lint(compilation: &Compilation, settings: &LintSettings) -> Diagnostics {
    lint_with(crate::stdlib::catalog(), compilation, settings)
}

/// [`lint`] against a given catalog.
pub fn lint_with(catalog: &Catalog, compilation: &Compilation, settings: &LintSettings) -> Diagnostics {
    let mut found = Diagnostics::default();
    if compilation.has_errors() {
        return found;
    }
    let main = compilation.sources.get(compilation.main);
    let Ok(extracted) = extract(&main.name, &main.text) else { return found };
    let file = match extracted.kind {
        InputKind::Playbook => compilation.main,
        _ => match compilation.sources.find(&format!("{} (extracted playbook)", main.name)) {
            Some(file) => file,
            None => return found,
        },
    };
    for diagnostic in lint_file(catalog, compilation, file, settings) {
        found.push(match extracted.kind {
            InputKind::Playbook => diagnostic,
            _ => crate::input::remap(&diagnostic, &extracted, compilation.main),
        });
    }
    found.sort();
    found
}

fn lint_file(catalog: &Catalog, compilation: &Compilation, file: FileId, settings: &LintSettings) -> Vec<Diagnostic> {
    let text = &compilation.sources.get(file).text;
    // The compiler keeps the main file's tree; a playbook extracted from an answer is parsed again.
    let parsed;
    let ast = match &compilation.tree {
        Some(tree) if file == compilation.main => tree,
        _ => {
            parsed = parse_playbook(text).tree;
            let Some(tree) = &parsed else { return Vec::new() };
            tree
        }
    };
    let context = Context::new(ast, catalog, compilation.plan.as_ref()).with_targets_today(settings.targets_today());
    let allowed = suppress::Allowed::from_text(text);
    let mut diagnostics = Vec::new();
    for &rule in RULES {
        let Some(severity) = settings.level(rule).severity() else { continue };
        for finding in rule.check(&context) {
            let line = compilation.sources.line_column(file, finding.span.start as usize).line;
            if allowed.allows(line, rule.id, rule.name) {
                continue;
            }
            diagnostics.push(Diagnostic::new(file, LintDiagnostic { rule, severity, finding }));
        }
    }
    diagnostics
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{CompileOptions, NoImports, compile};

    /// The codes `rule` finds in `text`, a playbook that must compile, at their default levels.
    pub(crate) fn findings(rule: &Rule, text: &str) -> Vec<Finding> {
        let compilation = compile("test.esc", text, &CompileOptions::check(&NoImports));
        let errors: Vec<String> =
            compilation.diagnostics.iter().map(|d| format!("{}: {}", d.code(), d.message())).collect();
        assert!(!compilation.has_errors(), "the playbook must compile: {errors:?}");
        let ast = parse_playbook(text).tree.expect("it parses");
        // Rules that judge bounds against the estate read them against 12 resources per query, as L0110's
        // explanation says; the others do not look.
        let steps = compilation.plan.iter().flat_map(|plan| &plan.nodes).map(|node| (node.id.clone(), 12));
        let targets = TargetsToday { source: "an inventory".into(), counts: steps.collect() };
        let context = Context::new(&ast, crate::stdlib::catalog(), compilation.plan.as_ref());
        rule.check(&context.with_targets_today(Some(&targets)))
    }

    #[test]
    fn rules_are_listed_in_the_order_of_their_ids_with_unique_names() {
        let ids: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let mut names: Vec<&str> = RULES.iter().map(|rule| rule.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
        for rule in RULES {
            assert!(rule.id.starts_with("L01") && rule.id.len() == 5, "{}", rule.id);
            assert!(rule.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", rule.name);
            assert!(!rule.title.ends_with('.') && !rule.title.starts_with(char::is_uppercase), "{}", rule.id);
        }
    }

    #[test]
    fn every_rule_is_explained_by_its_doc_comment() {
        for rule in RULES {
            let explanation = rule.explanation();
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(explanation.contains(section), "{}: no `{section}`", rule.id);
            }
            assert_eq!(explain(&rule.id.to_lowercase()).map(|info| info.explanation), Some(explanation.as_str()));
        }
        assert!(explain("L0199").is_none());
    }

    /// Each explanation shows a playbook the rule finds something in, then the corrected one it finds nothing in.
    #[test]
    fn every_explanation_shows_a_playbook_that_fires_and_one_that_does_not() {
        for rule in RULES {
            let explanation = rule.explanation();
            let examples: Vec<&str> =
                explanation.split("```escher\n").skip(1).filter_map(|s| s.split("```").next()).collect();
            assert_eq!(examples.len(), 2, "{}: two `escher` examples, the mistake and its correction", rule.id);
            assert!(!findings(rule, examples[0]).is_empty(), "{}: the first example finds nothing", rule.id);
            let found = findings(rule, examples[1]);
            assert!(found.is_empty(), "{}: the corrected example still finds {found:?}", rule.id);
        }
    }
}
