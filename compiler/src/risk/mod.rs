//! The risk and policy pass: each step's risk level, the approval it needs, and the static safety rules.

mod approval;
mod assess;
mod error;
mod level;
mod options_fix;
mod policy;
mod rules;
mod scope;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

pub use assess::assess;
pub use error::RiskError;
pub use policy::Policy;
