//! `escher serve`, the stateless compile service, over real HTTP on 127.0.0.1: answers do not depend on what came
//! before, imports come only from the request, machine-applicable fixes are applied, limits hold, and the process
//! writes no file.

mod support;

use std::path::{Path, PathBuf};

use support::serve::Serving;

/// A running `escher serve` in a directory of its own (its working directory and home).
struct Server {
    serving: Serving,
    home: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let home = tempfile::tempdir().expect("a home");
        let mut command = support::cli::escher();
        command.args(["serve", "--listen", "127.0.0.1:0"]).args(extra).current_dir(home.path());
        for var in ["HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "TMPDIR"] {
            command.env(var, home.path());
        }
        command.env_remove("ESCHER_STATE");
        Server { serving: Serving::start(command), home }
    }

    fn send(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        self.serving.send(method, path, body)
    }

    fn post(&self, path: &str, request: &serde_json::Value) -> (u16, serde_json::Value) {
        let (status, body) = self.send("POST", path, &request.to_string());
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)))
    }
}

const VALID: &str = "playbook tidy {\n  let vms = aws.ec2.instances(regions = [\"us-east-1\"], tags = { env: \"dev\" })\n  step stop = aws.ec2.stop(vms) { max_targets = 5 }\n}\n";
const MISSPELT: &str = "playbook tidy {\n  let vms = aws.ec2.instances(regions = [\"us-east-1\"], tags = { env: \"dev\" })\n  step stop = aws.ec2.stp(vms) { max_targets = 5 }\n}\n";

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("listed").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn check_and_plan_answer_the_same_in_any_order_and_fix_applies_what_is_safe() {
    let server = Server::start(&[]);
    let (valid, broken) = (serde_json::json!({ "playbook": VALID }), serde_json::json!({ "playbook": MISSPELT }));
    let first = [server.post("/v1/check", &valid), server.post("/v1/check", &broken)];
    let second = [server.post("/v1/check", &broken), server.post("/v1/check", &valid)];
    assert_eq!(first[0], second[1], "the valid playbook's answer does not depend on what came before");
    assert_eq!(first[1], second[0], "nor the broken one's");
    let (status, answer) = &first[0];
    assert_eq!((*status, &answer["ok"]), (200, &serde_json::json!(true)), "{answer}");
    let (status, answer) = &first[1];
    assert_eq!((*status, &answer["ok"]), (200, &serde_json::json!(false)), "{answer}");
    assert_eq!(answer["diagnostics"][0]["code"], "E0202", "an unknown callable: {answer}");

    let (status, planned) = server.post("/v1/plan", &valid);
    assert_eq!(status, 200, "{planned}");
    assert_eq!(planned["plan"]["playbook"], "tidy", "{planned}");
    assert_eq!(server.post("/v1/plan", &valid), (status, planned), "a plan is the same plan each time");

    let (status, fixed) = server.post("/v1/fix", &broken);
    assert_eq!(status, 200, "{fixed}");
    assert_eq!((fixed["applied"].as_u64(), &fixed["ok"]), (Some(1), &serde_json::json!(true)), "{fixed}");
    assert_eq!(fixed["playbook"], VALID);
}

#[test]
fn imports_come_from_the_request_never_from_the_servers_disk_and_nothing_is_written() {
    let server = Server::start(&[]);
    let lib =
        "playbook tell {\n  param message: string\n  step send = notify(channel = \"#ops\", message = message)\n}\n";
    std::fs::write(server.home.path().join("lib.esc"), lib).expect("a file where the server runs");
    let before = files_under(server.home.path());
    let main = "use \"lib.esc\" as tell\nplaybook main {\n  step told = tell(message = \"done\")\n}\n";
    let (_, from_disk) = server.post("/v1/check", &serde_json::json!({ "playbook": main }));
    assert_eq!(from_disk["ok"], false, "the file beside the server is not read: {from_disk}");
    let with_files = serde_json::json!({ "playbook": main, "files": { "lib.esc": lib } });
    let (_, sent) = server.post("/v1/check", &with_files);
    assert_eq!(sent["ok"], true, "the request's files are: {sent}");
    let (status, brief) = server.send("GET", "/v1/catalog?clouds=gcp&only=compute.stop", "");
    assert_eq!(status, 200, "{brief}");
    assert!(brief.contains("\"gcp.compute.stop\"") && !brief.contains("\"aws."), "{brief}");
    assert_eq!(files_under(server.home.path()), before, "the server wrote no file");
}

#[test]
fn the_grammar_is_served_as_escher_grammar_prints_it() {
    let server = Server::start(&[]);
    for format in ["lark", "gbnf", "json-schema"] {
        let (status, served) = server.send("GET", &format!("/v1/grammar?format={format}"), "");
        assert_eq!(status, 200, "{served}");
        let printed =
            support::cli::escher().args(["grammar", "--format", format]).output().expect("escher grammar runs");
        assert!(printed.status.success());
        assert_eq!(served, String::from_utf8_lossy(&printed.stdout), "{format}");
    }
    let (status, default) = server.send("GET", "/v1/grammar", "");
    assert!(status == 200 && default.starts_with("%llguidance {}"), "{default}");
    let (status, refused) = server.send("GET", "/v1/grammar?format=yaml", "");
    assert!(status == 400 && refused.contains("lark, gbnf, json-schema"), "{refused}");
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let server = Server::start(&["--max-body", "512"]);
    let big = serde_json::json!({ "playbook": format!("{VALID}{}", "// padding\n".repeat(100)) });
    let (status, _) = server.post("/v1/check", &big);
    assert_eq!(status, 413);
    let (status, small) = server.post("/v1/check", &serde_json::json!({ "playbook": "playbook p {\n}\n" }));
    assert_eq!(status, 200, "{small}");
}

#[test]
fn a_request_over_its_time_is_answered_503() {
    let server = Server::start(&["--timeout", "0s"]);
    let (status, answer) = server.post("/v1/plan", &serde_json::json!({ "playbook": VALID }));
    assert_eq!(status, 503, "{answer}");
    assert!(answer["error"].as_str().is_some_and(|why| why.contains("took longer than")), "{answer}");
}
