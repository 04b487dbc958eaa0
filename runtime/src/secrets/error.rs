//! Why a secret cannot be read.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("no secret named \"{name}\": set {env_var}, or add it to {file}")]
    Missing { name: String, env_var: String, file: String },
    #[error("the secrets file {file} can be read by others (mode {mode:o}); run `chmod 600 {file}`")]
    Exposed { file: String, mode: u32 },
    #[error("cannot read the secrets file {file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("the environment variable {env_var} is not valid UTF-8")]
    InvalidEnv { env_var: String },
}
