//! `escher extend aws`, `extend status` and `extend destroy` against moto (S3, SSM, IAM with AWS's managed
//! policies, ECR, ECS, Scheduler, Logs, EC2) with the image pushed to Debian's docker-registry signed in with
//! moto's ECR token (issue 17, items 1, 6 and 7). Each test has its own Extended Laptop name.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::cli::{Finished, escher};
use support::moto::{self, aws_call, aws_json, aws_query};
use support::podman::registry;

const REGION: &str = "us-east-1";

fn unique(tag: &str) -> String {
    format!("{tag}{}", std::process::id() % 100_000)
}

/// `escher extend ...` on moto, in [`REGION`].
fn extend_command(args: &[&str]) -> Command {
    let mut command = escher();
    moto::client(&mut command, &moto::endpoint()).env("AWS_REGION", REGION).arg("extend").args(args);
    command.stdin(Stdio::null());
    command
}

fn extend(args: &[&str]) -> Finished {
    let output = extend_command(args).output().expect("escher starts");
    Finished {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `extend aws --name NAME` with the test registry, and `extra`.
fn apply(name: &str, extra: &[&str]) -> Finished {
    let registry = registry();
    let mut args = vec!["aws", "--name", name, "--registry-endpoint", &registry, "--registry-plain-http"];
    args.extend_from_slice(extra);
    extend(&args)
}

fn assert_ok(finished: &Finished, what: &str) {
    assert_eq!(finished.code, Some(0), "{what}:\n{}{}", finished.stdout, finished.stderr);
}

fn bucket_exists(bucket: &str) -> bool {
    aws_call("s3", REGION, "HEAD", &format!("/{bucket}"), &[], "").starts_with("HTTP/1.1 200")
}

fn object(bucket: &str, key: &str) -> Value {
    let answer = aws_call("s3", REGION, "GET", &format!("/{bucket}/{key}"), &[], "");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{key}: {error}\n{answer}"))
}

/// What moto still holds of the Extended Laptop `name`, service by service (the state bucket aside).
fn leftovers(name: &str) -> Vec<String> {
    let prefix = format!("escher-{name}");
    let mut left = Vec::new();
    let roles = aws_query("iam", REGION, "2010-05-08", "Action=ListRoles&MaxItems=1000");
    left.extend(
        roles
            .split("<RoleName>")
            .skip(1)
            .filter_map(|rest| rest.split('<').next())
            .filter(|role| role.starts_with(&prefix))
            .map(|role| format!("iam role {role}")),
    );
    let repositories = aws_json("ecr", REGION, "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}");
    if repositories.contains(&format!("\"repositoryName\": \"{prefix}\"")) {
        left.push("ecr repository".into());
    }
    let clusters = aws_json(
        "ecs",
        REGION,
        "AmazonEC2ContainerServiceV20141113.DescribeClusters",
        &format!("{{\"clusters\": [\"{prefix}\"]}}"),
    );
    if clusters.contains("\"status\": \"ACTIVE\"") {
        left.push("ecs cluster".into());
    }
    let definitions = aws_json(
        "ecs",
        REGION,
        "AmazonEC2ContainerServiceV20141113.ListTaskDefinitions",
        &format!("{{\"familyPrefix\": \"{prefix}\", \"status\": \"ACTIVE\"}}"),
    );
    if definitions.contains("task-definition/") {
        left.push("ecs task definition".into());
    }
    let groups = aws_json(
        "logs",
        REGION,
        "Logs_20140328.DescribeLogGroups",
        &format!("{{\"logGroupNamePrefix\": \"/escher/{name}\"}}"),
    );
    if groups.contains("\"logGroupName\"") {
        left.push("log group".into());
    }
    let parameters = aws_json(
        "ssm",
        REGION,
        "AmazonSSM.GetParametersByPath",
        &format!("{{\"Path\": \"/escher/{name}/\", \"Recursive\": true}}"),
    );
    if parameters.contains("\"Name\"") {
        left.push("ssm parameters".into());
    }
    let group = aws_call("scheduler", REGION, "GET", &format!("/schedule-groups/{prefix}"), &[], "");
    if group.starts_with("HTTP/1.1 200") {
        left.push("schedule group".into());
    }
    let security = aws_query(
        "ec2",
        REGION,
        "2016-11-15",
        &format!("Action=DescribeSecurityGroups&Filter.1.Name=group-name&Filter.1.Value.1={prefix}-task"),
    );
    if security.contains("<groupId>") {
        left.push("security group".into());
    }
    left
}

fn task_definition_revisions(name: &str) -> usize {
    let definitions = aws_json(
        "ecs",
        REGION,
        "AmazonEC2ContainerServiceV20141113.ListTaskDefinitions",
        &format!("{{\"familyPrefix\": \"escher-{name}\"}}"),
    );
    definitions.matches("task-definition/").count()
}

#[test]
fn plan_create_nothing_twice_bring_back_drift_and_destroy_keeping_the_state() {
    let name = unique("lab");
    let bucket = format!("escher-{name}-state");

    let plan = apply(&name, &["--plan", "--allow", "ec2-start-stop"]);
    assert_ok(&plan, "plan");
    for line in [
        format!("+ s3 bucket {bucket} (versioned, SSE, public access blocked"),
        format!("+ cloudwatch log group /escher/{name} (kept 30 days)"),
        format!("+ ecr repository escher-{name} (scan on push)"),
        format!("+ ecr image escher-{name}@sha256:"),
        format!("+ ssm parameter path /escher/{name}/"),
        format!("+ iam role escher-{name}-execution"),
        format!("+ iam role escher-{name}-task"),
        format!("+ iam role escher-{name}-scheduler"),
        format!("+ ec2 security group escher-{name}-task"),
        format!("+ ecs cluster escher-{name} (Fargate)"),
        format!("+ ecs task definition escher-{name} (Fargate, 256 CPU units, 512 MiB"),
        format!("+ scheduler schedule group escher-{name}"),
        // Each role's permissions are in the plan, the --allow preset's among them.
        "managed policy: arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy".to_string(),
        "\"ec2:StopInstances\"".to_string(),
        format!("\"arn:aws:ecs:{REGION}:123456789012:task-definition/escher-{name}:*\""),
    ] {
        assert!(plan.stdout.contains(&line), "the plan lacks `{line}`:\n{}", plan.stdout);
    }
    assert!(plan.stdout.ends_with("Plan: 12 to create, 0 to change, 0 unchanged, 0 to delete.\n"), "{}", plan.stdout);
    assert!(!bucket_exists(&bucket), "--plan creates nothing");
    assert!(leftovers(&name).is_empty(), "--plan creates nothing: {:?}", leftovers(&name));

    let created = apply(&name, &["--allow", "ec2-start-stop"]);
    assert_ok(&created, "extend aws");
    assert_eq!(created.stdout.matches("\ncreated: ").count(), 12, "{}", created.stdout);
    let again = apply(&name, &["--allow", "ec2-start-stop"]);
    assert_ok(&again, "extend aws again");
    assert!(
        again.stdout.contains("Plan: 0 to create, 0 to change, 12 unchanged, 0 to delete.\nNothing to change.\n"),
        "{}",
        again.stdout
    );
    assert_eq!(task_definition_revisions(&name), 1);

    let record = object(&bucket, "extend.json");
    assert_eq!(record["resources"].as_array().map(Vec::len), Some(12), "{record}");
    assert_eq!(record["allow"], serde_json::json!(["ec2-start-stop"]));
    assert!(record["image_digest"].as_str().is_some_and(|digest| digest.starts_with("sha256:")), "{record}");
    let state = format!("s3://{bucket}");
    let mut verify = escher();
    moto::client(&mut verify, &moto::endpoint()).args(["audit", "--state", &state, "verify"]);
    let verified = verify.output().expect("escher audit");
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
    let mut export = escher();
    moto::client(&mut export, &moto::endpoint()).args(["audit", "--state", &state, "export"]);
    let audit = String::from_utf8_lossy(&export.output().expect("escher audit").stdout).into_owned();
    assert_eq!(audit.matches("\"kind\":\"extend.created\"").count(), 12, "{audit}");

    // Drift: a managed policy attached by hand, and the logs' retention removed.
    let attach = format!(
        "Action=AttachRolePolicy&RoleName=escher-{name}-task&PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess"
    );
    assert!(aws_query("iam", REGION, "2010-05-08", &attach).starts_with("HTTP/1.1 200"));
    let retention = format!("{{\"logGroupName\": \"/escher/{name}\"}}");
    assert!(aws_json("logs", REGION, "Logs_20140328.DeleteRetentionPolicy", &retention).starts_with("HTTP/1.1 200"));
    let status = extend(&["status", "--name", &name]);
    assert_ok(&status, "status");
    for line in [
        format!("iam role escher-{name}-task: drifted"),
        "managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached outside Escher".to_string(),
        format!("cloudwatch log group /escher/{name}: drifted"),
        "logs are kept forever, not 30 days".to_string(),
        format!("ecs cluster escher-{name}: ok  arn:aws:ecs:{REGION}:123456789012:cluster/escher-{name}"),
        "2 resource(s) differ from what Escher set up".to_string(),
    ] {
        assert!(status.stdout.contains(&line), "status lacks `{line}`:\n{}", status.stdout);
    }
    let repaired = apply(&name, &["--allow", "ec2-start-stop"]);
    assert_ok(&repaired, "extend aws after drift");
    assert!(repaired.stdout.contains(&format!("~ iam role escher-{name}-task")), "{}", repaired.stdout);
    assert!(
        repaired.stdout.contains("Plan: 0 to create, 2 to change, 10 unchanged, 0 to delete."),
        "{}",
        repaired.stdout
    );
    assert!(extend(&["status", "--name", &name]).stdout.contains("no drift"));

    // Destroy asks first; with no answer nothing goes.
    let refused = extend(&["destroy", "--name", &name]);
    assert_eq!(refused.code, Some(1), "{}{}", refused.stdout, refused.stderr);
    assert!(refused.stderr.contains("not confirmed; nothing was deleted"), "{}", refused.stderr);
    assert_eq!(leftovers(&name).len(), 10, "{:?}", leftovers(&name));

    let destroyed = extend(&["destroy", "--name", &name, "--yes"]);
    assert_ok(&destroyed, "destroy");
    assert_eq!(destroyed.stdout.matches("\ndeleted: ").count(), 10, "{}", destroyed.stdout);
    let order: Vec<&str> = destroyed.stdout.lines().filter_map(|line| line.strip_prefix("deleted: ")).collect();
    assert!(
        order[0].starts_with("scheduler schedule group") && order[9].starts_with("cloudwatch log group"),
        "{order:?}"
    );
    assert_eq!(leftovers(&name), Vec::<String>::new(), "nothing of it is left in any service");
    assert!(bucket_exists(&bucket), "the state bucket is kept without --delete-state");
    let audit = String::from_utf8_lossy(&export.output().expect("escher audit").stdout).into_owned();
    assert_eq!(audit.matches("\"kind\":\"extend.deleted\"").count(), 10, "the state keeps the destroy's audit");

    let nothing = extend(&["destroy", "--name", &name, "--yes"]);
    assert_ok(&nothing, "destroy again");
    assert!(nothing.stdout.starts_with(&format!("Nothing of Extended Laptop `{name}` is left")), "{}", nothing.stdout);
    let gone = extend(&["destroy", "--name", &name, "--yes", "--delete-state"]);
    assert_ok(&gone, "destroy --delete-state");
    assert!(!bucket_exists(&bucket), "--delete-state deletes the bucket, every version of it");
}

#[test]
fn killed_after_the_iam_roles_a_rerun_converges_with_one_of_each() {
    let name = unique("kill");
    let registry = registry();
    let mut child =
        extend_command(&["aws", "--name", &name, "--registry-endpoint", &registry, "--registry-plain-http"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("escher starts");
    let stdout = child.stdout.take().expect("stdout");
    let last_role = format!("created: iam role escher-{name}-scheduler");
    let mut seen = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        let done = line == last_role;
        seen.push(line);
        if done {
            child.kill().expect("killed");
            break;
        }
    }
    child.wait().expect("reaped");
    assert!(seen.contains(&last_role), "{seen:#?}");
    assert!(!seen.iter().any(|line| line.starts_with("created: ecs cluster")), "killed before the cluster: {seen:#?}");

    let rerun = apply(&name, &[]);
    assert_ok(&rerun, "the rerun");
    let created: Vec<&str> = rerun.stdout.lines().filter_map(|line| line.strip_prefix("created: ")).collect();
    assert_eq!(
        created,
        [
            format!("ec2 security group escher-{name}-task"),
            format!("ecs cluster escher-{name}"),
            format!("ecs task definition escher-{name}"),
            format!("scheduler schedule group escher-{name}"),
        ],
        "only what the killed run had not made: {}",
        rerun.stdout
    );
    let steady = apply(&name, &[]);
    assert!(steady.stdout.contains("12 unchanged"), "{}", steady.stdout);
    assert_eq!(task_definition_revisions(&name), 1);
    let roles: Vec<String> = leftovers(&name).into_iter().filter(|left| left.starts_with("iam role")).collect();
    assert_eq!(roles.len(), 3, "{roles:?}");

    assert_ok(&extend(&["destroy", "--name", &name, "--yes", "--delete-state"]), "cleanup");
}

#[test]
fn a_bad_name_or_preset_is_refused_before_any_call() {
    let bad_name = extend(&["aws", "--name", "Bad_Name", "--plan"]);
    assert_eq!(bad_name.code, Some(2), "{}", bad_name.stderr);
    assert!(bad_name.stderr.contains("`Bad_Name` cannot name an Extended Laptop"), "{}", bad_name.stderr);
    let bad_preset = extend(&["aws", "--name", "fine", "--allow", "admin", "--plan"]);
    assert_eq!(bad_preset.code, Some(2), "{}", bad_preset.stderr);
    assert!(bad_preset.stderr.contains("--allow admin: expected read-only, ec2-start-stop"), "{}", bad_preset.stderr);
}
