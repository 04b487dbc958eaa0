//! The parse driver: pest over the one grammar, with recovery between playbook members.
//!
//! A whole file is tried first. When that fails the driver re-reads the file piece by piece (the header, then
//! one member at a time), records an error for each member that does not parse and skips to the next line that
//! starts a member, so one mistake does not hide the ones after it.

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::ast::{DeclarationFile, Member, PlaybookFile};
use super::error::ParseError;
use super::grammar::{EscherParser, Rule};
use super::lower::{Lowerer, MAX_EXPRESSION_SIZE, MAX_NESTING};
use crate::span::{Span, floor_char_boundary};

/// The result of parsing a playbook file: a tree, possibly partial, and the errors met on the way.
#[derive(Debug)]
pub struct Parsed<T> {
    /// With errors, the members that parsed: later passes check them, so one mistake hides no other.
    pub tree: Option<T>,
    pub errors: Vec<ParseError>,
    /// Names the members left out of a partial tree would define (as far as their text shows them). Later
    /// passes take them as defined, of unknown type, so a use of one is not reported as a second mistake.
    pub unparsed_names: Vec<String>,
    /// Whether a `use` did not parse, so the name of a playbook the file imports is unknown.
    pub unparsed_use: bool,
}

/// Parses a playbook file.
pub fn parse_playbook(src: &str) -> Parsed<PlaybookFile> {
    if let Some(error) = check_nesting(src) {
        return Parsed { tree: None, errors: vec![error], unparsed_names: Vec::new(), unparsed_use: false };
    }
    match EscherParser::parse(Rule::playbook_file, src) {
        Ok(mut pairs) => {
            let mut lowerer = Lowerer::new(src, 0);
            let tree = pairs.next().map(|file| lowerer.playbook_file(file));
            Parsed { tree, errors: lowerer.errors, unparsed_names: lowerer.unparsed_names, unparsed_use: false }
        }
        Err(_) => recover_playbook(src),
    }
}

/// Parses a declaration file of the stdlib. Declarations are ours, so there is no recovery: the first error is it.
pub fn parse_declarations(src: &str) -> Parsed<DeclarationFile> {
    match EscherParser::parse(Rule::declaration_file, src) {
        Ok(mut pairs) => {
            let mut lowerer = Lowerer::new(src, 0);
            let tree = pairs.next().map(|file| lowerer.declaration_file(file));
            Parsed { tree, errors: lowerer.errors, unparsed_names: Vec::new(), unparsed_use: false }
        }
        Err(error) => Parsed {
            tree: None,
            errors: vec![to_parse_error(src, 0, &error)],
            unparsed_names: Vec::new(),
            unparsed_use: false,
        },
    }
}

