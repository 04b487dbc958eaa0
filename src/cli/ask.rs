//! `escher ask "stop the dev VMs in eu-west-1 every weekday at 8pm"`: a model writes the playbook, Escher
//! checks it, and the engine governs its run.
//!
//! The model (any OpenAI-compatible server: `--base-url`, `--model`, `$ESCHER_AI_API_KEY`) is sent the
//! language, the stdlib's catalog and the estate with every identifier replaced by a pseudonym, and its decoding
//! is held to the language: the Lark export where the server is llama.cpp's, else the response envelope's JSON
//! schema (`--grammar auto|lark|gbnf|json-schema|none`). Each answer is compiled;
//! machine-applicable fixes are applied here, and the remaining errors are sent back for at most `--rounds`
//! rounds, each shown. A playbook that compiles has its pseudonyms mapped back to the real identifiers, is saved
//! beside the chat, and is planned (`--plan-only`) or run as `escher run` runs it: its own computed risk, the
//! approvals it needs, `--dry-run`, `--approve-up-to`. A risk the model claims is shown, never used.
//! The conversation is kept (`escher chat list|show|continue`), so a follow-up amends the playbook.

use std::path::PathBuf;

use escher_compiler::grammar_export::{GrammarFormat, envelope_schema, export};
use escher_compiler::plan::Value;
use escher_compiler::stdlib::{Cloud, Selection, brief, catalog};
use escher_compiler::{CompileOptions, NoImports, compile_input};
use escher_engine::ai::chat::{Chat, ChatStore, RoundRecord, Turn};
use escher_engine::ai::prompt::{AnswerForm, system_prompt};
use escher_engine::ai::{ChatClient, Constraint, Endpoint, Message, Round, repair_loop};
use escher_engine::context::{ContextOptions, Pseudonyms, Unmask, context, inventory_resources};
use escher_engine::state::AttachedState;

use super::run::{RunArgs, SessionArgs};
use super::{CliError, EXIT_DIAGNOSTICS, Outcome, PlanFormat};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AskConstraint {
    /// The Lark export when the server is llama.cpp's (its model list says so), else the JSON schema.
    Auto,
    /// The Lark export, in llama.cpp's `grammar` field (llama.cpp built with llguidance).
    Lark,
    /// The GBNF export, in llama.cpp's `grammar` field.
    Gbnf,
    /// OpenAI's `response_format` with the response envelope's JSON schema (OpenAI and most hosted servers).
    JsonSchema,
    /// No constraint: the answer is read as a playbook, a Markdown answer or an envelope.
    None,
}

/// Where the model is.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// The OpenAI-compatible API, up to `/v1` (default: $ESCHER_AI_BASE_URL, else `base_url` in escher.toml's
    /// `[ai]`, else http://127.0.0.1:8080/v1).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The model's name (default: $ESCHER_AI_MODEL, else `model` in `[ai]`, else "default"). The key is read
    /// from $ESCHER_AI_API_KEY, else the variable `[ai]`'s `api_key_env` names, else $OPENAI_API_KEY; never from
    /// a flag or a file.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// How the answer is held to the language.
    #[arg(long, value_enum, default_value_t = AskConstraint::Auto)]
    pub grammar: AskConstraint,
    /// How many times the compiler's errors are sent back before giving up.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub rounds: u32,
    /// The time limit of one request to the model.
    #[arg(long, value_name = "DURATION", default_value = "120s", value_parser = escher_governance::duration::parse)]
    pub model_timeout: std::time::Duration,
    /// The most tokens one answer may have.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_tokens: u32,
    #[arg(long, value_name = "T", default_value_t = 0.0)]
    pub temperature: f64,
    /// A sampling seed, for servers that take one (llama.cpp, vLLM).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct AskArgs {
    /// What to do, in words.
    pub request: String,
    /// Continue this chat: the model sees the conversation so far and amends its playbook.
    #[arg(long, value_name = "ID")]
    pub chat: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Only these clouds' actions, queries and resources in the prompt: aws, azure, gcp.
    #[arg(long, value_name = "CLOUDS", value_delimiter = ',', value_parser = |text: &str| text.parse::<Cloud>())]
    pub clouds: Vec<Cloud>,
    /// Only actions and queries whose name contains one of these (`ec2`, `compute.stop`): a smaller prompt.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Tell the model about each resource (anonymized), not only the counts of each kind.
    #[arg(long)]
    pub list_resources: bool,
    /// Show the plan and stop: nothing runs.
    #[arg(long)]
    pub plan_only: bool,
    /// Run, calling no mutating API: show what would change.
    #[arg(long)]
    pub dry_run: bool,
    /// The providers to run with (as `escher run --cloud`): `sim` (default), `aws`, `azure`, `gcp`. With a real
    /// cloud the model is shown that cloud's inventory (`escher inventory`), anonymized.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',', default_value = "sim")]
    pub cloud: Vec<String>,
    /// The simulated estate (JSON); without it, the built-in demo estate.
    #[arg(long, value_name = "FILE")]
    pub estate: Option<PathBuf>,
    #[command(flatten)]
    pub session: SessionArgs,
}

