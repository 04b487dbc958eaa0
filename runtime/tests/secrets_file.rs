//! Secrets from `secrets.json` in the state directory, which only its owner may read or write.

use std::fs;
use std::path::Path;

use escher_runtime::secrets::{EnvAndFileSecrets, SecretError, SecretStore};

fn write_secrets(state: &Path, text: &str, mode: u32) {
    let path = state.join("secrets.json");
    fs::write(&path, text).expect("written");
    set_mode(&path, mode);
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

#[test]
fn a_secret_is_read_from_the_owner_only_file() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_secrets(state.path(), r#"{"slack-webhook-test-file": "https://hooks.example/T0/B0/x", "other": "y"}"#, 0o600);
    let secret = EnvAndFileSecrets::new(state.path()).get("slack-webhook-test-file").expect("found in the file");
    assert_eq!(secret.expose(), "https://hooks.example/T0/B0/x");
}

#[cfg(unix)]
#[test]
fn a_file_that_group_or_others_can_read_or_write_is_refused() {
    for mode in [0o640, 0o604, 0o620, 0o602, 0o644] {
        let state = tempfile::tempdir().expect("a temporary state directory");
        write_secrets(state.path(), r#"{"api-token-test-file": "s3cr3t"}"#, mode);
        let refused = EnvAndFileSecrets::new(state.path()).get("api-token-test-file");
        assert!(
            matches!(&refused, Err(SecretError::Exposed { mode: m, .. }) if *m == mode),
            "mode {mode:o}: {refused:?}"
        );
        let message = refused.expect_err("refused").to_string();
        assert!(message.contains("chmod 600") && !message.contains("s3cr3t"), "{message}");
    }
}

#[test]
fn a_name_in_neither_place_is_missing_and_says_where_to_put_it() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_secrets(state.path(), r#"{"other": "y"}"#, 0o600);
    let missing = EnvAndFileSecrets::new(state.path()).get("db.password-test-missing");
    match missing {
        Err(SecretError::Missing { name, env_var, file }) => {
            assert_eq!(name, "db.password-test-missing");
            assert_eq!(env_var, "ESCHER_SECRET_DB_PASSWORD_TEST_MISSING");
            assert!(file.ends_with("secrets.json"), "{file}");
        }
        other => panic!("expected Missing, got {other:?}"),
    }
}

#[test]
fn without_a_file_every_unknown_name_is_missing() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let missing = EnvAndFileSecrets::new(state.path()).get("no-such-secret-test");
    assert!(matches!(missing, Err(SecretError::Missing { .. })), "{missing:?}");
}

#[test]
fn a_file_that_is_not_an_object_of_strings_is_unreadable_without_echoing_it() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_secrets(state.path(), r#"{"token-test-bad": "hunter2", "port-test-bad": 5432"#, 0o600);
    let broken = EnvAndFileSecrets::new(state.path()).get("token-test-bad");
    assert!(matches!(&broken, Err(SecretError::Unreadable { .. })), "{broken:?}");
    assert!(!broken.expect_err("unreadable").to_string().contains("hunter2"));

    write_secrets(state.path(), r#"{"port-test-bad": 5432}"#, 0o600);
    let not_a_string = EnvAndFileSecrets::new(state.path()).get("port-test-bad");
    assert!(matches!(not_a_string, Err(SecretError::Unreadable { reason, .. }) if reason.contains("not a string")));
}

#[test]
fn a_secret_never_prints_its_value() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_secrets(state.path(), r#"{"printed-test": "s3cr3t"}"#, 0o600);
    let secret = EnvAndFileSecrets::new(state.path()).get("printed-test").expect("found");
    assert!(!format!("{secret} {secret:?}").contains("s3cr3t"));
}
