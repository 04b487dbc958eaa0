//! The repair loop and the model client against a scripted OpenAI-compatible server (wiremock on 127.0.0.1):
//! a broken answer then a fixed one, a fix the compiler applies itself, a 429, a time-out, an answer that never
//! compiles, and the constraint each request carries.

use std::time::Duration;

use escher_compiler::{Compilation, CompileOptions, NoImports, compile_input};
use escher_engine::ai::prompt::EXAMPLE;
use escher_engine::ai::{AiError, ChatClient, Constraint, Endpoint, Message, repair_loop};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn compile(text: &str) -> Compilation {
    compile_input("answer.esc", text, &CompileOptions::check(&NoImports))
}

fn completion(content: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "choices": [{ "index": 0, "finish_reason": "stop", "message": { "role": "assistant", "content": content } }]
    }))
}

fn client(server: &MockServer, retries: u32, timeout: Duration) -> ChatClient {
    let mut endpoint = Endpoint::new(format!("{}/v1", server.uri()), "test-model");
    endpoint.retries = retries;
    endpoint.timeout = timeout;
    endpoint.backoff = Duration::from_millis(10);
    endpoint.seed = Some(7);
    ChatClient::new(endpoint).expect("a client")
}

const VALID: &str = "playbook tidy {\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"], tags = { env: \"dev\" })\n  step stop = aws.ec2.stop(vms) { max_targets = 5 }\n}\n";
/// A type error the compiler has no fix for.
const BROKEN: &str = "playbook tidy {\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"], tags = { env: \"dev\" })\n  step stop = aws.ec2.stop(vms) { max_targets = \"five\" }\n}\n";
/// A misspelt action: the compiler's machine-applicable fix mends it without asking the model again.
const MISSPELT: &str = "playbook tidy {\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"], tags = { env: \"dev\" })\n  step stop = aws.ec2.stp(vms) { max_targets = 5 }\n}\n";

async fn bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.expect("requests are recorded");
    requests.iter().map(|request| serde_json::from_slice(&request.body).expect("a JSON body")).collect()
}

#[test]
fn the_prompts_example_compiles() {
    let compilation = compile(EXAMPLE);
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
}

#[tokio::test]
async fn a_broken_answer_gets_its_errors_back_and_the_fixed_one_ends_the_loop() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(completion(BROKEN))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(completion(VALID)).mount(&server).await;
    let client = client(&server, 0, Duration::from_secs(5));
    let grammar = Constraint::Grammar("%llguidance {}\nstart: \"x\"\n".to_string());
    let mut seen = Vec::new();
    let answer = repair_loop(
        &client,
        vec![Message::system("s"), Message::user("stop dev")],
        &grammar,
        3,
        &compile,
        &mut |round| seen.push((round.number, round.checked.compiles())),
    )
    .await
    .expect("the loop ends");
    assert_eq!(seen, [(1, false), (2, true)]);
    assert_eq!(answer.accepted().map(|checked| checked.playbook.as_str()), Some(VALID));
    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["grammar"], json!("%llguidance {}\nstart: \"x\"\n"));
    assert_eq!(
        (bodies[0]["model"].clone(), bodies[0]["temperature"].clone(), bodies[0]["seed"].clone()),
        (json!("test-model"), json!(0.0), json!(7))
    );
    // The second request carries the first answer and the compiler's errors, as JSON with codes and positions.
    let messages = bodies[1]["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[2], json!({ "role": "assistant", "content": BROKEN }));
    let repair = messages[3]["content"].as_str().expect("a repair request");
    let errors: Value =
        serde_json::from_str(&repair[repair.find('[').expect("JSON")..repair.rfind(']').expect("JSON") + 1])
            .expect("the errors parse");
    let first = &errors[0];
    assert!(first["code"].as_str().is_some_and(|code| code.starts_with("E03")), "{errors}");
    assert_eq!(first["spans"][0]["line"], json!(3), "{errors}");
}

#[tokio::test]
async fn a_machine_applicable_fix_is_applied_without_asking_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(completion(MISSPELT)).mount(&server).await;
    let client = client(&server, 0, Duration::from_secs(5));
    let answer = repair_loop(&client, vec![Message::user("stop dev")], &Constraint::None, 3, &compile, &mut |_| {})
        .await
        .expect("the loop ends");
    let accepted = answer.accepted().expect("the fixed playbook compiles");
    assert_eq!(accepted.fixes_applied, 1);
    assert!(accepted.playbook.contains("aws.ec2.stop(vms)"), "{}", accepted.playbook);
    assert_eq!(bodies(&server).await.len(), 1);
}

