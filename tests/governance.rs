//! Governance end to end, through the `escher` binary on the simulated cloud: a manager (alice) and an executor
//! (bob), each with their own state directory and key, share an approvals directory. Every refusal leaves the
//! estate untouched and is named in the audit log; approvals given from the other state directory unblock
//! waiting and detached runs; a template run inside its bounds needs no approval.

mod support;

use std::time::{Duration, Instant};

use escher_governance::approvals::{SignedDecision, SignedRequest};
use support::governance::{DEV_US_EAST_RUNNING, Org, Person, Ran, STOP_DEV, STOP_DEV_CHANGED, Terms, Where};

/// Runs `stop_dev` detached as `who`: it must stop waiting for approval (exit 75) with nothing changed.
fn detached(org: &Org, who: &Person, playbook: &std::path::Path, args: &[&str]) -> String {
    let before = org.estate_bytes();
    let mut all = vec!["--detach"];
    all.extend_from_slice(args);
    let ran = org.run(who, Some(playbook), &all);
    assert_eq!(ran.code, Some(75), "a step waiting for approval suspends the run:\n{}", ran.describe());
    assert!(org.estate_bytes() == before, "nothing runs before the approval");
    ran.run_id()
}

/// Resumes `run_id` as the executor, detached; asserts it was refused for `check` and nothing ran.
fn assert_refused_on_resume(org: &Org, run_id: &str, check: &str) {
    let before = org.estate_bytes();
    let resumed = org.escher(&org.executor, &["resume", run_id, "--detach"]);
    assert_eq!(resumed.code, Some(1), "the run is refused:\n{}", resumed.describe());
    assert!(resumed.stderr.contains(check), "the refusal names the check `{check}`:\n{}", resumed.describe());
    assert!(org.estate_bytes() == before, "a refused approval changes nothing");
    let audit = org.audit(&org.executor);
    let refusal = audit
        .lines()
        .find(|line| line.contains("approval.decided") && line.contains("refused"))
        .unwrap_or_else(|| panic!("the audit records the refusal:\n{audit}"));
    assert!(refusal.contains(check), "the audited refusal names `{check}`: {refusal}");
    org.assert_audit_intact(&org.executor);
}

fn approve(org: &Org, who: &Person, run_id: &str) -> Ran {
    let approved = org.escher(who, &["approve", run_id, "stop"]);
    assert_eq!(approved.code, Some(0), "{} signs an approval:\n{}", who.name, approved.describe());
    approved
}

/// The one decision file filed so far.
fn only_decision(org: &Org) -> String {
    let files = org.decision_files();
    assert_eq!(files.len(), 1, "one decision is filed: {files:?}");
    files[0].clone()
}

fn a_managers_approval_unblocks_a_detached_run_on_resume(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    let listed = org.escher(&org.manager, &["approvals"]);
    assert!(listed.stdout.contains(&run_id) && listed.stdout.contains("stop"), "{}", listed.describe());
    assert!(
        listed.stdout.contains("aws.ec2.stop") && listed.stdout.contains("pending (0 of 1)"),
        "{}",
        listed.describe()
    );
    let targets = listed.stdout.lines().filter(|line| line.trim_start().starts_with("~ i-")).count();
    assert_eq!(targets, DEV_US_EAST_RUNNING, "each target is listed:\n{}", listed.stdout);
    assert!(listed.stdout.lines().any(|line| line.starts_with("  ~ i-") && line.ends_with("→ stopped")));
    let stopped_before = org.stopped_instances();
    approve(&org, &org.manager, &run_id);
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "the approved run finishes:\n{}", resumed.describe());
    assert_eq!(org.stopped_instances(), stopped_before + DEV_US_EAST_RUNNING);
    let audit = org.audit(&org.executor);
    assert!(audit.contains("approval.requested"), "the request is audited:\n{audit}");
    assert!(audit.contains("approval.pending"), "the wait is audited:\n{audit}");
    // No root is pinned in the executor's state, so the policy that makes alice a manager is his own: the run's
    // records name no role it gives.
    assert!(audit.lines().any(|l| l.contains("approval.decided") && l.contains("alice (ungoverned)")), "{audit}");
    assert!(!audit.contains("(manager)") && !audit.contains("\"role\":\"manager\""), "{audit}");
    assert!(org.audit(&org.manager).contains("approval.signed"), "the signature is audited by the manager");
    org.assert_audit_intact(&org.executor);
    org.assert_audit_intact(&org.manager);
    org.assert_audit_times_in_one_format(&org.executor);
    org.assert_audit_times_in_one_format(&org.manager);
}

fn a_managers_approval_unblocks_a_waiting_run(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let stopped_before = org.stopped_instances();
    let child = org.spawn_run(&org.executor, &playbook, &["--wait", "60s"]);
    let started = Instant::now();
    while org.request_files().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "the waiting run files a request");
        std::thread::sleep(Duration::from_millis(100));
    }
    let request: serde_json::Value =
        serde_json::from_slice(&org.read_document("requests", &org.request_files()[0])).expect("request JSON");
    let run_id = request["request"]["run_id"].as_str().expect("run id").to_string();
    approve(&org, &org.manager, &run_id);
    let output = child.wait_with_output().expect("the run ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("approved by alice"), "the waiting run goes on once approved:\n{stderr}");
    // In a bucket, alice's approval and the run both appended to the team's one audit log, from two machines at
    // once: the run's records stay in its machine's copy and its last push says so (docs/state.md, known limit).
    let pushed = !org.in_bucket() || !stderr.contains("state not yet pushed");
    assert!(output.status.success() || !pushed, "the waiting run goes on once approved:\n{stderr}");
    assert!(
        stderr.contains("waiting up to 60s") && stderr.contains("escher approve"),
        "it says how to approve:\n{stderr}"
    );
    assert_eq!(org.stopped_instances(), stopped_before + DEV_US_EAST_RUNNING);
}

fn a_forged_signature_is_refused(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &run_id);
    let name = only_decision(&org);
    let mut decision: SignedDecision = serde_json::from_slice(&org.read_document("decisions", &name)).expect("JSON");
    decision.decision.expires_at = "2099-01-01T00:00:00Z".into();
    org.write_document("decisions", &name, &serde_json::to_vec(&decision).expect("JSON"));
    assert_refused_on_resume(&org, &run_id, "signature");
}

fn an_approval_replayed_against_a_changed_plan_is_refused(at: Where) {
    let org = Org::at(at, Terms::default());
    let first = org.write("stop_dev.esc", STOP_DEV);
    let approved_run = detached(&org, &org.executor, &first, &[]);
    approve(&org, &org.manager, &approved_run);
    let changed = org.write("stop_dev_changed.esc", STOP_DEV_CHANGED);
    let run_id = detached(&org, &org.executor, &changed, &[]);
    let decision = only_decision(&org);
    let replayed = decision.replace(&approved_run, &run_id);
    org.write_document("decisions", &replayed, &org.read_document("decisions", &decision));
    assert_refused_on_resume(&org, &run_id, "plan hash");
}

