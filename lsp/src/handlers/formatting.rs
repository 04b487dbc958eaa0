//! Formatting through the compiler's formatter, as `escher fmt` does: the whole document in its canonical
//! layout, or nothing when it is already formatted. A document that does not parse is left as it is (its
//! diagnostics say why).

use escher_compiler::Span;
use escher_compiler::format::format_playbook;
use lsp_types::{DocumentFormattingParams, TextEdit};

use crate::world::{NotOpen, World};

pub fn formatting(world: &mut World, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>, NotOpen> {
    let document = world.document(&params.text_document.uri)?;
    let text = &document.text;
    let Ok(formatted) = format_playbook(text) else { return Ok(None) };
    if formatted == *text {
        return Ok(Some(Vec::new()));
    }
    let whole = document.lines.range(text, Span::new(0, text.len()));
    Ok(Some(vec![TextEdit { range: whole, new_text: formatted }]))
}
