//! `escher fmt`: the canonical layout, its stability, and that it keeps every comment and the file's meaning.
//!
//! Every layout here goes through `format_verified`, so each golden test also checks that the output parses to
//! the same tree, keeps the same comments in the same order and is stable under a second pass.

use escher_compiler::format::{MAX_WIDTH, format_playbook, format_verified, is_formatted};

/// The canonical form of `src`, checked; a defect fails the test with its details.
fn fmt(src: &str) -> String {
    match format_verified(src) {
        Ok(output) => output,
        Err(defect) => panic!("{defect}: {defect:#?}"),
    }
}

/// Wraps members in a playbook, formats it, and returns the members' lines without the wrapper.
fn fmt_members(members: &str) -> String {
    let output = fmt(&format!("playbook p {{\n{members}\n}}\n"));
    let inner = output
        .strip_prefix("playbook p {\n")
        .and_then(|rest| rest.strip_suffix("}\n"))
        .unwrap_or_else(|| panic!("not wrapped as expected:\n{output}"));
    inner.to_string()
}

// ---- golden layouts ----

#[test]
fn the_design_example_is_laid_out_canonically() {
    let src = r#"//! Stop every running dev VM in all three clouds on weekday evenings.
playbook nightly_shutdown {
  schedule cron("0 20 * * MON-FRI", tz = "Europe/London")

  param env: string = "dev"
  param regions: list<aws.region> = ["us-east-1", "eu-west-1"]
  param max_vms: int in 1..=200 = 50

  let ec2 = aws.ec2.instances(regions = regions, tags = {env: env}, state = "running")
  let az  = azure.vm.list(resource_group = "rg-dev", tags = {env: env})
  let gce = gcp.compute.instances(project = "acme-dev", zone = "us-central1-a", labels = {env: env})

  step stop_ec2 = aws.ec2.stop(ec2) { max_targets = max_vms, retry = 3, timeout = 10m }
  step stop_az  = azure.vm.deallocate(az)
  step stop_gce = gcp.compute.stop(gce)

  step summary after (stop_ec2, stop_az, stop_gce) =
    report.table("Stopped VMs", stop_ec2.changed ++ stop_az.changed ++ stop_gce.changed)
}
"#;
    let expected = r#"//! Stop every running dev VM in all three clouds on weekday evenings.

playbook nightly_shutdown {
  schedule cron("0 20 * * MON-FRI", tz = "Europe/London")

  param env: string = "dev"
  param regions: list<aws.region> = ["us-east-1", "eu-west-1"]
  param max_vms: int in 1..=200 = 50

  let ec2 = aws.ec2.instances(regions = regions, tags = { env: env }, state = "running")
  let az = azure.vm.list(resource_group = "rg-dev", tags = { env: env })
  let gce = gcp.compute.instances(
    project = "acme-dev",
    zone = "us-central1-a",
    labels = { env: env },
  )

  step stop_ec2 = aws.ec2.stop(ec2) { max_targets = max_vms, retry = 3, timeout = 10m }
  step stop_az = azure.vm.deallocate(az)
  step stop_gce = gcp.compute.stop(gce)

  step summary after (stop_ec2, stop_az, stop_gce) = report.table(
    "Stopped VMs",
    stop_ec2.changed ++ stop_az.changed ++ stop_gce.changed,
  )
}
"#;
    assert_eq!(fmt(src), expected);
}

#[test]
fn a_step_that_fits_in_one_hundred_columns_stays_on_one_line() {
    let head = "  step s = act.run(\"";
    let fill = "x".repeat(MAX_WIDTH - head.len() - 2);
    let step = format!("{head}{fill}\")");
    assert_eq!(step.len(), MAX_WIDTH);
    assert_eq!(fmt_members(&step), format!("{step}\n"));
}

#[test]
fn a_step_one_column_too_wide_puts_its_options_one_per_line_and_keeps_a_call_that_fits() {
    let fill = "x".repeat(MAX_WIDTH - "  step s = act.run(\"\", a) { retry = 1 }".len() + 1);
    let src = format!("step s = act.run(\"{fill}\", a) {{ retry = 1 }}");
    let expected = format!("  step s = act.run(\"{fill}\", a) {{\n    retry = 1,\n  }}\n");
    assert_eq!(fmt_members(&src), expected);
}

