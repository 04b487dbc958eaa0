//! The checked policy as the compiler and the approver read it.

use escher_compiler::plan::RiskLevel;

use super::*;

const ALICE: &str = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
const BOB: &str = "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";
const ALICE_LAPTOP: &str = "1bab3f1f2a740e68380df831f2418bd497b3c7080ef9e8e475175cdabcbc89ba";

fn policy() -> Policy {
    check(&format!(
        r#"
        [roles.manager]
        run_without_approval = "high"
        members = [{{ name = "alice", key = "{ALICE}" }}]
        [roles.executor]
        run_without_approval = "medium"
        members = [{{ name = "bob", key = "{BOB}" }}]
        [approvals.high]
        count = 1
        from = ["manager"]
        "#
    ))
    .expect("valid")
}

#[test]
fn the_compiler_gets_the_runners_threshold_and_each_levels_approving_role() {
    let policy = policy();
    assert_eq!(policy.risk_policy(Some(BOB)).run_without_approval, RiskLevel::Medium);
    assert_eq!(policy.risk_policy(Some(ALICE)).run_without_approval, RiskLevel::High);
    assert_eq!(policy.risk_policy(Some("unknown")).run_without_approval, RiskLevel::Low);
    let compiled = policy.risk_policy(Some(BOB));
    assert_eq!(compiled.approver(RiskLevel::Critical), "manager");
    assert_eq!(compiled.roles, ["executor", "manager"]);
}

#[test]
fn a_level_without_a_rule_takes_the_nearest_stricter_one_and_an_explicit_role_its_own() {
    let policy = policy();
    let rule = policy.rule_for(RiskLevel::Medium, "manager");
    assert_eq!((rule.count, rule.from), (1, vec!["manager".to_string()]));
    let own = policy.rule_for(RiskLevel::Low, "executor");
    assert_eq!((own.count, own.from), (1, vec!["executor".to_string()]));
    assert!(policy.may_publish(ALICE));
    assert!(!policy.may_publish(BOB));
}

#[test]
fn defaults_are_no_self_approval_a_day_of_validity_and_managers_publish() {
    let policy = check("").expect("an empty policy is valid");
    assert!(!policy.self_approval);
    assert_eq!(policy.approval_validity, DEFAULT_VALIDITY);
    assert_eq!(policy.template_publishers, ["manager"]);
}

#[test]
fn safe_retries_is_read_and_left_to_the_runtime_when_absent() {
    assert_eq!(check("").expect("valid").safe_retries, None);
    assert_eq!(check("safe_retries = 0").expect("valid").safe_retries, Some(0));
    assert_eq!(check("safe_retries = 3").expect("valid").safe_retries, Some(3));
    assert_eq!(check("safe_retries = 20").expect("valid").safe_retries, Some(MAX_SAFE_RETRIES));
}

#[test]
fn safe_retries_out_of_range_or_not_an_integer_is_p0109_on_the_value() {
    for (value, found) in [("21", "21"), ("-1", "-1"), ("\"x\"", "\"x\""), ("2.5", "2.5"), ("[3]", "[3]")] {
        let text = format!("safe_retries = {value}\n");
        let errors = check(&text).expect_err(value);
        assert_eq!(errors.iter().map(PolicyError::code).collect::<Vec<_>>(), ["P0109"], "{value}");
        let PolicyError::BadRetries { found: reported, max, span } = &errors[0] else { panic!("{value}: {errors:?}") };
        assert_eq!((reported.as_str(), *max), (found, MAX_SAFE_RETRIES), "{value}");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], value, "the label is on the value");
    }
}

#[test]
fn a_person_with_two_keys_holds_their_roles_with_either_and_is_one_person() {
    let policy = check(&format!(
        r#"
        [roles.manager]
        members = [{{ name = "alice", keys = ["{ALICE}", "{}"] }}, {{ name = "bob", key = "{BOB}" }}]
        "#,
        ALICE_LAPTOP.to_ascii_uppercase()
    ))
    .expect("valid");
    assert_eq!(policy.roles["manager"].members[0].keys, [ALICE, ALICE_LAPTOP], "keys are read in lower case");
    assert_eq!(policy.roles_of(ALICE_LAPTOP).len(), 1);
    assert_eq!(policy.member_name(ALICE_LAPTOP), Some("alice"));
    assert!(policy.same_person(ALICE, ALICE_LAPTOP));
    assert!(!policy.same_person(ALICE, BOB));
    assert!(!policy.same_person("unknown", "other"), "keys the policy does not list are no one's");
}
