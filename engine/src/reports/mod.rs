//! A run's reports as products: what its `report.table` and `report.summary` steps produced, read from the run's
//! outputs, rendered as text for a terminal, CSV, JSON, Markdown and one HTML page for the whole run, and
//! written under `<state>/reports/<run_id>/` (`<step>.{csv,json,md}` and `report.html`) for anyone to open or
//! mail. Rows come from step outputs, which never hold secrets (the compiler refuses a report of secret values).

mod chart;
mod csv;
mod files;
mod heading;
mod html;
mod markdown;
mod table;
mod text;

use escher_compiler::plan::Value;

pub use files::{HTML_PAGE, default_dir, write};
pub use heading::RunHeading;
pub use html::page;

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
                let (columns, rows) = table::tabulate(rows);
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

    /// The report as one line of a run's JSON event stream, after the run's events, so that a program reading
    /// the stream has it without reading files.
    pub fn to_event(&self, run_id: &str) -> serde_json::Value {
        serde_json::json!({ "event": "report", "run_id": run_id, "step": self.step(), "report": self.to_json() })
    }
}

/// The reports of a run, in plan order, from its steps' actions and outputs.
pub fn reports<'a>(steps: impl IntoIterator<Item = (&'a str, &'a str, &'a Value)>) -> Vec<Report> {
    steps.into_iter().filter_map(|(step, action, output)| Report::of(step, action, output)).collect()
}

/// A value as a cell: text without quotes, nothing for none, the playbook form for the rest.
fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => escher_compiler::lower::display(other),
    }
}

/// At most `width` characters, the cut marked with an ellipsis.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests;
