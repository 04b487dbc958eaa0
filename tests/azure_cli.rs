//! The Azure wiring of the command line, against Microsoft's published Resource Manager examples replayed on
//! 127.0.0.1 (`escher-arm-replay`) and, for the AWS half of a cross-cloud run, moto (fails when
//! `ESCHER_TEST_MOTO` is unset). Escher reaches the replay server through `azure.json`'s
//! `resource_manager_endpoint`, `authority_host` and `ca_file`, and signs in through each real credential source:
//! a service principal's secret, workload identity, managed identity (App Service's endpoint) and a stub `az`.
#![cfg(feature = "azure")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use escher_arm_replay::{Exchange, Replay, example, published_vm};
use serde_json::{Value as Json, json};
use support::moto::{EC2_REGION as REGION, endpoint as moto, instances_in_state as in_state, launch};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB_A: &str = "8f3c2a1e-5b7d-4e9a-9c61-2d4f8a0b7e13";
const SUB_B: &str = "c2a9e4d7-1f38-4b6e-a5d0-93e7b1c4f826";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
}

/// `azure.json` for `subscriptions` on the replay server, with `credential` if given.
fn configure(state: &Path, replay: &Replay, subscriptions: &[&str], credential: Option<&str>) {
    let mut config = json!({
        "subscriptions": subscriptions.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        "tenant_id": TENANT,
        "resource_manager_endpoint": replay.base(),
        "authority_host": replay.base(),
        "ca_file": replay.write_ca(state),
        "poll_interval_secs": 0,
    });
    if let Some(credential) = credential {
        config["credential"] = json!(credential);
    }
    std::fs::write(state.join("azure.json"), config.to_string()).expect("azure.json");
}

