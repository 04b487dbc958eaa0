//! The layout document: text joined by line breaks that a group prints either all flat or all broken.
//!
//! This is Wadler's "prettier printer" shape. A group is printed flat when it fits in the rest of the line and
//! holds no hard line break; otherwise each of its own `Line`s becomes a newline. Comments enter the document as
//! hard line breaks, so a group that holds a comment is always broken.

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Doc {
    /// Text without line breaks.
    Text(String),
    /// Text printed exactly as given, line breaks included (a script body).
    Verbatim(String),
    /// `flat` when the enclosing group is flat (a space or nothing), a line break when it is broken.
    Line(&'static str),
    /// A comment at the end of a line (a line break always follows it). Its width does not count when deciding
    /// whether the code before it fits: a long remark should not reshape the code it annotates.
    TrailingComment(String),
    /// A line break whatever the layout; `blank` asks for one empty line before the next.
    HardLine {
        blank: bool,
    },
    /// Text printed only when the enclosing group is broken (a trailing comma).
    IfBroken(&'static str),
    /// Lines broken inside are indented one level deeper.
    Indent(Box<Doc>),
    /// `hard` caches whether a hard line break sits anywhere inside.
    Group {
        doc: Box<Doc>,
        hard: bool,
    },
    /// Printed flat whatever the width (the inside of a string interpolation).
    Flat(Box<Doc>),
    Concat(Vec<Doc>),
}

impl Doc {
    fn has_hard_line(&self) -> bool {
        match self {
            Doc::HardLine { .. } => true,
            Doc::Group { hard, .. } => *hard,
            Doc::Indent(doc) => doc.has_hard_line(),
            Doc::Concat(docs) => docs.iter().any(Doc::has_hard_line),
            Doc::Text(_)
            | Doc::Verbatim(_)
            | Doc::TrailingComment(_)
            | Doc::Line(_)
            | Doc::IfBroken(_)
            | Doc::Flat(_) => false,
        }
    }
}

pub(crate) fn text(text: impl Into<String>) -> Doc {
    Doc::Text(text.into())
}

pub(crate) fn verbatim(text: impl Into<String>) -> Doc {
    Doc::Verbatim(text.into())
}

/// ` // comment` at the end of the line.
pub(crate) fn trailing_comment(comment: &str) -> Doc {
    Doc::TrailingComment(format!(" {comment}"))
}

/// A space when flat.
pub(crate) fn line() -> Doc {
    Doc::Line(" ")
}

/// Nothing when flat.
pub(crate) fn softline() -> Doc {
    Doc::Line("")
}

pub(crate) fn hardline(blank: bool) -> Doc {
    Doc::HardLine { blank }
}

pub(crate) fn if_broken(text: &'static str) -> Doc {
    Doc::IfBroken(text)
}

pub(crate) fn indent(doc: Doc) -> Doc {
    Doc::Indent(Box::new(doc))
}

pub(crate) fn group(doc: Doc) -> Doc {
    let hard = doc.has_hard_line();
    Doc::Group { doc: Box::new(doc), hard }
}

pub(crate) fn flat(doc: Doc) -> Doc {
    Doc::Flat(Box::new(doc))
}

pub(crate) fn concat(docs: impl IntoIterator<Item = Doc>) -> Doc {
    Doc::Concat(docs.into_iter().collect())
}

pub(crate) fn nothing() -> Doc {
    Doc::Concat(Vec::new())
}
