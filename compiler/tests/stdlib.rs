//! The embedded stdlib: it loads cleanly and declares what playbooks are written against.

use escher_compiler::stdlib::{embedded_files, load};

#[test]
fn the_embedded_stdlib_loads_without_errors() {
    let (_, errors) = load(embedded_files());
    let listed: Vec<String> = errors
        .iter()
        .map(|(file, e)| format!("{file}: {e} ({:?})", e))
        .collect();
    assert!(listed.is_empty(), "{}", listed.join("\n"));
}