/// Re-reads a file that failed to parse, member by member.
fn recover_playbook(src: &str) -> Parsed<PlaybookFile> {
    pest::set_error_detail(true);
    let mut errors = Vec::new();
    let mut lowerer = Lowerer::new(src, 0);
    let mut pos = skip_trivia(src, 0);

    // File docs and imports.
    let mut docs = Vec::new();
    if let Ok(mut pairs) = EscherParser::parse(Rule::file_docs, &src[pos..])
        && let Some(pair) = pairs.next()
    {
        docs = Lowerer::doc_lines(pair.clone());
        pos = skip_trivia(src, pos + pair.as_span().end());
    }
    let mut uses = Vec::new();
    let mut unparsed_use = false;
    while src[pos..].starts_with("use") {
        match parse_at(src, pos, Rule::use_decl) {
            Ok(pair) => {
                let end = pos + pair.as_span().end();
                lowerer.base = pos;
                uses.push(lowerer.use_decl(pair));
                pos = skip_trivia(src, end);
            }
            Err(error) => {
                errors.push(error);
                unparsed_use = true;
                pos = skip_trivia(src, next_line(src, pos));
            }
        }
    }

    // The playbook head.
    let head = match parse_at(src, pos, Rule::playbook_head) {
        Ok(pair) => pair,
        Err(error) => {
            errors.push(error);
            return Parsed { tree: None, errors, unparsed_names: Vec::new(), unparsed_use: false };
        }
    };
    let head_start = pos;
    // The head ends with the playbook's opening brace.
    let brace = pos + head.as_span().end() - 1;
    pos = skip_trivia(src, pos + head.as_span().end());
    lowerer.base = head_start;
    let (head_docs, kind, name) = lowerer.playbook_head(head);

    // Members, one at a time.
    let mut members: Vec<Member> = Vec::new();
    let mut unparsed_names: Vec<String> = Vec::new();
    loop {
        if pos >= src.len() {
            // The end is shown just after the last text, not after trailing blank lines nobody sees.
            let end = Span::empty_at(src.trim_end().len().max(brace + 1));
            errors.push(ParseError::Unclosed {
                open: '{',
                close: '}',
                span: Span::new(brace, brace + 1).into(),
                end: end.into(),
            });
            break;
        }
        if src[pos..].starts_with('}') {
            pos = skip_trivia(src, pos + 1);
            if pos < src.len() {
                errors.push(unexpected(src, pos, "the end of the file".into()));
            }
            break;
        }
        match parse_member_at(src, pos, Rule::member_checked) {
            Ok(pair) => {
                let end = pos + pair.as_span().end();
                lowerer.base = pos;
                members.extend(pair.into_inner().next().and_then(|member| lowerer.checked_member(member)));
                pos = skip_trivia(src, end);
            }
            Err(error) => match complete_member_at(src, pos) {
                // The member is whole and what breaks is the line after it: that line is the mistake.
                Some((member, end)) => {
                    lowerer.base = pos;
                    members.extend(lowerer.checked_member(member));
                    pos = skip_trivia(src, end);
                }
                None => {
                    errors.push(error);
                    unparsed_names.extend(unparsed_member_name(src, pos));
                    pos = skip_to_next_member(src, pos);
                }
            },
        }
    }
    errors.append(&mut lowerer.errors);
    unparsed_names.append(&mut lowerer.unparsed_names);
    let playbook =
        super::ast::Playbook { docs: head_docs, kind, name, members, span: Span::new(head_start, pos.min(src.len())) };
    Parsed { tree: Some(PlaybookFile { docs, uses, playbook }), errors, unparsed_names, unparsed_use }
}

/// A member at `pos` that parses on its own and is followed by a new line, and where it ends. When such a member
/// fails to parse with what follows it, the next line is at fault, not the member (a line that starts no member,
/// such as a misspelt keyword).
fn complete_member_at(src: &str, pos: usize) -> Option<(Pair<'_, Rule>, usize)> {
    let member = parse_member_at(src, pos, Rule::member).ok()?;
    // pest's span keeps the white space it skipped looking for more; the member ends at its last char.
    let end = pos + member.as_str().trim_end().len();
    let next = skip_trivia(src, end);
    (next < src.len() && src[end..next].contains('\n')).then_some((member, end))
}

/// The name a member that does not parse seems to define: the word after its keyword (`step NAME`, even
/// misspelt as `stpe NAME`), or the first word when `=` or `:` follows it (`NAME = ...` without `let`).
fn unparsed_member_name(src: &str, pos: usize) -> Option<String> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut rest = src[pos..].trim_start();
    // Doc comments belong to the member.
    while rest.starts_with("///") {
        rest = rest.find('\n').map_or("", |i| &rest[i + 1..]).trim_start();
    }
    let word = |text: &str| -> usize { text.find(|c: char| !is_name_char(c)).unwrap_or(text.len()) };
    let first_len = word(rest);
    if first_len == 0 {
        return None;
    }
    let after_first = rest[first_len..].trim_start_matches([' ', '\t']);
    let first = &rest[..first_len];
    if after_first.starts_with('=') || after_first.starts_with(':') {
        return (!is_keyword(first)).then(|| first.to_string());
    }
    let second_len = word(after_first);
    let second = &after_first[..second_len];
    let starts_like_a_name = second.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    (starts_like_a_name && !is_keyword(second)).then(|| second.to_string())
}

/// Parses one rule at byte offset `pos`, returning its pair (positions relative to `pos`) or a located error.
fn parse_at(src: &str, pos: usize, rule: Rule) -> Result<Pair<'_, Rule>, ParseError> {
    let rest = &src[pos..];
    match EscherParser::parse(rule, rest) {
        Ok(mut pairs) => pairs.next().ok_or_else(|| unexpected(src, pos, expected_words(describe_rule(rule)))),
        Err(error) => Err(to_parse_error(src, pos, &error)),
    }
}

