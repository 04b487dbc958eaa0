//! The formatter on arbitrary text: it never panics; what it formats, it formats for good (formatting the
//! result changes nothing); and formatting never changes what a playbook means (the plan hash of a playbook that
//! compiles is the same before and after).

#![no_main]

use escher_compiler::format::format_playbook;
use escher_compiler::{CompileOptions, NoImports, compile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(formatted) = format_playbook(&text) else {
        return;
    };
    match format_playbook(&formatted) {
        Ok(again) => assert_eq!(again, formatted, "formatting twice changed the text"),
        Err(errors) => panic!("the formatter's output does not parse: {errors:?}\n{formatted}"),
    }
    let options = CompileOptions::check(&NoImports);
    let before = compile("fuzz.esc", &text, &options);
    let Some(plan) = &before.plan else {
        return;
    };
    let after = compile("fuzz.esc", &formatted, &options);
    let hash = after.plan.as_ref().map(|plan| plan.hash.as_str());
    assert_eq!(hash, Some(plan.hash.as_str()), "formatting changed the plan:\n{formatted}");
});
