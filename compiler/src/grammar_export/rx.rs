//! Regular expressions over characters with intersection and complement: the algebra of llguidance's Lark
//! terminals (`&`, `~`), into which each lexical pest rule is translated with its lookaheads.

/// A set of characters as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct CharClass {
    ranges: Vec<(char, char)>,
}

impl CharClass {
    pub(super) fn any() -> Self {
        Self { ranges: vec![('\0', char::MAX)] }
    }

    pub(super) fn range(low: char, high: char) -> Self {
        Self::from_ranges(vec![(low, high)])
    }

    pub(super) fn one(c: char) -> Self {
        Self::range(c, c)
    }

    fn from_ranges(mut ranges: Vec<(char, char)>) -> Self {
        ranges.retain(|(low, high)| low <= high);
        ranges.sort();
        let mut merged: Vec<(char, char)> = Vec::with_capacity(ranges.len());
        for (low, high) in ranges {
            match merged.last_mut() {
                Some(last) if next_char(last.1).is_none_or(|after| low <= after) => last.1 = last.1.max(high),
                _ => merged.push((low, high)),
            }
        }
        Self { ranges: merged }
    }

    pub(super) fn ranges(&self) -> &[(char, char)] {
        &self.ranges
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub(super) fn is_any(&self) -> bool {
        self.ranges == [('\0', char::MAX)]
    }

    pub(super) fn union(&self, other: &Self) -> Self {
        Self::from_ranges(self.ranges.iter().chain(&other.ranges).copied().collect())
    }

    pub(super) fn complement(&self) -> Self {
        let mut ranges = Vec::new();
        let mut start = Some('\0');
        for &(low, high) in &self.ranges {
            if let Some(from) = start
                && from < low
                && let Some(to) = previous_char(low)
            {
                ranges.push((from, to));
            }
            start = next_char(high);
        }
        if let Some(from) = start {
            ranges.push((from, char::MAX));
        }
        Self { ranges }
    }

    pub(super) fn minus(&self, other: &Self) -> Self {
        self.intersect(&other.complement())
    }

    pub(super) fn intersect(&self, other: &Self) -> Self {
        let mut ranges = Vec::new();
        for &(a_low, a_high) in &self.ranges {
            for &(b_low, b_high) in &other.ranges {
                ranges.push((a_low.max(b_low), a_high.min(b_high)));
            }
        }
        Self::from_ranges(ranges)
    }

    pub(super) fn is_disjoint(&self, other: &Self) -> bool {
        self.intersect(other).is_empty()
    }
}

fn next_char(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        char::MAX => None,
        _ => char::from_u32(c as u32 + 1),
    }
}

fn previous_char(c: char) -> Option<char> {
    match c {
        '\u{E000}' => Some('\u{D7FF}'),
        '\0' => None,
        _ => char::from_u32(c as u32 - 1),
    }
}

/// A regular expression. `And` and `Not` are llguidance's `&` and `~`; GBNF has neither, so its printer keeps
/// only the positive part of an `And` (a superset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rx {
    /// The empty string.
    Empty,
    Lit(String),
    Class(CharClass),
    Seq(Vec<Rx>),
    Alt(Vec<Rx>),
    Star(Box<Rx>),
    Plus(Box<Rx>),
    Opt(Box<Rx>),
    And(Vec<Rx>),
    Not(Box<Rx>),
}

impl Rx {
    pub(super) fn any_string() -> Rx {
        Rx::Star(Box::new(Rx::Class(CharClass::any())))
    }

    pub(super) fn seq(first: Rx, rest: Rx) -> Rx {
        match (first, rest) {
            (Rx::Empty, rest) => rest,
            (first, Rx::Empty) => first,
            (Rx::Lit(a), Rx::Lit(b)) => Rx::Lit(a + b.as_str()),
            (Rx::Lit(a), Rx::Seq(mut items)) if matches!(items.first(), Some(Rx::Lit(_))) => {
                if let Some(Rx::Lit(b)) = items.first_mut() {
                    b.insert_str(0, &a);
                }
                Rx::Seq(items)
            }
            (Rx::Seq(mut items), Rx::Seq(more)) => {
                items.extend(more);
                Rx::Seq(items)
            }
            (Rx::Seq(mut items), rest) => {
                items.push(rest);
                Rx::Seq(items)
            }
            (first, Rx::Seq(mut items)) => {
                items.insert(0, first);
                Rx::Seq(items)
            }
            (first, rest) => Rx::Seq(vec![first, rest]),
        }
    }