fn an_approval_replayed_with_changed_parameters_is_refused(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let approved_run = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &approved_run);
    let run_id = detached(&org, &org.executor, &playbook, &["--param", "env=staging"]);
    let decision = only_decision(&org);
    let replayed = decision.replace(&approved_run, &run_id);
    org.write_document("decisions", &replayed, &org.read_document("decisions", &decision));
    assert_refused_on_resume(&org, &run_id, "parameters");
}

fn an_expired_approval_is_refused(at: Where) {
    // Long enough for the run and the approval on a loaded machine (each command reaches moto in a bucket), short
    // enough to wait out.
    let (validity, wait) = if at == Where::Bucket { ("20s", 21_100) } else { ("5s", 6_100) };
    let org = Org::at(at, Terms { validity, ..Terms::default() });
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &run_id);
    std::thread::sleep(Duration::from_millis(wait));
    assert_refused_on_resume(&org, &run_id, "expiry");
}

/// An approval the run would refuse is refused at the door, exit 1 with the reason; nothing is filed, so the step
/// stays approvable by someone who may approve it.
fn refused_at_the_door(org: &Org, who: &Person, run_id: &str, reason: &str) {
    let refused = org.escher(who, &["approve", run_id, "stop"]);
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    assert!(refused.stderr.contains(reason), "the refusal names `{reason}`:\n{}", refused.describe());
    assert!(org.decision_files().is_empty(), "nothing was filed: {:?}", org.decision_files());
    let audit = org.audit(who);
    let refusal = audit.lines().find(|l| l.contains("approval.refused") && l.contains(run_id));
    assert!(refusal.is_some_and(|line| line.contains(reason)), "the refusal is audited:\n{audit}");
}

fn a_self_approval_is_refused(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.manager, &playbook, &[]);
    refused_at_the_door(&org, &org.manager, &run_id, "self-approval");
    let before = org.estate_bytes();
    approve(&org, &org.second_manager, &run_id);
    let resumed = org.escher(&org.manager, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "another manager's approval runs it:\n{}", resumed.describe());
    assert!(org.estate_bytes() != before);
}

fn an_approval_by_a_role_that_may_not_give_it_is_refused(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.manager, &playbook, &[]);
    refused_at_the_door(&org, &org.executor, &run_id, "signer's role");
    let before = org.estate_bytes();
    approve(&org, &org.second_manager, &run_id);
    let resumed = org.escher(&org.manager, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "the step stayed approvable:\n{}", resumed.describe());
    assert!(org.estate_bytes() != before);
}

fn one_of_two_required_approvals_runs_nothing_and_the_second_lets_it_run(at: Where) {
    let org = Org::at(at, Terms { managers_needed: 2, ..Terms::default() });
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    // How many must approve is the policy's to say: the request does not carry it, so no edit can lower it.
    let request = String::from_utf8(org.read_document("requests", &org.request_files()[0])).expect("text");
    assert!(!request.contains("\"count\"") && !request.contains("\"rule\""), "{request}");
    approve(&org, &org.manager, &run_id);
    let before = org.estate_bytes();
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(75), "one approval of two leaves the run waiting:\n{}", resumed.describe());
    assert!(resumed.stdout.contains("1 of 2"), "{}", resumed.describe());
    assert!(org.estate_bytes() == before, "nothing runs on one approval of two");
    assert!(org.audit(&org.executor).lines().any(|l| l.contains("approval.pending") && l.contains("1 of 2")));
    approve(&org, &org.second_manager, &run_id);
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "two approvals run it:\n{}", resumed.describe());
    assert!(org.estate_bytes() != before);
}

fn a_rejection_refuses_the_step(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    let rejected = org.escher(&org.manager, &["reject", &run_id, "stop", "--reason", "not during the release"]);
    assert_eq!(rejected.code, Some(0), "{}", rejected.describe());
    assert_refused_on_resume(&org, &run_id, "not during the release");
}

fn an_executor_touching_a_region_the_policy_does_not_allow_is_refused_before_anything_runs(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let before = org.estate_bytes();
    let ran = org.run(&org.executor, Some(&playbook), &["--detach", "--param", "regions=eu-west-1"]);
    assert_eq!(ran.code, Some(1), "{}", ran.describe());
    assert!(ran.stderr.contains("region `eu-west-1`"), "the refusal names the region:\n{}", ran.describe());
    assert!(org.estate_bytes() == before);
    assert!(org.request_files().is_empty(), "no approval is even asked for");
    assert!(org.audit(&org.executor).lines().any(|l| l.contains("policy.refused") && l.contains("eu-west-1")));
    org.assert_audit_intact(&org.executor);
}

fn publish_template(org: &Org) {
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let bounds = org.write(
        "bounds.toml",
        "max_targets = 5\nregions = [\"us-east-1\"]\n[params.env]\nallowed = [\"dev\", \"test\"]\n[params.regions]\nallowed = [\"us-east-1\"]\n",
    );
    let bounds = bounds.to_string_lossy().into_owned();
    let published = org.escher(
        &org.manager,
        &["template", "publish", &playbook.to_string_lossy(), "--name", "stop-dev", "--bounds", &bounds],
    );
    assert_eq!(published.code, Some(0), "{}", published.describe());
    let listed = org.escher(&org.executor, &["template", "list"]);
    assert!(
        listed.stdout.contains("stop-dev") && listed.stdout.contains("signed by alice (manager)"),
        "{}",
        listed.describe()
    );
}

fn a_template_run_inside_its_bounds_needs_no_approval(at: Where) {
    let org = Org::at(at, Terms::default());
    publish_template(&org);
    let stopped_before = org.stopped_instances();
    let ran = org.run(&org.executor, None, &["--template", "stop-dev", "--detach"]);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    assert_eq!(org.stopped_instances(), stopped_before + DEV_US_EAST_RUNNING);
    assert!(org.request_files().is_empty(), "no approval was asked for");
    let audit = org.audit(&org.executor);
    assert!(audit.contains("template.run"), "{audit}");
    assert!(audit.lines().any(|l| l.contains("approval.decided") && l.contains("template stop-dev")), "{audit}");
    let published = org.audit(&org.manager);
    let published = published.lines().find(|l| l.contains("template.published")).expect("the publication is audited");
    assert!(published.contains("\"role\":\"ungoverned\""), "no root is pinned in alice's state: {published}");
    // Every governance record names the policy it was made under.
    let sha = escher_governance::policy::check(&std::fs::read_to_string(&org.policy).expect("the policy"))
        .expect("a valid policy")
        .sha256;
    assert!(published.contains(&format!("\"policy\":\"{sha}\"")), "{published}");
    let audit = org.audit(&org.executor);
    let run = audit.lines().find(|l| l.contains("template.run")).expect("the template run is audited");
    assert!(run.contains(&format!("{sha} (not pinned: the runner's own)")), "{run}");
    org.assert_audit_intact(&org.executor);
    org.assert_audit_times_in_one_format(&org.executor);
    org.assert_audit_times_in_one_format(&org.manager);
}

