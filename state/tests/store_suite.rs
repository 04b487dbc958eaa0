//! The same store tests against a local directory, moto's S3, Azurite and fake-gcs-server. Remote stores need
//! their emulator (`ESCHER_TEST_MOTO`, `ESCHER_TEST_AZURITE`, `ESCHER_TEST_GCS`); without it a test fails.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use escher_runtime::audit::{AuditEntry, AuditLog, VerifyReport, verify};
use escher_state::layout::{CURRENT_VERSION, LAYOUT_KEY, LayoutOutcome, ensure_layout};
use escher_state::lock::{acquire, release, renew};
use escher_state::log::{append_segment, read_log};
use escher_state::mirror::{Mirror, pull};
use escher_state::runs::{journal_key, list_meta, meta_key};
use escher_state::{PutMode, Store, StoreError};
use support::{Kind, TestStore, fresh};

macro_rules! suite {
    ($name:ident, $kind:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn objects_round_trip() {
                round_trip($kind).await
            }
            #[tokio::test]
            async fn conditional_writes_replace_atomically() {
                conditional_writes($kind).await
            }
            #[tokio::test]
            async fn listing_stays_inside_its_prefix() {
                listing($kind).await
            }
            #[tokio::test]
            async fn logs_grow_by_create_only_segments() {
                segments($kind).await
            }
            #[tokio::test]
            async fn an_older_layout_is_migrated() {
                migration($kind).await
            }
            #[tokio::test]
            async fn a_newer_layout_is_refused_and_left_alone() {
                newer_layout($kind).await
            }
            #[tokio::test]
            async fn a_directory_pushed_and_pulled_arrives_whole() {
                mirror_round_trip($kind).await
            }
            #[tokio::test]
            async fn the_audit_log_travels_only_as_far_as_its_anchor_vouches() {
                audit_pair($kind).await
            }
            #[tokio::test(flavor = "multi_thread")]
            async fn a_writer_killed_mid_write_leaves_the_old_or_the_new_object() {
                crash_during_write($kind).await
            }
            suite!(@locks $kind);
        }
    };
    (@locks $kind:expr) => {
        #[tokio::test]
        async fn an_expired_lease_is_taken_over_and_its_holder_loses_it() {
            lease_expiry($kind).await
        }
        #[tokio::test(flavor = "multi_thread")]
        async fn two_processes_never_hold_the_lock_at_once() {
            lock_contention($kind).await
        }
    };
}

suite!(local, Kind::Local);
suite!(s3, Kind::S3);
suite!(azure, Kind::Azure);
suite!(gcs, Kind::Gcs);

fn ok<T>(result: Result<T, StoreError>) -> T {
    result.unwrap_or_else(|error| panic!("{error}"))
}

async fn round_trip(kind: Kind) {
    let store = fresh(kind).await.open();
    assert!(ok(store.get("runs/none/meta.json").await).is_none());
    ok(store.put("a/b.json", &b"{\"x\":1}"[..], PutMode::Overwrite).await);
    let object = ok(store.get("a/b.json").await).expect("written");
    assert_eq!(&object.bytes[..], b"{\"x\":1}");
    ok(store.put("a/b.json", &b"second"[..], PutMode::Overwrite).await);
    assert_eq!(&ok(store.get("a/b.json").await).expect("there").bytes[..], b"second");
    ok(store.delete("a/b.json").await);
    assert!(ok(store.get("a/b.json").await).is_none());
}

async fn conditional_writes(kind: Kind) {
    let store = fresh(kind).await.open();
    let first = ok(store.put("locks/x.json", &b"one"[..], PutMode::Create).await);
    let again = store.put("locks/x.json", &b"two"[..], PutMode::Create).await;
    assert!(matches!(again, Err(StoreError::AlreadyExists { .. })), "{again:?}");
    let second = ok(store.put("locks/x.json", &b"two"[..], PutMode::Update(first.clone())).await);
    let stale = store.put("locks/x.json", &b"three"[..], PutMode::Update(first)).await;
    assert!(matches!(stale, Err(StoreError::Changed { .. })), "{stale:?}");
    assert_eq!(&ok(store.get("locks/x.json").await).expect("there").bytes[..], b"two");
    assert_eq!(ok(store.get("locks/x.json").await).expect("there").version, second);
}

