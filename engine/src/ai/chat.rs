//! Conversations with the model, kept in the state directory (`chats/ID.json`) so that a follow-up ("also the
//! GCP ones") continues the same conversation and amends the playbook. Written whole to a temporary file and
//! renamed, so a crash leaves the last complete version.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::Message;
use super::repair::Round;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Chat {
    pub id: String,
    /// RFC 3339, UTC.
    pub created: String,
    pub model: String,
    pub turns: Vec<Turn>,
    /// Everything sent and answered, the system prompt first: what a follow-up continues.
    pub messages: Vec<Message>,
}

/// One request of the person asking and the rounds it took.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Turn {
    pub request: String,
    /// How decoding was held: `lark`, `gbnf`, `json-schema` or `none`.
    #[serde(default)]
    pub constraint: String,
    pub rounds: Vec<RoundRecord>,
    /// The playbook that compiled, as the model wrote it (with pseudonyms), if one did.
    pub accepted: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoundRecord {
    pub reply: String,
    pub finish_reason: Option<String>,
    pub fixes_applied: usize,
    pub errors: Vec<Value>,
}

impl From<&Round> for RoundRecord {
    fn from(round: &Round) -> RoundRecord {
        RoundRecord {
            reply: round.reply.content.clone(),
            finish_reason: round.reply.finish_reason.clone(),
            fixes_applied: round.checked.fixes_applied,
            errors: round.checked.errors.clone(),
        }
    }
}

impl Chat {
    /// The playbook of the newest turn that has one.
    pub fn latest_playbook(&self) -> Option<&str> {
        self.turns.iter().rev().find_map(|turn| turn.accepted.as_deref())
    }
}

/// The chats of one state directory.
pub struct ChatStore {
    dir: PathBuf,
}

impl ChatStore {
    pub fn new(state_dir: &Path) -> ChatStore {
        ChatStore { dir: state_dir.join("chats") }
    }

    /// A new, empty chat with a fresh id (`chat-YYYYMMDD-HHMMSS-xxxx`).
    pub fn create(&self, model: &str) -> Chat {
        let now = chrono::Utc::now();
        let suffix: u16 = rand::random();
        Chat {
            id: format!("chat-{}-{suffix:04x}", now.format("%Y%m%d-%H%M%S")),
            created: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            model: model.to_string(),
            turns: Vec::new(),
            messages: Vec::new(),
        }
    }

    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    pub fn save(&self, chat: &Chat) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let text = serde_json::to_vec_pretty(chat).map_err(std::io::Error::other)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut file, &text)?;
        file.as_file().sync_all()?;
        file.persist(self.path(&chat.id)).map_err(|error| error.error)?;
        Ok(())
    }

    pub fn load(&self, id: &str) -> Result<Chat, String> {
        if id.contains(['/', '\\']) || id.starts_with('.') {
            return Err(format!("\"{id}\" is not a chat id"));
        }
        let path = self.path(id);
        let text = std::fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        serde_json::from_slice(&text).map_err(|error| format!("{} is not a chat: {error}", path.display()))
    }

    /// Every chat, newest first.
    pub fn list(&self) -> Result<Vec<Chat>, String> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(format!("cannot read {}: {error}", self.dir.display())),
        };
        let mut chats = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(id) = name.strip_suffix(".json") {
                chats.push(self.load(id)?);
            }
        }
        chats.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)));
        Ok(chats)
    }
}
