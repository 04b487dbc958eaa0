//! `escher ask`'s settings, without a model: where the endpoint comes from (`escher.toml`'s `[ai]`, below the
//! flags and the environment) and what a bad setting or an unreachable server says. The model itself is in
//! tests/ask_model.rs.

mod support;

use support::cli::escher;

fn ask_in(dir: &std::path::Path, config: &str, extra: &[&str]) -> (Option<i32>, String) {
    std::fs::write(dir.join("escher.toml"), config).expect("a config file");
    let output = escher()
        .current_dir(dir)
        .args(["ask", "stop the dev VMs", "--grammar", "none", "--plan-only", "--state"])
        .arg(dir.join("state"))
        .args(extra)
        .env_remove("ESCHER_AI_BASE_URL")
        .env_remove("ESCHER_AI_MODEL")
        .output()
        .expect("escher ask runs");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_endpoint_comes_from_escher_toml_below_the_flags() {
    let dir = tempfile::tempdir().expect("a directory");
    // Port 9 (discard) on loopback: nothing listens, so the request is refused at once and retried.
    let (code, stderr) =
        ask_in(dir.path(), "[ai]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"from-config\"\n", &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("asking from-config (http://127.0.0.1:9/v1"), "{stderr}");
    assert!(stderr.contains("cannot reach the model server at http://127.0.0.1:9/v1/chat/completions"), "{stderr}");

    let (_, stderr) = ask_in(
        dir.path(),
        "[ai]\nmodel = \"from-config\"\n",
        &["--model", "from-flag", "--base-url", "http://127.0.0.1:9/v1"],
    );
    assert!(stderr.contains("asking from-flag"), "{stderr}");
}

#[test]
fn an_unknown_setting_is_named() {
    let dir = tempfile::tempdir().expect("a directory");
    let (code, stderr) = ask_in(dir.path(), "[ai]\nmodle = \"x\"\n", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("escher.toml") && stderr.contains("modle"), "{stderr}");
}