/// [`parse_at`] for a member, on as little of the file as the member can need.
///
/// pest places an error by scanning its input from the end back to the error, so parsing each member of a broken
/// file against the whole rest of it took quadratic time (4,000 broken lines: 16 s). A member cannot go on past
/// a line that starts another member outside any bracket or string, so pest is given the text up to that line's
/// keyword and the char after it, which is all the lookahead ending `member_checked` reads. Only when pest's
/// furthest attempt reached the end of that window could the rest of the file have changed the outcome; then
/// the whole rest is parsed, as before.
fn parse_member_at(src: &str, pos: usize, rule: Rule) -> Result<Pair<'_, Rule>, ParseError> {
    let end = member_window_end(src, pos);
    if end >= src.len() {
        return parse_at(src, pos, rule);
    }
    let window = &src[pos..end];
    match EscherParser::parse(rule, window) {
        Ok(mut pairs) => pairs.next().ok_or_else(|| unexpected(src, pos, expected_words(describe_rule(rule)))),
        Err(error) if furthest(&error) < window.len() => Err(to_parse_error(src, pos, &error)),
        Err(_) => parse_at(src, pos, rule),
    }
}

/// How far into its input pest got before it failed.
fn furthest(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        pest::error::InputLocation::Pos(at) => at,
        pest::error::InputLocation::Span((_, end)) => end,
    }
}

/// Where the window of the member at `pos` ends: just past the keyword (and one char) of the next line that
/// starts a member, its doc comments skipped, or past the `}` (and one char) that closes the playbook, both
/// outside brackets and strings. The file's length when there is no such line or the text is beyond this
/// simple reading (a string running over a line end, script code with backticks, char literals or block
/// comments): those members get the whole rest, as before.
fn member_window_end(src: &str, pos: usize) -> usize {
    let bytes = src.as_bytes();
    // Open brackets, and for each string and interpolation the depth it began at.
    let mut depth = 0usize;
    let mut nested: Vec<(bool, usize)> = Vec::new();
    // From the member's own first line: its doc comments come before it.
    let mut i = pos;
    loop {
        let text = src[i..].trim_start_matches([' ', '\t', '\r']);
        if i >= src.len() || !(text.starts_with("///") || text.starts_with('\n')) {
            break;
        }
        i = next_line(src, i);
    }
    while i < bytes.len() {
        let in_string = nested.last().is_some_and(|&(string, _)| string);
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' if in_string => {
                nested.pop();
            }
            b'$' if in_string && bytes.get(i + 1) == Some(&b'{') => {
                nested.push((false, depth));
                depth += 1;
                i += 1;
            }
            b'\n' if in_string => return src.len(),
            _ if in_string => {}
            b'"' => nested.push((true, depth)),
            b'`' | b'\'' => return src.len(),
            b'/' if bytes.get(i + 1) == Some(&b'*') => return src.len(),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                // To the line's end, which is looked at like any other.
                i = src[i..].find('\n').map_or(src.len(), |n| i + n);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if nested.last().is_some_and(|&(string, at)| !string && at == depth) {
                    nested.pop();
                }
            }
            b'\n' if depth == 0 && nested.is_empty() => {
                if let Some(end) = next_member_starts(src, i + 1) {
                    return end;
                }
            }
            _ => {}
        }
        i += 1;
    }
    src.len()
}

