//! Credentials for other clouds from the Extended Laptop's parameter store (issue 17, item 5): an Azure
//! service principal (`escher extend secrets azure`), a GCP service account key (`extend secrets gcp`) and a role
//! in another AWS account (`extend secrets aws-role`) stored in moto's SSM are what `escher job run-due` (the
//! container's entry point) signs in with, held in memory. With no such credential in its environment, the
//! scheduled playbook stops machines on the replays of Microsoft's Resource Manager examples and of Google's APIs
//! on 127.0.0.1, and in a second moto account; the requests carry the stored credentials, and no secret appears
//! in any output or object of the state bucket. Without the parameter path the same job cannot sign in (or
//! reaches only its own account). The job runs here as a process on the host: in the container it is the same
//! binary and command (tests/extend_job.rs runs that with a secret from the same path), and the replay servers'
//! CA file is at a path on this machine.
#![cfg(all(feature = "azure", feature = "gcp"))]

mod support;

use std::process::{Output, Stdio};

use escher_arm_replay::{Exchange, Replay, published_vm};
use serde_json::{Value as Json, json};
use support::cli::escher;
use support::leaks::leaks_in;
use support::moto::{self, aws_call, aws_call_as, aws_query};

const REGION: &str = "us-east-1";

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// One Extended Laptop's state bucket and parameter path, with everything its commands printed.
struct Extended {
    name: String,
    bucket: String,
    state: String,
    files: tempfile::TempDir,
    printed: Vec<u8>,
}

impl Extended {
    /// A new versioned state bucket on moto for an Extended Laptop called `TAG<pid>`.
    fn new(tag: &str) -> Extended {
        let name = format!("{tag}{}", std::process::id() % 100_000);
        let bucket = format!("escher-{name}-state");
        moto::create_bucket(&moto::endpoint(), &bucket);
        moto::enable_versioning(&moto::endpoint(), &bucket);
        let state = format!("s3://{bucket}");
        Extended { name, bucket, state, files: tempfile::tempdir().expect("a directory"), printed: Vec::new() }
    }

