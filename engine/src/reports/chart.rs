//! A table's numeric columns as horizontal bar charts: one bar per row that has a number there, its length
//! proportional to the number, labelled with the row's text. The geometry is computed here; the page's template
//! only writes it out as SVG.

use escher_compiler::plan::Value;
use serde::Serialize;

use super::{cut, plain};

/// Rows beyond these are in the table, not the chart: a chart of hundreds of bars tells a reader nothing.
pub(super) const MAX_BARS: usize = 50;
const LABEL_WIDTH: f64 = 280.0;
pub(super) const BAR_AREA: f64 = 460.0;
const VALUE_WIDTH: f64 = 120.0;
const ROW_HEIGHT: f64 = 24.0;
const BAR_HEIGHT: f64 = 16.0;
const LABEL_CHARACTERS: usize = 42;
/// The columns a bar's label is made of first, when a table has them.
const LABEL_FIRST: &[&str] = &["name", "cloud", "region"];

#[derive(Debug, Serialize)]
pub(super) struct Chart {
    pub column: String,
    /// The columns the bars are labelled with, joined.
    pub labelled_by: String,
    pub width: f64,
    pub height: f64,
    /// Where labels end and bars begin.
    pub bar_x: f64,
    pub bar_height: f64,
    pub bars: Vec<Bar>,
    /// Rows with a number in the column that the chart leaves out (beyond [`MAX_BARS`]).
    pub left_out: usize,
}

#[derive(Debug, Serialize)]
pub(super) struct Bar {
    pub label: String,
    pub value: String,
    pub y: f64,
    pub width: f64,
    /// The vertical middle of the bar, where its texts sit.
    pub middle: f64,
    pub value_x: f64,
}

/// A chart of each numeric column of a table.
pub(super) fn charts(columns: &[String], rows: &[Vec<Value>]) -> Vec<Chart> {
    let (labelled_by, labels) = labels(columns, rows);
    (0..columns.len())
        .filter(|&column| is_numeric(rows, column))
        .map(|column| chart(&columns[column], &labelled_by, &labels, rows, column))
        .collect()
}

/// Whether a column holds numbers: at least one, and nothing else but empty cells.
pub(super) fn is_numeric(rows: &[Vec<Value>], column: usize) -> bool {
    let cells = || rows.iter().map(|row| &row[column]).filter(|cell| **cell != Value::Null);
    cells().next().is_some() && cells().all(|cell| number(cell).is_some())
}

fn chart(column: &str, labelled_by: &str, labels: &[String], rows: &[Vec<Value>], index: usize) -> Chart {
    let numbered: Vec<(usize, f64)> =
        rows.iter().enumerate().filter_map(|(row, cells)| Some((row, number(&cells[index])?))).collect();
    let shown = &numbered[..numbered.len().min(MAX_BARS)];
    // Bars measure from zero: the largest value fills the area, a value at or below zero has no length.
    let largest = shown.iter().map(|(_, value)| *value).fold(0.0, f64::max);
    let bars = shown
        .iter()
        .enumerate()
        .map(|(position, &(row, value))| {
            let width = if largest > 0.0 { tenths(value.max(0.0) / largest * BAR_AREA) } else { 0.0 };
            let y = tenths(position as f64 * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2.0);
            Bar {
                label: cut(&labels[row], LABEL_CHARACTERS),
                value: number_text(&rows[row][index]),
                y,
                width,
                middle: tenths(y + BAR_HEIGHT / 2.0),
                value_x: tenths(LABEL_WIDTH + width + 6.0),
            }
        })
        .collect::<Vec<_>>();
    Chart {
        column: column.to_string(),
        labelled_by: labelled_by.to_string(),
        width: LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height: bars.len() as f64 * ROW_HEIGHT,
        bar_x: LABEL_WIDTH,
        bar_height: BAR_HEIGHT,
        bars,
        left_out: numbered.len() - shown.len(),
    }
}

/// Each row's label, and the columns it comes from: the first text column, and the next ones while the rows'
/// labels are not yet told apart (`aws · EC2` where `aws` alone repeats); `row N` in a table without text. A
/// resource's name, cloud and region come before other columns ([`LABEL_FIRST`]) and its `id` after all: an id is
/// often a long path that a reader does not know the resource by.
fn labels(columns: &[String], rows: &[Vec<Value>]) -> (String, Vec<String>) {
    let mut text_columns: Vec<usize> = (0..columns.len()).filter(|&column| is_text(rows, column)).collect();
    text_columns.sort_by_key(|&column| match LABEL_FIRST.iter().position(|first| *first == columns[column]) {
        Some(rank) => rank,
        None if columns[column] == "id" => LABEL_FIRST.len() + 1,
        None => LABEL_FIRST.len(),
    });
    let label = |row: &Vec<Value>, used: &[usize]| {
        used.iter().map(|&column| plain(&row[column])).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" · ")
    };
    let mut used: Vec<usize> = Vec::new();
    for &column in &text_columns {
        used.push(column);
        let labels: Vec<String> = rows.iter().map(|row| label(row, &used)).collect();
        let distinct: std::collections::BTreeSet<&String> = labels.iter().collect();
        if distinct.len() == labels.len() {
            break;
        }
    }
    if used.is_empty() {
        return ("row".to_string(), (1..=rows.len()).map(|row| format!("row {row}")).collect());
    }
    let names = used.iter().map(|&column| columns[column].as_str()).collect::<Vec<_>>().join(" · ");
    (names, rows.iter().map(|row| label(row, &used)).collect())
}

fn is_text(rows: &[Vec<Value>], column: usize) -> bool {
    let cells = || rows.iter().map(|row| &row[column]).filter(|cell| **cell != Value::Null);
    cells().next().is_some() && cells().all(|cell| matches!(cell, Value::String(_)))
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Int(number) => Some(*number as f64),
        Value::Float(number) if number.is_finite() => Some(*number),
        _ => None,
    }
}

/// A number as a reader takes it in: thousands grouped, a fraction to two places (all of it for a fraction too
/// small for two places to show); anything else as a cell.
pub(super) fn number_text(value: &Value) -> String {
    let text = match value {
        Value::Int(number) => number.to_string(),
        Value::Float(number) if *number == 0.0 || number.abs() >= 0.01 => format!("{number:.2}"),
        other => return plain(other),
    };
    let (sign, unsigned) = text.strip_prefix('-').map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, fraction) = unsigned.split_once('.').map_or((unsigned, None), |(whole, f)| (whole, Some(f)));
    let mut grouped = String::new();
    for (position, digit) in whole.chars().enumerate() {
        if position > 0 && (whole.len() - position).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}{}", fraction.map_or_else(String::new, |fraction| format!(".{fraction}")))
}

/// Rounded to a tenth, so the page's SVG stays short and the same on every machine.
fn tenths(number: f64) -> f64 {
    (number * 10.0).round() / 10.0
}
