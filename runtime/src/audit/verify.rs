//! `escher audit verify`: walks the chain and names the first record that breaks it, and how.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::anchor::{Anchor, read_anchor};
use super::chain::{GENESIS_HASH, hash_matches};
use super::error::AuditError;
use super::stored::{self, StoredLine};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum VerifyReport {
    Intact { records: u64 },
    Broken(BrokenRecord),
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        matches!(self, VerifyReport::Intact { .. })
    }
}

/// The first place the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenRecord {
    /// The line (from 1) of the record that was changed, or where a removed record was.
    pub line: usize,
    /// The seq concerned: the changed record's, or the first missing one.
    pub seq: u64,
    pub tampering: Tampering,
    /// What is wrong, in a sentence.
    pub detail: String,
}

/// What was done to the log, as far as the chain can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tampering {
    /// The record's content no longer matches its hash, or it was re-hashed and the next record no longer
    /// points to it.
    Edited,
    /// A gap in seq, where the next record points to one that is not there.
    Removed,
    /// A record that repeats another's seq, or one added after the anchored end.
    Inserted,
    /// A record that comes before one with a lower seq.
    Reordered,
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyReport::Intact { records } => write!(f, "intact: {records} records"),
            VerifyReport::Broken(broken) => write!(
                f,
                "broken at line {} (seq {}): {}; {}",
                broken.line,
                broken.seq,
                broken.tampering.as_str(),
                broken.detail
            ),
        }
    }
}

impl Tampering {
    pub fn as_str(self) -> &'static str {
        match self {
            Tampering::Edited => "edited",
            Tampering::Removed => "removed",
            Tampering::Inserted => "inserted",
            Tampering::Reordered => "reordered",
        }
    }
}

/// Checks every record's hash and link, then the log's end against its anchor.
pub fn verify(state_dir: &Path) -> Result<VerifyReport, AuditError> {
    let lines = stored::read_lines(state_dir)?;
    let anchor_path = stored::anchor_path(state_dir);
    if !lines.is_empty() && !anchor_path.exists() {
        let detail = format!(
            "the anchor file {} is missing: without it the log's end cannot be checked (it was deleted, or the \
             log was copied without it)",
            anchor_path.display()
        );
        return Ok(VerifyReport::Broken(broken(1, 1, Tampering::Removed, detail)));
    }
    let last = lines.last().and_then(|line| line.record.as_ref().ok()).map(|record| (record.seq, record.hash.as_str()));
    let anchor = read_anchor(&anchor_path)?.resolved(last);
    let checked = check_chain(&lines, Some(&anchor)).and_then(|()| check_anchor(&lines, &anchor));
    Ok(match checked {
        Ok(records) => VerifyReport::Intact { records },
        Err(broken) => VerifyReport::Broken(broken),
    })
}

/// Each record must match its own hash, carry the next seq, and point to the record before it. The anchor,
/// when given, tells which of two records with one seq the chain continues from at the end.
pub(crate) fn check_chain(lines: &[StoredLine], anchor: Option<&Anchor>) -> Result<(), BrokenRecord> {
    let mut indices_of_seq: HashMap<u64, Vec<usize>> = HashMap::new();
    for (index, stored) in lines.iter().enumerate() {
        if let Ok(record) = &stored.record {
            indices_of_seq.entry(record.seq).or_default().push(index);
        }
    }
    let mut expected_seq = 1;
    let mut expected_prev = GENESIS_HASH;
    for (index, stored) in lines.iter().enumerate() {
        let line = stored.line;
        let record = match &stored.record {
            Ok(record) => record,
            Err(reason) => {
                return Err(broken(
                    line,
                    expected_seq,
                    Tampering::Edited,
                    format!("the line is not a record: {reason}"),
                ));
            }
        };
        if !hash_matches(record) {
            let detail = "its content does not match its hash: it was changed after it was written";
            return Err(broken(line, record.seq, Tampering::Edited, detail.to_string()));
        }
        if record.seq == expected_seq && record.prev_hash == expected_prev {
            expected_seq += 1;
            expected_prev = &record.hash;
            continue;
        }
        let same_seq = &indices_of_seq[&record.seq];
        if same_seq.len() > 1 {
            return Err(inserted(lines, same_seq, index, &indices_of_seq, anchor));
        }
        return Err(if record.seq == expected_seq && index == 0 {
            let detail = "the first record does not start from the genesis hash: it was changed and re-hashed";
            broken(line, record.seq, Tampering::Edited, detail.to_string())
        } else if record.seq == expected_seq {
            let detail =
                format!("record seq {} on line {line} does not point to it: it was changed and re-hashed", record.seq);
            broken(lines[index - 1].line, expected_seq - 1, Tampering::Edited, detail)
        } else if record.seq > expected_seq && indices_of_seq.contains_key(&expected_seq) {
            let detail = format!(
                "record seq {} comes before seq {expected_seq}, which is on line {}",
                record.seq, lines[indices_of_seq[&expected_seq][0]].line
            );
            broken(line, record.seq, Tampering::Reordered, detail)
        } else if record.seq > expected_seq {
            let missing = if record.seq == expected_seq + 1 {
                format!("record seq {expected_seq} is missing")
            } else {
                format!("records seq {expected_seq} to {} are missing", record.seq - 1)
            };
            let detail = format!("{missing}: record seq {} points to a record that is not there", record.seq);
            broken(line, expected_seq, Tampering::Removed, detail)
        } else {
            let detail = format!("record seq {} comes after seq {}", record.seq, expected_seq - 1);
            broken(line, record.seq, Tampering::Reordered, detail)
        });
    }
    Ok(())
}

