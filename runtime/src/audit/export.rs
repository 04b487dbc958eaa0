//! `escher audit export`: the log as JSON lines (byte for byte as stored) or as CSV for spreadsheets.

use std::io::Write;
use std::path::Path;

use super::entry::ChainedEntry;
use super::error::AuditError;
use super::stored::{self, StoredLine};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

const CSV_HEADER: [&str; 13] = [
    "seq",
    "at",
    "who",
    "role",
    "run_id",
    "plan_hash",
    "kind",
    "step",
    "action",
    "targets",
    "approval",
    "result",
    "hash",
];

/// Writes every record of the log to `out`. A line that is not a record stops the export with an error naming
/// it, rather than leave it out unseen; a line torn by a crash mid-append is not a record yet and is skipped.
pub fn export(state_dir: &Path, format: ExportFormat, out: &mut dyn Write) -> Result<(), AuditError> {
    let lines = stored::read_lines(state_dir)?;
    let mut records = Vec::with_capacity(lines.len());
    for StoredLine { line, text, record } in &lines {
        match record {
            Ok(record) => records.push((text, record)),
            Err(reason) => {
                return Err(AuditError::Corrupt {
                    path: stored::log_path(state_dir),
                    line: *line,
                    reason: reason.clone(),
                });
            }
        }
    }
    let written = match format {
        ExportFormat::Jsonl => {
            records.iter().try_for_each(|(text, _)| out.write_all(text).and_then(|()| out.write_all(b"\n")))
        }
        ExportFormat::Csv => write_csv_row(out, CSV_HEADER.map(String::from))
            .and_then(|()| records.iter().try_for_each(|(_, record)| write_csv_row(out, csv_fields(record)))),
    };
    written.and_then(|()| out.flush()).map_err(AuditError::Export)
}

fn csv_fields(record: &ChainedEntry) -> [String; 13] {
    let entry = &record.entry;
    let optional = |value: &Option<String>| value.clone().unwrap_or_default();
    [
        record.seq.to_string(),
        entry.at.clone(),
        entry.who.clone(),
        entry.role.clone(),
        entry.run_id.clone(),
        entry.plan_hash.clone(),
        entry.kind.clone(),
        optional(&entry.step),
        optional(&entry.action),
        entry.targets.join(" "),
        optional(&entry.approval),
        entry.result.clone(),
        record.hash.clone(),
    ]
}

/// One RFC 4180 row: fields joined by commas, ended by CRLF.
fn write_csv_row(out: &mut dyn Write, fields: [String; 13]) -> std::io::Result<()> {
    let row: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
    write!(out, "{}\r\n", row.join(","))
}

/// A field quoted when it holds a comma, a quote or a line break, with its quotes doubled.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_are_left_as_they_are() {
        assert_eq!(csv_field("aws.ec2.stop"), "aws.ec2.stop");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted_with_quotes_doubled() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"no\""), "\"say \"\"no\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("cr\r"), "\"cr\r\"");
    }
}
