//! A run's reports as products: what its `report.table` and `report.summary` steps produced, read from the run's
//! outputs, rendered as text for a terminal, CSV, JSON and Markdown, and written under
//! `<state>/reports/<run_id>/<step>.{csv,json,md}` for anyone to open or mail. Rows come from step outputs,
//! which never hold secrets (the compiler refuses a report of secret values).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use escher_compiler::plan::Value;

/// The columns a table shows first: what identifies a resource, where it is and its state.
const FIRST: &[&str] = &["id", "name", "cloud", "account", "region", "state"];

/// One report step's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Table { step: String, title: String, columns: Vec<String>, rows: Vec<Vec<Value>> },
    Summary { step: String, title: String, text: String, values: Vec<(String, Value)> },
}

impl Report {
    /// The report a step produced: `None` for a step that is not a report, or produced none.
    pub fn of(step: &str, action: &str, output: &Value) -> Option<Report> {
        let Value::Record(fields) = output else { return None };
        let text = |name: &str| match fields.get(name) {
            Some(Value::String(text)) => text.clone(),
            _ => String::new(),
        };
        match action {
            "report.table" => {
                let Some(Value::List(rows)) = fields.get("rows") else { return None };
                let (columns, rows) = tabulate(rows);
                Some(Report::Table { step: step.to_string(), title: text("title"), columns, rows })
            }
            "report.summary" => {
                let values = match fields.get("values") {
                    Some(Value::Record(values)) => values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    _ => Vec::new(),
                };
                Some(Report::Summary { step: step.to_string(), title: text("title"), text: text("text"), values })
            }
            _ => None,
        }
    }

    pub fn step(&self) -> &str {
        match self {
            Report::Table { step, .. } | Report::Summary { step, .. } => step,
        }
    }

    /// For a terminal `width` characters wide: aligned, cells cut at `cell_width`, the columns that fit (a
    /// resource's identity and state first), at most `max_rows` rows, with a count of what was left out.
    pub fn to_text(&self, max_rows: usize, cell_width: usize, width: usize) -> String {
        match self {
            Report::Table { title, columns, rows, .. } => {
                let cell = |value: &Value| cut(&plain(value), cell_width);
                let shown_rows = &rows[..rows.len().min(max_rows)];
                let column_width = |i: usize| {
                    let longest = shown_rows.iter().map(|row| cell(&row[i]).chars().count()).max().unwrap_or(0);
                    longest.max(columns[i].chars().count())
                };
                // The columns a person looks for first, then the rest in order, while they fit.
                let mut order: Vec<usize> =
                    FIRST.iter().filter_map(|first| columns.iter().position(|column| column == first)).collect();
                let rest: Vec<usize> = (0..columns.len()).filter(|i| !order.contains(i)).collect();
                order.extend(rest);
                let mut chosen: Vec<(usize, usize)> = Vec::new();
                let mut used = 2;
                for i in order {
                    let needed = column_width(i) + if chosen.is_empty() { 0 } else { 2 };
                    if !chosen.is_empty() && used + needed > width {
                        continue;
                    }
                    used += needed;
                    chosen.push((i, column_width(i)));
                }
                chosen.sort_by_key(|(i, _)| *i);
                let line = |cells: Vec<String>| {
                    let padded: Vec<String> =
                        cells.iter().zip(&chosen).map(|(cell, (_, width))| format!("{cell:<width$}")).collect();
                    format!("  {}\n", padded.join("  ").trim_end())
                };
                let mut out = format!("{title} ({} row{})\n", rows.len(), if rows.len() == 1 { "" } else { "s" });
                if columns.is_empty() {
                    return out;
                }
                out.push_str(&line(chosen.iter().map(|(i, _)| columns[*i].clone()).collect()));
                for row in shown_rows {
                    out.push_str(&line(chosen.iter().map(|(i, _)| cell(&row[*i])).collect()));
                }
                let (more_rows, more_columns) = (rows.len() - shown_rows.len(), columns.len() - chosen.len());
                if more_rows > 0 || more_columns > 0 {
                    let mut left_out = Vec::new();
                    if more_rows > 0 {
                        left_out.push(format!("{more_rows} more row(s)"));
                    }
                    if more_columns > 0 {
                        left_out.push(format!("{more_columns} more column(s)"));
                    }
                    out.push_str(&format!("  ... {} in the report files\n", left_out.join(" and ")));
                }
                out
            }
            Report::Summary { title, text, values, .. } => {
                let mut out = format!("{title}\n");
                if !text.is_empty() {
                    out.push_str(&format!("  {text}\n"));
                }
                let width = values.iter().map(|(name, _)| name.chars().count()).max().unwrap_or(0);
                for (name, value) in values {
                    out.push_str(&format!("  {name:<width$}  {}\n", cut(&plain(value), cell_width)));
                }
                out
            }
        }
    }