async fn listing(kind: Kind) {
    let store = fresh(kind).await.open();
    for key in ["runs/a/journal.jsonl", "runs/a/meta.json", "runs/b/meta.json", "runsx/c", "schedules/n/schedule.json"]
    {
        ok(store.put(key, &b"x"[..], PutMode::Overwrite).await);
    }
    assert_eq!(ok(store.list("runs/").await), ["runs/a/journal.jsonl", "runs/a/meta.json", "runs/b/meta.json"]);
    assert_eq!(ok(store.list("runs/a/").await), ["runs/a/journal.jsonl", "runs/a/meta.json"]);
    assert!(ok(store.list("nothing/").await).is_empty());
    assert_eq!(ok(store.list("").await).len(), 5);
}

async fn segments(kind: Kind) {
    let store = fresh(kind).await.open();
    let log = "audit/audit.jsonl";
    let end = ok(append_segment(&store, log, 0, "{\"seq\":1}\n".into()).await);
    let end = ok(append_segment(&store, log, end, "{\"seq\":2}\n{\"seq\":3}\n".into()).await);
    assert_eq!(end, 30);
    let twice = append_segment(&store, log, 10, "{\"seq\":9}\n".into()).await;
    assert!(matches!(twice, Err(StoreError::AlreadyExists { .. })), "a segment is never replaced: {twice:?}");
    assert_eq!(&ok(read_log(&store, log).await)[..], b"{\"seq\":1}\n{\"seq\":2}\n{\"seq\":3}\n");
}

async fn migration(kind: Kind) {
    let store = fresh(kind).await.open();
    let run_id = "20250106T200000Z-0a1b2c";
    ok(store.put(&journal_key(run_id), support::v1_journal(run_id), PutMode::Overwrite).await);
    ok(store.put(&format!("runs/{run_id}/cli.json"), &b"{}"[..], PutMode::Overwrite).await);
    assert_eq!(ok(ensure_layout(&store).await), LayoutOutcome::Migrated { from: 1, runs: 1 });
    let runs = ok(list_meta(&store).await);
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].playbook.as_str(), runs[0].status.to_string()), ("tidy", "succeeded".to_string()));
    assert!(ok(store.get(LAYOUT_KEY).await).is_some());
    assert_eq!(ok(ensure_layout(&store).await), LayoutOutcome::Current);
    assert!(ok(store.get(&meta_key(run_id)).await).is_some());
    // A crash before the marker was written: the next command migrates again, to the same result.
    ok(store.delete(LAYOUT_KEY).await);
    assert_eq!(ok(ensure_layout(&store).await), LayoutOutcome::Migrated { from: 1, runs: 1 });
    assert_eq!(ok(list_meta(&store).await), runs);
}

