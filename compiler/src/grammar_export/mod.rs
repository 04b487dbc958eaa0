//! The playbook language exported for grammar-constrained decoding: `escher grammar --format lark|gbnf`.
//!
//! Both exports are translated from `grammar/escher.pest` itself (read with `pest_meta`, the crate pest's own
//! derive reads it with), so they cannot drift from the parser. The Lark export is in llguidance's dialect:
//! terminals are regular expressions with `&` and `~`, which is what lets a lookahead such as `!keyword`
//! become exact. GBNF (llama.cpp) has neither, so its terminals keep only the positive part and accept a
//! little more (a keyword where a name goes, say); the compiler's diagnostics catch the rest.
//!
//! ```
//! use escher_compiler::grammar_export::{GrammarFormat, export};
//! let lark = export(GrammarFormat::Lark).unwrap();
//! assert!(lark.starts_with("%llguidance {}"));
//! assert!(lark.contains("\nstart: playbook_file\n"));
//! ```

mod gbnf;
mod lark;
mod lexical;
mod production;
mod rx;
mod schema;

pub use schema::envelope_schema;

/// The grammar, as the parser is derived from it.
pub const PEST_GRAMMAR: &str = include_str!("../../../grammar/escher.pest");

/// The rule a playbook file is parsed with.
const START: &str = "playbook_file";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrammarFormat {
    /// llguidance's Lark dialect (llama.cpp with llguidance, vLLM, SGLang, the Guidance library).
    Lark,
    /// llama.cpp's GBNF.
    Gbnf,
}

/// What stops the grammar from being exported: a construct the translator does not know. Only a change to
/// `grammar/escher.pest` can cause one, and the tests export on every build.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    #[error("grammar/escher.pest does not parse: {0}")]
    GrammarSyntax(String),
    #[error("the grammar calls {name}, which it does not define")]
    UnknownRule { name: String },
    #[error("the atomic rule {name} calls itself, so it cannot be one terminal")]
    RecursiveTerminal { name: String },
    #[error("the export does not translate {what}")]
    Unsupported { what: String },
}

/// The playbook grammar in `format`.
pub fn export(format: GrammarFormat) -> Result<String, ExportError> {
    let pairs = pest_meta::parser::parse(pest_meta::parser::Rule::grammar_rules, PEST_GRAMMAR)
        .map_err(|error| ExportError::GrammarSyntax(error.to_string()))?;
    let rules = pest_meta::parser::consume_rules(pairs).map_err(|errors| {
        ExportError::GrammarSyntax(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    })?;
    let grammar = production::build(&rules, START)?;
    Ok(match format {
        GrammarFormat::Lark => lark::print(&grammar),
        GrammarFormat::Gbnf => gbnf::print(&grammar),
    })
}

/// Whether pest's grammar accepts `src` as a whole playbook file, before any check of the compiler's own
/// (nesting depth, literal ranges, ...). This is the language the exports stand for.
pub fn grammar_accepts(src: &str) -> bool {
    use pest::Parser;
    crate::syntax::grammar::EscherParser::parse(crate::syntax::grammar::Rule::playbook_file, src).is_ok()
}

/// The header both exports start with (as comments of their own syntax).
fn header(grammar: &production::Grammar) -> Vec<String> {
    let mut lines = vec![
        "The Escher playbook language, generated from grammar/escher.pest by `escher grammar`. Do not edit."
            .to_string(),
        "Whitespace and comments are allowed where `skip` is, as pest skips them.".to_string(),
    ];
    if !grammar.dropped.is_empty() {
        lines.push("Lookaheads between items that this grammar leaves out (it accepts a little more there):".into());
        lines.extend(grammar.dropped.iter().map(|dropped| format!("  {dropped}")));
    }
    lines
}
