//! Secrets from the environment come first. Setting variables in this process needs `unsafe` (forbidden in
//! the workspace), so the test runs itself again as a child process with the variables set.

use std::fs;
use std::process::Command;

use escher_runtime::secrets::{EnvAndFileSecrets, SecretStore};

const CHILD: &str = "ESCHER_TEST_SECRETS_ENV_CHILD";
const TEST_NAME: &str = "the_environment_is_read_before_the_secrets_file";

#[test]
fn the_environment_is_read_before_the_secrets_file() {
    if std::env::var_os(CHILD).is_some() {
        checks_with_the_variables_set();
        return;
    }
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([TEST_NAME, "--exact", "--test-threads=1"])
        .env(CHILD, "1")
        .env("ESCHER_SECRET_DB_PASSWORD_TEST_ENV", "from-env")
        .env("ESCHER_SECRET_EMPTY_TEST_ENV", "")
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("1 passed"), "the child ran the checks: {stdout}");
}

fn checks_with_the_variables_set() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let path = state.path().join("secrets.json");
    fs::write(&path, r#"{"db-password-test-env": "from-file", "api-token-test-env": "token-from-file"}"#)
        .expect("written");
    owner_only(&path);
    let secrets = EnvAndFileSecrets::new(state.path());
    assert_eq!(secrets.get("db-password-test-env").expect("from the environment").expose(), "from-env");
    assert_eq!(secrets.get("DB_PASSWORD.test.env").expect("the same variable").expose(), "from-env");
    assert_eq!(secrets.get("api-token-test-env").expect("from the file").expose(), "token-from-file");
    assert_eq!(secrets.get("empty-test-env").expect("set, though empty").expose(), "");

    let no_file = tempfile::tempdir().expect("a temporary state directory");
    let from_env_only = EnvAndFileSecrets::new(no_file.path()).get("db-password-test-env");
    assert_eq!(from_env_only.expect("no file needed").expose(), "from-env");
}

#[cfg(unix)]
fn owner_only(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("chmod");
}

#[cfg(not(unix))]
fn owner_only(_path: &std::path::Path) {}
