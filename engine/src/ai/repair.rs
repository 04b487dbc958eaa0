//! The repair loop: ask, compile the answer, apply the compiler's machine-applicable fixes locally, and while
//! errors remain send them back (as JSON: codes, positions, help, fixes) for at most a given number of rounds.

use escher_compiler::Compilation;
use escher_compiler::diagnostics::{apply_machine_fixes, to_json};
use serde_json::{Value, json};

use super::client::{AiError, ChatClient, Constraint, Message, Reply};

/// What the compiler made of one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The playbook as the answer holds it (out of a JSON envelope), with the machine-applicable fixes applied.
    pub playbook: String,
    pub fixes_applied: usize,
    /// The errors left, compact (code, message, line and column, labels, help, fixes); empty when it compiles.
    pub errors: Vec<Value>,
    /// What the answer claimed of its own risk (an envelope's `risk_level`), shown beside the computed one.
    pub claimed_risk: Option<String>,
}

impl Checked {
    pub fn compiles(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Checks a model's answer with `compile` (the caller's loader and options): the playbook is taken out of a
/// JSON envelope if it is one, compiled, and compiled again with its machine-applicable fixes applied.
pub fn check(answer: &str, compile: &dyn Fn(&str) -> Compilation) -> Checked {
    let (playbook, claimed_risk) = out_of_envelope(answer);
    let first = compile(&playbook);
    if !first.has_errors() {
        return Checked { playbook, fixes_applied: 0, errors: Vec::new(), claimed_risk };
    }
    let main = first.sources.get(first.main).text.clone();
    let (fixed, fixes_applied) = apply_machine_fixes(&main, first.main, &first.diagnostics);
    let compilation = if fixes_applied > 0 { compile(&fixed) } else { first };
    let errors = compilation
        .diagnostics
        .0
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .map(|diagnostic| compact(&to_json(diagnostic, &compilation.sources)))
        .collect();
    Checked { playbook: if fixes_applied > 0 { fixed } else { playbook }, fixes_applied, errors, claimed_risk }
}

/// `{"playbook": ..., "risk_level": ...}` as its playbook and claim; anything else as it is.
fn out_of_envelope(answer: &str) -> (String, Option<String>) {
    match serde_json::from_str::<Value>(answer.trim()) {
        Ok(Value::Object(fields)) => match fields.get("playbook").and_then(Value::as_str) {
            Some(playbook) => {
                let claim = fields.get("risk_level").and_then(Value::as_str).map(str::to_string);
                (playbook.to_string(), claim)
            }
            None => (answer.to_string(), None),
        },
        _ => (answer.to_string(), None),
    }
}

/// A diagnostic as the model is sent it: what `escher check --format json` says, without the rendered text and
/// byte offsets a model does not need.
fn compact(diagnostic: &escher_compiler::diagnostics::JsonDiagnostic) -> Value {
    let spans: Vec<Value> = diagnostic
        .spans
        .iter()
        .map(|span| {
            json!({
                "line": span.line_start,
                "column": span.column_start,
                "label": span.label,
            })
        })
        .collect();
    let fixes: Vec<Value> = diagnostic
        .fixes
        .iter()
        .map(|fix| {
            let edits: Vec<Value> = fix
                .edits
                .iter()
                .map(|edit| json!({ "line": edit.line_start, "column": edit.column_start, "replace_with": edit.suggested_replacement }))
                .collect();
            json!({ "message": fix.message, "edits": edits })
        })
        .collect();
    json!({
        "code": diagnostic.code,
        "message": diagnostic.message,
        "spans": spans,
        "help": diagnostic.help,
        "fixes": fixes,
    })
}

/// One answer and what the compiler made of it.
#[derive(Debug, Clone)]
pub struct Round {
    /// 1 for the first answer, 2 for the first repair, ...
    pub number: u32,
    pub reply: Reply,
    pub checked: Checked,
}

/// The loop's end: every round, and the conversation with the last answer in it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub rounds: Vec<Round>,
    pub messages: Vec<Message>,
}

impl Answer {
    /// The last round's playbook, if it compiles.
    pub fn accepted(&self) -> Option<&Checked> {
        self.rounds.last().map(|round| &round.checked).filter(|checked| checked.compiles())
    }
}

/// What the model is told when its answer does not compile.
pub fn repair_request(checked: &Checked) -> String {
    let errors = serde_json::to_string_pretty(&checked.errors).unwrap_or_default();
    format!(
        "The playbook does not compile. The compiler's errors, as JSON (line and column count characters from 1):\n\
         {errors}\nAnswer with the whole corrected playbook, in the same form as before."
    )
}

/// Asks, checks, and sends the errors back for at most `repairs` more rounds. `on_round` sees each round as
/// it ends (to show it). A model server that fails for good ends the loop with its error.
pub async fn repair_loop(
    client: &ChatClient,
    mut messages: Vec<Message>,
    constraint: &Constraint,
    repairs: u32,
    compile: &dyn Fn(&str) -> Compilation,
    on_round: &mut dyn FnMut(&Round),
) -> Result<Answer, AiError> {
    let mut rounds = Vec::new();
    for number in 1..=repairs + 1 {
        let reply = client.complete(&messages, constraint).await?;
        messages.push(Message::assistant(reply.content.clone()));
        let checked = check(&reply.content, compile);
        let round = Round { number, reply, checked };
        on_round(&round);
        let done = round.checked.compiles();
        if !done && number <= repairs {
            messages.push(Message::user(repair_request(&round.checked)));
        }
        rounds.push(round);
        if done {
            break;
        }
    }
    Ok(Answer { rounds, messages })
}
