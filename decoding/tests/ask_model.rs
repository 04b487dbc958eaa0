//! `escher ask` against a real model: SmolLM2-135M-Instruct served by llama.cpp (xllamacpp, with llguidance) on
//! 127.0.0.1, which `scripts/emulators.sh` installs and starts ($ESCHER_TEST_LLM). Temperature 0 and a fixed
//! seed; the Lark export and then the GBNF export as the grammar. What is asserted is the machinery, not the
//! model's skill: every answer keeps to the grammar, the repair loop sends the compiler's errors back and stops
//! within its bound, a follow-up continues the chat, and a playbook that compiles runs (dry) through the engine.
//! The copying requests give a model this small something it can do; the open request is expected to fail.
//! It runs the binary the main workspace built (`$ESCHER_BIN`); see Cargo.toml for why it lives here.

use std::path::Path;
use std::process::Command;

use escher_compiler::grammar_export::{GrammarFormat, export, grammar_accepts};
use llguidance::api::TopLevelGrammar;
use llguidance::toktrie::ApproximateTokEnv;
use llguidance::{Matcher, ParserFactory};
use serde_json::Value;

/// The `escher` binary the main workspace built (`$ESCHER_BIN`), with nothing from the developer's environment
/// that could change what it reads.
fn escher() -> Command {
    let binary = std::env::var("ESCHER_BIN").unwrap_or_else(|_| {
        panic!("ESCHER_BIN is not set: build escher (cargo build) and pass its path, as scripts/test.sh does")
    });
    let mut command = Command::new(binary);
    command
        .env("NO_COLOR", "1")
        .env_remove("ESCHER_STATE")
        .env_remove("ESCHER_AI_BASE_URL")
        .env_remove("ESCHER_AI_MODEL");
    command
}

fn model_server() -> String {
    std::env::var("ESCHER_TEST_LLM").unwrap_or_else(|_| {
        panic!(
            "ESCHER_TEST_LLM is not set: start the model server with scripts/emulators.sh start and source its env file"
        )
    })
}

