use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::plan::Plan;
use escher_compiler::stdlib::Cloud;
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::provider::{Provider, ProviderFactory, ProviderSetup, ProviderSetupError};

use super::{ProviderRegistry, RegistryError};

/// A factory that makes nothing: these tests choose providers, they do not call them.
struct Named(&'static str, &'static [Cloud]);

#[async_trait::async_trait]
impl ProviderFactory for Named {
    fn name(&self) -> &'static str {
        self.0
    }

    fn clouds(&self) -> &'static [Cloud] {
        self.1
    }

    async fn make(&self, _: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        Err(ProviderSetupError::Config { provider: self.0.into(), reason: "not for these tests".into() })
    }
}

/// A registry with a real-cloud `aws` and the simulator.
fn registry() -> ProviderRegistry {
    let mut registry = ProviderRegistry::empty();
    registry.register(Arc::new(Named("sim", &Cloud::ALL)));
    registry.register(Arc::new(Named("aws", &[Cloud::Aws])));
    registry
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

fn plan(source: &str) -> Plan {
    let compilation = compile("test.esc", source, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
    compilation.plan.expect("a plan")
}

const AWS_AND_AZURE: &str = r#"
playbook both {
  let ec2 = aws.ec2.instances(regions = ["us-east-1"], tags = { env: "dev" }, state = "running")
  let vms = azure.vm.list(resource_group = "rg-dev", tags = { env: "dev" }, state = "running")
  step stop_ec2 = aws.ec2.stop(ec2) { max_targets = 5 }
  step stop_azure = azure.vm.deallocate(vms) { max_targets = 5 }
}
"#;

#[test]
fn names_are_chosen_in_order_and_each_once() {
    let chosen = registry().select(&names(&["aws"])).expect("aws is registered");
    assert_eq!(chosen.names(), ["aws"]);
    assert!(chosen.serves(Cloud::Aws) && !chosen.serves(Cloud::Azure));
    assert_eq!(registry().select(&names(&["aws", "aws"])).err(), Some(RegistryError::Twice { name: "aws".into() }));
    assert_eq!(registry().select(&[]).err(), Some(RegistryError::NoneNamed));
}

#[test]
fn a_provider_not_in_this_build_is_named_with_what_would_add_it() {
    let mut without_aws = ProviderRegistry::empty();
    without_aws.register(Arc::new(Named("sim", &Cloud::ALL)));
    let error = without_aws.select(&names(&["aws"])).err().expect("aws is not built in");
    assert_eq!(error.to_string(), "this build has no aws provider: build Escher with the `aws` feature");
    let error = registry().select(&names(&["aws", "azure"])).err().expect("azure is not registered here");
    assert_eq!(error.to_string(), "this build has no azure provider: build Escher with the `azure` feature");
    let error = registry().select(&names(&["aws", "gcp"])).err().expect("gcp is not registered here");
    assert_eq!(error.to_string(), "this build has no gcp provider: build Escher with the `gcp` feature");
    let error = registry().select(&names(&["oracle"])).err().expect("no such provider");
    assert_eq!(error.to_string(), "no provider is named `oracle`; the providers are sim, aws, azure, gcp");
}

#[test]
fn the_simulator_is_not_mixed_with_real_clouds() {
    let error = registry().select(&names(&["aws", "sim"])).err().expect("refused");
    assert_eq!(error, RegistryError::SimWithOthers { others: "aws".into() });
}

#[test]
fn a_plan_calling_a_cloud_no_chosen_provider_serves_is_refused_naming_the_cloud_and_steps() {
    let plan = plan(AWS_AND_AZURE);
    let error = registry().select(&names(&["aws"])).expect("chosen").check_plan(&plan).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "`vms`, `stop_azure` call azure, which none of this run's providers (aws) serves: choose the `azure` \
         provider too"
    );
    let mut with_azure = registry();
    with_azure.register(Arc::new(Named("azure", &[Cloud::Azure])));
    let chosen = with_azure.select(&names(&["aws", "azure"])).expect("both registered");
    assert_eq!(chosen.check_plan(&plan), Ok(()));
    assert_eq!(registry().select(&names(&["sim"])).expect("sim").check_plan(&plan), Ok(()));
}

#[cfg(feature = "sim")]
#[tokio::test]
async fn the_builtin_simulator_is_made_from_its_options_and_refuses_unknown_ones() {
    let registry = ProviderRegistry::builtin();
    let chosen = registry.select(&names(&["sim"])).expect("sim is built in");
    let providers = chosen.make(|_| ProviderSetup::default()).await.expect("the demo estate");
    assert_eq!(providers.len(), 1);
    assert!(Cloud::ALL.into_iter().all(|cloud| providers[0].serves(cloud)));
    let unknown = |_: &str| ProviderSetup {
        options: BTreeMap::from([("estate_in".to_string(), "x.json".to_string())]),
        ..ProviderSetup::default()
    };
    let error = chosen.make(unknown).await.err().expect("an unknown option");
    assert_eq!(
        error.to_string(),
        "the sim provider takes no option `estate_in` (it takes: estate, estate_out, faults)"
    );
    let missing = |_: &str| ProviderSetup {
        options: BTreeMap::from([("estate".to_string(), "/nonexistent/estate.json".to_string())]),
        ..ProviderSetup::default()
    };
    let error = chosen.make(missing).await.err().expect("a missing estate");
    assert!(error.to_string().contains("/nonexistent/estate.json"), "{error}");
}
