//! Reports as Markdown: a table, or a summary's text and a list of its values.

use super::{Report, plain};

impl Report {
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
