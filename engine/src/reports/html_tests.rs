use escher_compiler::plan::Value;
use scraper::{ElementRef, Html, Selector};

use super::super::tests::{record, summary, table};
use super::*;

fn heading(dry_run: bool) -> RunHeading {
    RunHeading {
        run_id: "20260501T080000Z-abcdef".into(),
        playbook: "cost_report".into(),
        started_at: "2026-05-01T08:00:03.250Z".into(),
        dry_run,
    }
}

fn parsed(reports: &[Report]) -> (String, Html) {
    let html = page(&heading(false), reports).expect("the page renders");
    let document = Html::parse_document(&html);
    (html, document)
}

fn select<'a>(document: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    document.select(&Selector::parse(css).expect("a valid selector")).collect()
}

fn text(element: &ElementRef<'_>) -> String {
    element.text().collect()
}

fn cost(cloud: &str, service: &str, amount: Value) -> Value {
    record(&[("cloud", Value::String(cloud.into())), ("service", Value::String(service.into())), ("amount", amount)])
}

#[test]
fn the_page_names_the_run_its_playbook_and_when_it_started_and_loads_nothing() {
    let (html, document) = parsed(&[summary("Spend", "", &[])]);
    assert_eq!(
        select(&document, "title").iter().map(text).collect::<Vec<_>>(),
        ["cost_report: reports of run 20260501T080000Z-abcdef"]
    );
    assert_eq!(select(&document, "h1").iter().map(text).collect::<Vec<_>>(), ["cost_report"]);
    let time = select(&document, "header time");
    assert_eq!(time.len(), 1);
    assert_eq!(time[0].value().attr("datetime"), Some("2026-05-01T08:00:03.250Z"));
    assert_eq!(text(&time[0]), "2026-05-01 08:00:03 UTC");
    assert_eq!(text(&select(&document, "header code")[0]), "20260501T080000Z-abcdef");
    assert!(select(&document, ".dry-run").is_empty(), "a real run is not called a dry run");
    assert_eq!(select(&document, "style").len(), 1, "the CSS is inline");
    assert!(select(&document, "script, link, img, iframe, object, [src], [href]").is_empty(), "{html}");
    let dry = Html::parse_document(&page(&heading(true), &[]).expect("the page renders"));
    assert_eq!(select(&dry, ".dry-run").len(), 1, "a dry run says so");
}

#[test]
fn no_value_in_a_report_can_inject_markup() {
    let attack = "<script>alert('owned')</script>";
    let rows = vec![record(&[("name", Value::String(attack.into())), ("size", Value::Int(3))])];
    let output = record(&[("title", Value::String("<b>bold</b> & co".into())), ("rows", Value::List(rows))]);
    let report = Report::of("x\"><img src=x>", "report.table", &output).expect("a table");
    let (html, document) = parsed(&[report]);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(select(&document, "script, img, b").is_empty(), "{html}");
    assert_eq!(text(&select(&document, "h2")[0]), "<b>bold</b> & co", "shown as the text it is");
    assert_eq!(text(&select(&document, "tbody td")[0]), attack);
    assert_eq!(text(&select(&document, "svg text")[0]), attack, "the bar's label");
    let heading = RunHeading { playbook: "</title><script>x</script>".into(), ..heading(false) };
    let html = page(&heading, &[]).expect("the page renders");
    assert!(!html.contains("<script"), "{html}");
}

#[test]
fn a_numeric_column_gets_one_bar_per_row_with_a_number_in_it_its_length_proportional() {
    let rows = vec![
        cost("aws", "EC2", Value::Float(4000.0)),
        cost("azure", "Blob", Value::Float(1000.5)),
        cost("gcp", "GCE", Value::Null),
        cost("gcp", "GCS", Value::Float(2000.0)),
    ];
    let (_, document) = parsed(&[table("Top services", rows)]);
    assert_eq!(select(&document, "svg").len(), 1, "one numeric column, one chart");
    let widths: Vec<f64> = select(&document, "svg rect")
        .iter()
        .map(|bar| bar.value().attr("width").expect("a width").parse().expect("a number"))
        .collect();
    assert_eq!(widths.len(), 3, "a bar per row with an amount");
    assert_eq!(widths[0], chart::BAR_AREA, "the largest fills the chart");
    assert!((widths[1] / widths[0] - 1000.5 / 4000.0).abs() < 0.001, "{widths:?}");
    assert_eq!(widths[2] / widths[0], 0.5, "{widths:?}");
    let labels: Vec<String> = select(&document, "svg text[text-anchor=end]").iter().map(text).collect();
    assert_eq!(labels, ["aws · EC2", "azure · Blob", "gcp · GCS"], "the cloud alone repeats: the service joins it");
    let values: Vec<String> = select(&document, "svg text:not([text-anchor])").iter().map(text).collect();
    assert_eq!(values, ["4,000.00", "1,000.50", "2,000.00"]);
    assert_eq!(text(&select(&document, "figcaption")[0]), "amount per cloud · service");
    let amounts: Vec<String> = select(&document, "tbody td.number").iter().map(text).collect();
    assert_eq!(amounts, ["4,000.00", "1,000.50", "", "2,000.00"], "every row in the table, figures as in the chart");
    assert_eq!(text(&select(&document, ".rows + .step")[0]), "4 rows, 3 columns");
}