    /// RFC 4180 CSV: a header and a row per row; a summary as `name,value` rows.
    pub fn to_csv(&self) -> String {
        let line = |cells: Vec<String>| cells.iter().map(|cell| csv_field(cell)).collect::<Vec<_>>().join(",") + "\r\n";
        match self {
            Report::Table { columns, rows, .. } => {
                let mut out = line(columns.clone());
                for row in rows {
                    out.push_str(&line(row.iter().map(plain).collect()));
                }
                out
            }
            Report::Summary { values, .. } => {
                let mut out = line(vec!["name".into(), "value".into()]);
                for (name, value) in values {
                    out.push_str(&line(vec![name.clone(), plain(value)]));
                }
                out
            }
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let json = |value: &Value| serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        match self {
            Report::Table { step, title, columns, rows } => serde_json::json!({
                "step": step, "title": title, "columns": columns,
                "rows": rows.iter().map(|row| row.iter().map(json).collect::<Vec<_>>()).collect::<Vec<_>>(),
            }),
            Report::Summary { step, title, text, values } => serde_json::json!({
                "step": step, "title": title, "text": text,
                "values": values.iter().map(|(name, value)| (name.clone(), json(value))).collect::<serde_json::Map<_, _>>(),
            }),
        }
    }

    pub fn to_markdown(&self) -> String {
        let escape = |text: String| text.replace('|', "\\|").replace('\n', " ");
        match self {
            Report::Table { title, columns, rows, .. } => {
                let mut out = format!("## {title}\n\n| {} |\n|{}\n", columns.join(" | "), "---|".repeat(columns.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|value| escape(plain(value))).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out
            }
            Report::Summary { title, text, values, .. } => {
                let mut out = format!("## {title}\n\n");
                if !text.is_empty() {
                    out.push_str(&format!("{text}\n\n"));
                }
                for (name, value) in values {
                    out.push_str(&format!("- **{name}**: {}\n", escape(plain(value))));
                }
                out
            }
        }
    }
}

/// The reports of a run, in plan order, from its steps' actions and outputs.
pub fn reports<'a>(steps: impl IntoIterator<Item = (&'a str, &'a str, &'a Value)>) -> Vec<Report> {
    steps.into_iter().filter_map(|(step, action, output)| Report::of(step, action, output)).collect()
}

/// Writes each report as CSV, JSON and Markdown under `dir` (`<state>/reports/<run_id>` by default); the files
/// written.
pub fn write(dir: &Path, reports: &[Report]) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for report in reports {
        let name = file_name(report.step());
        for (extension, text) in [
            ("csv", report.to_csv()),
            ("json", serde_json::to_string_pretty(&report.to_json()).unwrap_or_default() + "\n"),
            ("md", report.to_markdown()),
        ] {
            let path = dir.join(format!("{name}.{extension}"));
            std::fs::write(&path, text)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Where a run's reports go by default.
pub fn default_dir(state_dir: &Path, run_id: &str) -> PathBuf {
    state_dir.join("reports").join(run_id)
}

/// Rows as columns: a list of records becomes their fields (`id` and `name` first, then the rest in order);
/// anything else one `value` column.
fn tabulate(rows: &[Value]) -> (Vec<String>, Vec<Vec<Value>>) {
    let records: Option<Vec<&BTreeMap<String, Value>>> =
        rows.iter().map(|row| if let Value::Record(fields) = row { Some(fields) } else { None }).collect();
    let Some(records) = records.filter(|records| !records.is_empty()) else {
        return (vec!["value".into()], rows.iter().map(|row| vec![row.clone()]).collect());
    };
    let mut columns: Vec<String> = ["id", "name"]
        .into_iter()
        .filter(|first| records.iter().any(|record| record.contains_key(*first)))
        .map(str::to_string)
        .collect();
    for record in &records {
        for key in record.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let rows = records
        .iter()
        .map(|record| columns.iter().map(|column| record.get(column).cloned().unwrap_or(Value::Null)).collect())
        .collect();
    (columns, rows)
}

/// A value as a cell: text without quotes, nothing for none, the playbook form for the rest.
fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => escher_compiler::lower::display(other),
    }
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

/// A step's name as a file name (steps of a `for` carry `.` and `[`).
fn file_name(step: &str) -> String {
    step.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[(&str, Value)]) -> Value {
        Value::Record(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    fn table(rows: Vec<Value>) -> Report {
        let output = record(&[("title", Value::String("Stopped".into())), ("rows", Value::List(rows))]);
        Report::of("stopped", "report.table", &output).expect("a table")
    }

    #[test]
    fn a_table_of_records_puts_id_and_name_first_and_cuts_what_a_terminal_cannot_hold() {
        let rows = (0..25)
            .map(|i| {
                record(&[
                    ("state", Value::String("stopped".into())),
                    ("name", Value::String(format!("vm-{i}"))),
                    ("id", Value::String(format!("i-{i:02}"))),
                ])
            })
            .collect();
        let report = table(rows);
        let text = report.to_text(20, 40, 100);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("Stopped (25 rows)"));
        assert_eq!(lines.next(), Some("  id    name   state"));
        assert_eq!(lines.next(), Some("  i-00  vm-0   stopped"));
        assert!(text.ends_with("  ... 5 more row(s) in the report files\n"), "{text}");
        let narrow = report.to_text(20, 40, 14);
        assert_eq!(narrow.lines().nth(1), Some("  id    name"), "the columns that fit, first ones first: {narrow}");
        assert!(narrow.ends_with("  ... 5 more row(s) and 1 more column(s) in the report files\n"), "{narrow}");
        assert_eq!(report.to_csv().lines().count(), 26, "every row in the CSV");
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_a_summary_is_name_value_rows() {
        let rows = vec![record(&[("id", Value::String("a,b".into())), ("note", Value::String("say \"hi\"".into()))])];
        assert_eq!(table(rows).to_csv(), "id,note\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n");
        let values = record(&[("stopped", Value::Int(3)), ("failed", Value::Int(0))]);
        let output = record(&[
            ("title", Value::String("Tonight".into())),
            ("values", values),
            ("text", Value::String(String::new())),
        ]);
        let summary = Report::of("summary", "report.summary", &output).expect("a summary");
        assert_eq!(summary.to_csv(), "name,value\r\nfailed,0\r\nstopped,3\r\n");
        assert_eq!(summary.to_text(20, 40, 100), "Tonight\n  failed   0\n  stopped  3\n");
    }

    #[test]
    fn steps_that_are_not_reports_give_none() {
        assert_eq!(Report::of("stop", "aws.ec2.stop", &record(&[("changed", Value::List(Vec::new()))])), None);
    }
}