#[test]
fn a_step_whose_call_does_not_fit_puts_its_arguments_and_options_one_per_line() {
    let fill = "x".repeat(MAX_WIDTH);
    let src = format!("step s = act.run(\"{fill}\", a) {{ retry = 1 }}");
    let expected = format!("  step s = act.run(\n    \"{fill}\",\n    a,\n  ) {{\n    retry = 1,\n  }}\n");
    assert_eq!(fmt_members(&src), expected);
}

#[test]
fn a_fan_out_step_keeps_its_for_clause_and_call_on_the_step_line() {
    let src = "step snap = for db in dbs : aws.rds.snapshot(db, name = \"nightly-${db.id}\") {concurrency=4 retry=2}";
    let expected = "  step snap = for db in dbs: aws.rds.snapshot(db, name = \"nightly-${db.id}\") {\n    concurrency = 4,\n    retry = 2,\n  }\n";
    assert_eq!(fmt_members(src), expected);
}

#[test]
fn a_short_fan_out_step_fits_on_one_line() {
    assert_eq!(
        fmt_members("step stop = for vm in vms:gcp.compute.stop(vm){concurrency=4}"),
        "  step stop = for vm in vms: gcp.compute.stop(vm) { concurrency = 4 }\n"
    );
}

#[test]
fn options_get_commas_and_spaces_and_lose_a_trailing_comma_when_flat() {
    assert_eq!(
        fmt_members("step s = a.b(x,) {retry=3 timeout=10m, on_failure = continue,}"),
        "  step s = a.b(x) { retry = 3, timeout = 10m, on_failure = continue }\n"
    );
}

#[test]
fn an_empty_options_block_is_dropped() {
    assert_eq!(fmt_members("step s = a.b() {}"), "  step s = a.b()\n");
}

#[test]
fn records_are_spaced_and_lists_are_not() {
    assert_eq!(
        fmt_members("let x = {a:1,\"cost-center\" : [ 1 ,2 ], \"action\": {}}"),
        "  let x = { a: 1, \"cost-center\": [1, 2], \"action\": {} }\n"
    );
}

#[test]
fn nested_lists_break_from_the_outside_in() {
    let long = "\"abcdefghijklmnopqrstuvwxyz\"";
    let src = format!("let x = [[{long}, {long}], [{long}, {long}]]");
    let expected = format!("  let x = [\n    [{long}, {long}],\n    [{long}, {long}],\n  ]\n");
    assert_eq!(fmt_members(&src), expected);
}

#[test]
fn a_comprehension_that_does_not_fit_puts_its_clauses_on_their_own_lines() {
    assert_eq!(
        fmt_members("let ids=[x.id for x in xs if x.state==\"running\"]"),
        "  let ids = [x.id for x in xs if x.state == \"running\"]\n"
    );
    let src = "let ids = [instance.identifier for instance in all_the_instances_of_the_estate if instance.state == \"running\"]";
    assert_eq!(
        fmt_members(src),
        "  let ids = [\n    instance.identifier\n    for instance in all_the_instances_of_the_estate\n    if instance.state == \"running\"\n  ]\n"
    );
}

#[test]
fn param_constraints_are_written_canonically() {
    let src = "param a: int in 1 ..= 200 = 50\nparam b: duration in 60s..2h\nparam c: string in [\"small\",\"large\"]\nparam d: string matches \"^[a-z-]+$\"\nparam e: string in [x for x in xs]";
    let expected = "  param a: int in 1..=200 = 50\n  param b: duration in 1m..2h\n  param c: string in [\"small\", \"large\"]\n  param d: string matches \"^[a-z-]+$\"\n  param e: string in [x for x in xs]\n";
    assert_eq!(fmt_members(src), expected);
}

