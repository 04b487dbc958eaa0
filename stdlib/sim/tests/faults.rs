//! Latency, throttling and failures are deterministic for a seed, and forced failures hit exactly what they name.

mod common;

use std::time::Duration;

use common::*;
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, ProviderError, TargetStatus};
use escher_sim::{FaultKind, ForcedFault, Sim, SimConfig};

fn config(text: &str) -> SimConfig {
    SimConfig::parse(text).expect("valid settings")
}

/// The outcome of 60 keyed listings: ok, throttled or unavailable.
async fn outcomes(sim: &Sim) -> Vec<&'static str> {
    let mut seen = Vec::new();
    for n in 0..60 {
        let mut request = call("aws.s3.buckets", &[], Vec::new());
        request.idempotency_key = format!("run:list:{n}");
        seen.push(match sim.call(&request).await {
            Ok(_) => "ok",
            Err(ProviderError::Throttled { .. }) => "throttled",
            Err(ProviderError::Unavailable(_)) => "unavailable",
            Err(other) => panic!("unexpected {other:?}"),
        });
    }
    seen
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let first = outcomes(&Sim::demo().with_config(config("throttle=0.3,fail=0.2,seed=7"))).await;
    let second = outcomes(&Sim::demo().with_config(config("throttle=0.3,fail=0.2,seed=7"))).await;
    assert_eq!(first, second);
    assert!(first.contains(&"throttled") && first.contains(&"unavailable") && first.contains(&"ok"), "{first:?}");
    let other_seed = outcomes(&Sim::demo().with_config(config("throttle=0.3,fail=0.2,seed=8"))).await;
    assert_ne!(first, other_seed);
}

#[tokio::test]
async fn faults_do_not_depend_on_the_order_calls_arrive_in() {
    let sim = Sim::demo().with_config(config("throttle=0.4,seed=3"));
    let keyed = |n: usize| {
        let mut request = call("aws.ec2.instances", &[], Vec::new());
        request.idempotency_key = format!("run:q:{n}");
        request
    };
    let forward: Vec<bool> = throttled_in_order(&sim, (0..20).map(keyed).collect()).await;
    let sim_again = Sim::demo().with_config(config("throttle=0.4,seed=3"));
    let mut backward: Vec<bool> = throttled_in_order(&sim_again, (0..20).rev().map(keyed).collect()).await;
    backward.reverse();
    assert_eq!(forward, backward);
}

async fn throttled_in_order(sim: &Sim, requests: Vec<escher_runtime::provider::ProviderCall>) -> Vec<bool> {
    let mut throttled = Vec::new();
    for request in &requests {
        throttled.push(matches!(sim.call(request).await, Err(ProviderError::Throttled { .. })));
    }
    throttled
}

#[tokio::test]
async fn a_throttled_call_says_when_to_retry_and_a_retry_draws_again() {
    let sim = Sim::demo().with_config(config("throttle=0.5,retry_after=250ms,seed=1"));
    let mut request = call("aws.ec2.volumes", &[], Vec::new());
    request.idempotency_key = "run:volumes:0".into();
    let mut attempts = Vec::new();
    for _ in 0..12 {
        attempts.push(sim.call(&request).await);
    }
    let throttled = attempts.iter().find_map(|a| match a {
        Err(ProviderError::Throttled { retry_after, .. }) => Some(*retry_after),
        _ => None,
    });
    assert_eq!(throttled, Some(Some(Duration::from_millis(250))));
    assert!(attempts.iter().any(Result::is_ok), "retries of the same key are not all throttled");
}

#[tokio::test]
async fn the_third_call_to_an_action_fails_when_told_to() {
    let sim = Sim::demo().with_config(config("fail_call=aws.ec2.stop#3"));
    let vm = named(&sim, "aws.ec2.Instance", "dev-api-1");
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(sim.call(&call("aws.ec2.stop", &[], vec![vm.clone()])).await.is_ok());
    }
    assert_eq!(answers, [true, true, false, true]);
}

#[tokio::test]
async fn every_call_to_an_action_fails_with_the_kind_asked_for() {
    let sim = Sim::demo().with_config(config("fail_action=azure.vm.list:rejected"));
    let answer = sim.call(&call("azure.vm.list", &[], Vec::new())).await;
    assert!(matches!(answer, Err(ProviderError::Rejected(_))));
    assert!(sim.call(&call("azure.disk.list", &[], Vec::new())).await.is_ok());
}