/// A manager publishes a new version of a template only by saying so; earlier revisions stay and still run by
/// name@revision; an executor can publish none; a revision's file copied over another's is refused.
fn a_template_has_revisions_that_only_a_publisher_adds(at: Where) {
    let org = Org::at(at, Terms::default());
    publish_template(&org);
    let playbook = org.write("stop_dev.esc", STOP_DEV).to_string_lossy().into_owned();
    let tighter = org.write("tighter.toml", "max_targets = 1\nregions = [\"us-east-1\"]\n");
    let tighter = tighter.to_string_lossy().into_owned();
    let publish = |who: &Person, extra: &[&str]| {
        let mut args = vec!["template", "publish", &playbook, "--name", "stop-dev", "--bounds", &tighter];
        args.extend_from_slice(extra);
        org.escher(who, &args)
    };
    let again = publish(&org.manager, &[]);
    assert_eq!(again.code, Some(1), "{}", again.describe());
    assert!(again.stderr.contains("already published (revision 1)") && again.stderr.contains("--new-version"));
    let by_executor = publish(&org.executor, &["--new-version"]);
    assert_eq!(by_executor.code, Some(1), "{}", by_executor.describe());
    assert!(by_executor.stderr.contains("may not publish templates"), "{}", by_executor.describe());
    let second = publish(&org.manager, &["--new-version"]);
    assert_eq!(second.code, Some(0), "{}", second.describe());
    assert!(org.documents("templates").contains(&"stop-dev@2.json".to_string()));
    let listed = org.escher(&org.executor, &["template", "list"]);
    assert!(listed.stdout.contains("stop-dev  revision 1") && listed.stdout.contains("stop-dev  revision 2"));

    // The latest revision runs by the name alone: its bound of one target refuses the dev machines.
    let latest = org.run(&org.executor, None, &["--template", "stop-dev", "--detach"]);
    assert_eq!(latest.code, Some(1), "{}", latest.describe());
    let first = org.run(&org.executor, None, &["--template", "stop-dev@1", "--detach"]);
    assert_eq!(first.code, Some(0), "{}", first.describe());
    let audit = org.audit(&org.executor);
    assert!(audit.lines().any(|l| l.contains("template.run") && l.contains("revision 1")), "{audit}");
    let published = org.audit(&org.manager);
    assert!(published.lines().any(|l| l.contains("template.published") && l.contains("revision 2")), "{published}");

    // Revision 2 copied over revision 1.
    org.write_document("templates", "stop-dev.json", &org.read_document("templates", "stop-dev@2.json"));
    let copied = org.run(&org.executor, None, &["--template", "stop-dev@1", "--detach"]);
    assert_eq!(copied.code, Some(1), "{}", copied.describe());
    assert!(copied.stderr.contains("copied or renamed"), "{}", copied.describe());
}

fn an_executor_exceeding_a_template_bound_is_refused_before_anything_runs(at: Where) {
    let org = Org::at(at, Terms::default());
    publish_template(&org);
    let before = org.estate_bytes();
    let ran = org.run(&org.executor, None, &["--template", "stop-dev", "--detach", "--param", "env=staging"]);
    assert_eq!(ran.code, Some(1), "{}", ran.describe());
    assert!(ran.stderr.contains("parameter `env`") && ran.stderr.contains("allowed"), "{}", ran.describe());
    assert!(org.estate_bytes() == before);
    assert!(org.audit(&org.executor).lines().any(|l| l.contains("template.refused") && l.contains("`env`")));
}

fn a_tampered_template_is_refused(at: Where) {
    let org = Org::at(at, Terms::default());
    publish_template(&org);
    let text = String::from_utf8(org.read_document("templates", "stop-dev.json")).expect("text");
    let text = text.replace("max_targets = 10", "max_targets = 1000");
    org.write_document("templates", "stop-dev.json", text.as_bytes());
    let before = org.estate_bytes();
    let ran = org.run(&org.executor, None, &["--template", "stop-dev", "--detach"]);
    assert_eq!(ran.code, Some(1), "{}", ran.describe());
    assert!(ran.stderr.contains("signature"), "{}", ran.describe());
    assert!(org.estate_bytes() == before);
}

#[test]
fn policy_check_accepts_the_orgs_policy_and_reports_a_bad_key_with_its_code() {
    let org = Org::new(Terms::default());
    let checked = support::cli::escher().args(["policy", "check"]).arg(&org.policy).output().expect("escher starts");
    assert_eq!(checked.status.code(), Some(0), "{}", String::from_utf8_lossy(&checked.stderr));
    let bad = org.write("bad.toml", "[roles.manager]\nmembers = [{ name = \"alice\", key = \"abc\" }]\n");
    let checked = support::cli::escher().args(["policy", "check"]).arg(&bad).output().expect("escher starts");
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert_eq!(checked.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("P0103") && stderr.contains("not 64 hex digits"), "{stderr}");
    let json = support::cli::escher().args(["policy", "check", "--format", "json"]).arg(&bad).output().expect("starts");
    let line: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON diagnostic");
    let text = std::fs::read_to_string(&bad).expect("reads");
    let offset = line["offset"].as_u64().expect("an offset") as usize;
    assert_eq!((line["code"].as_str(), &text[offset..offset + 5]), (Some("P0103"), "\"abc\""), "{line}");
}

fn a_runner_in_no_role_is_refused_before_anything_runs(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let stranger = org.stranger("mallory");
    let before = org.estate_bytes();
    let ran = org.run(&stranger, Some(&playbook), &["--detach"]);
    assert_eq!(ran.code, Some(1), "{}", ran.describe());
    assert!(ran.stderr.contains("not a member of any role"), "{}", ran.describe());
    assert!(org.estate_bytes() == before);
}

