//! `script` steps: named inputs, a declared output type, and a rhai body that must parse.

use super::{CallError, Checker, TypeError};
use crate::span::Span;
use crate::syntax::ast::*;

impl Checker<'_> {
    pub(super) fn script(&mut self, script: &Script) {
        let mut inputs = Vec::new();
        for arg in &script.args {
            let ty = self.infer(&arg.value);
            if ty.contains_secret() {
                self.error(TypeError::SecretMisuse { usage: "passed to a script".into(), span: arg.value.span.into() });
            }
            match &arg.name {
                Some(name) => inputs.push(name.name.clone()),
                None => self.error(CallError::UnnamedScriptInput { span: arg.span.into() }),
            }
        }
        if let Err((reason, offset)) = parse_rhai(&script.body, &inputs) {
            let start = script.body_span.start as usize + offset;
            let end = next_char_end(&script.body, offset) + script.body_span.start as usize;
            self.error(TypeError::ScriptSyntax { reason, span: Span::new(start, end).into() });
        }
    }
}

/// Parses a rhai body with its inputs declared, so that an undefined variable is an error too. On failure, the
/// message and the byte offset in the body where rhai stopped.
pub fn parse_rhai(body: &str, inputs: &[String]) -> Result<(), (String, usize)> {
    let mut engine = rhai::Engine::new_raw();
    engine.set_strict_variables(true);
    let mut scope = rhai::Scope::new();
    for input in inputs {
        scope.push_dynamic(input.as_str(), rhai::Dynamic::UNIT);
    }
    match engine.compile_with_scope(&scope, body) {
        Ok(_) => Ok(()),
        Err(rhai::ParseError(kind, position)) => {
            let offset = offset_of(body, position.line().unwrap_or(1), position.position().unwrap_or(1));
            Err((kind.to_string(), offset))
        }
    }
}

/// The byte offset of a 1-based line and char column, clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum::<usize>();
    let line_text = text[line_start.min(text.len())..].lines().next().unwrap_or_default();
    let within = line_text.char_indices().nth(column.saturating_sub(1)).map_or(line_text.len(), |(i, _)| i);
    (line_start + within).min(text.len())
}

fn next_char_end(text: &str, offset: usize) -> usize {
    text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8())
}