/// If the line at `line` (after any doc comments and blank lines) starts a member or closes the playbook, where
/// a member's window ends for it.
fn next_member_starts(src: &str, mut line: usize) -> Option<usize> {
    loop {
        let text = src[line..].trim_start_matches([' ', '\t', '\r']);
        let at = src.len() - text.len();
        if text.starts_with('}') {
            return Some(char_after(src, at + 1));
        }
        if (text.starts_with("///") && !text.starts_with("////")) || text.starts_with('\n') {
            line = next_line(src, at);
            if line >= src.len() {
                return None;
            }
            continue;
        }
        let keyword = ["step", "let", "param", "schedule"].into_iter().find(|keyword| {
            text.starts_with(keyword)
                && !text[keyword.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })?;
        return Some(char_after(src, at + keyword.len()));
    }
}

/// The offset just past the char at `at` (or the end of the file).
fn char_after(src: &str, at: usize) -> usize {
    src[at.min(src.len())..].chars().next().map_or(src.len(), |c| at + c.len_utf8())
}

/// Skips whitespace and plain comments, but not doc comments, which belong to the next member.
fn skip_trivia(src: &str, mut pos: usize) -> usize {
    loop {
        let rest = &src[pos..];
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        let is_doc = (trimmed.starts_with("///") && !trimmed.starts_with("////")) || trimmed.starts_with("//!");
        let is_comment = trimmed.starts_with("//") && !is_doc;
        if is_comment {
            pos = next_line(src, pos);
        } else {
            return pos;
        }
    }
}

fn next_line(src: &str, pos: usize) -> usize {
    src[pos..].find('\n').map_or(src.len(), |i| pos + i + 1)
}

/// The next line that begins a member (or the playbook's closing brace), after the one at `pos`.
fn skip_to_next_member(src: &str, mut pos: usize) -> usize {
    loop {
        pos = next_line(src, pos);
        if pos >= src.len() {
            return src.len();
        }
        let line = &src[pos..];
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let word = &line[indent..];
        let starts_member = ["step ", "let ", "param ", "schedule ", "///"].iter().any(|k| word.starts_with(k));
        // A `}` alone at the start of a line closes the playbook.
        let closes = indent == 0 && word.starts_with('}');
        if starts_member || closes {
            return pos + indent;
        }
    }
}

/// Refuses input whose brackets nest deeper than [`MAX_NESTING`], ignoring brackets inside strings and comments
/// but counting those of a string's `${...}`, where an expression nests like any other.
///
/// A run of `not`s counts too: pest's Pratt parser recurses once per prefix operator.
fn check_nesting(src: &str) -> Option<ParseError> {
    let too_deep = |at: usize| Some(ParseError::TooDeep { limit: MAX_NESTING, span: Span::new(at, at + 1).into() });
    let mut depth = 0usize;
    let mut in_string = false;
    // For each `${` still open, the depth its brace brought the count to: the `}` that closes it returns to the
    // string.
    let mut interpolations: Vec<usize> = Vec::new();
    let mut nots = 0usize;
    let mut previous: Option<char> = None;
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let word_start = !in_string && previous.is_none_or(|p| !(p.is_ascii_alphanumeric() || p == '_'));
        previous = Some(c);
        if word_start && (c.is_ascii_alphanumeric() || c == '_') {
            let word_end =
                src[i..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(src.len(), |e| i + e);
            if &src[i..word_end] == "not" {
                nots += 1;
                if nots > MAX_EXPRESSION_SIZE {
                    let limit = MAX_EXPRESSION_SIZE;
                    return Some(ParseError::ExpressionTooLarge { limit, span: Span::new(i, word_end).into() });
                }
            } else {
                nots = 0;
            }
        } else if !c.is_whitespace() && !c.is_ascii_alphanumeric() && c != '_' {
            nots = 0;
        }
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '$' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    depth += 1;
                    if depth > MAX_NESTING {
                        return too_deep(i);
                    }
                    interpolations.push(depth);
                    in_string = false;
                }
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek().map(|(_, c)| *c) == Some('/') => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return too_deep(i);
                }
            }
            ')' | ']' | '}' => {
                if c == '}' && interpolations.last() == Some(&depth) {
                    interpolations.pop();
                    in_string = true;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    None
}

/// Tokens that can start an expression; when all of them are expected, "an expression" says it in two words.
const EXPRESSION_STARTS: &[&str] = &["`\"`", "`(`", "`-`", "`[`", "`{`", "`_`", "`true`", "`false`", "`none`", "`not`"];

/// Turns a pest error at `base` into a [`ParseError`] that speaks in words, not rule names.
///
/// With pest's error detail on, the deepest attempt is used: its position is where the input stopped making
/// sense, and its tokens and rules are what would have continued it.
fn to_parse_error(src: &str, base: usize, error: &pest::error::Error<Rule>) -> ParseError {
    let location = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<String> = Vec::new();
    let mut offset = location;
    match error.parse_attempts() {
        Some(attempts) if attempts.max_position >= location => {
            offset = attempts.max_position;
            for stack in attempts.call_stacks() {
                if let Some(rule) = stack.deepest.get_rule() {
                    expected.extend(describe_rule(*rule).iter().map(|e| e.to_string()));
                }
            }
            for token in attempts.expected_tokens() {
                // pest does not export its token type; Display gives the literal of a plain token.
                let token = token.to_string();
                let is_range = token.chars().count() == 4 && token.chars().skip(1).take(2).all(|c| c == '.');
                let is_trivia = token.trim().is_empty() || token.starts_with("//");
                if !is_range && !is_trivia && token != "BUILTIN_RULE" {
                    expected.push(format!("`{token}`"));
                }
            }
        }
        _ => {
            if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
                expected.extend(positives.iter().flat_map(|r| describe_rule(*r)).map(|e| e.to_string()));
            }
        }
    }
    let offset = floor_char_boundary(src, (base + offset).min(src.len()));
    if let Some(start) = unterminated_string_at(src, offset) {
        return ParseError::UnterminatedString { span: Span::new(start, start + 1).into() };
    }
    // Point at the next token, not at the whitespace before it.
    let offset = offset + (src[offset..].len() - src[offset..].trim_start().len());
    // `_` is one way a name may start; "a name" already says it.
    if expected.iter().any(|e| e == "a name") {
        expected.retain(|e| e != "`_`");
    }
    if expected.iter().filter(|e| EXPRESSION_STARTS.contains(&e.as_str())).count() >= 3 {
        expected.retain(|e| !EXPRESSION_STARTS.contains(&e.as_str()));
        expected.push("an expression".into());
    }
    expected.sort();
    expected.dedup();
    unexpected(src, offset, expected_words(&expected))
}

