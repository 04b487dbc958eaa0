//! A client for OpenAI-compatible chat completion servers (OpenAI, llama.cpp's server, vLLM, Ollama, ...):
//! `POST {base}/chat/completions`, with a time limit per attempt and retries with backoff on 429, 5xx, time-outs
//! and dropped connections. Decoding is constrained where the server can: llama.cpp's `grammar` field for the
//! Lark or GBNF export, or `response_format` with the envelope's JSON schema.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Where the model is and how to call it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Up to and including `/v1`: `https://api.openai.com/v1`, `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    /// The limit for one attempt, connecting and answering.
    pub timeout: Duration,
    /// Attempts after the first, on 429, 5xx, time-outs and dropped connections.
    pub retries: u32,
    /// The first wait between attempts; doubled each time, at most 30 s, or what `Retry-After` says.
    pub backoff: Duration,
    pub temperature: f64,
    pub seed: Option<u64>,
    pub max_tokens: u32,
}

impl Endpoint {
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Endpoint {
        Endpoint {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            timeout: Duration::from_secs(120),
            retries: 3,
            backoff: Duration::from_millis(500),
            temperature: 0.0,
            seed: None,
            max_tokens: 1024,
        }
    }
}

/// How the server is asked to constrain the answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    None,
    /// A grammar text sent in llama.cpp's `grammar` field: the Lark export (llguidance) or the GBNF export.
    Grammar(String),
    /// OpenAI's `response_format` with this JSON schema (the response envelope).
    JsonSchema(Value),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Message {
        Message { role: "system".into(), content: content.into() }
    }
    pub fn user(content: impl Into<String>) -> Message {
        Message { role: "user".into(), content: content.into() }
    }
    pub fn assistant(content: impl Into<String>) -> Message {
        Message { role: "assistant".into(), content: content.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub content: String,
    /// `stop` when the model ended, `length` when `max_tokens` cut it off.
    pub finish_reason: Option<String>,
    /// Attempts it took (1 without retries).
    pub attempts: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error("the model server answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("the model server did not answer within {0:?}")]
    TimedOut(Duration),
    #[error("cannot reach the model server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the model server's answer is not a chat completion: {0}")]
    BadReply(String),
}

impl AiError {
    fn is_transient(&self) -> bool {
        match self {
            AiError::Refused { status, .. } => *status == 429 || *status >= 500,
            AiError::TimedOut(_) | AiError::Unreachable { .. } => true,
            AiError::BadReply(_) => false,
        }
    }
}

pub struct ChatClient {
    endpoint: Endpoint,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
}

impl ChatClient {
    pub fn new(endpoint: Endpoint) -> Result<ChatClient, AiError> {
        let http =
            reqwest::Client::builder().timeout(endpoint.timeout).build().map_err(|error| AiError::Unreachable {
                url: endpoint.base_url.clone(),
                reason: crate::runtime::provider::error_chain(&error),
            })?;
        Ok(ChatClient { endpoint, http })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The request body for `messages` under `constraint`.
    pub fn body(&self, messages: &[Message], constraint: &Constraint) -> Value {
        let endpoint = &self.endpoint;
        let mut body = json!({
            "model": endpoint.model,
            "messages": messages,
            "temperature": endpoint.temperature,
            "max_tokens": endpoint.max_tokens,
        });
        if let Some(seed) = endpoint.seed {
            body["seed"] = json!(seed);
        }
        match constraint {
            Constraint::None => {}
            Constraint::Grammar(grammar) => body["grammar"] = json!(grammar),
            Constraint::JsonSchema(schema) => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": { "name": "escher_response", "strict": true, "schema": schema },
                });
            }
        }
        body
    }

    /// One completion, retried while the failure is transient and attempts remain.
    pub async fn complete(&self, messages: &[Message], constraint: &Constraint) -> Result<Reply, AiError> {
        let body = self.body(messages, constraint);
        let mut wait = self.endpoint.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(&body).await {
                Ok(mut reply) => {
                    reply.attempts = attempt;
                    return Ok(reply);
                }
                Err((error, retry_after)) if error.is_transient() && attempt <= self.endpoint.retries => {
                    tokio::time::sleep(retry_after.unwrap_or(wait)).await;
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
                Err((error, _)) => return Err(error),
            }
        }
    }

    async fn attempt(&self, body: &Value) -> Result<Reply, (AiError, Option<Duration>)> {
        let url = format!("{}/chat/completions", self.endpoint.base_url.trim_end_matches('/'));
        let mut request = self.http.post(&url).json(body);
        if let Some(key) = &self.endpoint.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|error| (self.transport(&url, &error), None))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse::<u64>().ok())
            .map(|seconds| Duration::from_secs(seconds.min(60)));
        let text = response.text().await.map_err(|error| (self.transport(&url, &error), None))?;
        if !status.is_success() {
            let body: String = text.chars().take(500).collect();
            return Err((AiError::Refused { status: status.as_u16(), body }, retry_after));
        }
        let completion: Completion =
            serde_json::from_str(&text).map_err(|error| (AiError::BadReply(error.to_string()), None))?;
        let choice =
            completion.choices.into_iter().next().ok_or_else(|| (AiError::BadReply("no choices".to_string()), None))?;
        Ok(Reply {
            content: choice.message.content.unwrap_or_default(),
            finish_reason: choice.finish_reason,
            attempts: 1,
        })
    }

    /// Whether the server is llama.cpp's, which takes a grammar in its `grammar` field: its model list says
    /// `"owned_by": "llamacpp"`. Any failure to tell is a no.
    pub async fn is_llama_cpp(&self) -> bool {
        let url = format!("{}/models", self.endpoint.base_url.trim_end_matches('/'));
        let mut request = self.http.get(&url);
        if let Some(key) = &self.endpoint.api_key {
            request = request.bearer_auth(key);
        }
        let Ok(response) = request.send().await else { return false };
        let Ok(models) = response.json::<Value>().await else { return false };
        models["data"].as_array().is_some_and(|models| models.iter().any(|model| model["owned_by"] == "llamacpp"))
    }

    fn transport(&self, url: &str, error: &reqwest::Error) -> AiError {
        if error.is_timeout() {
            AiError::TimedOut(self.endpoint.timeout)
        } else {
            AiError::Unreachable { url: url.to_string(), reason: crate::runtime::provider::error_chain(error) }
        }
    }
}
