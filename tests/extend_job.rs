//! The Extended Laptop end to end (issue 17, items 3 and 4): `extend aws` on moto, a schedule added on the
//! laptop lands in moto's EventBridge Scheduler, and the test does what EventBridge and ECS would do (moto's
//! schedules never fire and its RunTask starts nothing): it reads the schedule's target and the task
//! definition, and runs the pushed image with podman with the task's environment and the schedule's command for
//! one occurrence. The playbook stops the `env=dev` instances on moto's EC2; its journal, audit and report land
//! in the state bucket; a second start for the same occurrence runs nothing; the laptop sees the run.

mod support;

use std::process::Stdio;

use serde_json::Value;
use support::cli::escher;
use support::leaks::leaks_in;
use support::moto::{self, aws_call, aws_json, aws_query};
use support::podman::{ECR_PASSWORD, ECR_USER, podman, registry};

const REGION: &str = "us-east-1";
/// The playbook's region (tests/fixtures/run/stop_dev_eu_north.esc): no other test launches instances there.
const EC2_REGION: &str = "eu-north-1";
const PLAYBOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run/stop_dev_eu_north.esc");
/// A Friday, 8 pm in London: an occurrence of the playbook's `0 20 * * MON-FRI`.
const OCCURRENCE: &str = "2026-12-04T20:00:00Z";

fn on_moto(args: &[&str]) -> (bool, String, String) {
    on_moto_with(args, &[])
}

fn on_moto_with(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = escher();
    moto::client(&mut command, &moto::endpoint()).env("AWS_REGION", REGION).args(args).stdin(Stdio::null());
    command.envs(env.iter().copied());
    let output = command.output().expect("escher starts");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json_body(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}: {answer}"))
}

fn launch(env: &str) -> String {
    let answer = aws_query(
        "ec2",
        EC2_REGION,
        "2016-11-15",
        &format!(
            "Action=RunInstances&ImageId=ami-12c6146b&InstanceType=t3.micro&MinCount=1&MaxCount=1\
             &TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=env&TagSpecification.1.Tag.1.Value={env}"
        ),
    );
    moto::instance_ids(&answer).pop().expect("an instance id")
}

fn instance_state(id: &str) -> String {
    let answer = aws_query("ec2", EC2_REGION, "2016-11-15", &format!("Action=DescribeInstances&InstanceId.1={id}"));
    let state = answer.split("<instanceState>").nth(1).expect("a state");
    state.split("<name>").nth(1).and_then(|rest| rest.split('<').next()).expect("a state name").to_string()
}