#[test]
fn bounds_that_cover_a_step_the_playbook_does_not_have_are_not_published() {
    let org = Org::new(Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let bounds = org.write("bounds.toml", "covers = [\"stpo\"]\n");
    let published = org.escher(
        &org.manager,
        &["template", "publish", &playbook.to_string_lossy(), "--name", "x", "--bounds", &bounds.to_string_lossy()],
    );
    assert_eq!(published.code, Some(1), "{}", published.describe());
    assert!(published.stderr.contains("step `stpo`"), "{}", published.describe());
    assert!(!org.approvals.join("templates/x.json").exists());
}

#[test]
fn a_detached_run_resumes_with_the_policy_and_approvals_directory_it_started_with() {
    let org = Org::new(Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &run_id);
    let resumed = support::cli::escher()
        .env_remove("ESCHER_POLICY")
        .env_remove("ESCHER_APPROVALS")
        .args(["resume", &run_id, "--detach", "--state"])
        .arg(&org.executor.state)
        .output()
        .expect("escher starts");
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(resumed.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Succeeded"), "{stderr}");
}

#[test]
fn plan_asks_approval_above_the_threshold_of_the_runners_role() {
    let org = Org::new(Terms::default());
    let playbook = org.write(
        "stop.esc",
        "playbook stop_dev {\n  let vms = aws.ec2.instances(regions = [\"us-east-1\"], tags = { env: \"dev\" })\n  step stop = aws.ec2.stop(vms) { max_targets = 10 }\n}\n",
    );
    let policy = std::fs::read_to_string(&org.policy).expect("reads").replace("\"medium\"", "\"low\"");
    let policy = org.write("strict.toml", &policy);
    let plan_as = |who: &Person| {
        let planned = support::cli::escher()
            .env("ESCHER_POLICY", &policy)
            .env("ESCHER_STATE", &who.state)
            .arg("plan")
            .arg(&playbook)
            .output()
            .expect("escher starts");
        assert_eq!(planned.status.code(), Some(0), "{}", String::from_utf8_lossy(&planned.stderr));
        format!("{}{}", String::from_utf8_lossy(&planned.stdout), String::from_utf8_lossy(&planned.stderr))
    };
    assert!(plan_as(&org.executor).contains("needs approval: stop"), "{}", plan_as(&org.executor));
    assert!(plan_as(&org.manager).contains("no step needs approval"), "{}", plan_as(&org.manager));
}

#[test]
fn a_policys_safe_retries_is_the_runs_retry_budget_for_a_throttled_query() {
    let org = Org::new(Terms::default());
    // No `approve`, within the executor's threshold and region: it runs at once.
    let playbook = org.write(
        "stop.esc",
        "playbook stop_dev {\n  let vms = aws.ec2.instances(regions = [\"us-east-1\"], tags = { env: \"dev\" }, state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 10 }\n}\n",
    );
    let faults = ["--sim-faults", "fail_call=aws.ec2.instances#1:throttled,retry_after=50ms"];
    let policy = std::fs::read_to_string(&org.policy).expect("reads");
    std::fs::write(&org.policy, format!("safe_retries = 0\n{policy}")).expect("the policy is written");
    let before = org.estate_bytes();
    let ran = org.run(&org.executor, Some(&playbook), &faults);
    assert_eq!(ran.code, Some(1), "with no retries the throttled listing fails the run:\n{}", ran.describe());
    assert!(ran.stderr.contains("throttled"), "the failure says why:\n{}", ran.describe());
    assert!(org.estate_bytes() == before, "nothing was stopped");

    std::fs::write(&org.policy, &policy).expect("the policy is written");
    let stopped_before = org.stopped_instances();
    let ran = org.run(&org.executor, Some(&playbook), &faults);
    assert_eq!(ran.code, Some(0), "the runtime's default budget retries the listing:\n{}", ran.describe());
    assert_eq!(org.stopped_instances(), stopped_before + DEV_US_EAST_RUNNING);
}

fn an_executor_may_not_publish_a_template_and_takes_no_name(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let published =
        org.escher(&org.executor, &["template", "publish", &playbook.to_string_lossy(), "--name", "stop-dev"]);
    assert_eq!(published.code, Some(1), "{}", published.describe());
    assert!(published.stderr.contains("may not publish templates"), "{}", published.describe());
    assert!(org.documents("templates").is_empty(), "the name stays free");
    let by_manager =
        org.escher(&org.manager, &["template", "publish", &playbook.to_string_lossy(), "--name", "stop-dev"]);
    assert_eq!(by_manager.code, Some(0), "{}", by_manager.describe());
}

#[test]
fn a_template_whose_own_parameter_values_break_its_bounds_is_not_published() {
    let org = Org::new(Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let bounds = org.write("bounds.toml", "[params.regions]\nallowed = [\"eu-west-1\"]\n");
    let published = org.escher(
        &org.manager,
        &["template", "publish", &playbook.to_string_lossy(), "--name", "x", "--bounds", &bounds.to_string_lossy()],
    );
    assert_eq!(published.code, Some(1), "{}", published.describe());
    assert!(published.stderr.contains("breaks its own bounds"), "{}", published.describe());
    assert!(!org.approvals.join("templates/x.json").exists());
}

#[test]
fn an_approver_sees_the_steps_doc_comment_and_its_targets() {
    let org = Org::new(Terms::default());
    let documented = STOP_DEV
        .replace("  step stop =", "  /// Stops the dev machines for the night; they start again at 7.\n  step stop =");
    let playbook = org.write("stop_dev.esc", &documented);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    let listed = org.escher(&org.manager, &["approvals"]);
    assert_eq!(listed.code, Some(0), "{}", listed.describe());
    assert!(
        listed.stdout.contains("| Stops the dev machines for the night; they start again at 7."),
        "the doc comment is shown:\n{}",
        listed.describe()
    );
    assert!(listed.stdout.contains(&run_id), "{}", listed.describe());
    assert!(
        listed.stdout.lines().any(|line| line.trim_start().starts_with("~ i-")),
        "targets by id:\n{}",
        listed.stdout
    );
}

/// A template carries the files it imports, signed with it: the executor's own copy of an imported file, rewritten
/// to add a step, changes nothing a template run does.
fn a_templates_imports_are_the_ones_signed_with_it_not_the_runners(at: Where) {
    let org = Org::at(at, Terms::default());
    let tell =
        "playbook tell {\n  param message: string\n  step send = notify(channel = \"#ops\", message = message)\n}\n";
    let lib = org.write("tell.esc", tell);
    let playbook = STOP_DEV.replace(
        "playbook stop_dev {",
        "use \"tell.esc\" as tell\nplaybook stop_dev {\n  step told after (stop) = tell(message = \"stopped\")",
    );
    let playbook = org.write("stop_dev_told.esc", &playbook).to_string_lossy().into_owned();
    let bounds =
        org.write("bounds.toml", "max_targets = 5\nregions = [\"us-east-1\"]\n").to_string_lossy().into_owned();
    let published =
        org.escher(&org.manager, &["template", "publish", &playbook, "--name", "stop-dev", "--bounds", &bounds]);
    assert_eq!(published.code, Some(0), "{}", published.describe());
    let template = String::from_utf8(org.read_document("templates", "stop-dev.json")).expect("the template");
    assert!(template.contains("\"imports\"") && template.contains("step send = notify"), "{template}");

    // The executor's working copy of the import now also terminates every machine it can see.
    let wipe = "  let all = aws.ec2.instances(regions = [\"us-east-1\"])\n  step wipe = aws.ec2.terminate(all)\n}\n";
    std::fs::write(&lib, tell.trim_end().trim_end_matches('}').to_string() + wipe).expect("the import is rewritten");
    let before = org.estate_bytes();
    let ran = org.run(&org.executor, None, &["--template", "stop-dev", "--detach"]);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    assert!(!ran.stdout.contains("wipe") && !ran.stdout.contains("terminate"), "{}", ran.describe());
    assert!(org.estate_bytes() != before, "the signed steps ran");
    let audit = org.audit(&org.executor);
    assert!(!audit.contains("terminate"), "{audit}");
}

/// A revoked template does not run again, whoever puts its file back; only a publisher may revoke one.
fn a_revoked_template_stays_revoked_when_its_file_is_put_back(at: Where) {
    let org = Org::at(at, Terms::default());
    publish_template(&org);
    let kept = org.read_document("templates", "stop-dev.json");

    let by_executor = org.escher(&org.executor, &["template", "revoke", "stop-dev", "--reason", "mine now"]);
    assert_eq!(by_executor.code, Some(1), "{}", by_executor.describe());
    assert!(by_executor.stderr.contains("may not revoke templates"), "{}", by_executor.describe());
    let revoked = org.escher(&org.manager, &["template", "revoke", "stop-dev", "--reason", "replaced by stop-dev-v2"]);
    assert_eq!(revoked.code, Some(0), "{}", revoked.describe());
    let again = org.escher(&org.manager, &["template", "revoke", "stop-dev", "--reason", "twice"]);
    assert_eq!(again.code, Some(1), "{}", again.describe());
    assert!(again.stderr.contains("already revoked"), "{}", again.describe());
    let listed = org.escher(&org.executor, &["template", "list"]);
    assert!(listed.stdout.contains("REVOKED by alice"), "{}", listed.describe());

    org.remove_document("templates", "stop-dev.json");
    org.write_document("templates", "stop-dev.json", &kept);
    let before = org.estate_bytes();
    let ran = org.run(&org.executor, None, &["--template", "stop-dev", "--detach"]);
    assert_eq!(ran.code, Some(1), "{}", ran.describe());
    assert!(ran.stderr.contains("was revoked by alice") && ran.stderr.contains("replaced by stop-dev-v2"));
    assert!(org.estate_bytes() == before, "nothing ran");
    let audit = org.audit(&org.executor);
    assert!(audit.lines().any(|l| l.contains("template.refused") && l.contains("revoked")), "{audit}");
    assert!(org.audit(&org.manager).lines().any(|l| l.contains("template.revoked")));
}

/// A template published to expire does not run after its time.
fn an_expired_template_does_not_run(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV).to_string_lossy().into_owned();
    let args = ["template", "publish", &playbook, "--name", "stop-dev", "--expires-in", "0s"];
    let published = org.escher(&org.manager, &args);
    assert_eq!(published.code, Some(0), "{}", published.describe());
    let before = org.estate_bytes();
    let ran = org.run(&org.executor, None, &["--template", "stop-dev", "--detach"]);
    assert_eq!(ran.code, Some(1), "{}", ran.describe());
    assert!(ran.stderr.contains("template `stop-dev` revision 1 expired at"), "{}", ran.describe());
    assert!(org.estate_bytes() == before, "nothing ran");
    let listed = org.escher(&org.executor, &["template", "list"]);
    assert!(listed.stdout.contains("EXPIRED at"), "{}", listed.describe());
}

/// One person is one vote, however many keys the policy lists for her: alice's second key neither approves again
/// nor counts as a second manager, and a policy that lists her twice under different keys is refused outright.
fn one_person_with_two_keys_is_one_vote(at: Where) {
    let org = Org::at(at, Terms { managers_needed: 2, ..Terms::default() });
    let alice_laptop = org.newcomer("alice", "alice-laptop");
    let policy = std::fs::read_to_string(&org.policy).expect("the policy");
    let one_entry = format!("{{ name = \"alice\", key = \"{}\" }}", org.manager.key);

    // Listed twice, under two keys: the policy is refused before anything runs.
    let twice = format!("{one_entry}, {{ name = \"alice\", key = \"{}\" }}", alice_laptop.key);
    std::fs::write(&org.policy, policy.replace(&one_entry, &twice)).expect("the policy is edited");
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let refused = org.run(&org.executor, Some(&playbook), &["--detach"]);
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    assert!(refused.stderr.contains("P0111"), "{}", refused.describe());

    // One entry with both keys: valid, and still one vote.
    let both = format!("{{ name = \"alice\", keys = [\"{}\", \"{}\"] }}", org.manager.key, alice_laptop.key);
    std::fs::write(&org.policy, policy.replace(&one_entry, &both)).expect("the policy is edited");
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &run_id);
    let again = org.escher(&alice_laptop, &["approve", &run_id, "stop"]);
    assert_eq!(again.code, Some(1), "{}", again.describe());
    assert!(again.stderr.contains("alice already decided"), "{}", again.describe());
    let before = org.estate_bytes();
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(75), "alice alone is one approval of two:\n{}", resumed.describe());
    assert!(org.estate_bytes() == before);
    approve(&org, &org.second_manager, &run_id);
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "alice and carol are two:\n{}", resumed.describe());
}