const TIDY: &str = "playbook tidy {\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"], tags = { env: \"dev\" }, state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 5 }\n}";
const TIDY_US: &str = "playbook tidy {\n  let vms = aws.ec2.instances(regions = [\"us-east-1\"], tags = { env: \"dev\" }, state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 5 }\n}";

fn copy(playbook: &str) -> String {
    format!("Write exactly this playbook, and nothing else:\n{playbook}")
}

struct Asked {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn ask(state: &Path, grammar: &str, request: &str, max_tokens: u32) -> Asked {
    let mut command = escher();
    command.arg("ask").arg(request);
    command.args(["--grammar", grammar, "--clouds", "aws", "--only", "ec2", "--model", "smollm2-135m"]);
    command.args(["--base-url", &model_server(), "--seed", "42", "--temperature", "0"]);
    command.arg("--max-tokens").arg(max_tokens.to_string());
    command.args(["--rounds", "1", "--dry-run", "--state"]).arg(state);
    let output = command.output().expect("escher ask runs");
    Asked {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn chats(state: &Path) -> Vec<Value> {
    let mut chats: Vec<Value> = std::fs::read_dir(state.join("chats"))
        .expect("the chats folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .map(|path| serde_json::from_slice(&std::fs::read(path).expect("a chat")).expect("a chat as JSON"))
        .collect();
    chats.sort_by_key(|chat| chat["created"].as_str().unwrap_or_default().to_string());
    chats
}

/// Whether llguidance, under the Lark export, takes `text` whole (as a prefix, or complete when `complete`).
fn keeps_to_lark(text: &str, complete: bool) -> Result<(), String> {
    let env = ApproximateTokEnv::single_byte_env();
    let factory = ParserFactory::new_simple(&env).map_err(|e| e.to_string())?;
    let lark = export(GrammarFormat::Lark).map_err(|e| e.to_string())?;
    let mut matcher = Matcher::new(factory.create_parser(TopLevelGrammar::from_lark(lark)));
    for (offset, byte) in text.bytes().enumerate() {
        matcher.consume_token(u32::from(byte)).map_err(|_| format!("the grammar refuses byte {offset} of {text:?}"))?;
    }
    if complete && !matcher.is_accepting().unwrap_or(false) {
        return Err(format!("the model stopped before the grammar allows: {text:?}"));
    }
    Ok(())
}

/// Every round of every turn: the answer keeps to the grammar (Lark), and the errors of a round that did not
/// compile went back in the next request, code by code.
fn check_rounds(chat: &Value, lark: bool) {
    let messages = chat["messages"].as_array().expect("messages");
    for turn in chat["turns"].as_array().expect("turns") {
        let rounds = turn["rounds"].as_array().expect("rounds");
        assert!(!rounds.is_empty() && rounds.len() <= 2, "one answer and at most one repair: {}", rounds.len());
        for (number, round) in rounds.iter().enumerate() {
            let reply = round["reply"].as_str().expect("a reply");
            let complete = round["finish_reason"] == "stop";
            if lark {
                keeps_to_lark(reply, complete).unwrap_or_else(|why| panic!("round {}: {why}", number + 1));
                if complete {
                    assert!(grammar_accepts(reply), "pest parses a finished answer: {reply:?}");
                }
            }
            let errors = round["errors"].as_array().expect("errors");
            if errors.is_empty() {
                assert_eq!(number + 1, rounds.len(), "the loop stops at the first answer that compiles");
                continue;
            }
            if number + 1 == rounds.len() {
                continue;
            }
            let at = messages
                .iter()
                .position(|m| m["role"] == "assistant" && m["content"] == reply)
                .expect("the answer is kept");
            let repair = messages[at + 1]["content"].as_str().expect("the repair request follows the answer");
            for error in errors {
                let code = error["code"].as_str().expect("a code");
                assert!(repair.contains(&format!("\"code\": \"{code}\"")), "{code} went back to the model: {repair}");
            }
        }
    }
}

#[test]
fn a_real_model_held_to_each_grammar_writes_a_playbook_that_runs_dry_through_the_engine() {
    for grammar in ["lark", "gbnf"] {
        let state = tempfile::tempdir().expect("a state directory");
        let asked = ask(state.path(), grammar, &copy(TIDY), 160);
        assert_eq!(asked.code, Some(0), "{grammar}: {}\n{}", asked.stdout, asked.stderr);
        assert!(asked.stdout.contains("tidy Succeeded (dry run)"), "{grammar}: {}", asked.stdout);
        assert!(asked.stdout.contains("run id: "), "{}", asked.stdout);
        let chats = chats(state.path());
        assert_eq!(chats.len(), 1);
        check_rounds(&chats[0], grammar == "lark");

        if grammar == "lark" {
            // A follow-up in the same chat: the model sees the conversation and the playbook is amended.
            let id = chats[0]["id"].as_str().expect("an id").to_string();
            let output = escher()
                .args(["chat", "continue", &id, &copy(TIDY_US)])
                // No --grammar: `auto` finds llama.cpp and holds the model to the Lark export.
                .args(["--clouds", "aws", "--only", "ec2", "--base-url", &model_server()])
                .args(["--seed", "42", "--max-tokens", "160", "--rounds", "1", "--plan-only", "--state"])
                .arg(state.path())
                .output()
                .expect("escher chat continue runs");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
            assert!(stdout.contains("plan tidy"), "{stdout}");
            let chat = &self::chats(state.path())[0];
            assert_eq!(chat["turns"].as_array().map(Vec::len), Some(2), "the same chat, two turns");
            assert_eq!(chat["turns"][1]["constraint"], "lark", "auto chose the grammar for llama.cpp");
            let messages = chat["messages"].as_array().expect("messages");
            let users: Vec<&str> =
                messages.iter().filter(|m| m["role"] == "user").filter_map(|m| m["content"].as_str()).collect();
            assert!(
                users.first().is_some_and(|first| first.contains("eu-west-1"))
                    && users.last().is_some_and(|last| last.contains("us-east-1"))
            );
            let playbook = std::fs::read_to_string(state.path().join("chats").join(format!("{id}.esc")))
                .expect("the saved playbook");
            assert!(playbook.contains("us-east-1"), "the amended playbook is the one saved: {playbook}");
            check_rounds(chat, true);
        }
    }
}

#[test]
fn an_open_request_the_small_model_cannot_meet_ends_within_the_round_limit_with_its_errors_sent_back() {
    let state = tempfile::tempdir().expect("a state directory");
    // It names an instance by its id: the id must not reach the model, its pseudonym does.
    let id = "i-03462d848f53abb6d";
    let asked = ask(state.path(), "lark", &format!("stop {id} and the dev VMs in eu-west-1 every weekday at 8pm"), 96);
    let chats = chats(state.path());
    let sent = serde_json::to_string(&chats[0]["messages"]).expect("JSON");
    assert!(!sent.contains(id) && sent.contains("stop id-"), "the request went masked: {sent:.400}");
    assert_eq!(chats.len(), 1, "{}", asked.stderr);
    check_rounds(&chats[0], true);
    let rounds = chats[0]["turns"][0]["rounds"].as_array().expect("rounds");
    match asked.code {
        // The model failed both rounds: the second request carried the first round's errors (checked above).
        Some(1) => {
            assert_eq!(rounds.len(), 2, "{}", asked.stderr);
            assert!(asked.stderr.contains("no playbook that compiles after 2 round(s)"), "{}", asked.stderr);
        }
        // Or it wrote one that compiles, which then ran dry.
        Some(0) => assert!(asked.stdout.contains("(dry run)"), "{}", asked.stdout),
        other => panic!("escher ask ended with {other:?}: {}", asked.stderr),
    }
}