fn unexpected(src: &str, offset: usize, expected: String) -> ParseError {
    if expected.contains("a name")
        && let Some(error) = keyword_as_name(src, offset, &expected)
    {
        return error;
    }
    let (found, len) = found_at(src, offset);
    let help = if found == "end of file" {
        "the file ends too early; is a closing bracket missing?".to_string()
    } else {
        format!("write {expected} here, or remove {found}")
    };
    ParseError::Unexpected { expected, found, help, span: Span::new(offset, offset + len).into() }
}

/// A name was expected and a keyword stands at `offset` or just before it (pest stops after the keyword):
/// say so, pointing at the keyword.
fn keyword_as_name(src: &str, offset: usize, expected: &str) -> Option<ParseError> {
    let ident_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let here = src[offset..].find(|c: char| !ident_char(c)).map_or(src.len(), |i| offset + i);
    let before_end = src[..offset].trim_end().len();
    let before_start =
        src[..before_end].char_indices().rev().find(|&(_, c)| !ident_char(c)).map_or(0, |(i, c)| i + c.len_utf8());
    let (start, end) = if is_keyword(&src[offset..here]) { (offset, here) } else { (before_start, before_end) };
    let word = &src[start..end];
    is_keyword(word).then(|| ParseError::Unexpected {
        expected: expected.to_string(),
        found: format!("the keyword `{word}`"),
        help: format!("`{word}` is a keyword and cannot be a name; choose another, such as `{word}_name`"),
        span: Span::new(start, end).into(),
    })
}

/// Whether `word` is one of the language's keywords (the grammar's `keyword` rule).
fn is_keyword(word: &str) -> bool {
    !word.is_empty() && EscherParser::parse(Rule::keyword, word).is_ok_and(|pairs| pairs.as_str() == word)
}

/// Describes what stands at `offset`: a word, a symbol or the end of the file, and its byte length.
fn found_at(src: &str, offset: usize) -> (String, usize) {
    let rest = &src[offset..];
    let Some(first) = rest.chars().next() else {
        return ("end of file".into(), 0);
    };
    if first.is_alphanumeric() || first == '_' {
        let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        (format!("`{}`", &rest[..len]), len)
    } else if first == '\n' {
        ("the end of the line".into(), 1)
    } else {
        (format!("`{first}`"), first.len_utf8())
    }
}

/// If a string opened on the line of `offset` is never closed on that line, its start.
fn unterminated_string_at(src: &str, offset: usize) -> Option<usize> {
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
    let line = &src[line_start..line_end];
    let mut open: Option<usize> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if open.is_none() && line[i..].starts_with("//") {
            break;
        }
        match (open, c, escaped) {
            (_, _, true) => escaped = false,
            (Some(_), '\\', false) => escaped = true,
            (Some(_), '"', false) => open = None,
            (None, '"', false) => open = Some(i),
            _ => {}
        }
    }
    open.map(|i| line_start + i)
}

/// What was expected, in words; "something else" when pest named nothing a reader would recognise.
fn expected_words(alternatives: &[impl AsRef<str>]) -> String {
    if alternatives.is_empty() { "something else".to_string() } else { join_or(alternatives) }
}

/// Alternatives as a reader lists them: "a", "a or b", "a, b or c".
fn join_or(items: &[impl AsRef<str>]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} or {}", rest.join(", "), last.as_ref())
        }
    }
}

