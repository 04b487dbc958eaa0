//! When a schedule fires: a cron expression read in a time zone, with croner, turned into exact UTC instants.
//!
//! Daylight-saving time (docs/state.md has the test vectors):
//! - A local time the clocks skip (01:30 on the spring-forward day in London) fires at the first instant after
//!   the gap (02:00 BST, 01:00 UTC): the day's run is late, never lost.
//! - A local time the clocks repeat (01:30 on the fall-back day in New York) fires once, at its first instant
//!   (01:30 EDT, 05:30 UTC): the day's run is never doubled.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;

#[derive(Debug, Clone)]
pub struct CronSpec {
    cron: Cron,
    pub expr: String,
    pub tz: Tz,
}

impl CronSpec {
    /// Parses `expr` (5 fields: minute, hour, day of month, month, day of week) in the IANA zone `tz`.
    pub fn parse(expr: &str, tz: &str) -> Result<CronSpec, String> {
        let zone: Tz = tz.parse().map_err(|_| format!("\"{tz}\" is not an IANA time zone (like Europe/London)"))?;
        let cron = Cron::new(expr).parse().map_err(|error| format!("\"{expr}\" is not a cron expression: {error}"))?;
        Ok(CronSpec { cron, expr: expr.to_string(), tz: zone })
    }

    /// The first occurrence strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut from = after.with_timezone(&self.tz);
        // croner works on local wall time: from inside a repeated hour it can answer an instant of that hour's
        // first pass, earlier than `after`. That occurrence has passed; search on from its wall time.
        for _ in 0..4 {
            let next = self.cron.find_next_occurrence(&from, false).ok()?;
            if next.with_timezone(&Utc) > after {
                return Some(next.with_timezone(&Utc));
            }
            from = next;
        }
        None
    }

    /// Occurrences in `(after, until]`, at most `limit`, oldest first.
    pub fn between(&self, after: DateTime<Utc>, until: DateTime<Utc>, limit: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut cursor = after;
        while out.len() < limit {
            match self.next_after(cursor) {
                Some(next) if next <= until => {
                    out.push(next);
                    cursor = next;
                }
                _ => break,
            }
        }
        out
    }
}
