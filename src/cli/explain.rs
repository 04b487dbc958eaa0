//! `escher explain CODE`

use escher_governance::explain_code;

use super::{EXIT_OK, EXIT_USAGE};

pub fn run(code: &str) -> u8 {
    match explain_code(code) {
        Some(info) => {
            outln!("{}: {}\n\n{}", info.code, info.title, info.explanation.trim());
            EXIT_OK
        }
        None => {
            eprintln!("error: there is no diagnostic code \"{code}\"; codes look like E0201, W0701 or P0101");
            EXIT_USAGE
        }
    }
}