/// `escher` with no Azure or AWS credential in its environment but `env`.
fn escher(state: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_escher"));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("ESCHER_STATE", state);
    for name in support::cli::AZURE_CREDENTIAL_VARIABLES {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("escher runs")
}

fn service_principal() -> Vec<(&'static str, String)> {
    vec![
        ("AZURE_TENANT_ID", TENANT.into()),
        ("AZURE_CLIENT_ID", "escher-cli-tests".into()),
        ("AZURE_CLIENT_SECRET", "not-a-secret".into()),
    ]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every list `escher inventory --cloud azure` makes in `subscription`, each answered with an empty page (ARM's
/// list shape, `{"value": []}`).
fn serve_empty_estate(replay: &Replay, subscription: &str) {
    let empty = || Some(json!({"value": []}));
    let at = |path: &str| format!("/subscriptions/{subscription}/providers/{path}");
    replay.serve(
        Exchange::new("GET", &at("Microsoft.Compute/virtualMachines"), "2026-04-01")
            .query("statusOnly", "true")
            .respond(200, empty()),
    );
    replay.serve(Exchange::new("GET", &at("Microsoft.Compute/disks"), "2026-03-02").respond(200, empty()));
    replay.serve(Exchange::new("GET", &at("Microsoft.Compute/snapshots"), "2026-03-02").respond(200, empty()));
    replay.serve(
        Exchange::new("GET", &at("Microsoft.Network/networkSecurityGroups"), "2025-07-01").respond(200, empty()),
    );
    replay.serve(Exchange::new("GET", &at("Microsoft.Sql/servers"), "2025-01-01").respond(200, empty()));
    replay.serve(Exchange::new("GET", &at("Microsoft.Web/sites"), "2026-09-01").respond(200, empty()));
    replay.serve(Exchange::new("GET", &at("Microsoft.Storage/storageAccounts"), "2025-01-01").respond(200, empty()));
}

/// The published disks, in `subscription`.
fn disks_of(subscription: &str) -> Json {
    let mut listed = example("compute/2025-01-02/Disk_ListBySubscription.json")["responses"]["200"]["body"].clone();
    listed["nextLink"] = Json::Null;
    for disk in listed["value"].as_array_mut().into_iter().flatten() {
        let id = disk["id"].as_str().unwrap_or_default().replace("{subscriptionId}", subscription);
        disk["id"] = json!(id);
    }
    listed
}

#[test]
fn inventory_lists_two_subscriptions_into_one_file() {
    let rt = runtime();
    let replay = rt.block_on(Replay::start());
    replay.serve(Exchange::token(TENANT));
    for subscription in [SUB_A, SUB_B] {
        replay.serve(
            Exchange::new(
                "GET",
                &format!("/subscriptions/{subscription}/providers/Microsoft.Compute/disks"),
                "2026-03-02",
            )
            .respond(200, Some(disks_of(subscription)))
            .derived("Disk_ListBySubscription.json in this subscription, without its off-host nextLink"),
        );
        serve_empty_estate(&replay, subscription);
    }
    let state = tempfile::tempdir().expect("a state dir");
    configure(state.path(), &replay, &[SUB_A, SUB_B], None);
    let found = escher(state.path(), &["inventory", "--cloud", "azure"], &service_principal());
    assert_eq!(found.status.code(), Some(0), "{}", text(&found.stderr));
    assert!(text(&found.stdout).contains("in 2 subscription(s)"), "{}", text(&found.stdout));
    let written: Json =
        serde_json::from_slice(&std::fs::read(state.path().join("inventory/azure.json")).expect("written"))
            .expect("JSON");
    let per_subscription = disks_of(SUB_A)["value"].as_array().map_or(0, Vec::len);
    assert_eq!(written["resources"].as_array().map_or(0, Vec::len), 2 * per_subscription);
    assert_eq!(written["subscriptions"], json!([SUB_A, SUB_B]));
    replay.assert_clean();

    // Only the subscriptions asked for.
    let one = escher(state.path(), &["inventory", "--cloud", "azure", "--subscriptions", SUB_B], &service_principal());
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(text(&one.stdout).contains("in 1 subscription(s)"), "{}", text(&one.stdout));
}

#[test]
fn a_throttled_listing_fails_the_inventory_and_leaves_the_file_as_it_was() {
    let rt = runtime();
    let replay = rt.block_on(Replay::start());
    replay.serve(Exchange::token(TENANT));
    replay.serve(
        Exchange::new("GET", &format!("/subscriptions/{SUB_A}/providers/Microsoft.Compute/disks"), "2026-03-02")
            .respond(429, Some(json!({"error": {"code": "TooManyRequests", "message": "Slow down."}})))
            .header("retry-after", "7"),
    );
    serve_empty_estate(&replay, SUB_A);
    let state = tempfile::tempdir().expect("a state dir");
    configure(state.path(), &replay, &[SUB_A], None);
    let before = "{\"kept\": true}";
    std::fs::create_dir_all(state.path().join("inventory")).expect("dir");
    std::fs::write(state.path().join("inventory/azure.json"), before).expect("an earlier inventory");
    let failed = escher(state.path(), &["inventory", "--cloud", "azure"], &service_principal());
    assert_ne!(failed.status.code(), Some(0));
    assert!(text(&failed.stderr).contains("TooManyRequests"), "{}", text(&failed.stderr));
    assert_eq!(std::fs::read_to_string(state.path().join("inventory/azure.json")).expect("kept"), before);
}

/// One sign-in per credential source, each through its real code: the token the source gets is the one every
/// Resource Manager request carries.
#[test]
fn each_credential_source_signs_in() {
    let rt = runtime();
    let replay = rt.block_on(Replay::start());
    serve_empty_estate(&replay, SUB_A);
    let state = tempfile::tempdir().expect("a state dir");
    let bearer_of_last_call = |replay: &Replay| {
        replay
            .log()
            .iter()
            .rev()
            .find(|l| l.path.contains("/providers/"))
            .and_then(|l| l.headers.get("authorization").cloned())
    };

    // A service principal's secret, posted to the tenant's token endpoint.
    replay.serve(Exchange::token(TENANT));
    configure(state.path(), &replay, &[SUB_A], Some("environment"));
    let ran = escher(state.path(), &["inventory", "--cloud", "azure"], &service_principal());
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    let asked = replay.log().into_iter().find(|l| l.path.ends_with("/oauth2/v2.0/token")).expect("a token request");
    assert!(
        asked.body.contains("client_secret=not-a-secret") && asked.body.contains("client_id=escher-cli-tests"),
        "{}",
        asked.body
    );
    assert_eq!(bearer_of_last_call(&replay), Some(format!("Bearer token-of-{TENANT}")));

    // Workload identity: the federated token file's content is the client assertion.
    let token_file = state.path().join("federated-token");
    std::fs::write(&token_file, "federated-assertion").expect("token file");
    configure(state.path(), &replay, &[SUB_A], Some("workload_identity"));
    let env = vec![
        ("AZURE_TENANT_ID", TENANT.to_string()),
        ("AZURE_CLIENT_ID", "escher-workload".to_string()),
        ("AZURE_FEDERATED_TOKEN_FILE", token_file.display().to_string()),
    ];
    let ran = escher(state.path(), &["inventory", "--cloud", "azure"], &env);
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    let asked =
        replay.log().into_iter().rev().find(|l| l.path.ends_with("/oauth2/v2.0/token")).expect("a token request");
    assert!(asked.body.contains("client_assertion=federated-assertion"), "{}", asked.body);

    // Managed identity, through App Service's identity endpoint.
    let expires = (chrono::Utc::now().timestamp() + 3600).to_string();
    replay.serve(
        Exchange::new("GET", "/msi/token", "2019-08-01")
            .query("resource", replay.base())
            .respond(
                200,
                Some(json!({"access_token": "token-of-the-managed-identity", "expires_on": expires,
                                      "resource": replay.base(), "token_type": "Bearer"})),
            )
            .derived("App Service's managed identity endpoint (its documented answer)"),
    );
    configure(state.path(), &replay, &[SUB_A], Some("managed_identity"));
    let env = vec![
        ("IDENTITY_ENDPOINT", format!("{}/msi/token", replay.base())),
        ("IDENTITY_HEADER", "identity-secret".to_string()),
    ];
    let ran = escher(state.path(), &["inventory", "--cloud", "azure"], &env);
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    let asked = replay.log().into_iter().find(|l| l.path == "/msi/token").expect("an identity request");
    assert_eq!(asked.headers.get("x-identity-header").map(String::as_str), Some("identity-secret"));
    assert_eq!(bearer_of_last_call(&replay).as_deref(), Some("Bearer token-of-the-managed-identity"));

    // The Azure CLI: a stub `az` on PATH answering as `az account get-access-token` does.
    let bin = state.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let az = bin.join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\necho '{{\"accessToken\": \"token-of-az\", \"expires_on\": {expires}, \"tokenType\": \"Bearer\"}}'\n",
            state.path().join("az-args").display()
        ),
    )
    .expect("the stub az");
    make_executable(&az);
    configure(state.path(), &replay, &[SUB_A], Some("azure_cli"));
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let ran = escher(state.path(), &["inventory", "--cloud", "azure"], &[("PATH", path)]);
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    let args = std::fs::read_to_string(state.path().join("az-args")).expect("az ran");
    assert!(args.contains("account get-access-token") && args.contains(&format!("--tenant {TENANT}")), "{args}");
    assert_eq!(args.lines().count(), 1, "the token the chain got is the one the calls use: az ran once\n{args}");
    assert_eq!(bearer_of_last_call(&replay).as_deref(), Some("Bearer token-of-az"));
    replay.assert_clean();
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn when_no_credential_works_one_error_names_each_source_and_nothing_runs() {
    let rt = runtime();
    let replay = rt.block_on(Replay::start());
    let state = tempfile::tempdir().expect("a state dir");
    configure(state.path(), &replay, &[SUB_A], None);
    let empty_path = state.path().join("empty-bin");
    std::fs::create_dir_all(&empty_path).expect("dir");
    let ran = escher(state.path(), &["inventory", "--cloud", "azure"], &[("PATH", empty_path.display().to_string())]);
    assert_ne!(ran.status.code(), Some(0));
    let said = text(&ran.stderr);
    for source in ["environment:", "workload identity:", "managed identity:", "Azure CLI:"] {
        assert!(said.contains(source), "{source} missing from: {said}");
    }
    assert!(said.contains("AZURE_FEDERATED_TOKEN_FILE is not set"), "{said}");
    assert!(replay.log().iter().all(|l| !l.path.contains("/providers/")), "nothing reached Resource Manager");
}

// --- A cross-cloud run: `compute.stop` over EC2 (moto) and Azure VMs (the replay server). ---

fn vm_id(name: &str) -> String {
    format!("/subscriptions/{SUB_A}/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/{name}")
}

/// The published VM as `name`, tagged for the suite, in `power` state.
fn vm(name: &str, suite: &str, power: &str) -> Json {
    let mut vm = published_vm(&vm_id(name), power);
    vm["tags"] = json!({"env": "dev", "suite": suite});
    vm
}

#[test]
fn compute_stop_stops_ec2_in_moto_and_deallocates_each_azure_vm_once() {
    let suite = format!("azx{}", std::process::id());
    let launched = launch(2, "dev", &suite);

    let rt = runtime();
    let replay = rt.block_on(Replay::start());
    replay.serve(Exchange::token(TENANT));
    let names = ["vm-dev-1", "vm-dev-2"];
    let listed = json!({"value": names.iter().map(|n| vm(n, &suite, "running")).collect::<Vec<_>>()});
    replay.serve(
        Exchange::new(
            "GET",
            &format!("/subscriptions/{SUB_A}/providers/Microsoft.Compute/virtualMachines"),
            "2026-04-01",
        )
        .query("statusOnly", "true")
        .respond(200, Some(listed))
        .derived("VirtualMachine_Get.json's VM twice, tagged for the suite, running"),
    );
    for name in names {
        replay.serve(
            Exchange::new("GET", &vm_id(name), "2026-04-01")
                .query("$expand", "instanceView")
                .respond(200, Some(vm(name, &suite, "running")))
                .derived("the VM, read"),
        );
        replay.serve(
            Exchange::example(
                "compute/2025-11-01/VirtualMachine_Deallocate_MinimumSet_Gen.json",
                "POST",
                "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}/deallocate",
                200,
            )
            .path(&format!("{}/deallocate", vm_id(name)))
            .api_version("2026-04-01")
            .derived("this VM; api-version 2026-04-01"),
        );
    }

    let state = tempfile::tempdir().expect("a state dir");
    configure(state.path(), &replay, &[SUB_A], None);
    let aws = format!(r#"{{ "regions": ["{REGION}"], "endpoint_url": "{}" }}"#, moto());
    std::fs::write(state.path().join("aws.json"), aws).expect("aws.json");
    let playbook = state.path().join("stop.esc");
    std::fs::write(
        &playbook,
        format!(
            "playbook stop_dev {{\n  let vms = compute.instances(tags = {{ env: \"dev\", suite: \"{suite}\" }}, state = \"running\")\n  step stop = compute.stop(vms) {{ max_targets = 10 }}\n}}\n"
        ),
    )
    .expect("the playbook");
    let mut env = service_principal();
    env.extend([
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ]);
    let playbook = playbook.display().to_string();
    let ran = escher(state.path(), &["run", &playbook, "--cloud", "aws,azure", "--approve-up-to", "high"], &env);
    assert_eq!(ran.status.code(), Some(0), "{}\n{}", text(&ran.stdout), text(&ran.stderr));

    assert_eq!(in_state(&suite, "stopped"), launched, "EC2 stopped in moto");
    let mutating: Vec<String> = replay.calls().into_iter().filter(|c| !c.starts_with("GET ")).collect();
    let expected: Vec<String> = names.iter().map(|n| format!("POST {}/deallocate", vm_id(n))).collect();
    let mut sorted = mutating.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "one deallocate per Azure VM and nothing else mutating");
    replay.assert_clean();
}
