//! Each check of the loader, shown by a small declaration file that breaks it.

use miette::Diagnostic;

use super::error::StdlibError;
use super::{CallableKind, Catalog, Cloud, DryRun, Effect, load};
use crate::plan::Value;
use crate::types::Type;

/// Declarations the bad files below lean on.
const BASE: &str = r#"
/// An instance.
interface compute.Instance { id: string, tags: map<string, string> }
/// An EC2 instance.
resource aws.ec2.Instance: compute.Instance { id: string, tags: map<string, string>, instance_type: string }
/// An EBS volume.
resource aws.ec2.Volume { id: string }
/// A region.
enum aws.region { "us-east-1", "eu-west-1" }
/// Starts instances.
action aws.ec2.start(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> {
    effect = mutate, rate = "ec2.mutating", dry_run = native, targets = instances
}
"#;

fn load_with_base(src: &str) -> (Catalog, Vec<(String, StdlibError)>) {
    load(&[("base.esc", BASE), ("bad.esc", src)])
}

/// The one error `src` causes, with the text its primary label points at.
fn only_error(src: &str) -> (StdlibError, String) {
    let (_, errors) = load_with_base(src);
    let [(file, error)] = errors.as_slice() else {
        panic!("expected one error, got {errors:#?}");
    };
    assert_eq!(file, "bad.esc");
    (error.clone(), labelled(error, src))
}

fn labelled(error: &StdlibError, src: &str) -> String {
    let label = error.labels().and_then(|mut l| l.next()).expect("a labelled span");
    src[label.offset()..label.offset() + label.len()].to_string()
}

fn code(error: &StdlibError) -> String {
    error.code().map(|c| c.to_string()).unwrap_or_default()
}

fn help(error: &StdlibError) -> String {
    error.help().map(|h| h.to_string()).unwrap_or_default()
}

#[test]
fn a_clean_file_loads_without_errors() {
    let (catalog, errors) = load_with_base(
        r#"
        /// Stops instances.
        action aws.ec2.stop(
            instances: list<aws.ec2.Instance>,
            force: optional<bool>,
            regions: list<aws.region> = ["eu-west-1"],
        ) -> outcome<aws.ec2.Instance> {
            effect = disrupt
            undo = aws.ec2.start
            batch = 1000
            rate = "ec2.mutating"
            dry_run = native
            targets = instances
        }
        "#,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let stop = &catalog.callables["aws.ec2.stop"];
    assert_eq!(stop.effect, Effect::Disrupt);
    assert_eq!(stop.undo.as_deref(), Some("aws.ec2.start"));
    assert_eq!(stop.batch, Some(1000));
    assert_eq!(stop.dry_run, DryRun::Native);
    assert_eq!(stop.targets.as_deref(), Some("instances"));
    assert_eq!(stop.docs, "Stops instances.");
    let has_default: Vec<bool> = stop.params.iter().map(|p| p.has_default).collect();
    assert_eq!(has_default, [false, true, true]);
}

#[test]
fn a_query_is_read_and_runs_as_itself_in_a_dry_run() {
    let (catalog, errors) =
        load_with_base("/// Lists.\nquery aws.ec2.instances() -> list<aws.ec2.Instance> { rate = \"ec2.describe\" }");
    assert!(errors.is_empty(), "{errors:#?}");
    let query = &catalog.callables["aws.ec2.instances"];
    assert_eq!((query.kind, query.effect, query.dry_run), (CallableKind::Query, Effect::Read, DryRun::Native));
}

#[test]
fn names_resolve_whatever_the_order_of_files() {
    let resource = "/// R.\nresource aws.x.R: compute.I { id: string }";
    let interface = "/// I.\ninterface compute.I { id: string }";
    let (catalog, errors) = load(&[("a.esc", resource), ("b.esc", interface)]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(catalog.implements("aws.x.R", "compute.I"));
}

#[test]
fn any_is_a_type_declarations_may_use() {
    let (catalog, errors) =
        load_with_base("/// T.\naction report.table(rows: list<any>) -> {rows: int} { effect = read }");
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(catalog.callables["report.table"].params[0].ty, Type::list(Type::Any));
}

#[test]
fn a_syntax_error_is_reported_in_its_file() {
    let (_, errors) = load_with_base("/// Broken.\naction aws.ec2.stop(instances: ) -> x {}");
    let [(file, error)] = errors.as_slice() else { panic!("{errors:#?}") };
    assert_eq!(file, "bad.esc");
    assert!(code(error).starts_with("E01"), "{error:?}");
}

#[test]
fn an_unknown_type_is_refused_with_a_suggestion() {
    let (error, text) = only_error("/// Q.\nquery q() -> list<aws.ec2.Instanse> { rate = \"x\" }");
    assert_eq!(code(&error), "E0601");
    assert_eq!(text, "aws.ec2.Instanse");
    assert_eq!(help(&error), "did you mean `aws.ec2.Instance`?");
}

#[test]
fn a_list_without_its_element_type_is_refused() {
    let (error, text) = only_error("/// Q.\nquery q() -> list { rate = \"x\" }");
    assert_eq!(code(&error), "E0602");
    assert_eq!(text, "list");
}

#[test]
fn a_plain_type_given_arguments_is_refused() {
    let (error, _) = only_error("/// Q.\nquery q() -> string<int> { rate = \"x\" }");
    assert_eq!(code(&error), "E0602");
}

#[test]
fn map_keys_other_than_string_are_refused() {
    let (error, text) = only_error("/// Q.\nquery q() -> map<int, string> { rate = \"x\" }");
    assert_eq!(code(&error), "E0603");
    assert_eq!(text, "int");
}

#[test]
fn a_name_declared_twice_is_refused_and_points_at_the_first_file() {
    let (error, text) = only_error("/// Again.\nenum aws.region { \"us-east-1\" }");
    assert_eq!(code(&error), "E0604");
    assert_eq!(text, "aws.region");
    assert!(help(&error).contains("base.esc"), "{}", help(&error));
}

#[test]
fn a_repeated_field_is_refused() {
    let (error, text) = only_error("/// I.\ninterface compute.Disk { id: string, id: int }");
    assert_eq!(code(&error), "E0605");
    assert_eq!(text, "id");
}

#[test]
fn a_repeated_parameter_is_refused() {
    let (error, _) =
        only_error("/// W.\naction wait(d: duration, d: duration) -> {waited: duration} { effect = read }");
    assert_eq!(code(&error), "E0605");
}

#[test]
fn a_repeated_enum_value_is_refused() {
    let (error, text) = only_error("/// Z.\nenum gcp.zone { \"a\", \"b\", \"a\" }");
    assert_eq!(code(&error), "E0605");
    assert_eq!(text, "\"a\"");
}

#[test]
fn an_unknown_attribute_is_refused_with_a_suggestion() {
    let (error, text) = only_error("/// F.\naction fail(message: string) -> {} { effect = read, dry_rn = native }");
    assert_eq!(code(&error), "E0606");
    assert_eq!(text, "dry_rn");
    assert_eq!(help(&error), "did you mean `dry_run`?");
}

#[test]
fn a_misspelt_effect_is_refused_with_a_suggestion() {
    let (error, text) = only_error(
        "/// T.\naction aws.ec2.terminate(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> \
         { effect = destory, rate = \"x\", dry_run = native, targets = instances }",
    );
    assert_eq!(code(&error), "E0607");
    assert_eq!(text, "destory");
    assert_eq!(help(&error), "did you mean `destroy`?");
}

#[test]
fn a_batch_of_zero_is_refused() {
    let (error, text) = only_error("/// W.\naction wait() -> {} { effect = read, batch = 0 }");
    assert_eq!(code(&error), "E0607");
    assert_eq!(text, "0");
}

#[test]
fn a_query_cannot_claim_to_change_anything() {
    let (error, text) = only_error("/// Q.\nquery q() -> list<string> { rate = \"x\", effect = mutate }");
    assert_eq!(code(&error), "E0607");
    assert_eq!(text, "mutate");
}

#[test]
fn a_query_cannot_have_an_undo() {
    let (error, text) = only_error("/// Q.\nquery q() -> list<string> { rate = \"x\", undo = aws.ec2.start }");
    assert_eq!(code(&error), "E0608");
    assert_eq!(text, "undo");
}

#[test]
fn an_action_without_an_effect_is_refused() {
    let (error, text) = only_error("/// N.\naction notify(message: string) -> {} { dry_run = simulated }");
    assert_eq!(code(&error), "E0609");
    assert_eq!(text, "notify");
}

#[test]
fn a_changing_action_must_say_how_dry_runs_treat_it() {
    let (error, text) = only_error(
        "/// T.\naction aws.ec2.tag(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> \
         { effect = mutate, rate = \"x\", targets = instances }",
    );
    assert_eq!(code(&error), "E0610");
    assert_eq!(text, "aws.ec2.tag");
}

#[test]
fn a_cloud_call_without_a_rate_class_is_refused() {
    let (error, text) = only_error("/// Q.\nquery gcp.sql.instances() -> list<string> {}");
    assert_eq!(code(&error), "E0611");
    assert_eq!(text, "gcp.sql.instances");
}

#[test]
fn an_undo_naming_a_missing_action_is_refused_with_a_suggestion() {
    let (error, text) = only_error(
        "/// S.\naction aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> \
         { effect = disrupt, undo = aws.ec2.strat, rate = \"x\", dry_run = native, targets = instances }",
    );
    assert_eq!(code(&error), "E0612");
    assert_eq!(text, "aws.ec2.strat");
    assert_eq!(help(&error), "did you mean `aws.ec2.start`?");
}

#[test]
fn an_undo_taking_other_targets_is_refused() {
    let (error, text) = only_error(
        "/// D.\naction aws.ec2.detach(volumes: list<aws.ec2.Volume>) -> outcome<aws.ec2.Volume> \
         { effect = disrupt, undo = aws.ec2.start, rate = \"x\", dry_run = native, targets = volumes }",
    );
    assert_eq!(code(&error), "E0613");
    assert_eq!(text, "aws.ec2.start");
    assert!(error.to_string().contains("`list<aws.ec2.Instance>`"), "{error}");
}

#[test]
fn targets_naming_a_missing_parameter_are_refused_with_a_suggestion() {
    let (error, text) = only_error(
        "/// S.\naction aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> \
         { effect = disrupt, rate = \"x\", dry_run = native, targets = instance }",
    );
    assert_eq!(code(&error), "E0614");
    assert_eq!(text, "instance");
    assert_eq!(help(&error), "did you mean `instances`?");
}

#[test]
fn targets_that_are_not_a_list_of_resources_are_refused() {
    let (error, text) = only_error(
        "/// S.\naction aws.ec2.stop(ids: list<string>) -> outcome<aws.ec2.Instance> \
         { effect = disrupt, rate = \"x\", dry_run = native, targets = ids }",
    );
    assert_eq!(code(&error), "E0615");
    assert_eq!(text, "list<string>");
}

#[test]
fn a_destroy_must_name_its_targets() {
    let (error, text) = only_error(
        "/// T.\naction aws.ec2.terminate(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> \
         { effect = destroy, rate = \"x\", dry_run = native }",
    );
    assert_eq!(code(&error), "E0616");
    assert_eq!(text, "aws.ec2.terminate");
}

#[test]
fn a_resource_implementing_an_unknown_interface_is_refused_with_a_suggestion() {
    let (error, text) = only_error("/// V.\nresource azure.vm.Vm: compute.Instanse { id: string }");
    assert_eq!(code(&error), "E0617");
    assert_eq!(text, "compute.Instanse");
    assert_eq!(help(&error), "did you mean `compute.Instance`?");
}

#[test]
fn a_resource_cannot_implement_another_resource() {
    let (error, _) = only_error("/// V.\nresource aws.ec2.Big: aws.ec2.Instance { id: string }");
    assert_eq!(code(&error), "E0617");
}

#[test]
fn a_resource_lacking_an_interface_field_is_refused() {
    let (error, text) = only_error("/// V.\nresource azure.vm.Vm: compute.Instance { id: string }");
    assert_eq!(code(&error), "E0618");
    assert_eq!(text, "azure.vm.Vm");
    assert_eq!(help(&error), "add `tags: map<string, string>` to the resource");
}

#[test]
fn a_resource_field_of_another_type_than_its_interface_is_refused() {
    let (error, text) =
        only_error("/// V.\nresource azure.vm.Vm: compute.Instance { id: int, tags: map<string, string> }");
    assert_eq!(code(&error), "E0619");
    assert_eq!(text, "int");
}

#[test]
fn a_default_of_the_wrong_type_is_refused() {
    let (error, text) =
        only_error("/// Q.\nquery aws.ec2.volumes(size: int = \"big\") -> list<aws.ec2.Volume> { rate = \"x\" }");
    assert_eq!(code(&error), "E0620");
    assert_eq!(text, "\"big\"");
}

#[test]
fn a_default_outside_an_enum_is_refused() {
    let (error, text) = only_error(
        "/// Q.\nquery aws.ec2.volumes(regions: list<aws.region> = [\"mars-1\"]) -> list<aws.ec2.Volume> \
         { rate = \"x\" }",
    );
    assert_eq!(code(&error), "E0620");
    assert_eq!(text, "[\"mars-1\"]");
}

#[test]
fn a_default_that_is_not_a_literal_is_refused() {
    let (error, _) =
        only_error("/// Q.\nquery aws.ec2.volumes(n: int = len(\"x\")) -> list<aws.ec2.Volume> { rate = \"x\" }");
    assert_eq!(code(&error), "E0620");
}

#[test]
fn an_outcome_over_plain_values_is_refused() {
    let (error, text) = only_error("/// W.\naction wait() -> outcome<string> { effect = read }");
    assert_eq!(code(&error), "E0621");
    assert_eq!(text, "string");
}

#[test]
fn a_stdlib_error_renders_like_any_diagnostic() {
    let src = "/// S.\naction aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> \
               { effect = disrupt, rate = \"x\", dry_run = native, targets = instance }";
    let (_, errors) = load_with_base(src);
    let mut sources = crate::SourceMap::new();
    let mut diagnostics = Vec::new();
    for (name, error) in errors {
        let file = sources.find(&name).unwrap_or_else(|| sources.add(name, src));
        diagnostics.push(crate::diagnostics::Diagnostic::new(file, error));
    }
    let [diagnostic] = diagnostics.as_slice() else { panic!("{diagnostics:#?}") };
    let json = crate::diagnostics::to_json(diagnostic, &sources);
    let json = serde_json::to_value(&json).expect("serializable");
    assert_eq!(json["code"], "E0614");
    assert_eq!(json["spans"][0]["is_primary"], true);
    let rendered = crate::diagnostics::render_human(diagnostic, &sources, false);
    assert!(rendered.contains("did you mean `instances`?"), "{rendered}");
    assert!(rendered.contains("bad.esc"), "{rendered}");
}

/// An agnostic listing and action, and Azure and GCP machines, for the `implements` of queries.
const AGNOSTIC: &str = r#"
/// Lists instances of every cloud.
query compute.instances(tags: map<string, string> = {}) -> list<compute.Instance> { rate = "dispatch" }
/// Stops instances in any cloud.
action compute.stop(instances: list<compute.Instance>) -> outcome<compute.Instance> {
    effect = disrupt, rate = "dispatch", dry_run = simulated, targets = instances
}
/// An Azure VM.
resource azure.vm.Vm: compute.Instance { id: string, tags: map<string, string> }
/// A GCE instance.
resource gcp.compute.Instance: compute.Instance { id: string, tags: map<string, string> }
"#;

/// `AGNOSTIC` and a query of each cloud listing machines; the AWS one implements `aws_implements`.
fn listings(aws_implements: &str) -> String {
    format!(
        r#"{AGNOSTIC}
/// Lists EC2 instances.
query aws.ec2.instances(tags: map<string, string> = {{}}, running: optional<bool>) -> list<aws.ec2.Instance> {{
    rate = "x", implements = {aws_implements}
}}
/// Lists VMs.
query azure.vm.list(tags: map<string, string> = {{}}, state: optional<string>) -> list<azure.vm.Vm> {{
    rate = "x", implements = compute.instances(state = "running")
}}
/// Lists GCE instances.
query gcp.compute.instances(labels: map<string, string> = {{}}) -> list<gcp.compute.Instance> {{
    rate = "x", implements = compute.instances(tags = labels)
}}
"#
    )
}

#[test]
fn a_query_implements_an_agnostic_query_with_renamed_and_fixed_arguments() {
    let (catalog, errors) = load_with_base(&listings("compute.instances(running = true)"));
    assert!(errors.is_empty(), "{errors:#?}");
    let route = |cloud| {
        let implementer = catalog.implementer("compute.instances", cloud).expect("an implementer");
        (implementer.name.as_str(), implementer.implementation_of("compute.instances").expect("it implements"))
    };
    let (aws, implements) = route(Cloud::Aws);
    assert_eq!((aws, implements.fixed.get("running")), ("aws.ec2.instances", Some(&Value::Bool(true))));
    let (azure, implements) = route(Cloud::Azure);
    assert_eq!((azure, implements.fixed.get("state")), ("azure.vm.list", Some(&Value::String("running".into()))));
    let (gcp, implements) = route(Cloud::Gcp);
    assert_eq!((gcp, implements.renames.get("tags")), ("gcp.compute.instances", Some(&"labels".to_string())));
    assert!(implements.fixed.is_empty());
}

/// The codes of `src`'s errors, and the first one.
fn errors_of(src: &str) -> (Vec<String>, StdlibError, String) {
    let (_, errors) = load_with_base(src);
    let codes = errors.iter().map(|(_, error)| code(error)).collect();
    let first = errors.first().map(|(_, error)| error.clone()).expect("an error");
    let text = labelled(&first, src);
    (codes, first, text)
}

#[test]
fn a_query_implementing_an_unknown_agnostic_query_is_refused_with_a_suggestion() {
    // Without it, AWS has no implementation of `compute.instances` while the other two clouds have one.
    let (codes, error, text) = errors_of(&listings("compute.instancse"));
    assert_eq!(codes, ["E0622", "E0626"]);
    assert_eq!(text, "compute.instancse");
    assert_eq!(help(&error), "did you mean `compute.instances`?");
    assert!(error.to_string().ends_with("not a cloud-agnostic query"), "{error}");
}

#[test]
fn a_query_cannot_implement_an_agnostic_action() {
    let (codes, error, _) = errors_of(&listings("compute.stop"));
    assert_eq!(codes, ["E0622", "E0626"]);
    assert_eq!(help(&error), "`compute.stop` is an agnostic action; a query implements an agnostic query");
}

#[test]
fn a_fixed_argument_the_query_does_not_take_is_refused() {
    let src = listings("compute.instances(runing = true)");
    let (error, text) = only_error(&src);
    assert_eq!(code(&error), "E0624");
    assert_eq!(text, "compute.instances(runing = true)");
    assert!(error.to_string().contains("`runing`, which `aws.ec2.instances` does not take"), "{error}");
}

#[test]
fn a_fixed_argument_of_another_type_than_its_parameter_is_refused() {
    let src = listings("compute.instances(running = \"yes\")");
    let (error, text) = only_error(&src);
    assert_eq!(code(&error), "E0625");
    assert_eq!(text, "\"yes\"");
    assert!(error.to_string().contains("not `optional<bool>`"), "{error}");
}

#[test]
fn a_fixed_argument_that_is_not_a_literal_is_refused() {
    let (codes, _, text) = errors_of(&listings("compute.instances(running = [true])"));
    assert_eq!(codes, ["E0607", "E0626"]);
    assert_eq!(text, "compute.instances(running = [true])");
}

#[test]
fn an_agnostic_query_implemented_on_some_clouds_only_is_refused() {
    let src = listings("compute.instances").replace(r#", implements = compute.instances(state = "running")"#, "");
    let (error, text) = only_error(&src);
    assert_eq!(code(&error), "E0626");
    assert_eq!(text, "compute.instances", "the first implementation, on AWS");
    assert!(error.to_string().ends_with("implemented on aws and gcp but not on azure"), "{error}");
}

#[test]
fn an_agnostic_query_listed_twice_in_one_implements_is_refused() {
    let (error, text) = only_error(&listings("[compute.instances, compute.instances(running = true)]"));
    assert_eq!(code(&error), "E0605");
    assert_eq!(text, "compute.instances(running = true)");
}
