//! The run's reports as one HTML page to open in a browser or mail to a manager: the run, then every table with
//! all its rows and a bar chart of each numeric column, and every summary's text and values. The CSS is inline;
//! the page has no script and fetches nothing.
//!
//! Rendered with minijinja: well kept, no code generated at build time, and HTML autoescaping of every value
//! the template writes, so no value in a report can inject markup.

use escher_compiler::plan::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::chart::{self, Chart};
use super::{Report, RunHeading, plain};

const TEMPLATE_NAME: &str = "report.html";
const TEMPLATE: &str = include_str!("report.html.j2");

/// The page of a run's reports, in the order given.
pub fn page(heading: &RunHeading, reports: &[Report]) -> Result<String, minijinja::Error> {
    let mut environment = Environment::new();
    environment.set_auto_escape_callback(|_| AutoEscape::Html);
    // A name the template misspells is an error, not an empty string on the page.
    environment.set_undefined_behavior(UndefinedBehavior::Strict);
    environment.add_template(TEMPLATE_NAME, TEMPLATE)?;
    let view = PageView {
        run_id: &heading.run_id,
        playbook: &heading.playbook,
        started_at: &heading.started_at,
        started: heading.started(),
        dry_run: heading.dry_run,
        reports: reports.iter().map(ReportView::of).collect(),
    };
    environment.get_template(TEMPLATE_NAME)?.render(minijinja::value::Serde(&view))
}

#[derive(Serialize)]
struct PageView<'a> {
    run_id: &'a str,
    playbook: &'a str,
    started_at: &'a str,
    started: String,
    dry_run: bool,
    reports: Vec<ReportView<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ReportView<'a> {
    Table { step: &'a str, title: &'a str, columns: Vec<Column<'a>>, rows: Vec<Vec<Cell>>, charts: Vec<Chart> },
    Summary { step: &'a str, title: &'a str, text: &'a str, values: Vec<Named<'a>> },
}

/// A column, and whether it holds numbers (set right, as figures are read).
#[derive(Serialize)]
struct Column<'a> {
    name: &'a str,
    numeric: bool,
}

#[derive(Serialize)]
struct Cell {
    text: String,
    /// `number` (set right), `long` (wraps, in a column wide enough to read it) or nothing (kept on one line).
    class: &'static str,
}

/// Text longer than this wraps; shorter text stays on one line, so a wide table scrolls rather than squeezing
/// every column into a tall, narrow one.
const LONG_TEXT: usize = 40;

impl Cell {
    /// Figures as a reader takes them in; the CSV and JSON files keep them exact.
    fn of(value: &Value, numeric: bool) -> Cell {
        if numeric {
            return Cell { text: chart::number_text(value), class: "number" };
        }
        let text = plain(value);
        let class = if text.chars().count() > LONG_TEXT { "long" } else { "" };
        Cell { text, class }
    }
}

#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
    value: String,
}

impl<'a> ReportView<'a> {
    fn of(report: &'a Report) -> ReportView<'a> {
        match report {
            Report::Table { step, title, columns, rows } => {
                let numeric: Vec<bool> = (0..columns.len()).map(|column| chart::is_numeric(rows, column)).collect();
                ReportView::Table {
                    step,
                    title,
                    columns: columns.iter().zip(&numeric).map(|(name, &numeric)| Column { name, numeric }).collect(),
                    rows: rows
                        .iter()
                        .map(|row| row.iter().zip(&numeric).map(|(value, &numeric)| Cell::of(value, numeric)).collect())
                        .collect(),
                    charts: chart::charts(columns, rows),
                }
            }
            Report::Summary { step, title, text, values } => ReportView::Summary {
                step,
                title,
                text,
                values: values.iter().map(|(name, value)| Named { name, value: chart::number_text(value) }).collect(),
            },
        }
    }
}

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
