//! The compiler's fixes for the diagnostics in a range, as quick fixes. A machine-applicable fix is preferred,
//! so an editor's "fix all" or "apply preferred" takes it.

use std::collections::HashMap;

use escher_compiler::diagnostics::Applicability;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, TextEdit, WorkspaceEdit,
};

use super::diagnostics::{own_diagnostics, to_lsp};
use crate::world::{NotOpen, World};

pub fn code_actions(world: &mut World, params: CodeActionParams) -> Result<Option<CodeActionResponse>, NotOpen> {
    let (document, analysis) = world.analyzed(&params.text_document.uri)?;
    let wanted = document.lines.span(&document.text, params.range);
    let mut actions = Vec::new();
    for diagnostic in own_diagnostics(analysis) {
        let span = diagnostic.primary_span();
        // Touching counts: a cursor at either end of the diagnostic's text asks for its fixes.
        if span.end < wanted.start || span.start > wanted.end {
            continue;
        }
        for fix in &diagnostic.fixes {
            let edits = fix
                .edits
                .iter()
                .map(|edit| TextEdit {
                    range: document.lines.range(&document.text, edit.span),
                    new_text: edit.replacement.clone(),
                })
                .collect();
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.message.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(document, diagnostic)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(document.uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(fix.applicability == Applicability::MachineApplicable),
                ..CodeAction::default()
            }));
        }
    }
    Ok(Some(actions))
}
