//! The estate saved as it changes: a change log beside the whole file, one line per save holding only what
//! changed, read back by `Sim::from_file`; torn last lines skipped, damage named, stale logs left unread.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use escher_compiler::plan::Value;
use escher_sim::{LoadError, SavedEstate, Sim, change_log_path};

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(change_log_path(path)).expect("the change log").lines().map(str::to_string).collect()
}

/// The demo estate, saved once (the whole file) to `estate.json` in a new directory.
fn saved_demo() -> (tempfile::TempDir, PathBuf, Sim, SavedEstate) {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("estate.json");
    let sim = Sim::demo();
    let mut saved = SavedEstate::new(&path);
    assert!(saved.save(&sim).expect("the first save"), "the whole file is written");
    (dir, path, sim, saved)
}

async fn volume(sim: &Sim) -> Value {
    Value::Record(list(sim, "aws.ec2.volumes", &[]).await.remove(0))
}

/// After the first save writes the whole file, each save appends one line with what changed (a stopped
/// machine, a new snapshot, a deleted one) and the whole file is left as it was; the two read back as the
/// simulator's estate.
#[tokio::test]
async fn each_save_appends_only_the_changes_and_the_file_and_log_read_back_as_the_estate() {
    let (_dir, path, sim, mut saved) = saved_demo();
    let whole = fs::read(&path).expect("the estate file");
    assert_eq!(lines(&path).len(), 1, "a new log holds its base only");
    assert!(!saved.save(&sim).expect("a save with nothing changed"), "nothing changed, nothing written");

    let vm = named(&sim, "aws.ec2.Instance", "dev-api-1");
    act(&sim, "aws.ec2.stop", &[], vec![vm.clone()]).await;
    assert!(saved.save(&sim).expect("a save"));
    let made = act(&sim, "aws.ec2.create_snapshots", &[], vec![volume(&sim).await]).await;
    assert_eq!(status(&made[0]), "changed");
    assert!(saved.save(&sim).expect("a save"));
    let snapshot = named(&sim, "gcp.compute.Snapshot", "data-old-disk-final");
    let deleted = act(&sim, "gcp.compute.delete_snapshots", &[], vec![snapshot.clone()]).await;
    assert_eq!(status(&deleted[0]), "changed");
    assert!(saved.save(&sim).expect("a save"));
    let snapshot = id_of(&snapshot);

    let log = lines(&path);
    assert_eq!(log.len(), 4, "the base and one line per save that had changes:\n{}", log.join("\n"));
    assert!(log[1].contains(&id_of(&vm)) && !log[1].contains("dev-api-2"), "only the stopped machine: {}", log[1]);
    assert!(log[3].contains(&format!("\"removed\":[\"{snapshot}\"]")), "the deleted snapshot: {}", log[3]);
    assert_eq!(fs::read(&path).expect("the estate file"), whole, "the whole file is not written again");
    let reloaded = Sim::from_file(&path).expect("the file and its log load");
    assert!(reloaded.estate_json() == sim.estate_json(), "the file and its log differ from the estate");
    assert_eq!(state_of(&reloaded, &id_of(&vm)), "stopped");
    assert!(current(&reloaded, &snapshot).is_none(), "the deleted snapshot stays deleted");

    saved.finish(&sim).expect("finishing writes the whole file");
    assert!(!change_log_path(&path).exists(), "a finished save leaves no log");
    assert!(fs::read_to_string(&path).expect("the estate file") == sim.estate_json(), "the whole file is stale");
}

/// A save that died writing its line had not answered yet: an incomplete last line is skipped. An incomplete
/// or unreadable line before the last is damage, named by file and line.
#[tokio::test]
async fn a_torn_last_line_is_skipped_and_a_damaged_line_is_named() {
    let (_dir, path, sim, mut saved) = saved_demo();
    let before = Sim::from_file(&path).expect("loads").estate_json();
    act(&sim, "aws.ec2.stop", &[], vec![named(&sim, "aws.ec2.Instance", "dev-api-1")]).await;
    saved.save(&sim).expect("a save");
    let log = fs::read_to_string(change_log_path(&path)).expect("the log");
    let (base, changes) = log.split_once('\n').expect("two lines");

    fs::write(change_log_path(&path), format!("{base}\n{}", &changes[..changes.len() / 2])).expect("tear");
    assert!(Sim::from_file(&path).expect("a torn tail loads").estate_json() == before, "the torn line was read");

    fs::write(change_log_path(&path), format!("{base}\n{}\n{changes}", &changes[..changes.len() / 2])).expect("cut");
    match Sim::from_file(&path).map(|_| ()) {
        Err(error @ LoadError::ChangeLog { line: 2, .. }) => {
            let message = error.to_string();
            assert!(message.contains("estate.json.changes.jsonl") && message.contains("line 2"), "{message}");
        }
        other => panic!("a cut line in the middle must be refused, naming line 2: {other:?}"),
    }
}

/// A log written for a file since replaced whole (the save died between the two) is left unread: the file
/// holds everything. `Sim::save` removes a log it makes stale.
#[tokio::test]
async fn a_log_that_follows_another_file_is_left_unread() {
    let (_dir, path, sim, mut saved) = saved_demo();
    act(&sim, "aws.ec2.stop", &[], vec![named(&sim, "aws.ec2.Instance", "dev-api-1")]).await;
    saved.save(&sim).expect("a save");
    let log = fs::read(change_log_path(&path)).expect("the log");
    // The file written whole again with another estate, the old log put back.
    let other = Sim::demo();
    act(&other, "aws.ec2.stop", &[], vec![named(&other, "aws.ec2.Instance", "dev-web-1")]).await;
    other.save(&path).expect("a whole save");
    assert!(!change_log_path(&path).exists(), "Sim::save removes the log it makes stale");
    fs::write(change_log_path(&path), log).expect("the stale log back");
    let loaded = Sim::from_file(&path).expect("loads");
    assert!(loaded.estate_json() == other.estate_json(), "the stale log was applied");
    assert_eq!(state_of(&loaded, &id_of(&named(&loaded, "aws.ec2.Instance", "dev-api-1"))), "running");
}

/// When the log grows larger than the whole file, the next save writes the file whole and starts a new log.
#[tokio::test]
async fn a_log_that_outgrows_the_file_is_folded_into_it() {
    let (_dir, path, sim, mut saved) = saved_demo();
    let whole = fs::metadata(&path).expect("the file").len();
    let machines = list(&sim, "aws.ec2.instances", &[]).await;
    let mut folded = false;
    for round in 0..200 {
        let tags = map(&[("round", &round.to_string())]);
        act(&sim, "aws.ec2.tag", &[("tags", tags)], machines.iter().cloned().map(Value::Record).collect()).await;
        saved.save(&sim).expect("a save");
        let log = fs::metadata(change_log_path(&path)).expect("the log").len();
        assert!(log <= 2 * whole, "the log ({log} bytes) outgrew the file ({whole} bytes) unchecked");
        if lines(&path).len() == 1 && round > 0 {
            folded = true;
            break;
        }
    }
    assert!(folded, "the log was never folded into the file");
    assert!(Sim::from_file(&path).expect("loads").estate_json() == sim.estate_json(), "the folded file differs");
}