    /// A provider's settings (`azure.json`, `gcp.json`, `aws.json`) in the state bucket.
    fn put(&self, key: &str, body: &Json) {
        let answer = aws_call("s3", REGION, "PUT", &format!("/{}/{key}", self.bucket), &[], &body.to_string());
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    /// `escher ARGS` on moto with no Azure or Google credential in its environment but `env`; what it printed is
    /// kept for [`Extended::assert_nowhere`].
    fn escher(&mut self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = escher();
        moto::client(&mut command, &moto::endpoint()).env("AWS_REGION", REGION).args(args).stdin(Stdio::null());
        let others = ["GOOGLE_APPLICATION_CREDENTIALS", "ESCHER_SECRETS_SSM_PATH"];
        for name in support::cli::AZURE_CREDENTIAL_VARIABLES.into_iter().chain(others) {
            command.env_remove(name);
        }
        // No gcloud configuration and no metadata server: the GCP chain has nothing but what the job is given.
        command.env("CLOUDSDK_CONFIG", "/nonexistent/gcloud").env("GCE_METADATA_HOST", "127.0.0.1:9");
        let output = command.envs(env.iter().copied()).output().expect("escher starts");
        self.printed.extend_from_slice(&output.stdout);
        self.printed.extend_from_slice(&output.stderr);
        output
    }

    /// `escher extend secrets KIND --name NAME ARGS`, which must succeed.
    fn store(&mut self, kind: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let name = self.name.clone();
        let stored = self.escher(&[&["extend", "secrets", kind, "--name", &name], args].concat(), env);
        assert!(stored.status.success(), "{}", text(&stored));
        stored
    }

    /// Schedules `playbook` daily at 20:00 UTC on `cloud`, from 2027 (later than the test's real time: a job
    /// releases the schedule's lease at the later of the two, so each job below starts free).
    fn schedule(&mut self, playbook: &str, cloud: &str) {
        let file = self.files.path().join("scheduled.esc");
        std::fs::write(&file, playbook).expect("the playbook");
        let file = file.display().to_string();
        let state = self.state.clone();
        let added = self.escher(
            &[
                "schedule",
                "--state",
                &state,
                "add",
                &file,
                "--cloud",
                cloud,
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
    }

    /// The container's job for the occurrence on `day` of January 2027, with the parameter path or without.
    fn job(&mut self, day: u32, with_secrets: bool) -> String {
        let (state, at) = (self.state.clone(), format!("2027-01-{day:02}T20:00:00Z"));
        let path = format!("/escher/{}/", self.name);
        let env: &[(&str, &str)] = if with_secrets { &[("ESCHER_SECRETS_SSM_PATH", &path)] } else { &[] };
        text(&self.escher(&["job", "run-due", "--state", &state, "--at", &at, "--exit-when-idle"], env))
    }

    /// `secret` is in nothing printed and in no object of the state bucket, in any form.
    fn assert_nowhere(&self, secret: &str) {
        assert_eq!(leaks_in(&self.printed, secret), Vec::<String>::new(), "printed");
        for key in moto::keys(&moto::endpoint(), &self.bucket, "") {
            let object = aws_call("s3", REGION, "GET", &format!("/{}/{key}", self.bucket), &[], "");
            assert_eq!(leaks_in(object.as_bytes(), secret), Vec::<String>::new(), "{key} holds it");
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
}

#[test]
fn the_container_job_signs_in_to_azure_with_the_service_principal_from_ssm() {
    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const SUBSCRIPTION: &str = "8f3c2a1e-5b7d-4e9a-9c61-2d4f8a0b7e13";
    const CLIENT_ID: &str = "escher-extended-laptop";
    const CLIENT_SECRET: &str = "ssm-held.Qm7Zp2Lk9Wm4Rt8Vn3Yb~x";
    let vm_id = format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/vm-dev-1"
    );
    let suite = format!("ext{}", std::process::id());
    let mut vm = published_vm(&vm_id, "running");
    vm["tags"] = json!({"env": "dev", "suite": suite});

    let runtime = runtime();
    let replay = runtime.block_on(Replay::start());
    replay.serve(Exchange::token(TENANT));
    let listed = format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Compute/virtualMachines");
    replay.serve(
        Exchange::new("GET", &listed, "2026-04-01")
            .query("statusOnly", "true")
            .respond(200, Some(json!({"value": [vm.clone()]})))
            .derived("VirtualMachine_Get.json's VM, tagged for the test, running"),
    );
    replay.serve(
        Exchange::new("GET", &vm_id, "2026-04-01")
            .query("$expand", "instanceView")
            .respond(200, Some(vm))
            .derived("the VM, read"),
    );
    replay.serve(
        Exchange::example(
            "compute/2025-11-01/VirtualMachine_Deallocate_MinimumSet_Gen.json",
            "POST",
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}/deallocate",
            200,
        )
        .path(&format!("{vm_id}/deallocate"))
        .api_version("2026-04-01")
        .derived("this VM; api-version 2026-04-01"),
    );

    let mut extended = Extended::new("sp");
    let ca = replay.write_ca(extended.files.path());
    extended.put(
        "azure.json",
        &json!({
            "subscriptions": [{"id": SUBSCRIPTION}],
            "resource_manager_endpoint": replay.base(),
            "authority_host": replay.base(),
            "ca_file": ca,
            "poll_interval_secs": 0,
        }),
    );
    let secret = [("SP_SECRET", CLIENT_SECRET)];
    extended.store(
        "azure",
        &["--tenant-id", TENANT, "--client-id", CLIENT_ID, "--client-secret-env", "SP_SECRET"],
        &secret,
    );
    let listed = extended.store("list", &[], &[]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "azure service principal\n");
    extended.schedule(
        &format!(
            "playbook stop_dev {{\n  let vms = azure.vm.list(tags = {{ env: \"dev\", suite: \"{suite}\" }}, state = \"running\")\n  step stop = azure.vm.deallocate(vms) {{ max_targets = 10 }}\n}}\n"
        ),
        "azure",
    );

    let without = extended.job(2, false);
    assert!(
        without.contains("stop_dev 2027-01-02T20:00:00Z: ran, not run: the azure provider cannot start"),
        "{without}"
    );
    assert!(replay.calls().iter().all(|call| !call.starts_with("POST")), "nothing deallocated: {:?}", replay.calls());

    let with = extended.job(3, true);
    assert!(with.contains("stop_dev 2027-01-03T20:00:00Z: ran as run ") && with.contains("succeeded"), "{with}");
    let tokens: Vec<_> =
        replay.log().into_iter().filter(|logged| logged.path.ends_with("/oauth2/v2.0/token")).collect();
    assert!(!tokens.is_empty(), "the job signed in");
    for request in &tokens {
        let form = request.form();
        assert_eq!(request.path, format!("/{TENANT}/oauth2/v2.0/token"));
        assert_eq!(form.get("client_id").map(String::as_str), Some(CLIENT_ID));
        assert_eq!(form.get("client_secret").map(String::as_str), Some(CLIENT_SECRET), "the secret from SSM");
    }
    let mutating: Vec<String> = replay.calls().into_iter().filter(|call| !call.starts_with("GET ")).collect();
    assert_eq!(mutating, [format!("POST {vm_id}/deallocate")]);
    extended.assert_nowhere(CLIENT_SECRET);
}

/// A service account key stored with `extend secrets gcp` signs the job's requests to Google's APIs (replayed,
/// checked against their Discovery documents): its `client_email`, changed from the fixture's so that only the
/// stored key can have put it there, is in every request's token.
#[test]
fn the_container_job_signs_in_to_gcp_with_the_service_account_key_from_ssm() {
    use escher_gcp_replay::{Api, Estate};
    let suite = format!("gext{}", std::process::id());
    let runtime = runtime();
    let labels = [("env", "dev"), ("suite", suite.as_str())];
    let estate = Estate::empty().instance("acme-dev", "us-central1-a", "dev-1", "e2-medium", "RUNNING", &labels);
    let replay = runtime.block_on(escher_gcp_replay::Replay::start(estate));
    let endpoints = replay.endpoints();

    let mut extended = Extended::new("sa");
    extended.put(
        "gcp.json",
        &json!({
            "projects": [{"id": "acme-dev"}],
            "endpoints": {"compute": endpoints.compute, "oauth_token": endpoints.oauth_token},
            "poll_interval_ms": 0,
        }),
    );
    let fixture =
        format!("{}/providers/gcp/tests/fixtures/credentials/service-account.json", env!("CARGO_MANIFEST_DIR"));
    let mut key: Json = serde_json::from_str(&std::fs::read_to_string(fixture).expect("the test key")).expect("JSON");
    let email = "escher-extended-laptop@acme-dev.iam.gserviceaccount.com";
    key["client_email"] = json!(email);
    let private_key = key["private_key"].as_str().expect("a private key").to_string();
    let key_file = extended.files.path().join("key.json");
    std::fs::write(&key_file, key.to_string()).expect("the key file");
    extended.store("gcp", &["--key-file", &key_file.display().to_string()], &[]);
    std::fs::remove_file(&key_file).expect("the laptop's copy is gone");
    let listed = extended.store("list", &[], &[]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "gcp service account key\n");
    extended.schedule(
        &format!(
            "playbook stop_dev {{\n  let gce = gcp.compute.instances(labels = {{ env: \"dev\", suite: \"{suite}\" }}, status = \"running\")\n  step stop = gcp.compute.stop(gce) {{ max_targets = 10 }}\n}}\n"
        ),
        "gcp",
    );

    let without = extended.job(2, false);
    assert!(
        without.contains("stop_dev 2027-01-02T20:00:00Z: ran, not run: the gcp provider cannot start"),
        "{without}"
    );
    let with = extended.job(3, true);
    assert!(with.contains("stop_dev 2027-01-03T20:00:00Z: ran as run ") && with.contains("succeeded"), "{with}");
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
    extended.assert_nowhere(private_key.lines().nth(1).expect("a line of the private key"));
}

/// Another account's role stored with `extend secrets aws-role` is assumed by the job (with moto's credentials
/// standing for the task role's), so one scheduled stop reaches the instances of both accounts; without the
/// parameter path only the job's own. moto attributes calls made with assumed credentials to the role's account
/// and keeps each account's instances apart.
#[test]
fn the_container_job_reaches_another_aws_account_through_the_role_from_ssm() {
    const SECOND: &str = "111111111111";
    const EC2: &str = "ap-northeast-3";
    const EXTERNAL_ID: &str = "ext-id.Wq4Tn8Lp2Zr6Vx0Kc";
    let role = format!("arn:aws:iam::{SECOND}:role/escher-ext");
    let suite = format!("aext{}", std::process::id());

    // The second account's credentials, as the job will get them: AssumeRole.
    let assumed =
        aws_query("sts", REGION, "2011-06-15", &format!("Action=AssumeRole&RoleArn={role}&RoleSessionName=test"));
    let key = assumed.split("<AccessKeyId>").nth(1).and_then(|rest| rest.split('<').next()).expect("a key").to_string();
    let ec2 = |access_key: &str, params: &str| {
        let headers = [("Content-Type", "application/x-www-form-urlencoded")];
        aws_call_as(access_key, "ec2", EC2, "POST", "/", &headers, &format!("Version=2016-11-15&{params}"))
    };
    let launch = |access_key: &str| {
        let params = format!(
            "Action=RunInstances&ImageId=ami-12c6146b&InstanceType=t3.micro&MinCount=1&MaxCount=1\
             &TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=suite&TagSpecification.1.Tag.1.Value={suite}"
        );
        moto::instance_ids(&ec2(access_key, &params)).pop().expect("an instance")
    };
    let state_of = |access_key: &str, id: &str| {
        let answer = ec2(access_key, &format!("Action=DescribeInstances&InstanceId.1={id}"));
        let state = answer.split("<instanceState>").nth(1).expect("a state").split("<name>").nth(1).expect("a name");
        state.split('<').next().unwrap_or_default().to_string()
    };
    let mine = launch("testing");
    let theirs = launch(&key);

    let mut extended = Extended::new("ac");
    extended.put("aws.json", &json!({"regions": [EC2], "endpoint_url": moto::endpoint()}));
    let stored = extended.store(
        "aws-role",
        &["--account", SECOND, "--role-arn", &role, "--external-id-env", "EXTERNAL_ID", "--label", "second"],
        &[("EXTERNAL_ID", EXTERNAL_ID)],
    );
    assert!(text(&stored).contains(&format!("--allow assume-role={role}")), "says how to grant it: {}", text(&stored));
    extended.schedule(
        &format!(
            "playbook stop_suite {{\n  let found = aws.ec2.instances(regions = [\"{EC2}\"], tags = {{ suite: \"{suite}\" }}, state = \"running\")\n  step stop = aws.ec2.stop(found) {{ max_targets = 10 }}\n}}\n"
        ),
        "aws",
    );

    let without = extended.job(2, false);
    assert!(without.contains("succeeded"), "{without}");
    assert_eq!(
        (state_of("testing", &mine), state_of(&key, &theirs)),
        ("stopped".into(), "running".into()),
        "its own only"
    );
    let with = extended.job(3, true);
    assert!(with.contains("succeeded"), "{with}");
    assert_eq!(state_of(&key, &theirs), "stopped", "the second account, through the stored role");
    extended.assert_nowhere(EXTERNAL_ID);
}

/// Governed scheduled runs (issue 17, item 3): the container's own identity, made by `extend secrets identity`
/// and kept in the parameter store, is the runner a policy in the state bucket lists. A scheduled step that
/// needs a manager's signed approval suspends the job's run; the request, signed by the container's key, is
/// listed on the laptop with `escher approvals --state s3://...` and approved there. (Going on is `escher resume`
/// by a runner the policy lets run it, not by the approver: the self-approval rule refuses that.)
#[test]
fn a_governed_scheduled_run_suspends_in_the_job_and_is_approved_from_the_laptop() {
    let mut extended = Extended::new("gv");
    extended.put("aws.json", &json!({"regions": ["eu-west-3"], "endpoint_url": moto::endpoint()}));
    // Machines for the step to stop: with none it would have nothing to ask approval for.
    let launched = aws_query(
        "ec2",
        "eu-west-3",
        "2016-11-15",
        "Action=RunInstances&ImageId=ami-12c6146b&InstanceType=t3.micro&MinCount=2&MaxCount=2",
    );
    assert!(launched.starts_with("HTTP/1.1 200"), "{launched}");
    let made = extended.store("identity", &["--as", "extended-gv"], &[]);
    let made = String::from_utf8_lossy(&made.stdout).into_owned();
    let runner_key = made.split(" key ").nth(1).and_then(|rest| rest.split_whitespace().next()).expect("a key");
    let again = extended.store("identity", &["--as", "someone-else"], &[]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), made, "made once, then the same");

    let state = extended.state.clone();
    let manager = extended.escher(&["identity", "--name", "alice", "--state", &state, "--format", "json"], &[]);
    let manager: Json = serde_json::from_slice(&manager.stdout).expect("the manager's identity");
    let manager_key = manager["key"].as_str().expect("a key").to_string();
    let policy = format!(
        "[roles.manager]\nrun_without_approval = \"high\"\nmembers = [{{ name = \"alice\", key = \"{manager_key}\" }}]\n\n\
         [roles.executor]\nrun_without_approval = \"medium\"\nmembers = [{{ name = \"extended-gv\", key = \"{runner_key}\" }}]\n\n\
         [approvals.high]\ncount = 1\nfrom = [\"manager\"]\n"
    );
    let answer = aws_call("s3", REGION, "PUT", &format!("/{}/policy.toml", extended.bucket), &[], &policy);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    extended.schedule(
        "playbook risky {\n  let vms = aws.ec2.instances(regions = [\"eu-west-3\"], state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 50 }\n}\n",
        "aws",
    );

    let ran = extended.job(2, true);
    let run_id = ran
        .split("ran as run ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("a run: {ran}"))
        .to_string();
    assert!(ran.contains(&format!("waiting for approval: escher approvals, then escher resume {run_id}")), "{ran}");

    let listed = extended.escher(&["approvals", "--state", &state, "--format", "json"], &[]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.contains(&run_id) && listed.contains("extended-gv"), "the container's request: {listed}");
    let approved = extended.escher(&["approve", &run_id, "stop", "--state", &state], &[]);
    assert!(approved.status.success(), "{}", text(&approved));
    let all = extended.escher(&["approvals", "--state", &state, "--all", "--format", "json"], &[]);
    assert!(String::from_utf8_lossy(&all.stdout).contains("\"status\":\"approved\""), "{}", text(&all));
}
