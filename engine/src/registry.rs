//! Providers by name: each provider crate exposes a factory under its name (`sim`, `aws`, `azure`, `gcp`), the registry holds
//! the ones this build has, a run chooses some, and a plan that calls a cloud none of them serves is refused
//! before anything runs. A saved run's names are chosen again on resume: an unknown one is an error, never a
//! fallback to another provider.

use std::sync::Arc;

use escher_compiler::plan::{NodeKind, Plan};
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Provider, ProviderFactory, ProviderSetup, ProviderSetupError};

/// The providers Escher knows of, each with the cargo feature that builds it in.
const KNOWN: [(&str, &str); 4] = [("sim", "sim"), ("aws", "aws"), ("azure", "azure"), ("gcp", "gcp")];

/// Why a choice of providers, or a plan on them, cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("no provider is named `{name}`; the providers are {known}")]
    Unknown { name: String, known: String },
    #[error("this build has no {name} provider: {remedy}")]
    NotBuilt { name: String, remedy: String },
    #[error("`sim` simulates all three clouds and cannot be combined with {others}")]
    SimWithOthers { others: String },
    #[error("the provider `{name}` is named twice")]
    Twice { name: String },
    #[error("no provider was named")]
    NoneNamed,
    /// Steps or queries (`let`s) call a cloud that no chosen provider serves.
    #[error("{} {cloud}, which none of this run's providers ({chosen}) serves: {remedy}", listed(.nodes))]
    CloudNotServed { cloud: Cloud, nodes: Vec<String>, chosen: String, remedy: String },
    #[error(transparent)]
    Setup(#[from] ProviderSetupError),
}

fn listed(nodes: &[String]) -> String {
    let named: Vec<String> = nodes.iter().map(|node| format!("`{node}`")).collect();
    format!("{} {}", named.join(", "), if nodes.len() == 1 { "calls" } else { "call" })
}

/// The provider factories a host can choose from.
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    factories: Vec<Arc<dyn ProviderFactory>>,
}

impl ProviderRegistry {
    /// No provider: a host registers its own.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The providers built in by this build's features: `sim`, and `aws`, `azure` and `gcp` each with the feature
    /// of its name.
    pub fn builtin() -> Self {
        #[allow(unused_mut)]
        let mut registry = Self::empty();
        #[cfg(feature = "sim")]
        registry.register(Arc::new(escher_sim::SimFactory));
        #[cfg(feature = "aws")]
        registry.register(Arc::new(escher_aws::AwsFactory));
        #[cfg(feature = "azure")]
        registry.register(Arc::new(escher_azure::AzureFactory));
        #[cfg(feature = "gcp")]
        registry.register(Arc::new(escher_gcp::GcpFactory));
        registry
    }

    /// Adds a factory; one of the same name is replaced.
    pub fn register(&mut self, factory: Arc<dyn ProviderFactory>) {
        self.factories.retain(|known| known.name() != factory.name());
        self.factories.push(factory);
    }

    /// The names a run may choose.
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.iter().map(|factory| factory.name()).collect()
    }

    /// The providers named, in the order given.
    pub fn select(&self, names: &[String]) -> Result<Chosen, RegistryError> {
        if names.is_empty() {
            return Err(RegistryError::NoneNamed);
        }
        let mut factories: Vec<Arc<dyn ProviderFactory>> = Vec::new();
        for name in names {
            if factories.iter().any(|chosen| chosen.name() == name) {
                return Err(RegistryError::Twice { name: name.clone() });
            }
            match self.factories.iter().find(|factory| factory.name() == name) {
                Some(factory) => factories.push(factory.clone()),
                None => return Err(self.missing(name)),
            }
        }
        if factories.len() > 1 && factories.iter().any(|factory| factory.name() == "sim") {
            let others: Vec<&str> = factories.iter().map(|f| f.name()).filter(|name| *name != "sim").collect();
            return Err(RegistryError::SimWithOthers { others: others.join(", ") });
        }
        Ok(Chosen { factories })
    }

    /// Why `name` is not here: a provider this build left out, or no provider.
    fn missing(&self, name: &str) -> RegistryError {
        match KNOWN.iter().find(|(known, _)| *known == name) {
            Some((_, feature)) => RegistryError::NotBuilt {
                name: name.to_string(),
                remedy: format!("build Escher with the `{feature}` feature"),
            },
            None => {
                let mut known = self.names();
                let registered = known.clone();
                known.extend(KNOWN.iter().map(|(name, _)| *name).filter(|name| !registered.contains(name)));
                RegistryError::Unknown { name: name.to_string(), known: known.join(", ") }
            }
        }
    }
}

/// The providers a run chose.
#[derive(Clone)]
pub struct Chosen {
    factories: Vec<Arc<dyn ProviderFactory>>,
}

impl Chosen {
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.iter().map(|factory| factory.name()).collect()
    }

    /// Whether some chosen provider serves `cloud`.
    pub fn serves(&self, cloud: Cloud) -> bool {
        self.factories.iter().any(|factory| factory.clouds().contains(&cloud))
    }

    /// Refuses a plan that calls a cloud no chosen provider serves, naming the cloud and the steps and queries
    /// that call it. A
    /// cloud-agnostic step (`compute.stop`) reaches the clouds the chosen providers serve.
    pub fn check_plan(&self, plan: &Plan) -> Result<(), RegistryError> {
        for cloud in Cloud::ALL {
            let nodes: Vec<String> = plan
                .nodes
                .iter()
                .filter(|node| node.kind != NodeKind::Script && node.cloud == cloud)
                .map(|node| node.id.clone())
                .collect();
            if !nodes.is_empty() && !self.serves(cloud) {
                return Err(self.not_served(cloud, nodes));
            }
        }
        Ok(())
    }

    fn not_served(&self, cloud: Cloud, nodes: Vec<String>) -> RegistryError {
        let remedy = format!("choose the `{cloud}` provider too");
        RegistryError::CloudNotServed { cloud, nodes, chosen: self.names().join(", "), remedy }
    }

    /// Makes each chosen provider with its setup.
    pub async fn make(
        &self,
        setup_of: impl Fn(&str) -> ProviderSetup,
    ) -> Result<Vec<Arc<dyn Provider>>, RegistryError> {
        let mut providers = Vec::with_capacity(self.factories.len());
        for factory in &self.factories {
            providers.push(factory.make(&setup_of(factory.name())).await?);
        }
        Ok(providers)
    }
}

#[cfg(test)]
mod tests;
