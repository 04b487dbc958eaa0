//! `notify` delivers through real servers or the step fails: a generic webhook on 127.0.0.1 checks the HMAC
//! signature of what it received, the SMTP server the test command starts (aiosmtpd, `scripts/emulators.sh`;
//! these tests FAIL without `ESCHER_TEST_SMTP`) shows the email that arrived, a dead endpoint fails the step and
//! `on_failure = continue` turns that into a warning. SNS is delivered by the AWS provider (tested on moto in
//! `providers/aws/tests/moto/notify_sns.rs`); here, a run without one fails the step saying so.

mod executor_support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::provider::Secret;
use escher_runtime::report::RunReport;
use escher_runtime::secrets::{SecretError, SecretStore};
use escher_runtime::{RunOptions, Runtime};
use executor_support::{FakeCloud, plan};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Secrets by name, for one test.
struct Secrets(BTreeMap<String, String>);

impl SecretStore for Secrets {
    fn get(&self, name: &str) -> Result<Secret, SecretError> {
        self.0.get(name).map(Secret::new).ok_or_else(|| SecretError::Missing {
            name: name.into(),
            env_var: "ESCHER_SECRET_X".into(),
            file: "secrets.json".into(),
        })
    }
}

/// One request as a receiver saw it.
#[derive(Debug)]
struct Request {
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// A webhook receiver on 127.0.0.1 answering each request with the next of `statuses` (the last one repeated):
/// its URL and what it receives.
fn receiver(statuses: &[u16]) -> (String, Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let statuses = statuses.to_vec();
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        for (index, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("the stream"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let mut headers = BTreeMap::new();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
                }
            }
            let length = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = sent.send(Request { headers, body });
            let status = statuses.get(index).or(statuses.last()).copied().unwrap_or(200);
            let answer = format!("HTTP/1.1 {status} Answer\r\nContent-Length: 7\r\nConnection: close\r\n\r\nanswer!");
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (format!("http://127.0.0.1:{port}/hooks/T0PSECRET"), received)
}

/// A URL nothing listens on.
fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/hooks/T0PSECRET")
}

async fn run_with(source: &str, secrets: &[(&str, &str)], dry_run: bool, cloud: Option<Arc<FakeCloud>>) -> RunReport {
    let dir = tempfile::tempdir().expect("a temp dir");
    let secrets = secrets.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut builder = Runtime::builder().state_dir(dir.path()).secrets(Arc::new(Secrets(secrets)));
    if let Some(cloud) = cloud {
        builder = builder.provider(cloud);
    }
    let runtime = builder.build().expect("a runtime");
    runtime.run(plan(source), RunOptions { dry_run }).expect("starts").finish().await.expect("ends")
}

async fn run(source: &str, secrets: &[(&str, &str)]) -> RunReport {
    run_with(source, secrets, false, None).await
}

fn step<'a>(report: &'a RunReport, node: &str) -> &'a escher_runtime::report::StepReport {
    report.steps.iter().find(|s| s.node == node).unwrap_or_else(|| panic!("no step {node}: {report:#?}"))
}

fn error_of(report: &RunReport, node: &str) -> String {
    step(report, node).error.clone().unwrap_or_default()
}

const SIGNED: &str = r##"
playbook signed {
  step tell = notify("#ops", "stopped 4 instances", endpoint = secret("hook"), signing_key = secret("hook-key"))
}
"##;