#[test]
fn durations_are_written_in_their_largest_exact_units() {
    assert_eq!(
        fmt_members("let a = [90m, 600000ms, 1500ms, 7d, 48h, 0s, 3600s]"),
        "  let a = [1h30m, 10m, 1s500ms, 1w, 2d, 0s, 1h]\n"
    );
}

#[test]
fn numbers_and_literals_are_written_canonically() {
    assert_eq!(
        fmt_members("let a = [1.50, -0.250, 2.0, -7, true, none]"),
        "  let a = [1.5, -0.25, 2.0, -7, true, none]\n"
    );
}

#[test]
fn strings_are_re_escaped_and_keep_their_interpolations() {
    let src = "let a = \"tab\there \\$5 \\${literal} ${ env } \\\"q\\\" \\\\\"";
    assert_eq!(fmt_members(src), "  let a = \"tab\\there $5 \\${literal} ${env} \\\"q\\\" \\\\\"\n");
}

#[test]
fn an_interpolation_is_printed_flat_whatever_its_length() {
    let src = "let a = \"${f(aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccc, dddddddddddddddddddd)}\"";
    let expected = "  let a = \"${f(aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccc, dddddddddddddddddddd)}\"\n";
    assert_eq!(fmt_members(src), expected);
}

#[test]
fn parentheses_are_kept_only_where_precedence_needs_them() {
    let cases = [
        ("(a or b) and c", "(a or b) and c"),
        ("a or (b and c)", "a or b and c"),
        ("(a and b) or c", "a and b or c"),
        ("not (a and b)", "not (a and b)"),
        ("not (a == b)", "not a == b"),
        ("(not a) == b", "(not a) == b"),
        ("a == (not b)", "a == (not b)"),
        ("a and (not b)", "a and not b"),
        ("(a < (not b)) == c", "a < (not b) == c"),
        ("a ++ (not b)", "a ++ (not b)"),
        ("(a ++ b) ++ c", "a ++ b ++ c"),
        ("a ++ (b ++ c)", "a ++ (b ++ c)"),
        ("(x == 1) == true", "x == 1 == true"),
        ("x == (1 == y)", "x == (1 == y)"),
        ("(a ++ b) in c", "a ++ b in c"),
        ("(a in b) ++ c", "(a in b) ++ c"),
        ("(a or b).c", "(a or b).c"),
        ("((a))", "a"),
        ("not not a", "not not a"),
    ];
    for (written, canonical) in cases {
        assert_eq!(fmt_members(&format!("let x = {written}")), format!("  let x = {canonical}\n"), "{written}");
    }
}

#[test]
fn member_groups_are_separated_by_one_blank_line_and_authors_blank_lines_are_kept_once() {
    let src = "param a: int\nparam b: int\n\n\n\nparam c: int\nlet x = 1\nlet y = 2\nstep s = f()\n\nstep t = g()";
    let expected = "  param a: int\n  param b: int\n\n  param c: int\n\n  let x = 1\n  let y = 2\n\n  step s = f()\n\n  step t = g()\n";
    assert_eq!(fmt_members(src), expected);
}

#[test]
fn blank_lines_after_the_opening_brace_and_before_the_closing_brace_are_dropped() {
    assert_eq!(fmt("playbook p {\n\n\n  let x = 1\n\n\n}\n"), "playbook p {\n  let x = 1\n}\n");
}

#[test]
fn an_empty_playbook_closes_on_its_line() {
    assert_eq!(fmt("template   t{\n}"), "template t {}\n");
}

#[test]
fn uses_are_set_apart_from_the_playbook() {
    let src = "//! Docs.\nuse \"lib/a.esc\"   as   a\nuse \"lib/b.esc\"\nplaybook p { step n = a(env = \"dev\") }";
    let expected =
        "//! Docs.\n\nuse \"lib/a.esc\" as a\nuse \"lib/b.esc\"\n\nplaybook p {\n  step n = a(env = \"dev\")\n}\n";
    assert_eq!(fmt(src), expected);
}

#[test]
fn a_script_body_is_printed_exactly_as_written() {
    let body = "\n      let s = \"}\"; // a brace { in a comment\n   let c = '}';  \n  `${s}{`\n";
    let src = format!("step s=script( xs=xs ,)->string {{{body}}} {{retry=1}}");
    let expected = format!("  step s = script(xs = xs) -> string {{{body}}} {{ retry = 1 }}\n");
    assert_eq!(fmt_members(&src), expected);
}

