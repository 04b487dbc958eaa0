//! Credentials for other clouds from the Extended Laptop's parameter store (issue 17, item 5): an Azure
//! service principal (`escher extend secrets azure`) and a GCP service account key (`extend secrets gcp`) stored
//! in moto's SSM are what `escher job run-due` (the container's entry point) signs in with, held in memory. With
//! no credential of those clouds in its environment, the scheduled playbook stops the VMs on the replays of
//! Microsoft's Resource Manager examples and of Google's APIs on 127.0.0.1, the requests carry the stored
//! credentials, and no secret appears in any output or object of the state bucket. Without the parameter path the
//! same job cannot sign in. The job runs here as a
//! process on the host: in the container it is the same binary and command (tests/extend_job.rs runs that with a
//! secret from the same path), and the replay server's CA file is at a path on this machine.
#![cfg(all(feature = "azure", feature = "gcp"))]

mod support;

use std::process::{Output, Stdio};

use escher_arm_replay::{Exchange, Replay, published_vm};
use serde_json::{Value as Json, json};
use support::cli::escher;
use support::leaks::leaks_in;
use support::moto::{self, aws_call, aws_call_as, aws_query};

const REGION: &str = "us-east-1";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBSCRIPTION: &str = "8f3c2a1e-5b7d-4e9a-9c61-2d4f8a0b7e13";
const CLIENT_ID: &str = "escher-extended-laptop";
/// The service principal's secret: distinctive, so that any copy of it is found.
const CLIENT_SECRET: &str = "ssm-held.Qm7Zp2Lk9Wm4Rt8Vn3Yb~x";

fn vm_id(name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/{name}")
}

fn vm(name: &str, suite: &str) -> Json {
    let mut vm = published_vm(&vm_id(name), "running");
    vm["tags"] = json!({"env": "dev", "suite": suite});
    vm
}