#[tokio::test]
async fn a_generic_webhook_gets_the_run_as_json_signed_with_hmac_sha256_over_the_exact_body() {
    let (url, received) = receiver(&[200]);
    let report = run(SIGNED, &[("hook", &url), ("hook-key", "k3y-0f-the-receiver")]).await;

    assert_eq!(step(&report, "tell").status, StepStatus::Succeeded, "{report:#?}");
    let request = received.recv_timeout(Duration::from_secs(5)).expect("the webhook received the message");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"k3y-0f-the-receiver").expect("a key");
    mac.update(&request.body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(request.headers.get("x-escher-signature"), Some(&format!("sha256={expected}")));
    assert_eq!(request.headers.get("x-escher-delivery"), Some(&format!("{}:tell", report.run_id)));
    let body: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON");
    assert_eq!(body["run"], report.run_id.as_str());
    assert_eq!(body["playbook"], "signed");
    assert_eq!(body["step"], "tell");
    assert_eq!(body["channel"], "#ops");
    assert_eq!(body["message"], "stopped 4 instances");
    assert!(body["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{body}");
    // A receiver holding another key rejects it.
    let mut wrong = Hmac::<Sha256>::new_from_slice(b"another-key").expect("a key");
    wrong.update(&request.body);
    assert!(wrong.verify_slice(&hex(&expected)).is_err());
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

#[tokio::test]
async fn an_unsigned_webhook_has_no_signature_and_a_503_is_tried_again() {
    let source = r##"playbook p { step tell = notify("#ops", "hello", endpoint = secret("hook")) }"##;
    let (url, received) = receiver(&[503, 200]);
    let report = run(source, &[("hook", &url)]).await;

    assert_eq!(step(&report, "tell").status, StepStatus::Succeeded, "{report:#?}");
    let first = received.recv_timeout(Duration::from_secs(5)).expect("a first attempt");
    let second = received.recv_timeout(Duration::from_secs(5)).expect("a second attempt after the 503");
    assert!(!first.headers.contains_key("x-escher-signature"));
    assert_eq!(first.body, second.body, "a retry posts the same body");
}

#[tokio::test]
async fn a_refusal_fails_the_step_at_once_naming_the_channel_and_the_answer_not_the_url() {
    let source = r##"playbook p { step tell = notify("#ops", "hello", endpoint = secret("hook")) }"##;
    let (url, received) = receiver(&[403]);
    let report = run(source, &[("hook", &url)]).await;

    assert_eq!(step(&report, "tell").status, StepStatus::Failed);
    assert_eq!(report.status, RunStatus::Failed);
    let error = error_of(&report, "tell");
    assert!(
        error.contains("notify #ops: endpoint not delivered") && error.contains("403") && error.contains("answer!"),
        "{error}"
    );
    assert!(!error.contains("T0PSECRET") && !error.contains("127.0.0.1"), "the error holds the URL: {error}");
    received.recv_timeout(Duration::from_secs(5)).expect("one attempt");
    assert!(received.recv_timeout(Duration::from_millis(1500)).is_err(), "a 403 is not tried again");
}

#[tokio::test]
async fn a_dead_endpoint_fails_the_step_and_with_on_failure_continue_warns_and_the_run_goes_on() {
    let url = dead_url();
    let failing = r##"playbook p { step tell = notify("#ops", "hello", webhook = secret("hook")) }"##;
    let report = run(failing, &[("hook", &url)]).await;
    assert_eq!((step(&report, "tell").status, report.status), (StepStatus::Failed, RunStatus::Failed));
    let error = error_of(&report, "tell");
    assert!(error.contains("webhook not delivered") && error.contains("after 3 attempts"), "{error}");
    assert!(!error.contains("T0PSECRET"), "{error}");

    let carrying_on = r##"
    playbook p {
      step tell = notify("#ops", "hello", webhook = secret("hook")) { on_failure = continue }
      step after_it after (tell) = report.summary("Done", { delivered: tell.delivered })
    }
    "##;
    let report = run(carrying_on, &[("hook", &url)]).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(step(&report, "tell").status, StepStatus::Succeeded);
    assert!(error_of(&report, "tell").starts_with("warning: notify #ops: webhook not delivered"), "{report:#?}");
    assert_eq!(step(&report, "after_it").status, StepStatus::Succeeded);
}

#[tokio::test]
async fn a_dry_run_delivers_nothing() {
    let (url, received) = receiver(&[200]);
    let report = run_with(SIGNED, &[("hook", &url), ("hook-key", "k")], true, None).await;
    assert_eq!(step(&report, "tell").status, StepStatus::Succeeded, "{report:#?}");
    assert!(received.recv_timeout(Duration::from_millis(500)).is_err(), "a dry run posted");
}

#[tokio::test]
async fn arguments_that_do_not_fit_together_fail_the_step_before_anything_is_sent() {
    for (source, says) in [
        (
            r##"playbook p { step tell = notify("#ops", "hi", signing_key = secret("hook-key")) }"##,
            "`signing_key` signs the `endpoint` delivery",
        ),
        (r##"playbook p { step tell = notify("#ops", "hi", to = ["a@example.com"]) }"##, "`to` is for email"),
        (
            r##"playbook p { step tell = notify("#ops", "hi", smtp = secret("mail"), sender = "e@example.com") }"##,
            "needs recipients in `to`",
        ),
        (r##"playbook p { step tell = notify("#ops", "hi", sns = "ops-topic") }"##, "not an SNS topic ARN"),
    ] {
        let report = run(source, &[("hook-key", "k"), ("mail", "smtp+insecure://127.0.0.1:1")]).await;
        assert_eq!(step(&report, "tell").status, StepStatus::Failed, "{source}");
        assert!(error_of(&report, "tell").contains(says), "{source}: {}", error_of(&report, "tell"));
    }
}

#[tokio::test]
async fn sns_needs_a_provider_that_publishes_and_a_run_without_one_fails_the_step() {
    let source = r##"playbook p { step tell = notify("#ops", "hi", sns = "arn:aws:sns:eu-west-1:123456789012:ops") }"##;
    let report = run(source, &[]).await;
    assert!(error_of(&report, "tell").contains("no provider for AWS"), "{report:#?}");
    let report = run_with(source, &[], false, Some(FakeCloud::new(Vec::new()))).await;
    assert_eq!(step(&report, "tell").status, StepStatus::Failed);
    assert!(error_of(&report, "tell").contains("publishes no notifications"), "{}", error_of(&report, "tell"));
}

/// The SMTP server the test command started, and the folder its messages land in.
fn smtp_server() -> (String, std::path::PathBuf) {
    let var = |name: &str| match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => {
            panic!("{name} is not set: start the SMTP server with `scripts/emulators.sh start` and source its env file")
        }
    };
    (var("ESCHER_TEST_SMTP"), var("ESCHER_TEST_SMTP_DIR").into())
}

/// The messages in the folder whose data holds `marker`, waiting a little for them.
fn mails_with(dir: &std::path::Path, marker: &str) -> Vec<serde_json::Value> {
    for _ in 0..50 {
        let found: Vec<serde_json::Value> = std::fs::read_dir(dir)
            .expect("the mail folder")
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                (path.extension()? == "json").then(|| std::fs::read_to_string(&path).ok()).flatten()
            })
            .filter_map(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .filter(|mail| mail["data"].as_str().is_some_and(|data| data.contains(marker)))
            .collect();
        if !found.is_empty() {
            return found;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Vec::new()
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}-{nanos:x}")
}

#[tokio::test]
async fn an_email_reaches_the_smtp_server_with_its_subject_body_and_recipients() {
    let (server, folder) = smtp_server();
    let subject = unique("nightly-done");
    let source = format!(
        r##"
        playbook nightly {{
          step tell = notify("#ops", "stopped 4 dev instances", smtp = secret("mail"),
            to = ["oncall@example.com", "Platform Team <platform@example.com>"], sender = "escher@example.com",
            subject = "{subject}")
        }}
        "##
    );
    let report = run(&source, &[("mail", &format!("smtp+insecure://{server}"))]).await;
    assert_eq!(step(&report, "tell").status, StepStatus::Succeeded, "{report:#?}");

    let mails = mails_with(&folder, &subject);
    assert_eq!(mails.len(), 1, "one email arrived");
    let mail = &mails[0];
    assert_eq!(mail["mail_from"], "escher@example.com");
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["oncall@example.com", "platform@example.com"]));
    let data = mail["data"].as_str().unwrap_or_default();
    assert!(data.contains(&format!("Subject: {subject}")), "{data}");
    assert!(data.contains("To: oncall@example.com, \"Platform Team\" <platform@example.com>"), "{data}");
    assert!(data.contains("stopped 4 dev instances"), "{data}");
    assert!(data.contains(&format!("Escher run {}, playbook nightly, step tell", report.run_id)), "{data}");
}

#[tokio::test]
async fn smtp_without_insecure_requires_starttls_and_a_server_offering_none_gets_nothing() {
    let (server, folder) = smtp_server();
    let subject = unique("must-not-arrive");
    let source = format!(
        r##"playbook p {{ step tell = notify("#ops", "hi", smtp = secret("mail"), to = ["a@example.com"],
            sender = "e@example.com", subject = "{subject}") }}"##
    );
    let report = run(&source, &[("mail", &format!("smtp://escher:hunter2@{server}"))]).await;
    assert_eq!(step(&report, "tell").status, StepStatus::Failed, "{report:#?}");
    let error = error_of(&report, "tell");
    assert!(error.contains("email not delivered") && error.contains("STARTTLS"), "{error}");
    assert!(!error.contains("hunter2"), "the error holds the password: {error}");
    assert!(mails_with(&folder, &subject).is_empty(), "a message went out in the clear");
}
