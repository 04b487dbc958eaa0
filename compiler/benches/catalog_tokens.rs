//! How many tokens the stdlib costs in a prompt (`escher catalog`), whole and narrowed, counted with OpenAI's
//! published encodings (o200k_base: GPT-4o and later; cl100k_base: GPT-4 and GPT-3.5). Prints a table;
//! `cargo bench -p escher-compiler --bench catalog_tokens --profile dev`. The figures are in docs/ai.md.

use escher_compiler::stdlib::{Cloud, Selection, brief, catalog};

fn main() {
    let o200k = tiktoken_rs::o200k_base().expect("the o200k_base encoding");
    let cl100k = tiktoken_rs::cl100k_base().expect("the cl100k_base encoding");
    let selections: [(&str, Selection); 6] = [
        ("everything", Selection::default()),
        ("--clouds aws", Selection { clouds: vec![Cloud::Aws], only: Vec::new() }),
        ("--clouds azure", Selection { clouds: vec![Cloud::Azure], only: Vec::new() }),
        ("--clouds gcp", Selection { clouds: vec![Cloud::Gcp], only: Vec::new() }),
        ("--only compute.", Selection { clouds: Vec::new(), only: vec!["compute.".into()] }),
        ("--clouds aws --only ec2", Selection { clouds: vec![Cloud::Aws], only: vec!["ec2".into()] }),
    ];
    println!("{:<26} {:>8} {:>8} {:>12} {:>12}", "selection", "bytes", "lines", "o200k_base", "cl100k_base");
    for (name, selection) in selections {
        let brief = brief(catalog(), &selection);
        let prompt = brief.to_prompt();
        let json = serde_json::to_string(&brief).expect("the brief is JSON");
        for (format, text) in [("prompt", &prompt), ("json", &json)] {
            println!(
                "{:<26} {:>8} {:>8} {:>12} {:>12}",
                format!("{name} ({format})"),
                text.len(),
                text.lines().count(),
                o200k.encode_ordinary(text).len(),
                cl100k.encode_ordinary(text).len()
            );
        }
    }
}
