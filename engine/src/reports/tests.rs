use escher_compiler::plan::Value;

use super::*;

pub(super) fn record(fields: &[(&str, Value)]) -> Value {
    Value::Record(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

pub(super) fn table(title: &str, rows: Vec<Value>) -> Report {
    let output = record(&[("title", Value::String(title.into())), ("rows", Value::List(rows))]);
    Report::of("stopped", "report.table", &output).expect("a table")
}

pub(super) fn summary(title: &str, text: &str, values: &[(&str, Value)]) -> Report {
    let output = record(&[
        ("title", Value::String(title.into())),
        ("values", record(values)),
        ("text", Value::String(text.into())),
    ]);
    Report::of("summary", "report.summary", &output).expect("a summary")
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
    let report = table("Stopped", rows);
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
    assert_eq!(table("Stopped", rows).to_csv(), "id,note\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n");
    let summary = summary("Tonight", "", &[("stopped", Value::Int(3)), ("failed", Value::Int(0))]);
    assert_eq!(summary.to_csv(), "name,value\r\nfailed,0\r\nstopped,3\r\n");
    assert_eq!(summary.to_text(20, 40, 100), "Tonight\n  failed   0\n  stopped  3\n");
}

#[test]
fn steps_that_are_not_reports_give_none() {
    assert_eq!(Report::of("stop", "aws.ec2.stop", &record(&[("changed", Value::List(Vec::new()))])), None);
}

#[test]
fn a_report_in_a_runs_event_stream_names_the_run_and_the_step_and_carries_the_report() {
    let summary = summary("Tonight", "", &[("stopped", Value::Int(3))]);
    let event = summary.to_event("20260501T080000Z-abcdef");
    assert_eq!(event["event"], "report");
    assert_eq!(event["run_id"], "20260501T080000Z-abcdef");
    assert_eq!(event["step"], "summary");
    assert_eq!(event["report"], summary.to_json());
    assert_eq!(event["report"]["values"]["stopped"], 3);
}

#[test]
fn written_reports_are_each_steps_files_and_one_page_for_the_run() {
    let dir = tempfile::tempdir().expect("a directory");
    let heading = RunHeading {
        run_id: "20260501T080000Z-abcdef".into(),
        playbook: "nightly".into(),
        started_at: "2026-05-01T08:00:00.000Z".into(),
        dry_run: false,
    };
    let reports = [table("Stopped", vec![record(&[("id", Value::String("i-1".into()))])]), summary("Tonight", "", &[])];
    let written = write(dir.path(), &heading, &reports).expect("written");
    let names: Vec<String> =
        written.iter().filter_map(|path| path.file_name()).map(|name| name.to_string_lossy().into_owned()).collect();
    let expected =
        ["stopped.csv", "stopped.json", "stopped.md", "summary.csv", "summary.json", "summary.md", HTML_PAGE];
    assert_eq!(names, expected);
    let html = std::fs::read_to_string(dir.path().join(HTML_PAGE)).expect("the page");
    assert_eq!(html, page(&heading, &reports).expect("a page"));
}

#[test]
fn a_pages_heading_from_the_journal_is_the_one_the_run_had_when_it_ended() {
    use escher_runtime::journal::JournalRecord;
    let plan = escher_compiler::plan::Plan {
        format_version: escher_compiler::plan::PLAN_FORMAT_VERSION,
        playbook: "nightly".into(),
        docs: String::new(),
        params: Default::default(),
        schedule: None,
        nodes: Vec::new(),
        edges: Vec::new(),
        hash: "0".repeat(64),
    };
    let started = JournalRecord::RunStarted {
        run_id: "20260501T080000Z-abcdef".into(),
        plan,
        dry_run: true,
        at: "2026-05-01T08:00:00.000Z".into(),
    };
    let heading = RunHeading::from_journal(std::slice::from_ref(&started)).expect("a heading");
    assert_eq!(heading.run_id, "20260501T080000Z-abcdef");
    assert_eq!(heading.playbook, "nightly");
    assert_eq!(heading.started_at, "2026-05-01T08:00:00.000Z");
    assert!(heading.dry_run);
    assert_eq!(heading.started(), "2026-05-01 08:00:00 UTC");
    // A resumed run's report starts with the session that ended it, as `RunReport::started_at` does.
    let resumed = [started, JournalRecord::RunResumed { at: "2026-05-01T09:30:00.000Z".into() }];
    assert_eq!(RunHeading::from_journal(&resumed).expect("a heading").started_at, "2026-05-01T09:30:00.000Z");
    assert_eq!(RunHeading::from_journal(&resumed[1..]), None, "a journal that does not begin with the run's start");
}