#[tokio::test]
async fn a_forced_resource_fails_alone_and_is_left_unchanged() {
    let sim = Sim::demo();
    let (api, web) = (named(&sim, "aws.ec2.Instance", "dev-api-1"), named(&sim, "aws.ec2.Instance", "dev-web-1"));
    let sim = sim.with_config(config(&format!("fail_id={}", id_of(&api))));
    let results = act(&sim, "aws.ec2.stop", &[], vec![api.clone(), web.clone()]).await;
    assert!(matches!(&results[0].status, TargetStatus::Failed { error } if error.contains("simulated")));
    assert_eq!(status(&results[1]), "changed");
    assert_eq!((state_of(&sim, &id_of(&api)), state_of(&sim, &id_of(&web))), ("running".into(), "stopped".into()));
}

#[tokio::test]
async fn a_target_failure_rate_fails_some_targets_the_same_way_each_time() {
    let failures = |sim: Sim| async move {
        let running: &[(&str, Value)] = &[("state", s("running"))];
        let listings = [
            ("aws.ec2.instances", running),
            ("azure.vm.list", running),
            ("gcp.compute.instances", &[("status", s("running"))]),
        ];
        let machines = list_each(&sim, &listings).await;
        let targets = machines.into_iter().map(escher_compiler::plan::Value::Record).collect();
        let mut request = call("compute.tag", &[("tags", map(&[("audited", "yes")]))], targets);
        request.idempotency_key = "run:tag:0".into();
        act_with(&sim, request).await.iter().map(status).collect::<Vec<_>>()
    };
    let first = failures(Sim::demo().with_config(config("target_fail=0.3,seed=11"))).await;
    let second = failures(Sim::demo().with_config(config("target_fail=0.3,seed=11"))).await;
    assert_eq!(first, second);
    assert!(first.contains(&"failed") && first.contains(&"changed"), "{first:?}");
}

#[tokio::test(start_paused = true)]
async fn each_call_takes_its_latency_on_tokios_clock() {
    let sim = Sim::demo().with_config(config("latency=50ms,jitter=20ms,seed=2"));
    let started = tokio::time::Instant::now();
    sim.call(&call("gcp.sql.instances", &[("project", s("acme-prod"))], Vec::new())).await.expect("answers");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(50) && took <= Duration::from_millis(70), "{took:?}");
}

#[test]
fn settings_parse_from_key_value_lists_and_json_alike() {
    let listed = config(
        "latency=50ms,throttle=0.05,fail=0.01,seed=7,transition=2s,fail_call=aws.ec2.stop#3:throttled,fail_id=i-1",
    );
    let json = config(
        r#"{"latency": "50ms", "throttle": 0.05, "fail": 0.01, "seed": 7, "transition": "2s",
        "fail_call": ["aws.ec2.stop#3:throttled"], "fail_id": "i-1"}"#,
    );
    assert_eq!(listed, json);
    assert_eq!(listed.latency, Duration::from_millis(50));
    assert_eq!(listed.transition, Duration::from_secs(2));
    assert_eq!(
        listed.forced,
        [
            ForcedFault::NthCall { action: "aws.ec2.stop".into(), nth: 3, kind: FaultKind::Throttled },
            ForcedFault::Resource { id: "i-1".into() }
        ]
    );
}

#[test]
fn bad_settings_say_what_is_wrong() {
    let unknown = SimConfig::parse("latenzy=5ms").expect_err("unknown key");
    assert!(unknown.to_string().contains("latenzy") && unknown.to_string().contains("latency"));
    assert!(SimConfig::parse("throttle=1.5").is_err(), "a share above 1");
    assert!(SimConfig::parse("latency=fast").is_err());
    assert!(SimConfig::parse("fail_call=aws.ec2.stop#0").is_err(), "calls count from 1");
    assert!(SimConfig::parse("seed").is_err());
}

#[test]
fn buckets_are_ec2s_published_ones_for_ec2_and_none_for_dispatch() {
    let sim = Sim::demo();
    let bucket = |capacity, per_second| Some(escher_runtime::provider::Bucket { capacity, per_second });
    assert_eq!(sim.bucket("ec2.mutating"), bucket(50, 5.0));
    assert_eq!(sim.bucket("ec2.describe"), bucket(100, 20.0));
    assert!(sim.bucket("arm.write").is_some_and(|b| b.capacity > 0 && b.per_second > 0.0));
    assert_eq!(sim.bucket("dispatch"), None);
}
