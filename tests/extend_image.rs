//! `escher extend image build|push` (issue 17, item 2): the engine's image, built by Escher from its own test
//! binary with no container daemon, is reproducible, pushes to a real registry (Debian's docker-registry with
//! the credentials moto's ECR hands out, `ESCHER_TEST_REGISTRY`), and runs under podman (on runc,
//! `CONTAINERS_CONF` from scripts/emulators.sh). The test fails when the registry or podman is not there.

mod support;

use std::path::Path;
use std::process::Command;

use support::cli::escher;
use support::podman::{ECR_PASSWORD as PASSWORD, ECR_USER as USER, podman, registry};

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("the command starts");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn build(out: &Path) -> String {
    let (ok, stdout, stderr) = run(escher().args(["extend", "image", "build", "--tag", "test", "--out"]).arg(out));
    assert!(ok, "{stdout}{stderr}");
    let digest = stdout.lines().next().and_then(|line| line.split_whitespace().nth(1)).expect("the digest line");
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{stdout}");
    digest.to_string()
}

fn push(layout: &Path, to: &str, password: &str) -> (bool, String, String) {
    run(escher()
        .args(["extend", "image", "push"])
        .arg(layout)
        .args(["--to", to, "--plain-http", "--user", USER, "--password-env", "REGISTRY_PASSWORD"])
        .env("REGISTRY_PASSWORD", password))
}

#[test]
fn the_image_is_reproducible_pushes_once_and_runs_the_engine() {
    let registry = registry();
    let dir = tempfile::tempdir().expect("a directory");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));

    let digest = build(&first);
    assert_eq!(build(&second), digest, "the same binary gives the same digest");
    for file in ["index.json", "oci-layout"] {
        assert_eq!(std::fs::read(first.join(file)).ok(), std::fs::read(second.join(file)).ok(), "{file}");
    }

    let to = format!("{registry}/escher-test-{}:test", std::process::id());
    let (ok, stdout, stderr) = push(&first, &to, "not-the-password");
    assert!(!ok, "a wrong password is refused: {stdout}");
    assert!(stderr.contains(&format!("the registry at {registry} refused")), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "the password is never printed: {stderr}");

    let (ok, stdout, stderr) = push(&first, &to, PASSWORD);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.starts_with("pushed ") && stdout.contains(&digest), "{stdout}");
    let (ok, stdout, stderr) = push(&second, &to, PASSWORD);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.starts_with("already there, nothing sent:"), "{stdout}");

    // Pulled back by digest from the registry and run: the engine answers from inside the scratch image.
    let reference = format!("{}@{digest}", to.rsplit_once(':').map_or(to.as_str(), |(name, _)| name));
    let storage = tempfile::tempdir().expect("podman's storage");
    let credentials = format!("{USER}:{PASSWORD}");
    let (ok, stdout, stderr) =
        run(podman(storage.path()).args(["pull", "--tls-verify=false", "--creds", &credentials, &reference]));
    assert!(ok, "podman pull: {stdout}{stderr}");
    let (ok, stdout, stderr) =
        run(podman(storage.path()).args(["run", "--rm", "--network", "host", &reference, "--version"]));
    assert!(ok, "podman run: {stdout}{stderr}");
    assert!(stdout.starts_with(&format!("escher {}", env!("CARGO_PKG_VERSION"))), "{stdout}{stderr}");

    // The engine runs as `nobody` and can compile a playbook with nothing but what the image holds.
    let (ok, stdout, stderr) = run(podman(storage.path()).args([
        "run",
        "--rm",
        "--entrypoint",
        "/escher",
        &reference,
        "grammar",
        "--format",
        "json-schema",
    ]));
    assert!(ok && stdout.contains("\"$schema\""), "{stdout}{stderr}");
    let (_, stdout, _) = run(podman(storage.path()).args(["image", "inspect", "--format", "{{.User}}", &reference]));
    assert_eq!(stdout.trim(), "65534:65534");
}

#[test]
fn a_binary_that_is_not_linux_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("a directory");
    let fake = dir.path().join("escher.exe");
    std::fs::write(&fake, b"MZ not an ELF file at all").expect("written");
    let (ok, _, stderr) = run(escher()
        .args(["extend", "image", "build", "--binary"])
        .arg(&fake)
        .arg("--out")
        .arg(dir.path().join("out")));
    assert!(!ok);
    assert!(stderr.contains("escher.exe is not a Linux ELF executable"), "{stderr}");
    assert!(!dir.path().join("out").exists(), "nothing is written for a refused binary");
}