#[test]
fn a_record_type_with_field_docs_puts_each_field_on_its_own_line() {
    let src = "let r: list<{/// The name.\nname: string, size: int}> = []";
    let expected = "  let r: list<{\n    /// The name.\n    name: string,\n    size: int,\n  }> = []\n";
    assert_eq!(fmt_members(src), expected);
}

#[test]
fn a_long_after_clause_breaks_on_its_own() {
    let names: Vec<String> = (0..8).map(|i| format!("a_rather_long_step_name_{i}")).collect();
    let src = format!("step s after ({}) = f()", names.join(", "));
    let listed: String = names.iter().map(|n| format!("    {n},\n")).collect();
    assert_eq!(fmt_members(&src), format!("  step s after (\n{listed}  ) = f()\n"));
}

// ---- comments ----

#[test]
fn a_trailing_comment_stays_at_the_end_of_its_line() {
    assert_eq!(fmt_members("let x = 1    // why"), "  let x = 1 // why\n");
}

#[test]
fn a_long_trailing_comment_does_not_break_the_code_it_follows() {
    let remark = format!("// {}", "why ".repeat(30));
    let src = format!("let x = f(a, b) {remark}");
    assert_eq!(fmt_members(&src), format!("  let x = f(a, b) {}\n", remark.trim_end()));
}

#[test]
fn a_comment_inside_a_call_breaks_it_and_stays_next_to_its_argument() {
    let src = "step s = f(a, // the first\n b) { retry = 3 }";
    assert_eq!(fmt_members(src), "  step s = f(\n    a, // the first\n    b,\n  ) {\n    retry = 3,\n  }\n");
    let src = "step s = f(a, b) { retry = 3, // why\n}";
    assert_eq!(fmt_members(src), "  step s = f(a, b) {\n    retry = 3, // why\n  }\n");
}

#[test]
fn comments_before_a_closing_bracket_stay_inside_it() {
    assert_eq!(fmt_members("let x = [1,\n// more later\n]"), "  let x = [\n    1,\n    // more later\n  ]\n");
    assert_eq!(fmt_members("let x = [ // nothing yet\n]"), "  let x = [ // nothing yet\n  ]\n");
}

#[test]
fn a_comment_between_the_sign_and_the_value_keeps_its_place() {
    assert_eq!(fmt_members("let x =\n// explained\nf(1)"), "  let x =\n    // explained\n    f(1)\n");
    assert_eq!(fmt_members("let x = // explained\n  1"), "  let x = // explained\n    1\n");
}

#[test]
fn a_comment_inside_an_operator_chain_moves_to_the_end_of_its_line() {
    assert_eq!(fmt_members("let x = a ++ // the rest\n b\nlet y = 2"), "  let x = a ++ b // the rest\n  let y = 2\n");
}

#[test]
fn doc_comments_stay_before_what_they_document_with_comments_among_them_in_order() {
    let src = "/// The size.\n// (plain)\n///   Indented.\n///\nparam size: int";
    assert_eq!(fmt_members(src), "  /// The size.\n  // (plain)\n  ///   Indented.\n  ///\n  param size: int\n");
}

#[test]
fn comments_before_the_playbook_and_after_it_are_kept() {
    let src = "// header\n\n// more\n/// Playbook docs.\nplaybook p {\n  let x = 1\n  // last\n\n  // very last\n}\n// footer\n";
    assert_eq!(fmt(src), src);
}

