//! The one grammar (`grammar/escher.pest`), compiled by pest into [`EscherParser`] and its [`Rule`]s, which the
//! parse driver runs and the lowering reads.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/escher.pest"]
pub struct EscherParser;