#[tokio::test]
async fn a_429_is_retried_after_the_wait_it_asks_for() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0").set_body_string("slow down"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(completion(VALID)).mount(&server).await;
    let client = client(&server, 2, Duration::from_secs(5));
    let answer = repair_loop(&client, vec![Message::user("stop dev")], &Constraint::None, 3, &compile, &mut |_| {})
        .await
        .expect("the loop ends");
    assert_eq!(answer.rounds.len(), 1);
    assert_eq!(answer.rounds[0].reply.attempts, 2);
    assert_eq!(bodies(&server).await.len(), 2);
}

#[tokio::test]
async fn a_server_that_does_not_answer_in_time_is_tried_again_then_given_up() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(completion(VALID).set_delay(Duration::from_secs(3)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(completion(VALID)).mount(&server).await;
    let patient = client(&server, 1, Duration::from_millis(300));
    let answer = repair_loop(&patient, vec![Message::user("stop dev")], &Constraint::None, 0, &compile, &mut |_| {})
        .await
        .expect("the retry answers");
    assert_eq!(answer.rounds[0].reply.attempts, 2);

    let silent = MockServer::start().await;
    Mock::given(method("POST")).respond_with(completion(VALID).set_delay(Duration::from_secs(3))).mount(&silent).await;
    let impatient = client(&silent, 0, Duration::from_millis(300));
    let error = repair_loop(&impatient, vec![Message::user("stop dev")], &Constraint::None, 3, &compile, &mut |_| {})
        .await
        .expect_err("no answer in time");
    assert!(matches!(error, AiError::TimedOut(_)), "{error}");
}

#[tokio::test]
async fn an_answer_that_never_compiles_ends_after_the_last_repair_round() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(completion(BROKEN)).mount(&server).await;
    let client = client(&server, 0, Duration::from_secs(5));
    let mut rounds = 0;
    let answer =
        repair_loop(&client, vec![Message::user("stop dev")], &Constraint::None, 2, &compile, &mut |_| rounds += 1)
            .await
            .expect("the loop ends");
    assert_eq!((rounds, answer.rounds.len()), (3, 3));
    assert!(answer.accepted().is_none());
    assert_eq!(bodies(&server).await.len(), 3, "one answer and two repairs");
}

#[tokio::test]
async fn a_refusal_that_is_not_transient_is_not_retried_and_json_answers_are_read_from_the_envelope() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad key"))
        .mount(&server)
        .await;
    let error = repair_loop(
        &client(&server, 3, Duration::from_secs(5)),
        vec![Message::user("x")],
        &Constraint::None,
        0,
        &compile,
        &mut |_| {},
    )
    .await
    .expect_err("refused");
    assert!(matches!(error, AiError::Refused { status: 401, .. }), "{error}");
    assert_eq!(bodies(&server).await.len(), 1);

    let enveloped = MockServer::start().await;
    let envelope = json!({ "response_type": "execution", "risk_level": "low", "playbook": VALID }).to_string();
    Mock::given(method("POST")).respond_with(completion(&envelope)).mount(&enveloped).await;
    let schema = Constraint::JsonSchema(json!({ "type": "object" }));
    let answer = repair_loop(
        &client(&enveloped, 0, Duration::from_secs(5)),
        vec![Message::user("x")],
        &schema,
        0,
        &compile,
        &mut |_| {},
    )
    .await
    .expect("the loop ends");
    let accepted = answer.accepted().expect("the envelope's playbook compiles");
    assert_eq!((accepted.playbook.as_str(), accepted.claimed_risk.as_deref()), (VALID, Some("low")));
    let body = &bodies(&enveloped).await[0];
    assert_eq!(body["response_format"]["type"], json!("json_schema"));
    assert_eq!(body["response_format"]["json_schema"]["schema"], json!({ "type": "object" }));
}

#[tokio::test]
async fn a_llama_cpp_server_is_told_by_its_model_list() {
    let llama = MockServer::start().await;
    let models = json!({ "object": "list", "data": [{ "id": "smollm2", "object": "model", "owned_by": "llamacpp" }] });
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(models))
        .mount(&llama)
        .await;
    assert!(client(&llama, 0, Duration::from_secs(5)).is_llama_cpp().await);

    let hosted = MockServer::start().await;
    let models = json!({ "object": "list", "data": [{ "id": "gpt-x", "object": "model", "owned_by": "openai" }] });
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(models))
        .mount(&hosted)
        .await;
    assert!(!client(&hosted, 0, Duration::from_secs(5)).is_llama_cpp().await);

    let nothing = MockServer::start().await;
    assert!(!client(&nothing, 0, Duration::from_secs(5)).is_llama_cpp().await, "a 404 is not llama.cpp");
}
