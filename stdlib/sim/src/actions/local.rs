//! The stdlib's actions that touch no cloud (`wait`, `notify`, `fail`, `report.*`), answered as a host would, so
//! a plan runs end to end on the simulator alone. Notifications are recorded instead of sent.

use std::time::Duration;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use crate::record::{row, text};
use escher_runtime::provider::args::Args;

pub(crate) const NAMES: &[&str] = &["wait", "notify", "fail", "report.table", "report.summary"];

/// What a local action asks for.
pub(crate) enum Local {
    Wait(Duration),
    Notify {
        channel: String,
        message: String,
    },
    /// Stops the run: the call fails with this message.
    Fail(String),
    /// Answered at once with this value.
    Answer(Value),
}

pub(crate) fn interpret(action: &str, args: &Args) -> Result<Option<Local>, ProviderError> {
    let local = match action {
        "wait" => Local::Wait(args.duration_or("duration", Duration::ZERO)?),
        "notify" => {
            Local::Notify { channel: args.str("channel")?.to_string(), message: args.str("message")?.to_string() }
        }
        "fail" => Local::Fail(args.str("message")?.to_string()),
        "report.table" => {
            let rows = args.list("rows")?;
            Local::Answer(row(vec![("title", text(args.str("title")?)), ("row_count", Value::Int(rows.len() as i64))]))
        }
        "report.summary" => Local::Answer(row(vec![("title", text(args.str("title")?))])),
        _ => return Ok(None),
    };
    Ok(Some(local))
}
