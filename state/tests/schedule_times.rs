//! When schedules fire, as exact UTC instants: daylight-saving transitions in Europe/London and
//! America/New_York in 2026 (a skipped local hour, a repeated one), and what a daemon waking late does.

use chrono::{DateTime, Utc};
use escher_state::schedule::{CronSpec, MissedPolicy, Wake, wake};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|error| panic!("{text}: {error}"))
}

fn spec(expr: &str, tz: &str) -> CronSpec {
    CronSpec::parse(expr, tz).unwrap_or_else(|error| panic!("{error}"))
}

/// The first `n` occurrences after `from`, as RFC 3339 UTC text.
fn next(spec: &CronSpec, from: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = utc(from);
    for _ in 0..n {
        cursor = spec.next_after(cursor).expect("a next occurrence");
        out.push(cursor.to_rfc3339());
    }
    out
}

#[test]
fn london_daily_0130_fires_at_0200_bst_on_the_spring_forward_day() {
    // 29 March 2026: 01:00 GMT becomes 02:00 BST; 01:30 does not exist that day.
    assert_eq!(
        next(&spec("30 1 * * *", "Europe/London"), "2026-03-27T12:00:00Z", 3),
        ["2026-03-28T01:30:00+00:00", "2026-03-29T01:00:00+00:00", "2026-03-30T00:30:00+00:00"]
    );
}

#[test]
fn london_daily_0130_fires_once_on_the_fall_back_day() {
    // 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens twice (00:30 and 01:30 UTC).
    assert_eq!(
        next(&spec("30 1 * * *", "Europe/London"), "2026-10-23T12:00:00Z", 3),
        ["2026-10-24T00:30:00+00:00", "2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]
    );
}

#[test]
fn new_york_daily_0230_fires_at_0300_edt_on_the_spring_forward_day() {
    // 8 March 2026: 02:00 EST becomes 03:00 EDT.
    assert_eq!(
        next(&spec("30 2 * * *", "America/New_York"), "2026-03-06T12:00:00Z", 3),
        ["2026-03-07T07:30:00+00:00", "2026-03-08T07:00:00+00:00", "2026-03-09T06:30:00+00:00"]
    );
}

#[test]
fn new_york_daily_0130_fires_once_on_the_fall_back_day() {
    // 1 November 2026: 02:00 EDT becomes 01:00 EST; 01:30 happens at 05:30 and 06:30 UTC.
    assert_eq!(
        next(&spec("30 1 * * *", "America/New_York"), "2026-10-30T12:00:00Z", 3),
        ["2026-10-31T05:30:00+00:00", "2026-11-01T05:30:00+00:00", "2026-11-02T06:30:00+00:00"]
    );
}

#[test]
fn waking_inside_the_repeated_hour_does_not_fire_its_time_again() {
    // 06:10 UTC is 01:10 EST, the second pass of 01:xx: today's 01:30 already fired at 05:30 UTC.
    assert_eq!(next(&spec("30 1 * * *", "America/New_York"), "2026-11-01T06:10:00Z", 1), ["2026-11-02T06:30:00+00:00"]);
}

#[test]
fn an_hourly_schedule_fires_each_wall_time_once_across_the_fall_back() {
    assert_eq!(
        next(&spec("30 * * * *", "Europe/London"), "2026-10-24T23:00:00Z", 4),
        [
            "2026-10-24T23:30:00+00:00",
            "2026-10-25T00:30:00+00:00",
            "2026-10-25T02:30:00+00:00",
            "2026-10-25T03:30:00+00:00"
        ]
    );
}

#[test]
fn bad_expressions_and_zones_are_named() {
    let zone = CronSpec::parse("0 20 * * *", "Europe/Londn").map(|_| ()).expect_err("refused");
    assert_eq!(zone, "\"Europe/Londn\" is not an IANA time zone (like Europe/London)");
    assert!(CronSpec::parse("0 25 * * *", "UTC").is_err());
}

fn evening() -> CronSpec {
    spec("0 20 * * *", "Europe/London")
}

#[test]
fn an_occurrence_within_the_grace_period_is_due() {
    let woke = wake(&evening(), MissedPolicy::Skip, utc("2026-06-01T00:00:00Z"), utc("2026-06-01T19:00:30Z"));
    assert_eq!(
        woke,
        Wake {
            run: Some(utc("2026-06-01T19:00:00Z")),
            late: false,
            missed: vec![],
            next: Some(utc("2026-06-02T19:00:00Z"))
        }
    );
}

#[test]
fn after_three_missed_evenings_run_latest_runs_the_last_and_records_the_others() {
    let woke = wake(&evening(), MissedPolicy::RunLatest, utc("2026-06-01T00:00:00Z"), utc("2026-06-04T08:00:00Z"));
    assert_eq!(woke.run, Some(utc("2026-06-03T19:00:00Z")));
    assert!(woke.late);
    assert_eq!(woke.missed, [utc("2026-06-01T19:00:00Z"), utc("2026-06-02T19:00:00Z")]);
}

#[test]
fn after_three_missed_evenings_skip_runs_none() {
    let woke = wake(&evening(), MissedPolicy::Skip, utc("2026-06-01T00:00:00Z"), utc("2026-06-04T08:00:00Z"));
    assert_eq!(woke.run, None);
    assert_eq!(woke.missed.len(), 3);
}

#[test]
fn before_its_time_nothing_is_due() {
    let woke = wake(&evening(), MissedPolicy::RunLatest, utc("2026-06-01T00:00:00Z"), utc("2026-06-01T18:00:00Z"));
    assert_eq!((woke.run, woke.missed.len(), woke.next), (None, 0, Some(utc("2026-06-01T19:00:00Z"))));
}