/// Of several records with one seq, the genuine one is the one the chain continues from: the next seq points
/// to its hash, or the anchor does. The first other one is the insertion (the later copy if they are equal).
fn inserted(
    lines: &[StoredLine],
    same_seq: &[usize],
    current: usize,
    indices_of_seq: &HashMap<u64, Vec<usize>>,
    anchor: Option<&Anchor>,
) -> BrokenRecord {
    let record_at = |index: usize| lines[index].record.as_ref().ok();
    let continued_from = |index: usize| {
        let Some(record) = record_at(index) else { return false };
        let next_points_here = indices_of_seq
            .get(&(record.seq + 1))
            .is_some_and(|next| next.iter().any(|&n| record_at(n).is_some_and(|next| next.prev_hash == record.hash)));
        let anchor_points_here = anchor.is_some_and(|anchor| anchor.seq == record.seq && anchor.hash == record.hash);
        next_points_here || anchor_points_here
    };
    let genuine = same_seq.iter().copied().find(|&index| continued_from(index));
    let insertion = match genuine {
        Some(_) => same_seq.iter().copied().find(|&index| !continued_from(index)).unwrap_or(current),
        // Equal copies, or neither continued: the later one is the odd one out.
        None => current,
    };
    let seq = record_at(insertion).map_or(0, |record| record.seq);
    let detail = match genuine.filter(|&index| index != insertion) {
        Some(index) => format!("it repeats seq {seq} of line {}, from which the chain continues", lines[index].line),
        None => {
            let first = same_seq.iter().copied().find(|&index| index != insertion).unwrap_or(current);
            format!("it repeats seq {seq} of line {}", lines[first].line)
        }
    };
    broken(lines[insertion].line, seq, Tampering::Inserted, detail)
}

/// The end of an intact chain must be the anchored record. Returns the number of records.
fn check_anchor(lines: &[StoredLine], anchor: &Anchor) -> Result<u64, BrokenRecord> {
    let records = lines.len() as u64;
    let hash_of = |seq: u64| {
        let index = usize::try_from(seq.checked_sub(1)?).ok()?;
        lines.get(index)?.record.as_ref().ok().map(|record| record.hash.as_str())
    };
    if anchor.seq > records {
        let detail = format!(
            "the log ends at seq {records}, but its anchor says it held {} records: the last were removed",
            anchor.seq
        );
        return Err(broken(lines.len() + 1, records + 1, Tampering::Removed, detail));
    }
    if anchor.seq > 0 && hash_of(anchor.seq) != Some(anchor.hash.as_str()) {
        let detail = "it is not the record its anchor names: it was changed and re-hashed".to_string();
        return Err(broken(lines[(anchor.seq - 1) as usize].line, anchor.seq, Tampering::Edited, detail));
    }
    if anchor.seq < records {
        let detail = format!(
            "the anchor ends the log at seq {}: later records were added by hand, or the process stopped between \
             writing a record and anchoring it (opening the log for append anchors one such record)",
            anchor.seq
        );
        return Err(broken(lines[anchor.seq as usize].line, anchor.seq + 1, Tampering::Inserted, detail));
    }
    Ok(records)
}

fn broken(line: usize, seq: u64, tampering: Tampering, detail: String) -> BrokenRecord {
    BrokenRecord { line, seq, tampering, detail }
}
