//! Rename a step or let, with every use in the file. Parameters are the playbook's interface (`--param`,
//! schedules, templates) and imports are named by their files, so they are not renamed here.

use std::collections::HashMap;

use escher_compiler::resolve::{NameKind, site_at};
use lsp_types::{PrepareRenameResponse, RenameParams, TextDocumentPositionParams, TextEdit, WorkspaceEdit};

use crate::world::{NotOpen, World};

/// Why a rename was refused, shown to the user.
pub enum RenameError {
    NotOpen(NotOpen),
    Refused(String),
}

impl From<NotOpen> for RenameError {
    fn from(error: NotOpen) -> Self {
        RenameError::NotOpen(error)
    }
}

pub fn prepare_rename(
    world: &mut World,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, RenameError> {
    let (document, analysis) = world.analyzed(&params.text_document.uri)?;
    let offset = document.lines.offset(&document.text, params.position);
    let Some(site) = site_at(&analysis.sites, offset) else { return Ok(None) };
    renamable(site.kind)?;
    Ok(Some(PrepareRenameResponse::Range(document.lines.range(&document.text, site.span))))
}

pub fn rename(world: &mut World, params: RenameParams) -> Result<Option<WorkspaceEdit>, RenameError> {
    let position = params.text_document_position;
    let (document, analysis) = world.analyzed(&position.text_document.uri)?;
    let offset = document.lines.offset(&document.text, position.position);
    let Some(site) = site_at(&analysis.sites, offset) else { return Ok(None) };
    renamable(site.kind)?;
    let new_name = params.new_name;
    if !is_identifier(&new_name) {
        return Err(RenameError::Refused(format!("`{new_name}` is not a name: use letters, digits and `_`")));
    }
    if analysis.sites.iter().any(|s| s.is_definition && s.name == new_name) {
        return Err(RenameError::Refused(format!("`{new_name}` is already defined in this playbook")));
    }
    let edits = analysis
        .sites
        .iter()
        .filter(|s| s.name == site.name)
        .map(|s| TextEdit { range: document.lines.range(&document.text, s.span), new_text: new_name.clone() })
        .collect();
    Ok(Some(WorkspaceEdit {
        changes: Some(HashMap::from([(document.uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }))
}

fn renamable(kind: NameKind) -> Result<(), RenameError> {
    match kind {
        NameKind::Step | NameKind::Let => Ok(()),
        NameKind::Param => Err(RenameError::Refused(
            "a parameter is the playbook's interface (`--param`, schedules, templates): rename it by hand".into(),
        )),
        NameKind::Import => Err(RenameError::Refused("an import's name is its alias in `use`: edit it there".into())),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
