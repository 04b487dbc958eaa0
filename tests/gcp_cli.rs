//! The GCP wiring of the command line, against the replay of Google's APIs on 127.0.0.1 (`escher-gcp-replay`,
//! which checks every request against Google's Discovery documents) and, for the AWS half of a cross-cloud run,
//! moto (fails when `ESCHER_TEST_MOTO` is unset). Escher reaches the replay through `gcp.json`'s `endpoints` and
//! signs in with the test service account key through `GOOGLE_APPLICATION_CREDENTIALS`.
#![cfg(feature = "gcp")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use escher_gcp_replay::{Api, Estate, Fault, Replay};
use serde_json::{Value as Json, json};
use support::moto::{EC2_REGION as REGION, endpoint as moto, instances_in_state as in_state, launch};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
}

/// `gcp.json` for `projects` on the replay.
fn configure(state: &Path, replay: &Replay, projects: &[&str]) {
    let endpoints = replay.endpoints();
    let config = json!({
        "projects": projects.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        "endpoints": {
            "compute": endpoints.compute, "sqladmin": endpoints.sqladmin, "cloudfunctions": endpoints.cloudfunctions,
            "storage": endpoints.storage, "bigquery": endpoints.bigquery, "oauth_token": endpoints.oauth_token,
        },
        "poll_interval_ms": 0,
    });
    std::fs::write(state.join("gcp.json"), config.to_string()).expect("gcp.json");
}