/// `escher` on moto with no Azure credential in its environment.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = escher();
    moto::client(&mut command, &moto::endpoint()).env("AWS_REGION", REGION).args(args).stdin(Stdio::null());
    for name in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "ESCHER_SECRETS_SSM_PATH",
    ] {
        command.env_remove(name);
    }
    // No gcloud configuration and no metadata server either: the GCP chain has nothing but what the job is given.
    command.env("CLOUDSDK_CONFIG", "/nonexistent/gcloud").env("GCE_METADATA_HOST", "127.0.0.1:9");
    command.envs(env.iter().copied()).output().expect("escher starts")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn put_object(bucket: &str, key: &str, body: &str) {
    let answer = aws_call("s3", REGION, "PUT", &format!("/{bucket}/{key}"), &[], body);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn the_container_job_signs_in_to_azure_with_the_service_principal_from_ssm() {
    let name = format!("sp{}", std::process::id() % 100_000);
    let bucket = format!("escher-{name}-state");
    let state = format!("s3://{bucket}");
    let suite = format!("ext{}", std::process::id());

    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let replay = runtime.block_on(Replay::start());
    replay.serve(Exchange::token(TENANT));
    let listed = json!({"value": [vm("vm-dev-1", &suite)]});
    replay.serve(
        Exchange::new(
            "GET",
            &format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Compute/virtualMachines"),
            "2026-04-01",
        )
        .query("statusOnly", "true")
        .respond(200, Some(listed))
        .derived("VirtualMachine_Get.json's VM, tagged for the test, running"),
    );
    replay.serve(
        Exchange::new("GET", &vm_id("vm-dev-1"), "2026-04-01")
            .query("$expand", "instanceView")
            .respond(200, Some(vm("vm-dev-1", &suite)))
            .derived("the VM, read"),
    );
    replay.serve(
        Exchange::example(
            "compute/2025-11-01/VirtualMachine_Deallocate_MinimumSet_Gen.json",
            "POST",
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}/deallocate",
            200,
        )
        .path(&format!("{}/deallocate", vm_id("vm-dev-1")))
        .api_version("2026-04-01")
        .derived("this VM; api-version 2026-04-01"),
    );

    // The state bucket, with the providers' settings in it: the replay server for Azure, moto for AWS.
    moto::create_bucket(&moto::endpoint(), &bucket);
    moto::enable_versioning(&moto::endpoint(), &bucket);
    let files = tempfile::tempdir().expect("a directory");
    let azure = json!({
        "subscriptions": [{"id": SUBSCRIPTION}],
        "resource_manager_endpoint": replay.base(),
        "authority_host": replay.base(),
        "ca_file": replay.write_ca(files.path()),
        "poll_interval_secs": 0,
    });
    put_object(&bucket, "azure.json", &azure.to_string());

    let stored = run(
        &[
            "extend",
            "secrets",
            "azure",
            "--name",
            &name,
            "--tenant-id",
            TENANT,
            "--client-id",
            CLIENT_ID,
            "--client-secret-env",
            "SP_SECRET",
        ],
        &[("SP_SECRET", CLIENT_SECRET)],
    );
    assert!(stored.status.success(), "{}", text(&stored));
    let listed = run(&["extend", "secrets", "list", "--name", &name], &[]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "azure service principal\n", "{}", text(&listed));

    let playbook = files.path().join("stop.esc");
    std::fs::write(
        &playbook,
        format!(
            "playbook stop_dev {{\n  let vms = azure.vm.list(tags = {{ env: \"dev\", suite: \"{suite}\" }}, state = \"running\")\n  step stop = azure.vm.deallocate(vms) {{ max_targets = 10 }}\n}}\n"
        ),
    )
    .expect("the playbook");
    let playbook = playbook.display().to_string();
    let added = run(
        &[
            "schedule",
            "--state",
            &state,
            "add",
            &playbook,
            "--cloud",
            "azure",
            "--cron",
            "0 20 * * *",
            "--tz",
            "UTC",
            "--missed",
            "skip",
            "--now",
            "2027-01-01T00:00:00Z",
        ],
        &[],
    );
    assert!(added.status.success(), "{}", text(&added));

    // Without the parameter path, the job has no Azure credential: the occurrence does not run. (The times are
    // later than the test's real time: a job releases the schedule's lease at the later of the two.)
    let without = run(&["job", "run-due", "--state", &state, "--at", "2027-01-02T20:00:00Z", "--exit-when-idle"], &[]);
    let said = text(&without);
    assert!(
        said.contains("stop_dev 2027-01-02T20:00:00Z: ran, not run: the azure provider cannot start")
            && !said.contains("succeeded"),
        "{said}"
    );
    assert!(
        replay.calls().iter().all(|call| !call.starts_with("POST")),
        "nothing was deallocated: {:?}",
        replay.calls()
    );

    let path = format!("/escher/{name}/");
    let with = run(
        &["job", "run-due", "--state", &state, "--at", "2027-01-03T20:00:00Z", "--exit-when-idle"],
        &[("ESCHER_SECRETS_SSM_PATH", path.as_str())],
    );
    let said = text(&with);
    assert!(
        with.status.success()
            && said.contains("stop_dev 2027-01-03T20:00:00Z: ran as run ")
            && said.contains("succeeded"),
        "{said}"
    );

    let token_requests: Vec<_> =
        replay.log().into_iter().filter(|logged| logged.path.ends_with("/oauth2/v2.0/token")).collect();
    assert!(!token_requests.is_empty(), "the job signed in");
    for request in &token_requests {
        let form = request.form();
        assert_eq!(request.path, format!("/{TENANT}/oauth2/v2.0/token"));
        assert_eq!(form.get("client_id").map(String::as_str), Some(CLIENT_ID));
        assert_eq!(form.get("client_secret").map(String::as_str), Some(CLIENT_SECRET), "the secret from SSM");
    }
    let mutating: Vec<String> = replay.calls().into_iter().filter(|call| !call.starts_with("GET ")).collect();
    assert_eq!(mutating, [format!("POST {}/deallocate", vm_id("vm-dev-1"))]);

    let mut seen = Vec::new();
    for output in [&stored, &listed, &added, &without, &with] {
        seen.extend_from_slice(&output.stdout);
        seen.extend_from_slice(&output.stderr);
    }
    assert_eq!(leaks_in(&seen, CLIENT_SECRET), Vec::<String>::new(), "the secret was printed");
    for key in moto::keys(&moto::endpoint(), &bucket, "") {
        let object = aws_call("s3", REGION, "GET", &format!("/{bucket}/{key}"), &[], "");
        assert_eq!(leaks_in(object.as_bytes(), CLIENT_SECRET), Vec::<String>::new(), "{key} holds the secret");
    }
}

