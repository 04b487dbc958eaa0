//! `escher chat list|show ID|continue ID "..."`: the conversations `escher ask` kept in the state directory.

use std::path::PathBuf;

use escher_engine::ai::chat::ChatStore;

use super::ask::AskArgs;
use super::{CliError, EXIT_OK, Outcome};

// `Continue` carries all of `escher ask`'s options; the enum is parsed once per process.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub enum ChatCommand {
    /// The chats, newest first: id, when, model, turns, and the last request.
    List {
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
    },
    /// One chat: each request, the rounds it took with their errors, and the playbook that compiled.
    Show {
        id: String,
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
    },
    /// Ask again in a chat ("also the GCP ones"): the model amends its playbook. Takes `escher ask`'s options.
    Continue {
        id: String,
        #[command(flatten)]
        ask: AskArgs,
    },
}

pub fn list(state: Option<&std::path::Path>) -> Outcome {
    let dir = super::state::state_dir(state);
    let chats = ChatStore::new(&dir).list().map_err(CliError::Usage)?;
    if chats.is_empty() {
        outln!("no chats in {}", dir.display());
    }
    for chat in chats {
        let last = chat.turns.last().and_then(|turn| turn.request.lines().next()).unwrap_or("");
        let done = if chat.latest_playbook().is_some() { "playbook" } else { "no playbook" };
        outln!("{}  {}  {}  {} turn(s), {done}  {last}", chat.id, chat.created, chat.model, chat.turns.len());
    }
    Ok(EXIT_OK)
}

pub fn show(state: Option<&std::path::Path>, id: &str) -> Outcome {
    let dir = super::state::state_dir(state);
    let chat = ChatStore::new(&dir).load(id).map_err(CliError::Usage)?;
    outln!("chat {} ({}, {})", chat.id, chat.model, chat.created);
    for (number, turn) in chat.turns.iter().enumerate() {
        outln!("\n## request {} (held to {}): {}", number + 1, turn.constraint, turn.request);
        for (round, record) in turn.rounds.iter().enumerate() {
            let codes: Vec<&str> = record.errors.iter().filter_map(|error| error["code"].as_str()).collect();
            let verdict = if codes.is_empty() { "compiles".to_string() } else { format!("errors {}", codes.join(" ")) };
            outln!(
                "\n### round {}: {verdict} ({} fix(es) applied)\n{}",
                round + 1,
                record.fixes_applied,
                record.reply.trim_end()
            );
        }
        if let Some(playbook) = &turn.accepted {
            outln!("\n### accepted (as the model wrote it; run with real identifiers)\n{}", playbook.trim_end());
        }
    }
    Ok(EXIT_OK)
}