#[test]
fn comments_are_neither_lost_nor_duplicated() {
    let src = r#"// c01
//! c02 a file doc after a plain comment
use "x.esc" as x // c03
// c04
playbook p { // c05
  // c06
  param a: int in 1..=5 = // c07
    3 // c08
  let r: { // c09
    /// c10
    name: string // c11
  } = { name: "a" } // c12
  step s after (a, // c13
  b) = // c14
    aws.ec2.stop( // c15
      x, // c16
      // c17
      y = [1, // c18
        2 // c19
      ], // c20
      // c21
    ) { retry = 3 // c22
      // c23
      timeout = 10m } // c24
  step t = for v in [a, // c25
  b]: f(v)
  step u = script(q = "${ g(1, // c26
  ) }") -> int { // not ours: inside the script
    1
  } // c27
  let z = a ++ // c28
    b
  // c29
}
// c30
"#;
    let output = fmt(src);
    let mut last_position = 0;
    for n in 1..=30 {
        let marker = format!("c{n:02}");
        let found: Vec<usize> = output.match_indices(&marker).map(|(i, _)| i).collect();
        assert_eq!(found.len(), 1, "{marker} appears {} times in\n{output}", found.len());
        assert!(found[0] > last_position || n == 1, "{marker} is out of order in\n{output}");
        last_position = found[0];
    }
    assert_eq!(output.matches("//").count(), src.matches("//").count());
    assert_eq!(output.matches("// not ours: inside the script").count(), 1);
}

// ---- idempotence and meaning over realistic playbooks ----

const REALISTIC: &[&str] = &[
    // The design sketch, as an author would write it.
    r#"//! Stop every running dev VM in all three clouds on weekday evenings.
playbook nightly_shutdown {
  schedule cron("0 20 * * MON-FRI", tz = "Europe/London")
  param env: string = "dev"
  param regions: list<aws.region> = ["us-east-1", "eu-west-1"]
  param max_vms: int in 1..=200 = 50
  let ec2 = aws.ec2.instances(regions = regions, tags = {env: env}, state = "running")
  let az  = azure.vm.list(resource_group = "rg-dev", tags = {env: env})
  let gce = gcp.compute.instances(project = "acme-dev", zone = "us-central1-a", labels = {env: env})
  step stop_ec2 = aws.ec2.stop(ec2) { max_targets = max_vms, retry = 3, timeout = 10m }
  step stop_az  = azure.vm.deallocate(az)
  step stop_gce = gcp.compute.stop(gce)
  step summary after (stop_ec2, stop_az, stop_gce) =
    report.table("Stopped VMs", stop_ec2.changed ++ stop_az.changed ++ stop_gce.changed)
}"#,
    // Disaster recovery: backups before a destroy, fan-out, approvals.
    r##"//! Snapshot every production database, then retire the old replicas.
//!
//! Runs weekly; a manager approves the deletion.
use "lib/notify.esc" as notify

/// Weekly disaster-recovery drill.
playbook dr_drill {
  schedule cron("0 3 * * SUN")   // UTC by default

  /// Databases older than this are retired.
  param max_age: duration in 1d..=90d = 30d
  param regions: list<aws.region> = ["us-east-1"]
  param batch: int in 1..=50 = 10 // per wave

  let dbs = aws.rds.instances(regions = regions, tags = {env: "prod", "cost-center": "dr"})
  let old = [db for db in dbs if db.created < datetime("2026-01-01T00:00:00Z") and not (db.id in ["keep-me", "and-me"])]
  let token = secret("pagerduty")

  step snapshot = for db in dbs: aws.rds.snapshot(db, name = "dr-${db.id}-weekly") {
    concurrency = batch, retry = 2, timeout = 1h30m, on_failure = continue
  }
  step retire after (snapshot) = aws.rds.delete(old) {
    max_targets = 5,
    approve = manager,
    irreversible = true,
    when = len(old) > 0 and len(old) <= 5,
  }
  step tell = notify(channel = "#ops", token = token, text = "retired ${len(old)} of ${len(dbs)}")
}"##,
    // A template with every kind of parameter constraint.
    r#"template resize_fleet {
  param size: string in ["small", "medium", "large"] = "medium"
  param name_pattern: string matches "^[a-z][a-z0-9-]*$"
  param count: int in 1..20
  param ratio: float in 0.5..=2.0 = 1.0
  param wait: duration in 30s..=15m = 5m
  param labels: map<string, string> = {team: "core", "app.kubernetes.io/name": "api"}
  param owners: optional<list<string>> = none
  let fleet: list<compute.Instance> = compute.instances(tags = labels)
  step resize = compute.resize(fleet, size = size) { max_targets = count, timeout = wait }
}"#,
    // Scripts whose bodies hold braces in strings, characters and comments.
    r#"playbook scripted {
  let xs = aws.ec2.instances(regions = ["us-east-1"])
  step pick = script(xs = xs, limit = 3) -> list<string> {
    // rhai: pick the first `limit` ids; a brace in a comment: {
    let out = [];
    for x in xs { if out.len() < limit { out.push(x.id); } }
    let s = "}{"; let c = '}'; let t = `${s} }`;
    /* a block comment with } */
    out
  }
  step one = script() -> int {1}
  step two = script(a = pick) -> bool { a.len() > 0 } { retry = 1, when = true }
}"#,
    // Imported playbooks and their steps.
    r#"use "shared/stop.esc" as stop_all
