//! Reports as RFC 4180 CSV.

use super::{Report, plain};

impl Report {
    /// A header and a row per row; a summary as `name,value` rows.
    pub fn to_csv(&self) -> String {
        let line = |cells: Vec<String>| cells.iter().map(|cell| field(cell)).collect::<Vec<_>>().join(",") + "\r\n";
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
}

fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}