/// The words users see for a grammar rule, one entry per alternative so that alternatives met through several
/// rules are listed once. Internal rules map to nothing and are left out.
pub(crate) fn describe_rule(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::ident | Rule::path => &["a name"],
        Rule::string | Rule::string_text => &["a string"],
        Rule::int => &["an integer"],
        Rule::float => &["a number"],
        Rule::duration | Rule::duration_unit => &["a duration"],
        Rule::boolean => &["`true`", "`false`"],
        Rule::none_lit => &["`none`"],
        Rule::list | Rule::list_items | Rule::comprehension => &["a list"],
        Rule::record | Rule::record_field => &["a record"],
        Rule::expr | Rule::postfix | Rule::paren | Rule::arg | Rule::arg_list => &["an expression"],
        Rule::type_expr | Rule::named_type | Rule::record_type | Rule::field_type => &["a type"],
        Rule::playbook | Rule::playbook_head | Rule::playbook_kind => &["`playbook`", "`template`"],
        Rule::use_decl => &["`use`"],
        Rule::constraint | Rule::range_bound | Rule::one_of | Rule::pattern => &["a constraint"],
        Rule::step_options | Rule::step_option => &["step options"],
        Rule::option_name => &["an option name"],
        Rule::after_clause => &["`after`"],
        Rule::step_body | Rule::for_each | Rule::script => &["an action call"],
        Rule::rhai_block | Rule::rhai_code => &["a script body in braces"],
        Rule::field_suffix => &["`.`"],
        Rule::call_suffix => &["`(`"],
        Rule::not_op => &["`not`"],
        Rule::or_op
        | Rule::and_op
        | Rule::eq_op
        | Rule::ne_op
        | Rule::le_op
        | Rule::ge_op
        | Rule::lt_op
        | Rule::gt_op
        | Rule::in_op
        | Rule::concat_op => &["an operator"],
        Rule::range_op => &["`..=`", "`..`"],
        Rule::interpolation => &["`${`"],
        Rule::escape => &["an escape"],
        Rule::EOI => &["the end of the file"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Playbooks with docs, schedules, strings with interpolations, a script and comments.
    const PLAYBOOKS: [&str; 2] =
        [include_str!("../../../examples/nightly_shutdown.esc"), include_str!("../../../examples/cost_report.esc")];

    fn outcome(result: Result<Pair<'_, Rule>, ParseError>) -> String {
        match result {
            Ok(pair) => format!("{:?} {:?}", pair.as_rule(), pair.as_str()),
            Err(error) => format!("{error:?}"),
        }
    }

    /// The window is only ever an optimisation: at every line of every variant (each playbook whole, with one
    /// of every other line dropped, and cut after every sixth line), a member parses on its window exactly as on
    /// the rest of the file.
    #[test]
    fn a_member_parses_on_its_window_as_on_the_whole_rest_of_the_file() {
        let mut checked = 0;
        for playbook in PLAYBOOKS {
            let lines: Vec<&str> = playbook.split_inclusive('\n').collect();
            let mut variants = vec![playbook.to_string()];
            for drop in (0..lines.len()).step_by(2) {
                variants.push(lines.iter().enumerate().filter(|&(i, _)| i != drop).map(|(_, l)| *l).collect());
                if drop % 6 == 0 {
                    variants.push(lines[..=drop].concat());
                }
            }
            for src in &variants {
                let starts = std::iter::once(0).chain(src.match_indices('\n').map(|(i, _)| i + 1));
                for pos in starts.filter(|&pos| pos < src.len()) {
                    let pos = skip_trivia(src, pos);
                    for rule in [Rule::member_checked, Rule::member] {
                        let windowed = outcome(parse_member_at(src, pos, rule));
                        assert_eq!(windowed, outcome(parse_at(src, pos, rule)), "{rule:?} at {pos} of:\n{src}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 5_000, "{checked} parses compared");
    }

    #[test]
    fn a_window_ends_after_the_next_members_keyword_past_its_docs_and_brackets() {
        let src =
            "playbook p {\n  /// A.\n  let a = f({\n    step: 1,\n  })\n\n  /// B.\n  step b = g(\"${a}\n\")\n}\n";
        let a = src.find("  /// A.").expect("a");
        let b_keyword = src.find("step b").expect("b");
        assert_eq!(member_window_end(src, a), b_keyword + "step ".len());
        // A string running over a line end is beyond the simple reading: the whole rest.
        let b = src.find("  /// B.").expect("b docs");
        assert_eq!(member_window_end(src, b), src.len());
    }
}
