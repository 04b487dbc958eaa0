//! Reports as text that fits a terminal.

use escher_compiler::plan::Value;

use super::{Report, cut, plain};

/// The columns a table shows first: what identifies a resource, where it is and its state.
const FIRST: &[&str] = &["id", "name", "cloud", "account", "region", "state"];

impl Report {
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
}
