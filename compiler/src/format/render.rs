//! Printing a [`Doc`] within a line width.

use super::doc::Doc;

/// Spaces per indentation level.
const INDENT: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

type Command<'d> = (usize, Mode, &'d Doc);

/// Prints `doc`, breaking groups that do not fit in `width` columns. The text ends with exactly one newline and
/// has no trailing spaces on any line it breaks.
pub(crate) fn render(doc: &Doc, width: usize) -> String {
    let mut out = Output { text: String::new(), column: 0 };
    let mut commands: Vec<Command<'_>> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, doc)) = commands.pop() {
        match doc {
            Doc::Text(text) | Doc::TrailingComment(text) => out.push(text),
            Doc::Verbatim(text) => out.push_verbatim(text),
            Doc::Line(flat) => match mode {
                Mode::Flat => out.push(flat),
                Mode::Break => out.newline(indent, false),
            },
            Doc::HardLine { blank } => out.newline(indent, *blank),
            Doc::IfBroken(text) => {
                if mode == Mode::Break {
                    out.push(text);
                }
            }
            Doc::Indent(inner) => commands.push((indent + INDENT, mode, inner)),
            Doc::Flat(inner) => commands.push((indent, Mode::Flat, inner)),
            Doc::Group { doc: inner, hard } => {
                let room = width as isize - out.column as isize;
                let fits = mode == Mode::Flat || (!hard && fits(inner, &commands, room));
                commands.push((indent, if fits { Mode::Flat } else { Mode::Break }, inner));
            }
            Doc::Concat(docs) => commands.extend(docs.iter().rev().map(|d| (indent, mode, d))),
        }
    }
    let mut text = out.text.trim_end().to_string();
    text.push('\n');
    text
}

/// Whether `doc`, printed flat, and what follows it up to the next line break fit in `room` columns.
fn fits(doc: &Doc, rest: &[Command<'_>], mut room: isize) -> bool {
    let mut todo: Vec<(Mode, &Doc)> = vec![(Mode::Flat, doc)];
    let mut rest = rest.iter().rev();
    loop {
        if room < 0 {
            return false;
        }
        let (mode, doc) = match todo.pop() {
            Some(next) => next,
            None => match rest.next() {
                Some((_, mode, doc)) => (*mode, *doc),
                None => return true,
            },
        };
        match doc {
            Doc::Text(text) => room -= width_of(text),
            Doc::Verbatim(text) => match text.split_once('\n') {
                Some((first_line, _)) => return room >= width_of(first_line),
                None => room -= width_of(text),
            },
            Doc::Line(flat) => match mode {
                Mode::Flat => room -= width_of(flat),
                Mode::Break => return true,
            },
            Doc::HardLine { .. } | Doc::TrailingComment(_) => return true,
            Doc::IfBroken(text) => {
                if mode == Mode::Break {
                    room -= width_of(text);
                }
            }
            Doc::Indent(inner) => todo.push((mode, inner)),
            Doc::Flat(inner) => todo.push((Mode::Flat, inner)),
            Doc::Group { doc: inner, hard } => todo.push((if *hard { Mode::Break } else { mode }, inner)),
            Doc::Concat(docs) => todo.extend(docs.iter().rev().map(|d| (mode, d))),
        }
    }
}

fn width_of(text: &str) -> isize {
    text.chars().count() as isize
}

struct Output {
    text: String,
    column: usize,
}

impl Output {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.column += text.chars().count();
    }

    fn push_verbatim(&mut self, text: &str) {
        self.text.push_str(text);
        match text.rsplit_once('\n') {
            Some((_, last_line)) => self.column = last_line.chars().count(),
            None => self.column += text.chars().count(),
        }
    }

    /// Ends the line. Consecutive breaks collapse into one, and blank lines into one blank line; nothing is
    /// printed before the first text.
    fn newline(&mut self, indent: usize, blank: bool) {
        let kept = self.text.trim_end_matches(' ').len();
        self.text.truncate(kept);
        if !self.text.is_empty() {
            if !self.text.ends_with('\n') {
                self.text.push('\n');
            }
            if blank && !self.text.ends_with("\n\n") {
                self.text.push('\n');
            }
        }
        self.text.push_str(&" ".repeat(indent));
        self.column = indent;
    }
}

#[cfg(test)]
mod tests {
    use super::super::doc::*;
    use super::*;

    fn call(args: &[&str]) -> Doc {
        let mut inner = vec![softline()];
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(line());
            }
            inner.push(text(*arg));
        }
        inner.push(if_broken(","));
        group(concat([text("f("), indent(concat(inner)), softline(), text(")")]))
    }

    #[test]
    fn a_group_that_fits_stays_on_one_line() {
        assert_eq!(render(&call(&["a", "b"]), 20), "f(a, b)\n");
    }

    #[test]
    fn a_group_that_does_not_fit_puts_each_element_on_its_own_line_with_a_trailing_comma() {
        assert_eq!(render(&call(&["alpha", "beta"]), 10), "f(\n  alpha,\n  beta,\n)\n");
    }

    #[test]
    fn a_group_exactly_as_wide_as_the_line_fits() {
        assert_eq!(render(&call(&["ab", "cd"]), 9), "f(ab, cd)\n");
        assert_eq!(render(&call(&["ab", "cd"]), 8), "f(\n  ab,\n  cd,\n)\n");
    }

    #[test]
    fn text_after_a_group_counts_towards_its_line() {
        let doc = concat([call(&["ab", "cd"]), text(" { x }")]);
        assert_eq!(render(&doc, 12), "f(\n  ab,\n  cd,\n) { x }\n");
    }

    #[test]
    fn a_hard_line_inside_a_group_breaks_it_however_short() {
        let doc = group(concat([text("["), indent(concat([softline(), text("a")])), hardline(false), text("]")]));
        assert_eq!(render(&doc, 80), "[\n  a\n]\n");
    }

    #[test]
    fn blank_lines_collapse_to_one_and_none_leads_the_text() {
        let doc = concat([hardline(true), text("a"), hardline(true), hardline(true), text("b"), hardline(false)]);
        assert_eq!(render(&doc, 80), "a\n\nb\n");
    }

    #[test]
    fn a_trailing_comment_does_not_count_towards_the_width_of_the_code_before_it() {
        let doc =
            concat([call(&["ab", "cd"]), trailing_comment("// a remark far longer than the line"), hardline(false)]);
        assert_eq!(render(&doc, 10), "f(ab, cd) // a remark far longer than the line\n");
    }

    #[test]
    fn a_flat_part_never_breaks() {
        assert_eq!(render(&flat(call(&["alpha", "beta"])), 4), "f(alpha, beta)\n");
    }

    #[test]
    fn verbatim_text_keeps_its_lines_and_the_column_follows_its_last_line() {
        let doc = concat([text("x {"), verbatim("\n  body\n"), text("}"), call(&["a"])]);
        assert_eq!(render(&doc, 5), "x {\n  body\n}f(a)\n");
    }
}
