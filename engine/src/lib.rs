//! Escher's engine: what every host of a governed run (the command line, a desktop app, a container job)
//! shares, so none has to assemble it again. On state it attaches ([`state`]: a directory or a bucket, pulled,
//! leased per run and pushed back as each journal commit lands), an [`Engine`] loads the run's governance
//! (policy, identity, template: [`GovernanceSettings`]), compiles the playbook under the policy's risk rules,
//! checks it (providers, scope, template bounds), and runs or resumes it on the providers it names from the
//! [`ProviderRegistry`], with the governance applied whatever approver the host plugs in
//! (`escher_governance::run`). [`Engine::wake`] runs the schedules that are due, in-process.
//!
//! ```
//! use std::collections::BTreeMap;
//! use std::sync::Arc;
//!
//! use escher_compiler::NoImports;
//! use escher_compiler::plan::RiskLevel;
//! use escher_engine::{Engine, Launch, Playbook, ProviderChoice};
//! use escher_runtime::approval::ApproveUpTo;
//! use escher_runtime::events::RunStatus;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! # if !escher_engine::ProviderRegistry::builtin().names().contains(&"sim") { return; }
//! let state = tempfile::tempdir().expect("a state directory");
//! let engine = Engine::builder()
//!     .state_dir(state.path())
//!     .approver(Arc::new(ApproveUpTo { level: RiskLevel::High, who: "ops".into() }))
//!     .build()
//!     .expect("an engine");
//! let source = r#"
//! playbook tidy {
//!   let idle = aws.ec2.instances(regions = ["us-east-1"], tags = {env: "dev"}, state = "running")
//!   step stop = aws.ec2.stop(idle) { max_targets = 10 }
//! }
//! "#;
//! let prepared = engine.prepare(Playbook::Source { name: "tidy.esc", text: source }, BTreeMap::new(), &NoImports)
//!     .expect("no policy refuses it");
//! assert!(prepared.plan().is_some(), "it compiles");
//! let run = engine.start(prepared, &[ProviderChoice::new("sim")], Launch::default()).await.expect("it starts");
//! let report = run.finish().await.report.expect("a report");
//! assert_eq!(report.status, RunStatus::Succeeded);
//! # }
//! ```
//!
//! The providers built in, by name:
//!
//! ```
//! use escher_engine::ProviderRegistry;
//!
//! let registry = ProviderRegistry::builtin();
//! for name in registry.names() {
//!     let chosen = registry.select(&[name.to_string()]).expect("a built-in provider");
//!     assert_eq!(chosen.names(), [name]);
//! }
//! let error = registry.select(&["oracle".to_string()]).err().expect("no such provider");
//! assert!(error.to_string().starts_with("no provider is named `oracle`"));
//! ```

pub mod ai;
pub mod approvals;
mod choice;
pub mod context;
mod engine;
mod error;
mod governed;
#[cfg(feature = "sim")]
pub mod preview;
mod registry;
pub mod reports;
mod saved_plan;
pub mod schedules;
pub mod state;

// What a host needs besides the engine, so that it depends on one crate.
pub use escher_compiler as compiler;
pub use escher_governance as governance;
pub use escher_runtime as runtime;

pub use choice::ProviderChoice;
pub use engine::{Ended, Engine, EngineBuilder, Launch, OnTakeover, Playbook, Prepared, Started};
pub use error::EngineError;
pub use governed::{GovernanceSettings, user_name};
#[cfg(feature = "sim")]
pub use preview::preview;
pub use registry::{Chosen, ProviderRegistry, RegistryError};
pub use saved_plan::SavedPlan;
pub use schedules::WakeReport;