/// The executor appends an `approval_decided` record to his suspended run's journal, chained as the journal
/// chains its records: the resume finds no signature behind it and refuses, naming the step, with nothing run.
fn an_approval_added_to_the_journal_by_hand_is_refused_on_resume(at: Where) {
    use escher_runtime::approval::Decision;
    use escher_runtime::journal::{JournalRecord, encode_journal, read_records};

    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    let state = org.local_state(&org.executor);
    let mut records = read_records(&state, &run_id).expect("the journal reads");
    let plan_hash = match &records[0] {
        JournalRecord::RunStarted { plan, .. } => plan.hash.clone(),
        other => panic!("a journal begins with run_started, not {other:?}"),
    };
    let claimed = Decision {
        approved: true,
        by: "alice".into(),
        role: "manager".into(),
        reason: None,
        plan_hash,
        node: "stop".into(),
        proof: None,
    };
    // As a resumed session that recorded the approval and was killed would have left it; the audit log vouches
    // only for what came before.
    let at = "2026-12-06T00:00:00Z".to_string();
    records.push(JournalRecord::RunResumed { at: at.clone() });
    records.push(JournalRecord::ApprovalDecided { node: "stop".into(), decision: claimed, at });
    let journal = state.join("runs").join(&run_id).join("journal.jsonl");
    std::fs::write(&journal, encode_journal(&run_id, &records).expect("encodes")).expect("the journal is rewritten");

    let before = org.estate_bytes();
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(2), "{}", resumed.describe());
    assert!(
        resumed.stderr.contains("the journal records an approval of step `stop` that does not hold")
            && resumed.stderr.contains("no signed approval was recorded with it"),
        "{}",
        resumed.describe()
    );
    assert!(org.estate_bytes() == before, "nothing ran");
}

/// A genuine approval journaled by one session holds when a later session resumes: each resume checks the
/// signatures recorded with it again.
fn a_signed_approval_recorded_in_the_journal_holds_on_every_later_resume(at: Where) {
    let org = Org::at(at, Terms::default());
    let two_steps = STOP_DEV.replace(
        "approve = manager }\n}",
        "approve = manager }\n  step tag = aws.ec2.tag(stop.changed, tags = { stopped_by: \"escher\" }) { max_targets = 10, approve = manager }\n}",
    );
    assert!(two_steps.contains("step tag"), "{two_steps}");
    let playbook = org.write("stop_and_tag.esc", &two_steps);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &run_id);
    let stopped = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(stopped.code, Some(75), "the stop runs, the tag waits:\n{}", stopped.describe());
    let journal = org.local_state(&org.executor).join("runs").join(&run_id).join("journal.jsonl");
    let journal = std::fs::read_to_string(journal).expect("the journal");
    assert!(journal.contains("\"proof\":{\"signed\":["), "the signatures are journaled with the approval");
    let tagged = org.escher(&org.manager, &["approve", &run_id, "tag"]);
    assert_eq!(tagged.code, Some(0), "{}", tagged.describe());
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "the journaled approval of `stop` still holds:\n{}", resumed.describe());
}

