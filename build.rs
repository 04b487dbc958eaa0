//! Records the commit the binary is built from for `escher --version` (`unknown` outside a git checkout).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok().filter(|output| output.status.success())?;
    Some(String::from_utf8_lossy(&output.stdout).trim().to_string()).filter(|text| !text.is_empty())
}

fn main() {
    if let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) {
        println!("cargo:rustc-env=ESCHER_COMMIT={commit}");
    }
    // Built again when the checkout moves to another commit (a worktree's git directory is elsewhere).
    match git(&["rev-parse", "--git-dir"]) {
        Some(dir) => {
            println!("cargo:rerun-if-changed={dir}/HEAD");
            println!("cargo:rerun-if-changed={dir}/refs/heads");
        }
        None => println!("cargo:rerun-if-changed=build.rs"),
    }
}