/// The GCP half: a service account key stored with `extend secrets gcp` signs the job's requests to Google's
/// APIs (replayed, checked against their Discovery documents); its own `client_email`, changed from the fixture's
/// so that only the stored key can have put it there, is in every request's token.
#[test]
fn the_container_job_signs_in_to_gcp_with_the_service_account_key_from_ssm() {
    use escher_gcp_replay::{Api, Estate};
    let name = format!("sa{}", std::process::id() % 100_000);
    let bucket = format!("escher-{name}-state");
    let state = format!("s3://{bucket}");
    let suite = format!("gext{}", std::process::id());

    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let estate = Estate::empty().instance(
        "acme-dev",
        "us-central1-a",
        "dev-1",
        "e2-medium",
        "RUNNING",
        &[("env", "dev"), ("suite", &suite)],
    );
    let replay = runtime.block_on(escher_gcp_replay::Replay::start(estate));
    let endpoints = replay.endpoints();
    moto::create_bucket(&moto::endpoint(), &bucket);
    moto::enable_versioning(&moto::endpoint(), &bucket);
    let gcp = json!({
        "projects": [{"id": "acme-dev"}],
        "endpoints": {"compute": endpoints.compute, "oauth_token": endpoints.oauth_token},
        "poll_interval_ms": 0,
    });
    put_object(&bucket, "gcp.json", &gcp.to_string());

    let fixture =
        format!("{}/providers/gcp/tests/fixtures/credentials/service-account.json", env!("CARGO_MANIFEST_DIR"));
    let mut key: Json = serde_json::from_str(&std::fs::read_to_string(fixture).expect("the test key")).expect("JSON");
    let email = "escher-extended-laptop@acme-dev.iam.gserviceaccount.com";
    key["client_email"] = json!(email);
    let private_key = key["private_key"].as_str().expect("a private key").to_string();
    let files = tempfile::tempdir().expect("a directory");
    let key_file = files.path().join("key.json");
    std::fs::write(&key_file, key.to_string()).expect("the key file");
    let stored =
        run(&["extend", "secrets", "gcp", "--name", &name, "--key-file", &key_file.display().to_string()], &[]);
    assert!(stored.status.success(), "{}", text(&stored));
    std::fs::remove_file(&key_file).expect("the laptop's copy is gone");
    let listed = run(&["extend", "secrets", "list", "--name", &name], &[]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "gcp service account key\n", "{}", text(&listed));

    let playbook = files.path().join("stop.esc");
    std::fs::write(
        &playbook,
        format!(
            "playbook stop_dev {{\n  let gce = gcp.compute.instances(labels = {{ env: \"dev\", suite: \"{suite}\" }}, status = \"running\")\n  step stop = gcp.compute.stop(gce) {{ max_targets = 10 }}\n}}\n"
        ),
    )
    .expect("the playbook");
    let playbook = playbook.display().to_string();
    let added = run(
        &[
            "schedule",
            "--state",
            &state,
            "add",
            &playbook,
            "--cloud",
            "gcp",
            "--cron",
            "0 20 * * *",
            "--tz",
            "UTC",
            "--missed",
            "skip",
            "--now",
            "2027-01-01T00:00:00Z",
        ],
        &[],
    );
    assert!(added.status.success(), "{}", text(&added));

    let without = run(&["job", "run-due", "--state", &state, "--at", "2027-01-02T20:00:00Z", "--exit-when-idle"], &[]);
    let said = text(&without);
    assert!(said.contains("stop_dev 2027-01-02T20:00:00Z: ran, not run: the gcp provider cannot start"), "{said}");

    let path = format!("/escher/{name}/");
    let with = run(
        &["job", "run-due", "--state", &state, "--at", "2027-01-03T20:00:00Z", "--exit-when-idle"],
        &[("ESCHER_SECRETS_SSM_PATH", path.as_str())],
    );
    let said = text(&with);
    assert!(
        with.status.success()
            && said.contains("stop_dev 2027-01-03T20:00:00Z: ran as run ")
            && said.contains("succeeded"),
        "{said}"
    );
    let instance = replay.resource(Api::Compute, "projects/acme-dev/zones/us-central1-a/instances/dev-1");
    assert_eq!(instance.and_then(|i| i["status"].as_str().map(str::to_string)).as_deref(), Some("TERMINATED"));
    let signed: Vec<String> = replay
        .log()
        .into_iter()
        .filter(|logged| logged.api.is_some())
        .filter_map(|logged| logged.authorization)
        .collect();
    assert!(!signed.is_empty(), "the job called Compute Engine");
    for authorization in &signed {
        assert!(!leaks_in(authorization.as_bytes(), email).is_empty(), "signed by the stored key: {authorization}");
    }
    replay.assert_clean();

    let mut seen = Vec::new();
    for output in [&stored, &listed, &added, &without, &with] {
        seen.extend_from_slice(&output.stdout);
        seen.extend_from_slice(&output.stderr);
    }
    let secret_line = private_key.lines().nth(1).expect("a line of the private key");
    assert_eq!(leaks_in(&seen, secret_line), Vec::<String>::new(), "the key was printed");
    for key in moto::keys(&moto::endpoint(), &bucket, "") {
        let object = aws_call("s3", REGION, "GET", &format!("/{bucket}/{key}"), &[], "");
        assert_eq!(leaks_in(object.as_bytes(), secret_line), Vec::<String>::new(), "{key} holds the key");
    }
}