/// The executor rewrites a record of his audit log and computes its chain and head again, then cuts it short:
/// `audit verify` alone finds the log intact, and with the heads he signed into the approvals store at the end of
/// each run session, a manager finds both.
/// The executor rewrites his audit log and computes its chain and head again, or cuts it short. In a bucket he
/// replaces the bucket's log with his rewritten copy (deleting its segments and anchor, then pushing), and the log
/// is checked from a machine that never saw the original.
fn an_audit_log_rewritten_or_cut_short_after_its_runs_is_caught_by_its_anchored_heads(at: Where) {
    use escher_runtime::audit::{reanchor, record_hash, records};

    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &run_id);
    let resumed = org.escher(&org.executor, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "{}", resumed.describe());
    let bob = &org.executor;
    let checker = |label: &str| org.reader_of(bob, label);
    let verify = |who: &Person, runner: &str| {
        let anchors = if org.in_bucket() { org.local_state(who).join("approvals") } else { org.approvals.clone() };
        let anchors = anchors.to_string_lossy().into_owned();
        org.plain(who, &["audit", "verify", "--anchor", &anchors, "--runner", runner])
    };
    let checked = verify(&checker("first-look"), &bob.key);
    assert_eq!(checked.code, Some(0), "{}", checked.describe());
    assert!(checked.stdout.contains("anchors: 2 head(s) signed by"), "one per session:\n{}", checked.describe());

    // Rewrite: the record of the step's approval now names carol, with the chain and head computed again.
    let state = org.local_state(bob);
    let original = records(&state).expect("the log");
    let mut log = original.clone();
    let from = log.iter().position(|r| r.entry.kind == "approval.decided").expect("the approval is audited");
    log[from].entry.who = "carol".into();
    for i in from..log.len() {
        log[i].prev_hash =
            if i == 0 { escher_runtime::audit::GENESIS_HASH.to_string() } else { log[i - 1].hash.clone() };
        log[i].hash = record_hash(log[i].seq, &log[i].prev_hash, &log[i].entry).expect("hashes");
    }
    let write_log = |log: &[escher_runtime::audit::ChainedEntry]| {
        let text: String = log.iter().map(|r| serde_json::to_string(r).expect("json") + "\n").collect();
        std::fs::write(state.join("audit").join("audit.jsonl"), text).expect("the log is rewritten");
        assert!(reanchor(&state).expect("reanchors").is_intact());
        org.replace_audit_log_with(bob);
    };
    write_log(&log);
    let (after_rewrite, after_cut) = (checker("after-rewrite"), checker("after-cut"));
    let alone = org.plain(&after_rewrite, &["audit", "verify"]);
    assert_eq!(alone.code, Some(0), "the chain alone cannot tell:\n{}", alone.describe());
    let rewritten = verify(&after_rewrite, &bob.key);
    assert_eq!(rewritten.code, Some(1), "{}", rewritten.describe());
    assert!(rewritten.stdout.contains("anchors: rewritten: record seq"), "{}", rewritten.describe());

    // Cut short: the log as it was, without its last two records.
    write_log(&original[..original.len() - 2]);
    let cut = verify(&after_cut, &bob.key);
    assert_eq!(cut.code, Some(1), "{}", cut.describe());
    assert!(cut.stdout.contains("anchors: cut short: the log ends at seq"), "{}", cut.describe());
}

/// With a policy root pinned in the executor's state, the policy he runs under must carry the signatures of its
/// managers over its exact bytes: the file unsigned, edited by him, signed by him, or no policy at all are all
/// refused before anything runs; the policy alice signed governs the run.
fn with_a_pinned_root_only_a_policy_its_managers_signed_takes_effect(at: Where) {
    let org = Org::at(at, Terms::default());
    let bob = &org.executor;
    let escher_on = |who: &Person, args: &[&str]| org.plain(who, args);
    let alice_is_root = format!("alice={}", org.manager.key);
    let pinned = escher_on(bob, &["policy", "init", "--manager", &alice_is_root]);
    assert_eq!(pinned.code, Some(0), "{}", pinned.describe());
    let again = escher_on(bob, &["policy", "init", "--manager", &format!("bob={}", bob.key)]);
    assert_eq!(again.code, Some(1), "a root is pinned once:\n{}", again.describe());

    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let before = org.estate_bytes();
    let refused = |ran: Ran, why: &str, before: &[u8]| {
        assert_eq!(ran.code, Some(1), "{}", ran.describe());
        assert!(ran.stderr.contains(why), "{why}:\n{}", ran.describe());
        assert!(org.estate_bytes() == before, "nothing ran");
    };
    refused(org.run(bob, Some(&playbook), &["--detach"]), "signed by 0 of the 1", &before);

    let policy = org.policy.to_string_lossy().into_owned();
    let signed = escher_on(&org.manager, &["policy", "sign", &policy]);
    assert_eq!(signed.code, Some(0), "{}", signed.describe());
    let run_id = detached(&org, bob, &playbook, &[]);
    // The pinned root vouches for the policy, so the run's records name the roles it gives.
    approve(&org, &org.manager, &run_id);
    let resumed = org.escher(bob, &["resume", &run_id, "--detach"]);
    assert_eq!(resumed.code, Some(0), "{}", resumed.describe());
    let audit = org.audit(bob);
    assert!(audit.lines().any(|l| l.contains("approval.decided") && l.contains("alice (manager)")), "{audit}");
    assert!(audit.lines().any(|l| l.contains(&run_id) && l.contains("\"role\":\"executor\"")), "{audit}");

    // Bob raises his own threshold, and signs his edit himself: neither takes effect.
    let text = std::fs::read_to_string(&org.policy).expect("the policy");
    let raised = text.replace("run_without_approval = \"medium\"", "run_without_approval = \"critical\"");
    assert_ne!(raised, text);
    std::fs::write(&org.policy, &raised).expect("bob edits the policy");
    let before = org.estate_bytes();
    refused(org.run(bob, Some(&playbook), &["--detach"]), "signed by 0 of the 1", &before);
    let by_bob = escher_on(bob, &["policy", "sign", &policy]);
    assert_eq!(by_bob.code, Some(0), "anyone may sign; it counts only from the root's managers");
    refused(org.run(bob, Some(&playbook), &["--detach"]), "signed by 0 of the 1", &before);

    // No policy at all: no falling back to the built-in one.
    let (playbook, estate) = (playbook.to_string_lossy(), org.estate.to_string_lossy());
    let no_policy = org.plain(bob, &["run", &playbook, "--estate", &estate, "--estate-out", &estate]);
    refused(no_policy, "a policy root is pinned", &before);
}

