//! The container tools of the Extended Laptop tests: the registry scripts/emulators.sh starts
//! (`ESCHER_TEST_REGISTRY`, signing in with moto's ECR credentials) and podman with storage of a test's own.

use std::path::Path;
use std::process::Command;

/// The user and password moto's ECR `GetAuthorizationToken` decodes to, which the registry takes.
pub const ECR_USER: &str = "AWS";
pub const ECR_PASSWORD: &str = "123456789012-auth-token";

/// The registry's `HOST:PORT` (plain HTTP); the test fails when it is not set.
pub fn registry() -> String {
    std::env::var("ESCHER_TEST_REGISTRY").ok().filter(|value| !value.is_empty()).unwrap_or_else(|| {
        panic!("ESCHER_TEST_REGISTRY is not set: start the emulators (scripts/emulators.sh start && . target/emulators.env)")
    })
}

/// podman with its own storage under `storage`, so tests never share images and nothing is left behind.
pub fn podman(storage: &Path) -> Command {
    let mut command = Command::new("podman");
    command.arg("--root").arg(storage.join("root")).arg("--runroot").arg(storage.join("runroot")).args([
        "--storage-driver",
        "vfs",
        "--cgroup-manager",
        "cgroupfs",
        "--events-backend",
        "none",
    ]);
    command
}