/// The AWS half: another account's role stored with `extend secrets aws-role` is assumed by the job (the task
/// role's credentials are moto's here), so a scheduled stop reaches the instances of both accounts; without the
/// parameter path only the job's own account is reached. moto attributes calls made with assumed credentials to
/// the role's account and keeps each account's instances apart.
#[test]
fn the_container_job_reaches_another_aws_account_through_the_role_from_ssm() {
    const SECOND: &str = "111111111111";
    const EC2: &str = "ap-northeast-3";
    let role = format!("arn:aws:iam::{SECOND}:role/escher-ext");
    let external_id = "ext-id.Wq4Tn8Lp2Zr6Vx0Kc";
    let name = format!("ac{}", std::process::id() % 100_000);
    let bucket = format!("escher-{name}-state");
    let state = format!("s3://{bucket}");
    let suite = format!("aext{}", std::process::id());

    // The second account's credentials, as the job will get them: AssumeRole.
    let assumed =
        aws_query("sts", REGION, "2011-06-15", &format!("Action=AssumeRole&RoleArn={role}&RoleSessionName=test"));
    let key = assumed.split("<AccessKeyId>").nth(1).and_then(|rest| rest.split('<').next()).expect("a key").to_string();
    let run_instance = |access_key: &str| {
        let params = format!(
            "Version=2016-11-15&Action=RunInstances&ImageId=ami-12c6146b&InstanceType=t3.micro&MinCount=1&MaxCount=1\
             &TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=suite&TagSpecification.1.Tag.1.Value={suite}"
        );
        let headers = [("Content-Type", "application/x-www-form-urlencoded")];
        let answer = aws_call_as(access_key, "ec2", EC2, "POST", "/", &headers, &params);
        moto::instance_ids(&answer).pop().expect("an instance")
    };
    let state_of = |access_key: &str, id: &str| {
        let params = format!("Version=2016-11-15&Action=DescribeInstances&InstanceId.1={id}");
        let headers = [("Content-Type", "application/x-www-form-urlencoded")];
        let answer = aws_call_as(access_key, "ec2", EC2, "POST", "/", &headers, &params);
        let state = answer.split("<instanceState>").nth(1).expect("a state").split("<name>").nth(1).expect("a name");
        state.split('<').next().unwrap_or_default().to_string()
    };
    let mine = run_instance("testing");
    let theirs = run_instance(&key);

    moto::create_bucket(&moto::endpoint(), &bucket);
    moto::enable_versioning(&moto::endpoint(), &bucket);
    put_object(&bucket, "aws.json", &json!({"regions": [EC2], "endpoint_url": moto::endpoint()}).to_string());
    let stored = run(
        &[
            "extend",
            "secrets",
            "aws-role",
            "--name",
            &name,
            "--account",
            SECOND,
            "--role-arn",
            &role,
            "--external-id-env",
            "EXTERNAL_ID",
            "--label",
            "second",
        ],
        &[("EXTERNAL_ID", external_id)],
    );
    assert!(stored.status.success(), "{}", text(&stored));
    assert!(text(&stored).contains(&format!("--allow assume-role={role}")), "says how to grant it: {}", text(&stored));

    let files = tempfile::tempdir().expect("a directory");
    let playbook = files.path().join("stop.esc");
    std::fs::write(
        &playbook,
        format!(
            "playbook stop_suite {{\n  let found = aws.ec2.instances(regions = [\"{EC2}\"], tags = {{ suite: \"{suite}\" }}, state = \"running\")\n  step stop = aws.ec2.stop(found) {{ max_targets = 10 }}\n}}\n"
        ),
    )
    .expect("the playbook");
    let playbook = playbook.display().to_string();
    let added = run(
        &[
            "schedule",
            "--state",
            &state,
            "add",
            &playbook,
            "--cloud",
            "aws",
            "--cron",
            "0 20 * * *",
            "--tz",
            "UTC",
            "--missed",
            "skip",
            "--now",
            "2027-01-01T00:00:00Z",
        ],
        &[],
    );
    assert!(added.status.success(), "{}", text(&added));

    let without = run(&["job", "run-due", "--state", &state, "--at", "2027-01-02T20:00:00Z", "--exit-when-idle"], &[]);
    assert!(text(&without).contains("succeeded"), "{}", text(&without));
    assert_eq!(
        (state_of("testing", &mine), state_of(&key, &theirs)),
        ("stopped".into(), "running".into()),
        "only its own account"
    );

    let path = format!("/escher/{name}/");
    let with = run(
        &["job", "run-due", "--state", &state, "--at", "2027-01-03T20:00:00Z", "--exit-when-idle"],
        &[("ESCHER_SECRETS_SSM_PATH", path.as_str())],
    );
    assert!(with.status.success() && text(&with).contains("succeeded"), "{}", text(&with));
    assert_eq!(state_of(&key, &theirs), "stopped", "the second account, through the stored role");

    let mut seen = Vec::new();
    for output in [&stored, &added, &without, &with] {
        seen.extend_from_slice(&output.stdout);
        seen.extend_from_slice(&output.stderr);
    }
    assert_eq!(leaks_in(&seen, external_id), Vec::<String>::new(), "the external id was printed");
    for key in moto::keys(&moto::endpoint(), &bucket, "") {
        let object = aws_call("s3", REGION, "GET", &format!("/{bucket}/{key}"), &[], "");
        assert_eq!(leaks_in(object.as_bytes(), external_id), Vec::<String>::new(), "{key} holds the external id");
    }
}
