//! The repair benchmark: how often a model's playbook compiles at the first try and within 1, 2 and 3 repair
//! rounds, and how often its plan calls the actions the request asked for (intent), with and without the
//! grammar, over Escher's own 33 operations requests across the three clouds (`repair_requests.json`).
//!
//!     scripts/emulators.sh start && . target/emulators.env    # the model the test command installs
//!     cargo bench -p escher-engine --bench repair
//!
//! Any OpenAI-compatible endpoint instead: `ESCHER_BENCH_LLM=https://api.openai.com/v1 ESCHER_BENCH_MODEL=...`
//! with `ESCHER_AI_API_KEY`, and `ESCHER_BENCH_MODES=json-schema,none` for a server without llama.cpp's
//! `grammar` field. `ESCHER_BENCH_LIMIT=N` runs the first N requests; `ESCHER_BENCH_MAX_TOKENS` (default 192).
//! The figures are in docs/ai.md.

use std::time::{Duration, Instant};

use escher_compiler::grammar_export::{GrammarFormat, envelope_schema, export};
use escher_compiler::stdlib::{Cloud, Selection, brief, catalog};
use escher_compiler::{CompileOptions, NoImports, compile_input};
use escher_engine::ai::prompt::{AnswerForm, system_prompt};
use escher_engine::ai::{ChatClient, Constraint, Endpoint, Message, repair_loop};
use escher_engine::context::{ContextOptions, Pseudonyms, Unmask, context};
use serde::Deserialize;

#[derive(Deserialize)]
struct Requests {
    requests: Vec<Request>,
}

#[derive(Deserialize)]
struct Request {
    request: String,
    clouds: Vec<String>,
    only: Vec<String>,
    expect: Vec<String>,
}

#[derive(Default)]
struct Tally {
    asked: usize,
    /// By the round whose answer first compiled (1 = first try).
    compiled_at: [usize; 4],
    intent: usize,
    failed_calls: usize,
    elapsed: Duration,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn main() {
    let base_url = env("ESCHER_BENCH_LLM").or_else(|| env("ESCHER_TEST_LLM")).unwrap_or_else(|| {
        eprintln!("no model: set ESCHER_BENCH_LLM, or start the test model (scripts/emulators.sh start) and source its env file");
        std::process::exit(2)
    });
    let model = env("ESCHER_BENCH_MODEL").unwrap_or_else(|| "smollm2-135m".to_string());
    let modes: Vec<String> =
        env("ESCHER_BENCH_MODES").unwrap_or_else(|| "lark,none".to_string()).split(',').map(str::to_string).collect();
    let max_tokens: u32 = env("ESCHER_BENCH_MAX_TOKENS").and_then(|n| n.parse().ok()).unwrap_or(192);
    let text = include_str!("repair_requests.json");
    let mut requests = serde_json::from_str::<Requests>(text).expect("the requests parse").requests;
    if let Some(limit) = env("ESCHER_BENCH_LIMIT").and_then(|n| n.parse().ok()) {
        requests.truncate(limit);
    }

    let resources = escher_sim::Sim::demo().resources();
    let pseudonyms = Pseudonyms::with_key([42; 32]);
    let unmask = Unmask::of(&resources, &pseudonyms);
    let mut endpoint = Endpoint::new(base_url.clone(), model.clone());
    endpoint.api_key = env("ESCHER_AI_API_KEY").or_else(|| env("OPENAI_API_KEY"));
    endpoint.seed = Some(42);
    endpoint.max_tokens = max_tokens;
    let client = ChatClient::new(endpoint).expect("a client");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let compile = |text: &str| compile_input("answer.esc", text, &CompileOptions::check(&NoImports));

    println!("model {model} at {base_url}, {} requests, max_tokens {max_tokens}, 3 repair rounds", requests.len());
    let mut tallies = Vec::new();
    for mode in &modes {
        let (constraint, form) = match mode.as_str() {
            "lark" => (Constraint::Grammar(export(GrammarFormat::Lark).expect("lark")), AnswerForm::Playbook),
            "gbnf" => (Constraint::Grammar(export(GrammarFormat::Gbnf).expect("gbnf")), AnswerForm::Playbook),
            "json-schema" => (Constraint::JsonSchema(envelope_schema()), AnswerForm::Envelope),
            "none" => (Constraint::None, AnswerForm::Playbook),
            other => panic!("unknown mode {other}: lark, gbnf, json-schema or none"),
        };
        let mut tally = Tally::default();
        for (index, request) in requests.iter().enumerate() {
            let clouds: Vec<Cloud> = request.clouds.iter().map(|c| c.parse().expect("a cloud")).collect();
            let stdlib =
                brief(catalog(), &Selection { clouds: clouds.clone(), only: request.only.clone() }).to_prompt();
            let options = ContextOptions { clouds, shown_tags: Vec::new() };
            let estate = context(&resources, &pseudonyms, &options).to_summary_prompt();
            let messages = vec![
                Message::system(system_prompt(&stdlib, &estate, form)),
                Message::user(unmask.mask(&request.request)),
            ];
            let started = Instant::now();
            let answer = runtime.block_on(repair_loop(&client, messages, &constraint, 3, &compile, &mut |_| {}));
            tally.elapsed += started.elapsed();
            tally.asked += 1;
            let verdict = match answer {
                Err(error) => {
                    tally.failed_calls += 1;
                    format!("model error: {error}")
                }
                Ok(answer) => match answer.accepted() {
                    None => "no compile".to_string(),
                    Some(checked) => {
                        let round = answer.rounds.len();
                        tally.compiled_at[round - 1] += 1;
                        let (real, _) = unmask.apply(&checked.playbook);
                        let plan = compile(&real).plan;
                        let called: Vec<&str> = plan
                            .as_ref()
                            .map(|plan| plan.nodes.iter().map(|node| node.action.as_str()).collect())
                            .unwrap_or_default();
                        let meant = request.expect.iter().all(|action| called.contains(&action.as_str()));
                        tally.intent += usize::from(meant);
                        format!("compiled in round {round}, intent {}", if meant { "yes" } else { "no" })
                    }
                },
            };
            eprintln!("[{mode}] {:>2} {:<70} {verdict}", index + 1, request.request);
        }
        tallies.push((mode.clone(), tally));
    }

    let percent = |n: usize, of: usize| format!("{:.0}% ({n})", 100.0 * n as f64 / of.max(1) as f64);
    println!(
        "\n| constraint | requests | first try | within 1 repair | within 2 | within 3 | intent | seconds/request |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (mode, tally) in &tallies {
        let within = |rounds: usize| tally.compiled_at[..=rounds].iter().sum::<usize>();
        println!(
            "| {mode} | {} | {} | {} | {} | {} | {} | {:.1} |",
            tally.asked,
            percent(within(0), tally.asked),
            percent(within(1), tally.asked),
            percent(within(2), tally.asked),
            percent(within(3), tally.asked),
            percent(tally.intent, tally.asked),
            tally.elapsed.as_secs_f64() / tally.asked.max(1) as f64,
        );
        if tally.failed_calls > 0 {
            println!("({mode}: {} request(s) failed at the model server)", tally.failed_calls);
        }
    }
}
