//! The Lark export (`escher grammar --format lark`) against pest's own grammar, run by llguidance with a
//! one-byte-per-token vocabulary, the way a model's sampler would be constrained:
//!
//! - every example and fixture: llguidance accepts exactly the files pest accepts;
//! - seeded random walks over the grammar's token masks: every string llguidance lets through to the end
//!   must parse with pest; the over-acceptance rate is printed and bounded (see `MAX_OVER_ACCEPTANCE`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use escher_compiler::grammar_export::{GrammarFormat, export, grammar_accepts};
use llguidance::api::TopLevelGrammar;
use llguidance::toktrie::{ApproximateTokEnv, TokEnv};
use llguidance::{Matcher, ParserFactory};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn factory() -> (Arc<ParserFactory>, TokEnv) {
    let env = ApproximateTokEnv::single_byte_env();
    let factory = ParserFactory::new_simple(&env).expect("a parser factory");
    (Arc::new(factory), env)
}

fn matcher(factory: &ParserFactory, lark: &str) -> Matcher {
    let grammar = TopLevelGrammar::from_lark(lark.to_string());
    Matcher::new(factory.create_parser(grammar))
}

/// Whether llguidance, constrained by the Lark export, accepts the whole of `text`; if not, the text up to the
/// first byte it refused (or all of it, when it wants more).
fn lark_verdict(factory: &ParserFactory, lark: &str, text: &str) -> Result<(), String> {
    let mut matcher = matcher(factory, lark);
    assert!(!matcher.is_error(), "the Lark export does not load: {:?}", matcher.get_error());
    for (offset, byte) in text.bytes().enumerate() {
        if matcher.consume_token(u32::from(byte)).is_err() {
            let start = text[..offset].char_indices().rev().nth(60).map_or(0, |(at, _)| at);
            return Err(format!("refused at byte {offset}: …{}⟨here⟩", &text[start..offset]));
        }
    }
    if matcher.is_accepting().unwrap_or(false) { Ok(()) } else { Err("wants more at the end".to_string()) }
}

fn playbooks() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for folder in ["examples", "examples/lib", "tests/fixtures/ok", "tests/fixtures/err", "tests/fixtures/lint"] {
        let entries = std::fs::read_dir(root.join(folder)).unwrap_or_else(|e| panic!("cannot read {folder}: {e}"));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|extension| extension == "esc") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_lark_export_accepts_exactly_the_files_pest_accepts() {
    let lark = export(GrammarFormat::Lark).expect("the grammar exports");
    let (factory, _) = factory();
    let mut disagreements = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    for path in playbooks() {
        let text = std::fs::read_to_string(&path).expect("a UTF-8 playbook");
        let by_pest = grammar_accepts(&text);
        if by_pest {
            accepted += 1
        } else {
            rejected += 1
        }
        let verdict = lark_verdict(&factory, &lark, &text);
        if verdict.is_ok() != by_pest {
            let pest = if by_pest { "accepts" } else { "rejects" };
            disagreements.push(format!("{} (pest {pest}; llguidance: {verdict:?})", path.display()));
        }
    }
    println!("{accepted} files pest accepts, {rejected} it rejects");
    assert!(accepted >= 20 && rejected >= 3, "too few files to compare: {accepted} accepted, {rejected} rejected");
    assert!(disagreements.is_empty(), "llguidance and pest disagree on:\n{}", disagreements.join("\n"));
}

/// One walk: at each step a random byte among those the mask allows (printable ASCII and newlines are
/// preferred, closing brackets and quotes more so as the text grows), stopping at random once the grammar
/// accepts. `None` when the walk reached `limit` bytes without being able to stop.
fn walk(matcher: &mut Matcher, random: &mut StdRng, limit: usize) -> Option<Vec<u8>> {
    let mut text = Vec::new();
    loop {
        let accepting = matcher.is_accepting().unwrap_or(false);
        if accepting && (text.len() >= limit || random.random_bool(0.2)) {
            return Some(text);
        }
        if text.len() >= limit * 2 {
            return None;
        }
        let mask = matcher.compute_mask().expect("a mask");
        let mut allowed: Vec<u8> = Vec::new();
        mask.iter_set_entries(|token| {
            if let Ok(byte) = u8::try_from(token) {
                allowed.push(byte);
            }
        });
        if allowed.is_empty() {
            return accepting.then_some(text);
        }
        let byte = pick(&allowed, random, text.len() >= limit / 2);
        matcher.consume_token(u32::from(byte)).expect("an allowed byte is consumed");
        text.push(byte);
    }
}

fn pick(allowed: &[u8], random: &mut StdRng, closing: bool) -> u8 {
    let closers: Vec<u8> = allowed.iter().copied().filter(|b| b"}])\"'`\n".contains(b)).collect();
    if closing && !closers.is_empty() && random.random_bool(0.7) {
        return closers[random.random_range(0..closers.len())];
    }
    let plain: Vec<u8> =
        allowed.iter().copied().filter(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\n').collect();
    let from = if !plain.is_empty() && random.random_bool(0.97) { &plain } else { allowed };
    from[random.random_range(0..from.len())]
}

/// The share of finished walks pest may reject; measured at 2.1% (4 of 192) with the seed below.
const MAX_OVER_ACCEPTANCE: f64 = 0.05;

#[test]
fn random_walks_over_the_lark_export_parse_with_pest() {
    let lark = export(GrammarFormat::Lark).expect("the grammar exports");
    let (factory, _) = factory();
    let walks: usize = std::env::var("ESCHER_GRAMMAR_WALKS").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    let mut random = StdRng::seed_from_u64(0x5eed);
    let (mut finished, mut unfinished, mut over_accepted) = (0, 0, Vec::new());
    for _ in 0..walks {
        let mut matcher = matcher(&factory, &lark);
        match walk(&mut matcher, &mut random, 160) {
            None => unfinished += 1,
            Some(bytes) => {
                finished += 1;
                let text = String::from_utf8(bytes).expect("llguidance allows only UTF-8");
                if !grammar_accepts(&text) {
                    over_accepted.push(text);
                }
            }
        }
    }
    let rate = over_accepted.len() as f64 / finished.max(1) as f64;
    println!(
        "{walks} walks: {finished} finished, {unfinished} ran past the limit; pest rejects {} of the finished \
         ({:.1}% over-acceptance)",
        over_accepted.len(),
        rate * 100.0
    );
    assert!(finished * 2 >= walks, "too few walks finished to measure: {finished} of {walks}");
    // What remains is one class: a word operator or a number directly followed by a name (`6or_x`, `andGm`),
    // which pest refuses by `!ident_char` after the operator and the lexer cannot see past the token's end.
    assert!(
        rate <= MAX_OVER_ACCEPTANCE,
        "pest rejects {:.1}% of what the Lark export let through (at most {:.1}% expected):\n{}",
        rate * 100.0,
        MAX_OVER_ACCEPTANCE * 100.0,
        over_accepted.join("\n----\n")
    );
}