/// What ECS would do when EventBridge starts the task for `occurrence`: the task definition's image and
/// environment, the schedule's command override with its time filled in, and credentials as the task role
/// would give them (moto's).
fn start_task(
    storage: &std::path::Path,
    definition: &Value,
    schedule: &Value,
    occurrence: &str,
) -> (bool, String, String) {
    let container = &definition["containerDefinitions"][0];
    let image = container["image"].as_str().expect("an image");
    let input: Value =
        serde_json::from_str(schedule["Target"]["Input"].as_str().expect("an input")).expect("JSON input");
    let override_ = &input["containerOverrides"][0];
    assert_eq!(override_["name"], container["name"], "the override names the task's container");
    let command: Vec<String> = override_["command"]
        .as_array()
        .expect("a command")
        .iter()
        .map(|part| part.as_str().expect("text").replace("<aws.scheduler.scheduled-time>", occurrence))
        .collect();
    let mut run = podman(storage);
    run.args(["run", "--rm", "--network", "host"]);
    for pair in container["environment"].as_array().expect("an environment") {
        run.arg("-e").arg(format!("{}={}", pair["name"].as_str().unwrap_or(""), pair["value"].as_str().unwrap_or("")));
    }
    let endpoint = moto::endpoint();
    for (name, value) in [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ] {
        run.arg("-e").arg(format!("{name}={value}"));
    }
    let output = run.arg(image).args(&command).output().expect("podman starts");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_schedule_added_on_the_laptop_runs_once_in_the_container_and_the_laptop_sees_it() {
    let name = format!("job{}", std::process::id() % 100_000);
    let bucket = format!("escher-{name}-state");
    let state = format!("s3://{bucket}");
    let group = format!("escher-{name}");
    let registry = registry();
    let dev = [launch("dev"), launch("dev")];
    let prod = launch("prod");

    // The playbook tells a webhook whose address is a secret, kept in the account's parameter store.
    let (hook, deliveries) = support::webhook::start(200, "/services/T0ESCHER/B0EXTEND/Zq81vX3kLm0pW7Rt");
    // Everything the test sees printed, and later every object of the bucket: none may hold the secret.
    let mut seen = String::new();

    let (ok, stdout, stderr) = on_moto(&[
        "extend",
        "aws",
        "--name",
        &name,
        "--allow",
        "ec2-start-stop",
        "--registry-endpoint",
        &registry,
        "--registry-plain-http",
    ]);
    assert!(ok, "{stdout}{stderr}");
    let (ok, stored, stderr) = on_moto_with(
        &["extend", "secrets", "set", "--name", &name, "ops-webhook", "--value-env", "OPS_WEBHOOK"],
        &[("OPS_WEBHOOK", hook.as_str())],
    );
    assert!(ok, "{stored}{stderr}");
    assert!(
        stored.contains(&format!("stored secret `ops-webhook` as SecureString /escher/{name}/secrets/ops-webhook")),
        "{stored}"
    );
    let (ok, listed, stderr) = on_moto(&["extend", "secrets", "list", "--name", &name]);
    assert!(ok && listed == "secret ops-webhook\n", "{listed}{stderr}");
    seen.extend([stdout, stderr, stored, listed]);

    let (ok, stdout, stderr) =
        on_moto(&["schedule", "--state", &state, "add", PLAYBOOK, "--cloud", "aws", "--now", "2026-12-01T00:00:00Z"]);
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "EventBridge schedule stop_dev in group {group}: cron(0 20 ? * MON,TUE,WED,THU,FRI *) in Europe/London"
        )),
        "{stdout}"
    );

    let schedule =
        json_body(&aws_call("scheduler", REGION, "GET", &format!("/schedules/stop_dev?groupName={group}"), &[], ""));
    assert_eq!(schedule["ScheduleExpressionTimezone"], "Europe/London");
    assert_eq!(schedule["Target"]["Arn"], format!("arn:aws:ecs:{REGION}:123456789012:cluster/{group}"));
    assert_eq!(schedule["Target"]["RoleArn"], format!("arn:aws:iam::123456789012:role/{group}-scheduler"));
    let family = format!("arn:aws:ecs:{REGION}:123456789012:task-definition/{group}");
    assert_eq!(schedule["Target"]["EcsParameters"]["TaskDefinitionArn"], family);
    assert_eq!(schedule["Target"]["EcsParameters"]["LaunchType"], "FARGATE");
    let definition = json_body(&aws_json(
        "ecs",
        REGION,
        "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
        &format!("{{\"taskDefinition\": \"{family}\"}}"),
    ))["taskDefinition"]
        .clone();
    let image = definition["containerDefinitions"][0]["image"].as_str().expect("an image").to_string();
    assert!(image.starts_with(&format!("{registry}/{group}@sha256:")), "{image}");

    let storage = tempfile::tempdir().expect("podman's storage");
    let pulled = podman(storage.path())
        .args(["pull", "-q", "--tls-verify=false", "--creds", &format!("{ECR_USER}:{ECR_PASSWORD}"), &image])
        .output()
        .expect("podman pull");
    assert!(pulled.status.success(), "{}", String::from_utf8_lossy(&pulled.stderr));

    let (ok, stdout, stderr) = start_task(storage.path(), &definition, &schedule, OCCURRENCE);
    assert!(ok, "the container's job: {stdout}{stderr}");
    seen.push_str(&stdout);
    seen.push_str(&stderr);
    let delivery = deliveries.recv_timeout(std::time::Duration::from_secs(10)).expect("the webhook was called");
    assert!(delivery.body.contains("Stopped 2 dev instances."), "the secret came from SSM: {delivery:?}");
    assert!(
        stdout.contains(&format!("stop_dev {OCCURRENCE}: ran as run ")) && stdout.contains(", succeeded"),
        "{stdout}{stderr}"
    );
    let run_id =
        stdout.split("ran as run ").nth(1).and_then(|rest| rest.split(',').next()).expect("a run id").to_string();
    for id in &dev {
        assert_eq!(instance_state(id), "stopped", "{id} is a dev instance");
    }
    assert_eq!(instance_state(&prod), "running", "the prod instance is left alone");

    // EventBridge starting the task twice for one occurrence: the second runs nothing and exits 0.
    let (ok, again, stderr) = start_task(storage.path(), &definition, &schedule, OCCURRENCE);
    assert!(ok, "{again}{stderr}");
    seen.push_str(&again);
    seen.push_str(&stderr);
    assert!(!again.contains("ran as run"), "the occurrence was claimed by the first start: {again}");

    let keys = moto::keys(&moto::endpoint(), &bucket, "");
    let journal = format!("runs/{run_id}/journal.jsonl");
    let report = format!("reports/{run_id}/");
    for wanted in
        [journal, report, "audit/".to_string(), "schedules/stop_dev/occurrences/20261204T200000Z.json".to_string()]
    {
        assert!(keys.iter().any(|key| key.starts_with(&wanted)), "the bucket lacks {wanted}: {keys:#?}");
    }
    // The secret is nowhere: not in what was printed, nor in any object of the state bucket.
    for key in &keys {
        let object = aws_call("s3", REGION, "GET", &format!("/{bucket}/{key}"), &[], "");
        assert!(object.starts_with("HTTP/1.1 200"), "{key}: {object}");
        let leaks = leaks_in(object.as_bytes(), &hook);
        assert!(leaks.is_empty(), "{key} holds the secret: {leaks:?}");
    }
    assert!(keys.contains(&"extend.json".to_string()), "{keys:?}");
    assert_eq!(leaks_in(seen.as_bytes(), &hook), Vec::<String>::new(), "the secret was printed");
    let (ok, runs, stderr) = on_moto(&["runs", "--state", &state]);
    assert!(ok, "{stderr}");
    assert!(
        runs.lines().any(|line| line.starts_with(&run_id) && line.contains("stop_dev") && line.contains("succeeded")),
        "{runs}"
    );
    let (ok, report, stderr) = on_moto(&["report", "--state", &state, &run_id]);
    assert!(ok, "{report}{stderr}");
    for id in &dev {
        assert!(report.contains(id.as_str()), "the report names {id}: {report}");
    }

    // `extend status`: the resources, the schedule beside its EventBridge twin, its next times and last run.
    let (ok, status, stderr) = on_moto(&["extend", "status", "--name", &name]);
    assert!(ok, "{status}{stderr}");
    for line in [
        "schedule stop_dev \"0 20 * * MON-FRI\" Europe/London: EventBridge cron(0 20 ? * MON,TUE,WED,THU,FRI *) in Europe/London".to_string(),
        "  next  ".to_string(),
        format!("  last  stop_dev {OCCURRENCE}: ran as run {run_id}"),
        "no drift".to_string(),
    ] {
        assert!(status.contains(&line), "status lacks `{line}`:\n{status}");
    }

    // The account's schedules follow the bucket's: drift is reported and put right, removal goes to both.
    let (ok, stdout, _) = on_moto(&["extend", "sync", "--state", &state, "--plan"]);
    assert!(ok && stdout.contains("The account's schedules match the state's."), "{stdout}");
    let deleted = aws_call("scheduler", REGION, "DELETE", &format!("/schedules/stop_dev?groupName={group}"), &[], "");
    assert!(deleted.starts_with("HTTP/1.1 200"), "{deleted}");
    let (_, status, _) = on_moto(&["extend", "status", "--name", &name]);
    assert!(status.contains("stop_dev \"0 20 * * MON-FRI\" Europe/London: missing in EventBridge"), "{status}");
    let (_, stdout, _) = on_moto(&["extend", "sync", "--state", &state, "--plan"]);
    assert!(
        stdout.contains("+ scheduler schedule stop_dev (cron(0 20 ? * MON,TUE,WED,THU,FRI *) in Europe/London)"),
        "{stdout}"
    );
    let (ok, stdout, stderr) = on_moto(&["extend", "sync", "--state", &state]);
    assert!(ok && stdout.contains("1 schedule(s) put right."), "{stdout}{stderr}");
    assert!(
        aws_call("scheduler", REGION, "GET", &format!("/schedules/stop_dev?groupName={group}"), &[], "")
            .starts_with("HTTP/1.1 200")
    );
    let (ok, stdout, stderr) = on_moto(&["schedule", "--state", &state, "remove", "stop_dev"]);
    assert!(
        ok && stdout.contains(&format!("EventBridge schedule stop_dev deleted from group {group}")),
        "{stdout}{stderr}"
    );
    assert!(
        aws_call("scheduler", REGION, "GET", &format!("/schedules/stop_dev?groupName={group}"), &[], "")
            .starts_with("HTTP/1.1 404")
    );

    let (ok, stdout, stderr) = on_moto(&["extend", "destroy", "--name", &name, "--yes", "--delete-state"]);
    assert!(ok, "{stdout}{stderr}");
}

#[test]
fn a_cron_eventbridge_cannot_say_is_refused_before_anything_is_stored() {
    let name = format!("cron{}", std::process::id() % 100_000);
    let state = format!("s3://escher-{name}-state");
    let registry = registry();
    let (ok, stdout, stderr) =
        on_moto(&["extend", "aws", "--name", &name, "--registry-endpoint", &registry, "--registry-plain-http"]);
    assert!(ok, "{stdout}{stderr}");
    let (ok, stdout, stderr) = on_moto(&[
        "schedule",
        "--state",
        &state,
        "add",
        PLAYBOOK,
        "--cloud",
        "aws",
        "--cron",
        "0 9 1 * MON",
        "--tz",
        "UTC",
    ]);
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("restricts both the day of the month and the day of the week"), "{stderr}");
    let (_, listed, _) = on_moto(&["schedule", "--state", &state, "list"]);
    assert!(listed.contains("no schedules"), "nothing was stored: {listed}");
    let (ok, stdout, stderr) = on_moto(&["extend", "destroy", "--name", &name, "--yes", "--delete-state"]);
    assert!(ok, "{stdout}{stderr}");
}
