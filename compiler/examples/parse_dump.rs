fn main() {
    let path = std::env::args().nth(1).expect("file");
    let text = std::fs::read_to_string(&path).expect("read");
    let parsed = escher_compiler::syntax::parse_playbook(&text);
    let mut sources = escher_compiler::SourceMap::new();
    let file = sources.add(path, text);
    for e in parsed.errors {
        let d = escher_compiler::diagnostics::Diagnostic::new(file, e);
        print!("{}", escher_compiler::diagnostics::render_human(&d, &sources, false));
    }
    println!("{:#?}", parsed.tree.map(|t| t.playbook.members.len()));
}