/// Requests name the policy the run is governed by. The executor runs under a policy of his own (his threshold
/// raised), so a manager deciding under the team's policy is told so and signs nothing; a decision signed under
/// the team's policy would not count for his run either.
fn a_run_under_another_policy_gets_no_decision_from_the_teams_approvers(at: Where) {
    let org = Org::at(at, Terms::default());
    let team = std::fs::read_to_string(&org.policy).expect("the policy");
    let own = org
        .write("own-policy.toml", &team.replace("[approvals.high]\ncount = 1", "[approvals.high]\ncount = 1\n# mine"));
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let mut command = org.command_under(&org.executor, &own, &["run"]);
    command.arg(&playbook).arg("--estate").arg(&org.estate).arg("--estate-out").arg(&org.estate).arg("--detach");
    let ran = Ran::of(command.output().expect("escher starts"));
    assert_eq!(ran.code, Some(75), "{}", ran.describe());
    let run_id = ran.run_id();
    let listed = org.escher(&org.manager, &["approvals"]);
    assert!(listed.stdout.contains("not yours to decide"), "{}", listed.describe());
    let approved = org.escher(&org.manager, &["approve", &run_id, "stop"]);
    assert_eq!(approved.code, Some(1), "{}", approved.describe());
    assert!(approved.stderr.contains("is governed by policy"), "{}", approved.describe());
    assert!(org.decision_files().is_empty(), "nothing was signed");
}

/// The pinned root is replaced only with the endorsement of its own managers: the executor's root naming
/// himself is refused; alice's endorsement of a root naming carol rotates it, and then carol's signature, not
/// alice's, makes a policy take effect.
fn a_pinned_root_is_replaced_only_with_its_managers_endorsement(at: Where) {
    let org = Org::at(at, Terms::default());
    let (alice, bob, carol) = (&org.manager, &org.executor, &org.second_manager);
    let escher_on = |who: &Person, args: &[&str]| org.plain(who, args);
    let ok = |ran: Ran| assert_eq!(ran.code, Some(0), "{}", ran.describe());
    let policy = org.policy.to_string_lossy().into_owned();
    ok(escher_on(bob, &["policy", "init", "--manager", &format!("alice={}", alice.key)]));
    ok(escher_on(alice, &["policy", "sign", &policy]));

    let his = org.root().join("bobs-root.json").to_string_lossy().into_owned();
    ok(escher_on(bob, &["policy", "init", "--manager", &format!("bob={}", bob.key), "--out", &his]));
    ok(escher_on(bob, &["policy", "sign", &his]));
    let refused = escher_on(bob, &["policy", "rotate", &his]);
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    assert!(refused.stderr.contains("endorsed by 0 of the 1"), "{}", refused.describe());

    let carols = org.root().join("carols-root.json").to_string_lossy().into_owned();
    ok(escher_on(alice, &["policy", "init", "--manager", &format!("carol={}", carol.key), "--out", &carols]));
    ok(escher_on(alice, &["policy", "sign", &carols]));
    ok(escher_on(bob, &["policy", "rotate", &carols]));

    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let before = org.estate_bytes();
    let under_alice = org.run(bob, Some(&playbook), &["--detach"]);
    assert_eq!(under_alice.code, Some(1), "alice no longer signs for this state:\n{}", under_alice.describe());
    assert!(org.estate_bytes() == before);
    ok(escher_on(carol, &["policy", "sign", &policy]));
    let run_id = detached(&org, bob, &playbook, &[]);
    assert!(!run_id.is_empty());
}

/// Every audit record of a governed run names the policy it ran under and whether a pinned root vouches for it,
/// so a manager reading the log sees when the rules were the runner's own.
fn a_governed_runs_audit_records_name_its_policy_and_whether_it_was_pinned(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    let text = std::fs::read_to_string(&org.policy).expect("the policy");
    let sha = escher_governance::policy::check(&text).expect("a valid policy").sha256;
    let audit = org.audit(&org.executor);
    let records: Vec<&str> = audit.lines().filter(|l| l.contains(&run_id)).collect();
    assert!(!records.is_empty());
    let unpinned = format!("{sha} (not pinned: the runner's own)");
    assert!(records.iter().all(|l| l.contains(&unpinned)), "{audit}");
    assert!(records.iter().all(|l| l.contains("\"role\":\"ungoverned\"")), "no role his own policy gives: {audit}");
}

/// Alice rejects run A's step, then approves run B's. The executor deletes her rejection from the shared
/// directory: run A alone cannot tell (it waits again, which is all a plain directory allows), but alice's
/// approval of B names the rejection it follows, so B is refused with the removal named.
fn a_rejection_removed_from_the_shared_directory_shows_in_the_approvers_next_decision(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_a = detached(&org, &org.executor, &playbook, &[]);
    let rejected = org.escher(&org.manager, &["reject", &run_a, "stop", "--reason", "not during the release"]);
    assert_eq!(rejected.code, Some(0), "{}", rejected.describe());
    let rejection = only_decision(&org);
    let run_b = detached(&org, &org.executor, &playbook, &[]);
    approve(&org, &org.manager, &run_b);
    org.remove_document("decisions", &rejection);

    let resumed = org.escher(&org.executor, &["resume", &run_a, "--detach"]);
    if org.in_bucket() {
        // The bucket keeps versions: the rejection comes back with the state, refuses run A, and B's approval
        // follows a decision that is still there.
        assert_eq!(resumed.code, Some(1), "{}", resumed.describe());
        assert!(resumed.stdout.contains("rejected by alice"), "{}", resumed.describe());
        let approved = org.escher(&org.executor, &["resume", &run_b, "--detach"]);
        assert_eq!(approved.code, Some(0), "{}", approved.describe());
    } else {
        assert_eq!(resumed.code, Some(75), "{}", resumed.describe());
        assert_refused_on_resume(&org, &run_b, "a decision was removed");
    }
}

/// The executor runs `stop_dev` on staging and wants alice to see dev: the request he signed, edited to show
/// `env=dev`, one machine, and the plan and parameter hashes of staging.
fn request_shown_as_dev(org: &Org) -> (String, String, SignedRequest) {
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(org, &org.executor, &playbook, &["--param", "env=staging"]);
    let name = org.request_files()[0].clone();
    let mut filed: SignedRequest = serde_json::from_slice(&org.read_document("requests", &name)).expect("JSON");
    filed.request.params.insert("env".into(), escher_compiler::plan::Value::String("dev".into()));
    filed.request.targets.truncate(1);
    (run_id, name, filed)
}