async fn newer_layout(kind: Kind) {
    let store = fresh(kind).await.open();
    ok(store.put(LAYOUT_KEY, &b"{\"version\": 99, \"written_by\": \"escher 9.0.0\"}\n"[..], PutMode::Overwrite).await);
    ok(store.put(&journal_key("r1"), support::v1_journal("r1"), PutMode::Overwrite).await);
    let before = ok(store.list("").await);
    let error = ensure_layout(&store).await.expect_err("a newer layout is refused");
    let message = error.to_string().replace(&store.url().to_string(), "<store>");
    assert_eq!(
        message,
        format!(
            "<store> holds state in layout version 99; this Escher (escher {}) understands versions up to {CURRENT_VERSION}. \
             Upgrade Escher to use this state; nothing was changed.",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(ok(store.list("").await), before, "nothing was written");
}

async fn mirror_round_trip(kind: Kind) {
    let remote = fresh(kind).await.open();
    let source = tempfile::tempdir().expect("a directory");
    let journal = source.path().join("runs/r1/journal.jsonl");
    std::fs::create_dir_all(journal.parent().expect("a parent")).expect("created");
    let bytes = support::v1_journal("r1");
    let (first, rest) = bytes.split_at(bytes.iter().position(|&b| b == b'\n').expect("a line") + 1);
    std::fs::write(&journal, first).expect("written");
    std::fs::write(source.path().join("secrets.json"), "{}").expect("written");
    std::fs::write(source.path().join("identity.json"), "{\"secret\": \"k\"}").expect("written");
    std::fs::write(source.path().join("runs/r1/cli.json"), "{\"cloud\":\"sim\"}").expect("written");
    let mut mirror = Mirror::new(source.path());
    let pushed = ok(mirror.push(&remote).await);
    assert_eq!((pushed.segments, pushed.objects), (1, 1));
    // The run goes on: the next push sends only the new line, and a torn line waits for its end.
    let mut grown = bytes.clone();
    grown.extend_from_slice(b"{\"torn");
    std::fs::write(&journal, &grown).expect("written");
    let pushed = ok(mirror.push(&remote).await);
    assert_eq!((pushed.segments, pushed.log_bytes, pushed.objects), (1, rest.len() as u64, 0));
    assert!(ok(remote.get("secrets.json").await).is_none(), "secrets stay on the machine");
    assert!(ok(remote.get("identity.json").await).is_none(), "the private key stays on the machine");

    let target = tempfile::tempdir().expect("a directory");
    let pulled = ok(pull(&remote, target.path()).await);
    assert_eq!(pulled.log_bytes, bytes.len() as u64);
    assert_eq!(std::fs::read(target.path().join("runs/r1/journal.jsonl")).expect("pulled"), bytes);
    assert_eq!(std::fs::read_to_string(target.path().join("runs/r1/cli.json")).expect("pulled"), "{\"cloud\":\"sim\"}");
    let again = ok(pull(&remote, target.path()).await);
    assert_eq!((again.log_bytes, again.objects), (0, 0), "a second pull has nothing to do");
}

/// Appends `count` records to the audit log of `dir`.
fn audit(dir: &std::path::Path, count: usize) {
    let mut log = AuditLog::open(dir).unwrap_or_else(|error| panic!("{error}"));
    for i in 0..count {
        let entry = AuditEntry {
            at: "2026-11-24T12:00:00Z".into(),
            who: "tester".into(),
            role: "executor".into(),
            run_id: format!("r{i}"),
            plan_hash: "abc".into(),
            kind: "run.started".into(),
            step: None,
            action: None,
            targets: vec![],
            approval: None,
            journal: None,
            result: "started".into(),
            policy: None,
        };
        log.append(entry).unwrap_or_else(|error| panic!("{error}"));
    }
}

/// The records `escher audit verify` finds intact in a directory's audit log.
fn intact_records(dir: &std::path::Path) -> u64 {
    match verify(dir).unwrap_or_else(|error| panic!("{error}")) {
        VerifyReport::Intact { records } => records,
        VerifyReport::Broken(broken) => panic!("the audit log is broken: {broken:?}"),
    }
}

/// A pusher that reads the anchor and then a log that has grown since (the writer moved on between the two
/// reads) sends only the records that anchor vouches for: a copy pulled from the store verifies at every point.
async fn audit_pair(kind: Kind) {
    let remote = fresh(kind).await.open();
    let source = tempfile::tempdir().expect("a directory");
    audit(source.path(), 3);
    let mut mirror = Mirror::new(source.path());
    ok(mirror.push(&remote).await);
    let anchor_of_three = std::fs::read(source.path().join("audit/head.json")).expect("the anchor");
    audit(source.path(), 2);
    let anchor_of_five = std::fs::read(source.path().join("audit/head.json")).expect("the anchor");
    // The pusher's view: the anchor as it was before the writer's last group, the log as it is after.
    std::fs::write(source.path().join("audit/head.json"), &anchor_of_three).expect("written");
    ok(mirror.push(&remote).await);
    let copy = tempfile::tempdir().expect("a directory");
    ok(pull(&remote, copy.path()).await);
    assert_eq!(intact_records(copy.path()), 3, "the two records the anchor did not name yet stayed behind");

    std::fs::write(source.path().join("audit/head.json"), &anchor_of_five).expect("written");
    let pushed = ok(mirror.push(&remote).await);
    assert_eq!(pushed.segments, 1);
    ok(pull(&remote, copy.path()).await);
    assert_eq!(intact_records(copy.path()), 5);
    // The copy goes on as a log of its own: it opens for append, and its next record chains.
    audit(copy.path(), 1);
    assert_eq!(intact_records(copy.path()), 6);
}

async fn lease_expiry(kind: Kind) {
    let store = fresh(kind).await.open();
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("a time");
    let ttl = Duration::seconds(30);
    let mut first = ok(acquire(&store, "run-r1", "daemon-a", ttl, t0).await).expect("free");
    let held = ok(acquire(&store, "run-r1", "daemon-b", ttl, t0 + Duration::seconds(10)).await);
    assert_eq!(held.map(|_| ()).map_err(|record| record.holder), Err("daemon-a".to_string()));
    ok(renew(&store, &mut first, ttl, t0 + Duration::seconds(20)).await);
    let still = ok(acquire(&store, "run-r1", "daemon-b", ttl, t0 + Duration::seconds(45)).await);
    assert!(still.is_err(), "renewed until 00:50");
    let second = ok(acquire(&store, "run-r1", "daemon-b", ttl, t0 + Duration::seconds(51)).await).expect("expired");
    assert_eq!(second.took_over.as_ref().map(|old| old.holder.as_str()), Some("daemon-a"));
    let lost = renew(&store, &mut first, ttl, t0 + Duration::seconds(52)).await;
    assert!(matches!(lost, Err(StoreError::Changed { .. })), "the old holder learns it lost the lease: {lost:?}");
    ok(release(&store, second, t0 + Duration::seconds(60)).await);
    let third = ok(acquire(&store, "run-r1", "daemon-c", ttl, t0 + Duration::seconds(61)).await).expect("released");
    assert!(third.took_over.is_none(), "a released lock is not a takeover");
}

/// Two processes each add 1 to a counter 12 times, each time under the lock: read, pause, write. Without mutual
/// exclusion updates are lost.
async fn lock_contention(kind: Kind) {
    let target = fresh(kind).await;
    let store = target.open();
    ok(store.put("counter", &b"0"[..], PutMode::Overwrite).await);
    let children: Vec<_> = (0..2).map(|_| spawn_child("lock", &target)).collect();
    for child in children {
        let output = child.wait_with_output().expect("the child ends");
        assert!(output.status.success(), "child failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let counter = ok(store.get("counter").await).expect("there");
    assert_eq!(std::str::from_utf8(&counter.bytes).expect("text"), (2 * LOCK_ROUNDS).to_string());
}

const LOCK_ROUNDS: u64 = 12;
const BIG: usize = 4 * 1024 * 1024;

async fn crash_during_write(kind: Kind) {
    let target = fresh(kind).await;
    let store = target.open();
    ok(store.put("big", vec![b'A'; BIG], PutMode::Overwrite).await);
    let mut child = spawn_child("write", &target);
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    child.kill().expect("killed");
    let _ = child.wait();
    let object = ok(store.get("big").await).expect("still there");
    assert_eq!(object.bytes.len(), BIG, "never torn");
    let first = object.bytes[0];
    assert!(object.bytes.iter().all(|&b| b == first), "one whole version, not a mix");
    assert_eq!(ok(store.list("").await), ["big"], "no temporary object is visible");
}

fn spawn_child(role: &str, target: &TestStore) -> std::process::Child {
    let exe = std::env::current_exe().expect("the test binary");
    Command::new(exe)
        .args(["child_process_entry", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("ESCHER_STATE_CHILD", role)
        .envs(target.child_env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a child process")
}

/// Not a test: the body of the child processes the lock and crash tests start.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "run by the lock and crash tests as a child process"]
async fn child_process_entry() {
    let role = std::env::var("ESCHER_STATE_CHILD").expect("ESCHER_STATE_CHILD");
    let store = TestStore::from_child_env().open();
    match role.as_str() {
        "lock" => add_under_lock(&store).await,
        "write" => loop {
            for byte in [b'B', b'C'] {
                ok(store.put("big", vec![byte; BIG], PutMode::Overwrite).await);
            }
        },
        other => panic!("unknown role {other}"),
    }
}

async fn add_under_lock(store: &Store) {
    let me = format!("pid-{}", std::process::id());
    for _ in 0..LOCK_ROUNDS {
        let lease = loop {
            match ok(acquire(store, "counter", &me, Duration::seconds(60), Utc::now()).await) {
                Ok(lease) => break lease,
                Err(_) => tokio::time::sleep(StdDuration::from_millis(5)).await,
            }
        };
        let value: u64 = std::str::from_utf8(&ok(store.get("counter").await).expect("there").bytes)
            .expect("text")
            .parse()
            .expect("a number");
        tokio::time::sleep(StdDuration::from_millis(10)).await;
        ok(store.put("counter", (value + 1).to_string(), PutMode::Overwrite).await);
        ok(release(store, lease, Utc::now()).await);
    }
}
