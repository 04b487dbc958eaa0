//! Every GCP query and action of the stdlib has a replay test: its name appears, quoted, in one of this
//! directory's other files.

#[test]
fn every_declared_gcp_query_and_action_has_a_replay_test() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replay");
    let mut tests = String::new();
    for entry in std::fs::read_dir(&dir).expect("the tests") {
        let path = entry.expect("an entry").path();
        if path.is_file() && path.file_name().is_some_and(|name| name != "catalog.rs") {
            tests.push_str(&std::fs::read_to_string(&path).expect("readable"));
        }
    }
    let catalog = escher_compiler::stdlib::catalog();
    let declared: Vec<&str> = catalog
        .callables
        .values()
        .filter(|callable| callable.cloud == escher_compiler::stdlib::Cloud::Gcp)
        .map(|callable| callable.name.as_str())
        .collect();
    assert_eq!(declared.len(), 32, "8 queries and 24 actions: {declared:?}");
    let untested: Vec<&&str> = declared.iter().filter(|name| !tests.contains(&format!("\"{name}\""))).collect();
    assert!(untested.is_empty(), "no replay test calls {untested:?}");
}