pub fn run(args: AskArgs, state: AttachedState) -> Outcome {
    let state_dir = state.dir().to_path_buf();
    let asked = match ask(&args, &state_dir) {
        Ok(asked) => asked,
        Err(error) => return super::close(state, Err(error)),
    };
    let Some(playbook) = asked else { return super::close(state, Ok(EXIT_DIAGNOSTICS)) };
    if args.plan_only {
        let plan = super::plan::PlanArgs {
            file: playbook,
            params: Vec::new(),
            format: PlanFormat::Human,
            state: Some(state_dir),
            out: None,
            estate: args.estate.clone(),
            cloud: (args.estate.is_none() && args.cloud == ["sim"]).then(|| "sim".to_string()),
        };
        return super::close(state, super::plan::run(&plan, super::use_color()));
    }
    let run = RunArgs {
        file: Some(playbook),
        template: None,
        params: Vec::new(),
        cloud: args.cloud,
        estate: args.estate,
        estate_out: None,
        sim_faults: None,
        dry_run: args.dry_run,
        detailed_exitcode: false,
        session: args.session,
    };
    super::run::run(run, state)
}

/// The conversation: the playbook that compiled, with real identifiers, saved beside the chat; `None` when the
/// model did not write one that compiles within the rounds (its errors shown).
fn ask(args: &AskArgs, state_dir: &std::path::Path) -> Result<Option<PathBuf>, CliError> {
    let store = ChatStore::new(state_dir);
    let endpoint = endpoint(&args.model)?;
    let mut chat = match &args.chat {
        Some(id) => store.load(id).map_err(CliError::Usage)?,
        None => store.create(&endpoint.model),
    };
    let resources = resources(args, state_dir)?;
    let pseudonyms = Pseudonyms::load_or_create(state_dir).map_err(|error| {
        CliError::Usage(format!("cannot read or make the context key in {}: {error}", state_dir.display()))
    })?;
    let unmask = Unmask::of(&resources, &pseudonyms);
    let client = ChatClient::new(endpoint).map_err(|error| CliError::Usage(error.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(CliError::Async)?;
    let choice = match args.model.grammar {
        AskConstraint::Auto if runtime.block_on(client.is_llama_cpp()) => AskConstraint::Lark,
        AskConstraint::Auto => AskConstraint::JsonSchema,
        chosen => chosen,
    };
    let (constraint, form) = constraint(choice)?;
    if chat.messages.is_empty() {
        let options = ContextOptions { clouds: args.clouds.clone(), shown_tags: Vec::new() };
        let estate = context(&resources, &pseudonyms, &options);
        let estate = if args.list_resources { estate.to_prompt() } else { estate.to_summary_prompt() };
        let stdlib = brief(catalog(), &Selection { clouds: args.clouds.clone(), only: args.only.clone() }).to_prompt();
        chat.messages.push(Message::system(system_prompt(&stdlib, &estate, form)));
    }
    let mut messages = chat.messages.clone();
    messages.push(Message::user(unmask.mask(&args.request)));

    let compile = |text: &str| compile_input("answer.esc", text, &CompileOptions::check(&NoImports));
    let held = constraint_name(choice);
    eprintln!(
        "asking {} ({}, held to {held}) in chat {}",
        client.endpoint().model,
        client.endpoint().base_url,
        chat.id
    );
    let answer = runtime
        .block_on(repair_loop(&client, messages, &constraint, args.model.rounds, &compile, &mut show_round))
        .map_err(|error| CliError::Refused(error.to_string()))?;

    let accepted = answer.accepted().cloned();
    chat.turns.push(Turn {
        request: args.request.clone(),
        constraint: held.to_string(),
        rounds: answer.rounds.iter().map(RoundRecord::from).collect(),
        accepted: accepted.as_ref().map(|checked| checked.playbook.clone()),
    });
    chat.messages = answer.messages;
    save(&store, &chat)?;

    let Some(checked) = accepted else {
        eprintln!(
            "no playbook that compiles after {} round(s); the last answer's errors are above. `escher chat show {}` \
             has the conversation.",
            answer.rounds.len(),
            chat.id
        );
        return Ok(None);
    };
    let (real, unknown) = unmask.apply(&checked.playbook);
    if !unknown.is_empty() {
        return Err(CliError::Refused(format!(
            "the model's playbook names pseudonyms that stand for nothing in this estate: {}",
            unknown.join(", ")
        )));
    }
    if let Some(claim) = &checked.claimed_risk {
        eprintln!(
            "the model claims risk {claim}; the plan below shows the risk Escher computed, which is the one used"
        );
    }
    let file = state_dir.join("chats").join(format!("{}.esc", chat.id));
    std::fs::write(&file, &real)
        .map_err(|error| CliError::Usage(format!("cannot write {}: {error}", file.display())))?;
    eprintln!("playbook: {}", file.display());
    Ok(Some(file))
}

fn show_round(round: &Round) {
    let checked = &round.checked;
    let fixes = match checked.fixes_applied {
        0 => String::new(),
        n => format!(", {n} fix(es) applied here"),
    };
    let cut = if round.reply.finish_reason.as_deref() == Some("length") { " (cut off at --max-tokens)" } else { "" };
    if checked.compiles() {
        eprintln!("round {}: compiles{fixes}{cut}", round.number);
    } else {
        let codes: Vec<&str> = checked.errors.iter().filter_map(|error| error["code"].as_str()).collect();
        eprintln!("round {}: {} error(s) {}{fixes}{cut}", round.number, codes.len(), codes.join(" "));
        for error in &checked.errors {
            let line = &error["spans"][0];
            eprintln!(
                "  {}:{} {} {}",
                line["line"],
                line["column"],
                error["code"].as_str().unwrap_or(""),
                error["message"].as_str().unwrap_or("")
            );
        }
    }
}

/// The `[ai]` table of the nearest `escher.toml` (this directory or one above): `base_url`, `model`, and
/// `api_key_env`, the name of the variable that holds the key (a key itself is never read from a file).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AiConfig {
    base_url: Option<String>,
    model: Option<String>,
    api_key_env: Option<String>,
}

fn ai_config() -> Result<AiConfig, CliError> {
    let here = std::env::current_dir().unwrap_or_default();
    let Some(path) = here.ancestors().map(|dir| dir.join(super::lint::CONFIG_FILE)).find(|path| path.is_file()) else {
        return Ok(AiConfig::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|source| CliError::Read { path: path.clone(), source })?;
    let invalid = |problem: String| CliError::Usage(format!("{}: {problem}", path.display()));
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| invalid(e.message().to_string()))?;
    match table.get("ai") {
        None => Ok(AiConfig::default()),
        Some(ai) => ai.clone().try_into().map_err(|e: toml::de::Error| invalid(format!("[ai]: {}", e.message()))),
    }
}

/// Flags first, then the environment, then `escher.toml`'s `[ai]`, then the defaults.
fn endpoint(args: &ModelArgs) -> Result<Endpoint, CliError> {
    let config = ai_config()?;
    let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let base_url = args.base_url.clone().or_else(|| env("ESCHER_AI_BASE_URL")).or(config.base_url);
    let model = args.model.clone().or_else(|| env("ESCHER_AI_MODEL")).or(config.model);
    let mut endpoint = Endpoint::new(
        base_url.unwrap_or_else(|| "http://127.0.0.1:8080/v1".into()),
        model.unwrap_or_else(|| "default".into()),
    );
    endpoint.api_key = env("ESCHER_AI_API_KEY")
        .or_else(|| config.api_key_env.as_deref().and_then(env))
        .or_else(|| env("OPENAI_API_KEY"));
    endpoint.timeout = args.model_timeout;
    endpoint.max_tokens = args.max_tokens;
    endpoint.temperature = args.temperature;
    endpoint.seed = args.seed;
    Ok(endpoint)
}

fn constraint_name(choice: AskConstraint) -> &'static str {
    match choice {
        AskConstraint::Auto => "auto",
        AskConstraint::Lark => "lark",
        AskConstraint::Gbnf => "gbnf",
        AskConstraint::JsonSchema => "json-schema",
        AskConstraint::None => "none",
    }
}

