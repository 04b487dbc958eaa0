//! The outline: the playbook, and in it its schedule, parameters, lets and steps in source order.

use escher_compiler::syntax::ast::{Member, StepBody};
use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};

use crate::world::{NotOpen, World};

pub fn document_symbols(
    world: &mut World,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>, NotOpen> {
    let (document, analysis) = world.analyzed(&params.text_document.uri)?;
    let Some(tree) = &analysis.tree else { return Ok(None) };
    let text = &document.text;
    let range = |span| document.lines.range(text, span);
    let children = tree
        .playbook
        .members
        .iter()
        .map(|member| {
            let (name, selection, kind, detail) = match member {
                Member::Schedule(s) => (format!("schedule {}", s.kind.name), s.kind.span, SymbolKind::EVENT, None),
                Member::Param(p) => (
                    p.name.name.clone(),
                    p.name.span,
                    SymbolKind::VARIABLE,
                    Some(text[p.ty.span().range()].to_string()),
                ),
                Member::Let(l) => (l.name.name.clone(), l.name.span, SymbolKind::VARIABLE, None),
                Member::Step(s) => {
                    let detail = match &s.body {
                        StepBody::Call(call) | StepBody::ForEach { call, .. } => call.callee.dotted(),
                        StepBody::Script(_) => "script".to_string(),
                    };
                    (s.name.name.clone(), s.name.span, SymbolKind::FUNCTION, Some(detail))
                }
            };
            #[allow(deprecated)] // `deprecated` is a required field of the struct, itself deprecated.
            DocumentSymbol {
                name,
                detail,
                kind,
                tags: None,
                deprecated: None,
                range: range(member.span()),
                selection_range: range(selection),
                children: None,
            }
        })
        .collect();
    let playbook = &tree.playbook;
    #[allow(deprecated)]
    let root = DocumentSymbol {
        name: playbook.name.name.clone(),
        detail: Some("playbook".to_string()),
        kind: SymbolKind::MODULE,
        tags: None,
        deprecated: None,
        range: range(playbook.span),
        selection_range: range(playbook.name.span),
        children: Some(children),
    };
    Ok(Some(DocumentSymbolResponse::Nested(vec![root])))
}