/// `escher` signed in to GCP with the test service account and nothing else of the host's Google settings.
fn escher(state: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let key = format!("{}/providers/gcp/tests/fixtures/credentials/service-account.json", env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_escher"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("ESCHER_STATE", state)
        .env("GOOGLE_APPLICATION_CREDENTIALS", key)
        .env("CLOUDSDK_CONFIG", state.join("no-gcloud"))
        .env("GCE_METADATA_HOST", "127.0.0.1:9");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("escher runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn inventory_lists_two_projects_and_a_failed_listing_leaves_the_file_as_it_was() {
    let rt = runtime();
    let replay = rt.block_on(Replay::start(Estate::two_projects()));
    let state = tempfile::tempdir().expect("a state dir");
    configure(state.path(), &replay, &["acme-dev", "acme-prod"]);
    let found = escher(state.path(), &["inventory", "--cloud", "gcp"], &[]);
    assert_eq!(found.status.code(), Some(0), "{}", text(&found.stderr));
    assert!(text(&found.stdout).contains("in 2 project(s)"), "{}", text(&found.stdout));
    let path = state.path().join("inventory/gcp.json");
    let saved = std::fs::read(&path).expect("written");
    let written: Json = serde_json::from_slice(&saved).expect("JSON");
    assert_eq!(written["projects"], json!(["acme-dev", "acme-prod"]));
    let kinds: std::collections::BTreeSet<&str> =
        written["resources"].as_array().into_iter().flatten().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(kinds.len(), 7, "every kind: {kinds:?}");
    replay.assert_clean();

    // `escher plan` counts from it: a GCP query and an agnostic one, as each would list today.
    let playbook = state.path().join("stop.esc");
    std::fs::write(
        &playbook,
        "playbook stop_dev {\n\
         \x20 let gce = gcp.compute.instances(labels = { env: \"dev\" }, status = \"running\")\n\
         \x20 let any = compute.instances(tags = { env: \"dev\" }, state = \"stopped\")\n\
         \x20 step stop = gcp.compute.stop(gce) { max_targets = 10 }\n\
         \x20 step start = compute.start(any) { max_targets = 10 }\n\
         }\n",
    )
    .expect("the playbook");
    let planned = escher(state.path(), &["plan", &playbook.display().to_string()], &[]);
    let shown = text(&planned.stdout);
    assert_eq!(planned.status.code(), Some(0), "{shown}{}", text(&planned.stderr));
    assert!(
        shown.contains(&format!(
            "inventory gcp ({} resources, discovered",
            written["resources"].as_array().map_or(0, Vec::len)
        )),
        "{shown}"
    );
    assert!(shown.contains("4 (query `gce`)"), "web-1, web-2, api-1 and acme-prod's tools-1: {shown}");
    assert!(shown.contains("1 (query `any`)"), "batch-1: {shown}");

    for fault in [
        Fault::on("compute.disks.aggregatedList").page(2),
        Fault::on("compute.instances.aggregatedList").unreachable_zone("us-central1-b"),
    ] {
        replay.fail(fault);
        let failed = escher(state.path(), &["inventory", "--cloud", "gcp"], &[]);
        assert_ne!(failed.status.code(), Some(0), "{}", text(&failed.stdout));
        assert!(text(&failed.stderr).contains("the inventory is left as it was"), "{}", text(&failed.stderr));
        assert_eq!(std::fs::read(&path).expect("still there"), saved, "the old file is intact");
    }

    let one = escher(state.path(), &["inventory", "--cloud", "gcp", "--projects", "acme-prod"], &[]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(text(&one.stdout).contains("in 1 project(s)"), "{}", text(&one.stdout));
    replay.assert_clean();
}

// --- A cross-cloud run: EC2 on moto, Compute Engine on the replay. ---

/// acme-dev: a `env=web` instance for the GCP step, two `env=dev` ones for the agnostic step, one unlabelled;
/// acme-prod (not in gcp.json): a `env=dev` one that must not be touched.
fn estate(suite: &str) -> Estate {
    let dev = [("env", "dev"), ("suite", suite)];
    Estate::empty()
        .instance("acme-dev", "us-central1-a", "web-x", "e2-medium", "RUNNING", &[("env", "web"), ("suite", suite)])
        .instance("acme-dev", "us-central1-a", "dev-1", "e2-medium", "RUNNING", &dev)
        .instance("acme-dev", "us-central1-b", "dev-2", "e2-medium", "RUNNING", &dev)
        .instance("acme-dev", "us-central1-b", "other", "e2-medium", "RUNNING", &[])
        .instance("acme-prod", "us-central1-a", "prod-dev", "e2-medium", "RUNNING", &dev)
}

fn status(replay: &Replay, project: &str, zone: &str, name: &str) -> String {
    let path = format!("projects/{project}/zones/{zone}/instances/{name}");
    replay.resource(Api::Compute, &path).and_then(|i| i["status"].as_str().map(str::to_string)).unwrap_or_default()
}

#[test]
fn one_run_stops_ec2_on_moto_and_compute_engine_in_the_configured_project_only() {
    let suite = format!("gcpx{}", std::process::id());
    let mut web = launch(1, "web", &suite);
    let dev = launch(2, "dev", &suite);

    let rt = runtime();
    let replay = rt.block_on(Replay::start(estate(&suite)));
    let state = tempfile::tempdir().expect("a state dir");
    configure(state.path(), &replay, &["acme-dev"]);
    let aws = format!(r#"{{ "regions": ["{REGION}"], "endpoint_url": "{}" }}"#, moto());
    std::fs::write(state.path().join("aws.json"), aws).expect("aws.json");
    let playbook = state.path().join("stop.esc");
    std::fs::write(
        &playbook,
        format!(
            "playbook stop_everywhere {{\n\
             \x20 let ec2_web = aws.ec2.instances(tags = {{ env: \"web\", suite: \"{suite}\" }}, state = \"running\")\n\
             \x20 let gce_web = gcp.compute.instances(labels = {{ env: \"web\", suite: \"{suite}\" }}, status = \"running\")\n\
             \x20 let dev = compute.instances(tags = {{ env: \"dev\", suite: \"{suite}\" }}, state = \"running\")\n\
             \x20 step stop_ec2 = aws.ec2.stop(ec2_web) {{ max_targets = 5 }}\n\
             \x20 step stop_gce = gcp.compute.stop(gce_web) {{ max_targets = 5 }}\n\
             \x20 step stop_dev = compute.stop(dev) {{ max_targets = 10 }}\n\
             }}\n"
        ),
    )
    .expect("the playbook");
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ];
    let playbook = playbook.display().to_string();

    let dry = escher(state.path(), &["run", &playbook, "--cloud", "aws,gcp", "--dry-run"], &env);
    assert_eq!(dry.status.code(), Some(0), "{}\n{}", text(&dry.stdout), text(&dry.stderr));
    assert!(replay.log().iter().filter(|l| l.api.is_some()).all(|l| l.http_method == "GET"), "{:?}", replay.calls());
    assert_eq!(in_state(&suite, "stopped"), Vec::<String>::new(), "the dry run stopped nothing on moto");
    replay.clear_log();

    let ran = escher(state.path(), &["run", &playbook, "--cloud", "aws,gcp", "--approve-up-to", "high"], &env);
    assert_eq!(ran.status.code(), Some(0), "{}\n{}", text(&ran.stdout), text(&ran.stderr));
    web.extend(dev);
    web.sort();
    assert_eq!(in_state(&suite, "stopped"), web, "EC2 stopped in moto, by the AWS step and the agnostic one");
    for (zone, name) in [("us-central1-a", "web-x"), ("us-central1-a", "dev-1"), ("us-central1-b", "dev-2")] {
        assert_eq!(status(&replay, "acme-dev", zone, name), "TERMINATED", "{name}");
    }
    assert_eq!(status(&replay, "acme-dev", "us-central1-b", "other"), "RUNNING");
    assert_eq!(status(&replay, "acme-prod", "us-central1-a", "prod-dev"), "RUNNING");
    let mutating: Vec<String> = replay
        .log()
        .iter()
        .filter(|l| l.http_method == "POST" && !l.path.ends_with("/wait"))
        .map(|l| l.path.clone())
        .collect();
    let mut sorted = mutating.clone();
    sorted.sort();
    let expected: Vec<String> =
        ["us-central1-a/instances/dev-1", "us-central1-a/instances/web-x", "us-central1-b/instances/dev-2"]
            .iter()
            .map(|at| format!("/compute/v1/projects/acme-dev/zones/{at}/stop"))
            .collect();
    assert_eq!(sorted, expected, "one stop per instance and nothing else mutating");
    assert!(replay.log().iter().all(|l| !l.path.contains("acme-prod")), "acme-prod is not in gcp.json");
    replay.assert_clean();
}