#[test]
fn a_table_without_text_labels_bars_by_row_and_a_long_one_charts_its_first_rows() {
    let rows: Vec<Value> = (1..=chart::MAX_BARS as i64 + 5).map(Value::Int).collect();
    let (_, document) = parsed(&[table("Sizes", rows)]);
    let bars = select(&document, "svg rect");
    assert_eq!(bars.len(), chart::MAX_BARS);
    assert_eq!(text(&select(&document, "svg text")[0]), "row 1");
    assert_eq!(
        text(&select(&document, "figcaption")[0]),
        format!("value per row (the first {} rows; 5 more in the table)", chart::MAX_BARS)
    );
    assert_eq!(select(&document, "tbody tr").len(), chart::MAX_BARS + 5, "the table has every row");
    assert_eq!(text(&select(&document, ".rows + .step")[0]), format!("{} rows", chart::MAX_BARS + 5));
}

#[test]
fn an_empty_table_says_it_has_no_rows_and_draws_no_chart() {
    let (_, document) = parsed(&[table("Stopped", Vec::new())]);
    assert_eq!(text(&select(&document, "section h2")[0]), "Stopped");
    assert!(select(&document, "svg, table").is_empty());
    assert_eq!(select(&document, "section .none").iter().map(text).collect::<Vec<_>>(), ["No rows."]);
}

#[test]
fn a_summary_shows_its_text_and_its_values_as_names_and_figures() {
    let values = [
        ("total", Value::Float(25000.5)),
        ("clouds", Value::Int(3)),
        ("owner", Value::String("ops".into())),
        ("rate", Value::Float(0.0004)),
    ];
    let (_, document) = parsed(&[summary("Cloud spend", "Budget: 30000.", &values)]);
    assert!(select(&document, "svg, table").is_empty(), "a summary has no chart");
    assert_eq!(text(&select(&document, "section .text")[0]), "Budget: 30000.");
    let pairs: Vec<(String, String)> = select(&document, "dl dt")
        .iter()
        .zip(select(&document, "dl dd"))
        .map(|(dt, dd)| (text(dt), text(&dd)))
        .collect();
    let expected = [("clouds", "3"), ("owner", "ops"), ("rate", "0.0004"), ("total", "25,000.50")];
    assert_eq!(pairs, expected.map(|(name, value)| (name.to_string(), value.to_string())));
}

#[test]
fn reports_appear_in_the_order_given() {
    let (_, document) = parsed(&[summary("First", "", &[]), table("Second", Vec::new())]);
    let sections: Vec<(Option<&str>, String)> = select(&document, "main section")
        .iter()
        .map(|section| (section.value().attr("class"), text(&select_in(section, "h2")[0])))
        .collect();
    assert_eq!(sections, [(Some("summary"), "First".to_string()), (Some("table"), "Second".to_string())]);
}

fn select_in<'a>(element: &ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    element.select(&Selector::parse(css).expect("a valid selector")).collect()
}

#[test]
fn long_text_wraps_in_a_readable_column_and_short_text_stays_on_one_line() {
    let path = "/subscriptions/c2a9e4d7/resourceGroups/dev/providers/Microsoft.Compute/virtualMachines/dev-web";
    let rows = vec![record(&[("id", Value::String(path.into())), ("name", Value::String("dev-web".into()))])];
    let (_, document) = parsed(&[table("Stopped", rows)]);
    let classes: Vec<Option<&str>> =
        select(&document, "tbody td").iter().map(|cell| cell.value().attr("class")).collect();
    assert_eq!(classes, [Some("long"), None]);
}

#[test]
fn bars_are_labelled_by_name_then_what_tells_rows_apart_and_by_id_last() {
    let vm = |id: &str, name: &str, cloud: &str, cost: f64| {
        record(&[
            ("id", Value::String(id.into())),
            ("name", Value::String(name.into())),
            ("account", Value::String("693027418835".into())),
            ("cloud", Value::String(cloud.into())),
            ("cost", Value::Float(cost)),
        ])
    };
    let unique = vec![vm("/subscriptions/a/vm-1", "web", "azure", 2.0), vm("i-2", "api", "aws", 1.0)];
    let (_, document) = parsed(&[table("Stopped", unique)]);
    let labels: Vec<String> = select(&document, "svg text[text-anchor=end]").iter().map(text).collect();
    assert_eq!(labels, ["web", "api"]);
    assert_eq!(text(&select(&document, "figcaption")[0]), "cost per name");
    let same_names = vec![vm("i-1", "web", "aws", 2.0), vm("8461389831805160983", "web", "gcp", 1.0)];
    let (_, document) = parsed(&[table("Stopped", same_names)]);
    let labels: Vec<String> = select(&document, "svg text[text-anchor=end]").iter().map(text).collect();
    assert_eq!(labels, ["web · aws", "web · gcp"]);
    assert_eq!(text(&select(&document, "figcaption")[0]), "cost per name · cloud");
}