fn constraint(choice: AskConstraint) -> Result<(Constraint, AnswerForm), CliError> {
    let grammar = |format| export(format).map(Constraint::Grammar).map_err(|error| CliError::Usage(error.to_string()));
    Ok(match choice {
        AskConstraint::Lark => (grammar(GrammarFormat::Lark)?, AnswerForm::Playbook),
        AskConstraint::Gbnf => (grammar(GrammarFormat::Gbnf)?, AnswerForm::Playbook),
        AskConstraint::JsonSchema => (Constraint::JsonSchema(envelope_schema()), AnswerForm::Envelope),
        AskConstraint::None | AskConstraint::Auto => (Constraint::None, AnswerForm::Playbook),
    })
}

/// The estate the model is told about: the simulated one unless a real cloud is asked for, then the state's
/// inventories.
fn resources(args: &AskArgs, state_dir: &std::path::Path) -> Result<Vec<Value>, CliError> {
    if args.cloud.iter().any(|cloud| cloud != "sim") {
        return inventory_resources(state_dir).map_err(CliError::Usage);
    }
    let sim = match &args.estate {
        Some(file) => escher_sim::Sim::from_file(file)
            .map_err(|error| CliError::Usage(format!("cannot read the estate {}: {error}", file.display())))?,
        None => escher_sim::Sim::demo(),
    };
    Ok(sim.resources())
}

fn save(store: &ChatStore, chat: &Chat) -> Result<(), CliError> {
    store.save(chat).map_err(|error| CliError::Usage(format!("cannot save the chat {}: {error}", chat.id)))
}
