//! Escher: compile, plan and run cloud-operations playbooks safely.
//!
//! This facade re-exports the crates host applications embed. The compiler is IO-free: give it text and a
//! [`compiler::SourceLoader`] for imports; [`FsLoader`] reads imports from disk relative to the importing file.
//!
//! ```
//! use escher::compiler::{CompileOptions, NoImports, compile};
//!
//! let source = r#"
//! playbook tidy {
//!   let idle = aws.ec2.instances(regions = ["eu-west-1"], tags = {env: "dev"}, state = "running")
//!   step stop = aws.ec2.stop(idle) { max_targets = 5 }
//! }
//! "#;
//! let compilation = compile("tidy.esc", source, &CompileOptions::check(&NoImports));
//! assert!(!compilation.has_errors());
//! let plan = compilation.plan.expect("a plan when there are no errors");
//! assert_eq!(plan.nodes.len(), 2);
//! assert_eq!(plan.hash.len(), 64);
//! ```

pub use escher_compiler as compiler;

mod fs_loader;

pub use fs_loader::FsLoader;
