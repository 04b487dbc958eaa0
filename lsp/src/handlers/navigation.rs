//! Go to definition and find references of steps, lets, params and imports. An import's definition is the file
//! it loads.

use escher_compiler::resolve::{NameKind, NameSite, site_at};
use lsp_types::{
    GotoDefinitionParams, GotoDefinitionResponse, Location, Position, Range, ReferenceParams,
    TextDocumentPositionParams, Uri,
};

use crate::loader::import_name;
use crate::world::{Document, NotOpen, World};

pub fn definition(world: &mut World, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>, NotOpen> {
    let (document, at, sites) = sites_at(world, &params.text_document_position_params)?;
    let Some(site) = at else { return Ok(None) };
    let Some(definition) = sites.iter().find(|s| s.is_definition && s.name == site.name) else { return Ok(None) };
    if site.kind == NameKind::Import
        && let Some(location) = imported_file(document, &site.name)
    {
        return Ok(Some(GotoDefinitionResponse::Scalar(location)));
    }
    Ok(Some(GotoDefinitionResponse::Scalar(location(document, definition))))
}

pub fn references(world: &mut World, params: ReferenceParams) -> Result<Option<Vec<Location>>, NotOpen> {
    let include_declaration = params.context.include_declaration;
    let (document, at, sites) = sites_at(world, &params.text_document_position)?;
    let Some(site) = at else { return Ok(None) };
    let found = sites
        .iter()
        .filter(|s| s.name == site.name && (include_declaration || !s.is_definition))
        .map(|s| location(document, s))
        .collect();
    Ok(Some(found))
}

/// The site under the cursor, and every site of the document.
fn sites_at<'w>(
    world: &'w mut World,
    position: &TextDocumentPositionParams,
) -> Result<(&'w Document, Option<&'w NameSite>, &'w [NameSite]), NotOpen> {
    let (document, analysis) = world.analyzed(&position.text_document.uri)?;
    let offset = document.lines.offset(&document.text, position.position);
    Ok((document, site_at(&analysis.sites, offset), &analysis.sites))
}

fn location(document: &Document, site: &NameSite) -> Location {
    Location { uri: document.uri.clone(), range: document.lines.range(&document.text, site.span) }
}

/// The start of the file `use "..." as ALIAS` loads.
fn imported_file(document: &Document, alias: &str) -> Option<Location> {
    let analysis = document.analysis()?;
    let import = analysis.tree.as_ref()?.uses.iter().find(|u| u.alias.as_ref().is_some_and(|a| a.name == alias))?;
    let path = import_name(&document.name, &import.path.value);
    let uri: Uri = crate::uri::from_path(std::path::Path::new(&path))?;
    Some(Location { uri, range: Range::new(Position::new(0, 0), Position::new(0, 0)) })
}