    pub(super) fn alt(a: Rx, b: Rx) -> Rx {
        match (a, b) {
            (a, b) if a == b => a,
            (Rx::Class(a), Rx::Class(b)) => Rx::Class(a.union(&b)),
            (Rx::Alt(mut items), Rx::Alt(more)) => {
                items.extend(more);
                Rx::Alt(items)
            }
            (Rx::Alt(mut items), b) => {
                items.push(b);
                Rx::Alt(items)
            }
            (a, b) => Rx::Alt(vec![a, b]),
        }
    }

    /// `self` minus every string that `excluded` contains. Left out where the two cannot share a string.
    pub(super) fn and_not(self, excluded: Rx) -> Rx {
        let excluded = match excluded {
            Rx::Alt(items) => {
                let mut kept: Vec<Rx> = items.into_iter().filter(|item| !self.disjoint_from(item)).collect();
                match kept.len() {
                    0 => return self,
                    1 => kept.remove(0),
                    _ => Rx::Alt(kept),
                }
            }
            other => other,
        };
        if self.disjoint_from(&excluded) {
            return self;
        }
        if let (Rx::Class(class), Some(excluded)) = (&self, excluded.single_char_prefix()) {
            // One character that must not start `excluded`: a smaller class, when `excluded` is one character
            // followed by anything.
            return Rx::Class(class.minus(&excluded));
        }
        match self {
            Rx::And(mut items) => {
                items.push(Rx::Not(Box::new(excluded)));
                Rx::And(items)
            }
            this => Rx::And(vec![this, Rx::Not(Box::new(excluded))]),
        }
    }

    pub(super) fn and(self, required: Rx) -> Rx {
        match self {
            Rx::And(mut items) => {
                items.push(required);
                Rx::And(items)
            }
            this => Rx::And(vec![this, required]),
        }
    }

    /// Whether the empty string matches.
    pub(super) fn nullable(&self) -> bool {
        match self {
            Rx::Empty | Rx::Star(_) | Rx::Opt(_) => true,
            Rx::Lit(text) => text.is_empty(),
            Rx::Class(_) => false,
            Rx::Seq(items) | Rx::And(items) => items.iter().all(Rx::nullable),
            Rx::Alt(items) => items.iter().any(Rx::nullable),
            Rx::Plus(inner) => inner.nullable(),
            Rx::Not(inner) => !inner.nullable(),
        }
    }

    /// The characters a match may start with (a superset).
    pub(super) fn first_chars(&self) -> CharClass {
        match self {
            Rx::Empty => CharClass::default(),
            Rx::Lit(text) => text.chars().next().map(CharClass::one).unwrap_or_default(),
            Rx::Class(class) => class.clone(),
            Rx::Seq(items) => {
                let mut first = CharClass::default();
                for item in items {
                    first = first.union(&item.first_chars());
                    if !item.nullable() {
                        break;
                    }
                }
                first
            }
            Rx::Alt(items) => items.iter().fold(CharClass::default(), |all, item| all.union(&item.first_chars())),
            Rx::Star(inner) | Rx::Plus(inner) | Rx::Opt(inner) => inner.first_chars(),
            Rx::And(items) => items
                .iter()
                .filter(|item| !matches!(item, Rx::Not(_)))
                .fold(CharClass::any(), |all, item| all.intersect(&item.first_chars())),
            Rx::Not(_) => CharClass::any(),
        }
    }

    /// Whether no string is in both (a safe "no": `false` where it cannot tell).
    fn disjoint_from(&self, other: &Rx) -> bool {
        !other.nullable()
            && (*self == Rx::Empty
                || self.first_chars().is_disjoint(&other.first_chars())
                || diverge(&self.literal_prefix(), &other.literal_prefix()))
    }

    /// The text every match starts with.
    fn literal_prefix(&self) -> String {
        match self {
            Rx::Lit(text) => text.clone(),
            Rx::Seq(items) => {
                let mut prefix = String::new();
                for item in items {
                    match item {
                        Rx::Lit(text) => prefix.push_str(text),
                        other => {
                            prefix.push_str(&other.literal_prefix());
                            break;
                        }
                    }
                }
                prefix
            }
            Rx::And(items) => items.first().map(Rx::literal_prefix).unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// For `C .*` (a class followed by anything): `C`.
    fn single_char_prefix(&self) -> Option<CharClass> {
        match self {
            Rx::Seq(items) => match items.as_slice() {
                [Rx::Class(class), rest] if *rest == Rx::any_string() => Some(class.clone()),
                [Rx::Lit(text), rest] if *rest == Rx::any_string() && text.chars().count() == 1 => {
                    text.chars().next().map(CharClass::one)
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// Whether two prefixes differ at some position, so no string starts with both.
fn diverge(a: &str, b: &str) -> bool {
    a.chars().zip(b.chars()).any(|(x, y)| x != y)
}