use "shared/report.esc"
playbook composed {
  step nightly = stop_all(env = "dev", regions = ["eu-west-1", "eu-central-1"])
  step after_it after (nightly,) = report(rows = nightly.stop_ec2.changed)
  step also = aws.ec2.start(nightly.stop_ec2.changed) { on_failure = rollback }
}"#,
    // Comments in awkward places.
    r#"// A comment before everything.

//! The file doc may follow a plain comment.
playbook awkward { // why this playbook exists
  // The first member's comment.


  param a: int = // explained
    5
  let x = f( // open
    1, // one
    // two is next
    2
    // nothing after two
  )
  let y = [ // empty with a comment
  ]
  let r = { a: 1, b: "http://not.a/comment" }
  step s after ( // first
    x, y // both
  ) = // the action
    aws.ec2.stop(x) { retry = 3 // three
    }
  // The end.
}
// After the end."#,
    // Long calls that must break, nested records and lists.
    r#"playbook long_calls {
  let tagged = aws.ec2.instances(regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1"], tags = {env: "dev", team: "platform", owner: "someone@example.com"}, state = "running")
  step tag = aws.ec2.tag(tagged, tags = {expires: "2026-12-31", reason: "cleanup of the development estate"}) { max_targets = 500, concurrency = 20, retry = 5, timeout = 2h, on_failure = continue }
  step report = report.table("Tagged", [{id: t.id, region: t.region, tags: t.tags} for t in tag.changed if t.region in ["us-east-1", "us-east-2"] or len(t.tags) > 3])
}"#,
];

#[test]
fn formatting_realistic_playbooks_keeps_their_meaning_and_comments_and_is_stable() {
    for src in REALISTIC {
        let output = fmt(src);
        assert_eq!(is_formatted(&output).ok(), Some(true), "not stable:\n{output}");
        assert_eq!(fmt(&output), output);
    }
}

#[test]
fn formatted_lines_stay_within_the_width_unless_a_single_token_is_wider() {
    for src in REALISTIC {
        for line in fmt(src).lines() {
            let has_long_token = line.split(' ').any(|token| token.len() > 40);
            assert!(line.chars().count() <= MAX_WIDTH || has_long_token, "too wide: {line}");
        }
    }
}

#[test]
fn windows_line_endings_become_unix_line_endings_outside_script_bodies() {
    let src = "// note\r\nplaybook p {\r\n  let x = 1 // one\r\n  step s = script() -> int {\r\n    1\r\n  }\r\n}\r\n";
    let expected = "// note\nplaybook p {\n  let x = 1 // one\n\n  step s = script() -> int {\r\n    1\r\n  }\n}\n";
    assert_eq!(fmt(src), expected);
}

#[test]
fn a_long_operator_chain_within_the_parser_limit_is_formatted() {
    let n = 90;
    let concatenated = vec!["a"; n].join(" ++ ");
    let conjunction = vec!["x.y.z"; n].join(" and not ");
    let src = format!("playbook p {{\n  let x =\n    {concatenated}\n  let y =\n    {conjunction}\n}}\n");
    let formatted = format_playbook(&src).expect("a chain within the limit parses");
    assert_eq!(format_playbook(&formatted).ok(), Some(formatted.clone()), "formatting is idempotent");
}

