//! The AWS wiring of the command line against moto (fails when `ESCHER_TEST_MOTO` is unset): `escher inventory
//! --cloud aws` writes the inventory, `escher plan` shows what a step's query matches in it, `escher run --cloud
//! aws` stops exactly the matching instances (checked with DescribeInstances), and a plan with an Azure step is
//! refused before anything runs. moto is seeded with plain EC2 query requests (moto does not check signatures).
#![cfg(feature = "aws")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::moto::{EC2_REGION as REGION, endpoint as moto, instances_in_state as in_state, launch};

fn escher(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_escher"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("ESCHER_STATE", state)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("escher runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn inventory_plan_and_run_on_aws() {
    let suite = format!("cli{}", std::process::id());
    let dev = launch(2, "dev", &suite);
    let prod = launch(1, "prod", &suite);
    let state = tempfile::tempdir().expect("a state dir");
    let config = format!(r#"{{ "regions": ["{REGION}"], "endpoint_url": "{}" }}"#, moto());
    std::fs::write(state.path().join("aws.json"), config).expect("aws.json");

    let found = escher(state.path(), &["inventory", "--cloud", "aws"]);
    assert_eq!(found.status.code(), Some(0), "{}", text(&found.stderr));
    assert!(text(&found.stdout).contains("aws.ec2.Instance"), "{}", text(&found.stdout));
    assert!(state.path().join("inventory").join("aws.json").exists());

    // The context of moto's inventory names none of its identifiers: ids, account, network, image and addresses.
    let context = escher(state.path(), &["context", "--inventory", "--format", "json"]);
    assert_eq!(context.status.code(), Some(0), "{}", text(&context.stderr));
    let context = text(&context.stdout);
    let inventory: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.path().join("inventory").join("aws.json")).expect("read"))
            .expect("the inventory");
    let identifying = ["id", "account", "vpc_id", "image_id", "private_ip", "public_ip", "name", "group_id"];
    let mut checked = 0;
    for resource in inventory["resources"].as_array().expect("resources") {
        for field in identifying {
            let Some(value) = resource[field].as_str().filter(|value| value.len() >= 4) else { continue };
            assert!(!context.contains(value), "`{value}` ({field}) appears in the context");
            checked += 1;
        }
    }
    assert!(checked > dev.len() + prod.len(), "identifiers were checked: {checked}");
    for id in dev.iter().chain(&prod) {
        assert!(!context.contains(id.as_str()), "{id}");
    }

    let playbook = state.path().join("stop.esc");
    std::fs::write(
        &playbook,
        format!(
            r#"playbook stop_suite {{
  let dev = aws.ec2.instances(regions = ["{REGION}"], tags = {{ env: "dev", suite: "{suite}" }}, state = "running")
  step stop = aws.ec2.stop(dev) {{ max_targets = 5 }}
}}
"#
        ),
    )
    .expect("the playbook");
    let playbook = playbook.display().to_string();
    // `--state` names the state whose inventory counts, whatever ESCHER_STATE says.
    let elsewhere = tempfile::tempdir().expect("another state dir");
    let planned = escher(elsewhere.path(), &["plan", &playbook, "--state", &state.path().display().to_string()]);
    assert_eq!(planned.status.code(), Some(0), "{}", text(&planned.stderr));
    let shown = text(&planned.stdout);
    let line = shown.lines().find(|l| l.trim_start().starts_with("stop ") && l.contains("query")).unwrap_or("");
    assert!(line.contains("2 (query `dev`)"), "{shown}");

    let dry = escher(state.path(), &["run", &playbook, "--cloud", "aws", "--dry-run", "--approve-up-to", "high"]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    assert_eq!(in_state(&suite, "running").len(), 3, "a dry run stopped something");

    let ran = escher(state.path(), &["run", &playbook, "--cloud", "aws", "--approve-up-to", "high"]);
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    assert_eq!(in_state(&suite, "stopped"), dev);
    assert_eq!(in_state(&suite, "running"), prod);

    let mixed = escher(
        state.path(),
        &["run", "examples/nightly_shutdown.esc", "--cloud", "aws", "--param", &format!("regions={REGION}")],
    );
    assert_ne!(mixed.status.code(), Some(0));
    assert!(text(&mixed.stderr).contains("azure"), "{}", text(&mixed.stderr));
}

#[test]
fn a_run_without_aws_credentials_says_so_and_how_to_set_them_before_anything_runs() {
    assert_no_credentials_found(&[("AWS_EC2_METADATA_DISABLED", "true".into())]);
}

/// Off EC2 an instance metadata service may answer, and refuse (a proxy, a container's network): that too is
/// "no credentials found", not an error of the metadata service's.
#[test]
fn a_metadata_service_that_refuses_is_no_credentials_found() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut request);
            let _ = std::io::Write::write_all(&mut stream, b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        }
    });
    assert_no_credentials_found(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)]);
}

/// A run on AWS with no credentials in the environment or the files, and `metadata` for the instance metadata
/// service: refused before anything runs, saying what was tried and how to set credentials.
fn assert_no_credentials_found(metadata: &[(&str, String)]) {
    let state = tempfile::tempdir().expect("a state dir");
    let nowhere = state.path().join("no-such-file");
    let playbook = state.path().join("stop.esc");
    let text_of = "playbook stop {\n  let vms = aws.ec2.instances(state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 5 }\n}\n";
    std::fs::write(&playbook, text_of).expect("the playbook");
    let ran = Command::new(env!("CARGO_BIN_EXE_escher"))
        .args(["run", &playbook.to_string_lossy(), "--cloud", "aws", "--approve-up-to", "high"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("ESCHER_STATE", state.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .envs(metadata.iter().map(|(name, value)| (*name, value.as_str())))
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("escher runs");
    assert_eq!(ran.status.code(), Some(2), "{}", text(&ran.stderr));
    let stderr = text(&ran.stderr);
    assert!(stderr.contains("no AWS credentials found"), "{stderr}");
    assert!(stderr.contains("aws configure") && stderr.contains("IMDS"), "{stderr}");
    assert!(!stderr.contains("service unavailable"), "{stderr}");
}