/// Asserts the manager is told `run_id`'s edited request cannot be checked (`why`) and is never shown dev. On
/// disk the edit replaced the runner's request, so she signs nothing. A versioned bucket gives the request the
/// runner first filed back beside the edit: she is shown that one, staging as it is, and whatever she signs binds
/// its plan, `genuine`.
fn not_decided_on(org: &Org, run_id: &str, why: &str, genuine: &str) {
    let listed = org.escher(&org.manager, &["approvals"]);
    let flagged = format!("cannot be checked: {why}");
    let lines: Vec<&str> = listed.stdout.lines().filter(|line| line.starts_with(run_id)).collect();
    assert_eq!(lines.iter().filter(|line| line.contains(&flagged)).count(), 1, "{}", listed.describe());
    assert!(!listed.stdout.contains("\"env\":\"dev\""), "{}", listed.describe());
    let approved = org.escher(&org.manager, &["approve", run_id, "stop"]);
    if !org.in_bucket() {
        assert_eq!(lines.len(), 1, "{}", listed.describe());
        assert_eq!(approved.code, Some(1), "{}", approved.describe());
        assert!(approved.stderr.contains(why), "{}", approved.describe());
        assert!(org.decision_files().is_empty(), "nothing was signed");
        let audit = org.audit(&org.manager);
        let refusal = audit.lines().find(|l| l.contains("approval.refused") && l.contains(run_id));
        assert!(refusal.is_some_and(|line| line.contains(why)), "the refusal is audited:\n{audit}");
        return;
    }
    assert!(listed.stdout.contains("\"env\":\"staging\""), "{}", listed.describe());
    for name in org.decision_files() {
        let decision: SignedDecision = serde_json::from_slice(&org.read_document("decisions", &name)).expect("JSON");
        assert_eq!(decision.decision.plan_hash, genuine, "{}", approved.describe());
    }
}

fn a_request_edited_after_the_runner_signed_it_is_not_signed_by_the_approver(at: Where) {
    let org = Org::at(at, Terms::default());
    let (run_id, name, edited) = request_shown_as_dev(&org);
    let genuine = edited.request.plan_hash.clone();
    org.write_document("requests", &name, &serde_json::to_vec_pretty(&edited).expect("JSON"));
    not_decided_on(&org, &run_id, "the runner's signature does not verify", &genuine);
}

fn a_request_the_runner_signed_with_parameters_its_plan_was_not_compiled_with_is_not_signed(at: Where) {
    let org = Org::at(at, Terms::default());
    let (run_id, name, edited) = request_shown_as_dev(&org);
    let executor = org.identity(&org.executor);
    let mut request = edited.request;
    request.params_hash = escher_governance::approvals::params_hash(&request.params);
    let resigned = SignedRequest::sign(&executor, request).expect("signs");
    let genuine = resigned.request.plan_hash.clone();
    org.write_document("requests", &name, &serde_json::to_vec_pretty(&resigned).expect("JSON"));
    not_decided_on(&org, &run_id, "its playbook compiles with its parameters to plan", &genuine);
}

/// The executor files a newer request, signed, listing one of the four dev machines; alice approves that one.
/// When the run goes on, the step would touch all four: refused, and nothing is stopped.
fn an_approval_covers_only_the_targets_the_approver_was_shown(at: Where) {
    let org = Org::at(at, Terms::default());
    let playbook = org.write("stop_dev.esc", STOP_DEV);
    let run_id = detached(&org, &org.executor, &playbook, &[]);
    let name = org.request_files()[0].clone();
    let mut filed: SignedRequest = serde_json::from_slice(&org.read_document("requests", &name)).expect("JSON");
    assert_eq!(filed.request.targets.len(), DEV_US_EAST_RUNNING);
    filed.request.targets.truncate(1);
    let requested = escher_governance::clock::parse_stamp(&filed.request.requested_at).expect("a time");
    filed.request.requested_at = escher_governance::clock::stamp(requested + chrono::Duration::seconds(1));
    let resigned = SignedRequest::sign(&org.identity(&org.executor), filed.request).expect("signs");
    let newer = name.replace(".json", "-newer.json");
    org.write_document("requests", &newer, &serde_json::to_vec_pretty(&resigned).expect("JSON"));
    approve(&org, &org.manager, &run_id);
    let decision: SignedDecision =
        serde_json::from_slice(&org.read_document("decisions", &only_decision(&org))).expect("JSON");
    assert_eq!(decision.decision.targets.len(), 1, "she approved the one machine she was shown");
    assert_refused_on_resume(&org, &run_id, "targets");
}

/// Each attack above, on disk (state directories and a shared approvals directory) and in a bucket (one state in a
/// versioned moto bucket, each person on their own machine, the approvals travelling in the bucket).
macro_rules! on_disk_and_in_a_bucket {
    ($($name:ident),* $(,)?) => {
        mod on_disk {
            $(#[test]
            fn $name() {
                super::$name(super::Where::Disk)
            })*
        }
        mod in_a_bucket {
            $(#[test]
            fn $name() {
                super::$name(super::Where::Bucket)
            })*
        }
    };
}

on_disk_and_in_a_bucket!(
    an_audit_log_rewritten_or_cut_short_after_its_runs_is_caught_by_its_anchored_heads,
    with_a_pinned_root_only_a_policy_its_managers_signed_takes_effect,
    an_expired_approval_is_refused,
    a_run_under_another_policy_gets_no_decision_from_the_teams_approvers,
    a_pinned_root_is_replaced_only_with_its_managers_endorsement,
    an_approval_added_to_the_journal_by_hand_is_refused_on_resume,
    a_signed_approval_recorded_in_the_journal_holds_on_every_later_resume,
    one_person_with_two_keys_is_one_vote,
    a_managers_approval_unblocks_a_detached_run_on_resume,
    a_managers_approval_unblocks_a_waiting_run,
    a_forged_signature_is_refused,
    an_approval_replayed_against_a_changed_plan_is_refused,
    an_approval_replayed_with_changed_parameters_is_refused,
    a_self_approval_is_refused,
    an_approval_by_a_role_that_may_not_give_it_is_refused,
    one_of_two_required_approvals_runs_nothing_and_the_second_lets_it_run,
    a_rejection_refuses_the_step,
    an_executor_touching_a_region_the_policy_does_not_allow_is_refused_before_anything_runs,
    a_template_run_inside_its_bounds_needs_no_approval,
    a_template_has_revisions_that_only_a_publisher_adds,
    an_executor_exceeding_a_template_bound_is_refused_before_anything_runs,
    a_tampered_template_is_refused,
    a_runner_in_no_role_is_refused_before_anything_runs,
    an_executor_may_not_publish_a_template_and_takes_no_name,
    a_templates_imports_are_the_ones_signed_with_it_not_the_runners,
    a_revoked_template_stays_revoked_when_its_file_is_put_back,
    an_expired_template_does_not_run,
    a_governed_runs_audit_records_name_its_policy_and_whether_it_was_pinned,
    a_rejection_removed_from_the_shared_directory_shows_in_the_approvers_next_decision,
    a_request_edited_after_the_runner_signed_it_is_not_signed_by_the_approver,
    a_request_the_runner_signed_with_parameters_its_plan_was_not_compiled_with_is_not_signed,
    an_approval_covers_only_the_targets_the_approver_was_shown,
);