#[test]
fn an_operator_chain_past_the_parser_limit_is_refused_not_overflowed() {
    let concatenated = vec!["a"; 5000].join(" ++ ");
    let src = format!("playbook p {{\n  let x = {concatenated}\n}}\n");
    let errors = format_playbook(&src).expect_err("too large to parse");
    assert!(
        errors.iter().any(|e| matches!(e, escher_compiler::syntax::ParseError::ExpressionTooLarge { .. })),
        "{errors:?}"
    );
}

// ---- files that do not parse ----

#[test]
fn a_file_that_does_not_parse_is_returned_as_its_errors() {
    let errors = format_playbook("playbook p {\n  let ok = 1\n  step s =\n}\n").err().unwrap_or_default();
    assert!(!errors.is_empty());
}

#[test]
fn a_file_with_one_bad_member_among_good_ones_is_not_half_formatted() {
    let src = "playbook p {\n  let a   = 1\n  let b = (\n  let c   = 3\n}\n";
    assert!(format_playbook(src).is_err());
    assert!(is_formatted(src).is_err());
}

#[test]
fn a_number_too_large_for_an_integer_is_an_error_not_a_zero() {
    assert!(format_playbook("playbook p { let x = 99999999999999999999 }").is_err());
}

// ---- properties ----

mod properties {
    use super::{REALISTIC, fmt};
    use proptest::prelude::*;

    /// A fully parenthesised expression over names, numbers, strings, lists, `not` and every binary operator.
    fn expression() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            "[a-c]".prop_map(String::from),
            (-5i64..50).prop_map(|n| n.to_string()),
            Just("\"s\"".to_string()),
            Just("x.y".to_string()),
            Just("len(xs)".to_string()),
        ];
        leaf.prop_recursive(4, 24, 2, |inner| {
            let ops = prop::sample::select(vec!["or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "++"]);
            prop_oneof![
                (inner.clone(), ops, inner.clone()).prop_map(|(l, op, r)| format!("({l} {op} {r})")),
                inner.clone().prop_map(|e| format!("(not {e})")),
                inner.clone().prop_map(|e| format!("[{e}, 1]")),
                inner.clone().prop_map(|e| format!("(({e}).f)")),
            ]
        })
    }

    /// Byte offsets of spaces and line breaks that sit between tokens: outside strings, comments and script bodies
    /// (the realistic inputs used here have no script steps and no nested strings).
    fn gaps_between_tokens(src: &str) -> Vec<usize> {
        let mut gaps = Vec::new();
        let mut in_string = false;
        let mut in_comment = false;
        let mut previous = '\0';
        for (i, c) in src.char_indices() {
            match c {
                '\n' => in_comment = false,
                '"' if !in_comment && previous != '\\' => in_string = !in_string,
                '/' if !in_string && previous == '/' => in_comment = true,
                _ => {}
            }
            if (c == ' ' || c == '\n') && !in_string && !in_comment {
                gaps.push(i);
            }
            previous = c;
        }
        gaps
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn any_expression_keeps_its_meaning_with_only_the_parentheses_it_needs(e in expression()) {
            fmt(&format!("playbook p {{\n  let v = {e}\n}}\n"));
        }

        #[test]
        fn comments_between_any_tokens_are_kept_in_order_and_the_layout_is_stable(
            which in 0..REALISTIC.len(),
            picks in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let src = REALISTIC[which];
            prop_assume!(!src.contains("script("));
            let gaps = gaps_between_tokens(src);
            let mut chosen: Vec<usize> = picks.iter().map(|p| gaps[p.index(gaps.len())]).collect();
            chosen.sort_unstable();
            chosen.dedup();
            let mut commented = src.to_string();
            for (n, at) in chosen.iter().enumerate().rev() {
                commented.replace_range(*at..*at + 1, &format!(" // inserted {n}\n"));
            }
            let output = fmt(&commented);
            for n in 0..chosen.len() {
                prop_assert_eq!(output.matches(&format!("// inserted {n}\n")).count(), 1);
            }
        }
    }
}
