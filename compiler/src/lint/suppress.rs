//! `// escher: allow(L0101, L0108)`: a comment that silences the named rules on its own line and the next.

use std::collections::BTreeMap;

/// The rules allowed on each line (1-based), from the comments of a playbook's text.
#[derive(Debug, Default)]
pub struct Allowed {
    by_line: BTreeMap<usize, Vec<String>>,
}

impl Allowed {
    pub fn from_text(text: &str) -> Allowed {
        let mut by_line: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let Some(comment) = line_comment(line) else { continue };
            let Some(ids) = directive(comment) else { continue };
            for line_number in [index + 1, index + 2] {
                by_line.entry(line_number).or_default().extend(ids.iter().cloned());
            }
        }
        Allowed { by_line }
    }

    /// Whether `rule` (its id or name) is allowed on `line`.
    pub fn allows(&self, line: usize, id: &str, name: &str) -> bool {
        self.by_line
            .get(&line)
            .is_some_and(|ids| ids.iter().any(|allowed| allowed.eq_ignore_ascii_case(id) || allowed == name))
    }
}

/// The text after `//` on a line, when the `//` is not inside a string literal (strings cannot span lines).
fn line_comment(line: &str) -> Option<&str> {
    let mut in_string = false;
    let mut escaped = false;
    for (at, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '/' if !in_string && line[at..].starts_with("//") => return Some(&line[at + 2..]),
            _ => {}
        }
    }
    None
}

/// The rules of `escher: allow(A, B)`, the whole comment; a doc comment (`///`) is never a directive.
fn directive(comment: &str) -> Option<Vec<String>> {
    let rest = comment.trim().strip_prefix("escher:")?.trim_start().strip_prefix("allow")?.trim_start();
    let inner = rest.strip_prefix('(')?.trim_end().strip_suffix(')')?;
    Some(inner.split(',').map(|id| id.trim().to_string()).filter(|id| !id.is_empty()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_allows_its_rules_on_its_line_and_the_next() {
        let text = "a\n// escher: allow(L0101, unused-let)\nb\nc // escher: allow(l0108)\nd\n";
        let allowed = Allowed::from_text(text);
        assert!(allowed.allows(2, "L0101", "undocumented-destroy"));
        assert!(allowed.allows(3, "L0101", "undocumented-destroy"));
        assert!(allowed.allows(3, "L0107", "unused-let"));
        assert!(!allowed.allows(4, "L0101", "undocumented-destroy"));
        assert!(allowed.allows(4, "L0108", "mutation-without-timeout"));
        assert!(allowed.allows(5, "L0108", "mutation-without-timeout"));
        assert!(!allowed.allows(1, "L0101", "undocumented-destroy"));
    }

    #[test]
    fn strings_and_doc_comments_are_not_directives() {
        let text = "let s = \"// escher: allow(L0101)\"\n/// escher: allow(L0101)\n// escher: allow L0101\nx\n";
        let allowed = Allowed::from_text(text);
        for line in 1..=4 {
            assert!(!allowed.allows(line, "L0101", "undocumented-destroy"), "line {line}");
        }
    }
}
