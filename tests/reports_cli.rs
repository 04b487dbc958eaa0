//! A run's reports as operators get them from the binary: the run's HTML page written beside the report files
//! and printed again by `escher report --format html`, and each report as a line of `escher run --format json`.

mod support;

use serde_json::Value;
use support::cli::{Finished, Sandbox, repo_path};

fn run_cost_report(sandbox: &Sandbox, args: &[&str]) -> Finished {
    let ran = sandbox.run(&repo_path("examples/cost_report.esc"), args);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    ran
}

/// `escher report RUN --step STEP --format json`, parsed.
fn report_json(sandbox: &Sandbox, run_id: &str, step: &str) -> Value {
    let printed = sandbox.escher(&["report", run_id, "--step", step, "--format", "json"]);
    assert_eq!(printed.code, Some(0), "{}", printed.describe());
    serde_json::from_str(&printed.stdout).unwrap_or_else(|error| panic!("{error}: {}", printed.describe()))
}

#[test]
fn a_runs_page_holds_its_tables_rows_and_a_chart_and_escher_report_prints_the_same_page() {
    let sandbox = Sandbox::with_demo_estate();
    let ran = run_cost_report(&sandbox, &[]);
    let run_id = ran.run_id();
    assert!(ran.stderr.contains("(report.html, and csv, json, md of each;"), "{}", ran.describe());
    let path = sandbox.state.join("reports").join(&run_id).join("report.html");
    let page = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains(&format!("<code>{run_id}</code>")), "the run id: {page}");
    assert!(page.contains("<h1>cost_report</h1>"), "the playbook: {page}");

    let table = report_json(&sandbox, &run_id, "top_services");
    let rows = table["rows"].as_array().expect("the table's rows");
    assert!(rows.len() > 1, "the demo estate has several services: {table}");
    assert_eq!(page.matches("<tr><td").count(), rows.len(), "every row of the table: {page}");
    for row in rows {
        let service = row[2].as_str().expect("the service column");
        assert!(page.contains(&format!("<td>{service}</td>")), "{service} in the table: {page}");
    }
    assert_eq!(page.matches("<svg ").count(), 1, "a chart of the one numeric column, the amount: {page}");
    assert_eq!(page.matches("<rect ").count(), rows.len(), "a bar per service: {page}");
    let spend = report_json(&sandbox, &run_id, "spend");
    assert!(page.contains(&format!("<h2>{}</h2>", spend["title"].as_str().expect("a title"))), "{page}");
    assert!(page.contains("<dt>total</dt>"), "the summary's values: {page}");

    let printed = sandbox.escher(&["report", &run_id, "--format", "html"]);
    assert_eq!(printed.code, Some(0), "{}", printed.describe());
    assert!(printed.stdout == page, "`escher report --format html` prints the page the run wrote:\n{}", printed.stdout);

    std::fs::remove_file(&path).expect("the page is removed");
    let only_spend = sandbox.escher(&["report", &run_id, "--format", "html", "--step", "spend", "--write"]);
    assert_eq!(only_spend.code, Some(0), "{}", only_spend.describe());
    assert!(!only_spend.stdout.contains("<svg "), "--step prints the summary alone: {}", only_spend.stdout);
    let rewritten = std::fs::read_to_string(&path).expect("--write writes the page again");
    assert_eq!(rewritten, page, "--write rewrites the run's whole page");
}

#[test]
fn a_json_run_ends_its_stream_with_a_line_per_report() {
    let sandbox = Sandbox::with_demo_estate();
    let ran = run_cost_report(&sandbox, &["--format", "json"]);
    let run_id = ran.run_id();
    let lines = ran.events();
    let finished = lines.iter().position(|line| line["event"] == "run_finished").expect("a run_finished event");
    let reports: Vec<&Value> = lines.iter().filter(|line| line["event"] == "report").collect();
    let steps: Vec<&str> = reports.iter().filter_map(|line| line["step"].as_str()).collect();
    assert_eq!(steps, ["top_services", "spend"], "a line per report, in plan order: {}", ran.describe());
    assert_eq!(lines.len(), finished + 2 + reports.len(), "the reports come after the run's events");
    assert_eq!(lines.last().map(|line| &line["event"]), Some(&Value::from("run_report")), "then the run report");
    for line in reports {
        let step = line["step"].as_str().unwrap_or_default();
        assert_eq!(line["run_id"], run_id.as_str());
        assert_eq!(
            line["report"],
            report_json(&sandbox, &run_id, step),
            "{step}: the report as `escher report` has it"
        );
    }
}
