//! Application Default Credentials, in Google's order: the file `GOOGLE_APPLICATION_CREDENTIALS` names, gcloud's
//! `application_default_credentials.json`, then the metadata server (`GCE_METADATA_HOST` honoured). The sources
//! are read from an [`Environment`] passed in as a value, so a host (or a test) decides what the chain sees; the
//! credentials themselves are google-cloud-auth's, whose cache fetches one token per expiry.
//!
//! With none usable, the error names each source tried and why it failed, before any step runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use escher_runtime::provider::error_chain;
use google_cloud_auth::credentials::{AccessTokenCredentials, mds, service_account, user_account};
use serde_json::Value as Json;

use crate::config::{CredentialSource, GcpConfig};

/// The OAuth scope every call needs: the APIs Escher calls check their own permissions (IAM) beneath it.
pub const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

/// Where the metadata server is when `GCE_METADATA_HOST` does not say.
const METADATA_HOST: &str = "metadata.google.internal";

/// How long the metadata server has to answer the probe: off Google's cloud there is none, and the chain must
/// not hang on it.
const METADATA_PROBE: Duration = Duration::from_secs(1);

/// The environment variables the chain reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment(BTreeMap<String, String>);

impl Environment {
    /// This process's environment.
    pub fn of_process() -> Environment {
        Environment(std::env::vars().collect())
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Environment {
        Environment(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|value| !value.is_empty())
    }

    /// gcloud's configuration directory: `CLOUDSDK_CONFIG`, else `~/.config/gcloud` (`%APPDATA%\gcloud` on
    /// Windows).
    fn gcloud_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = self.get("CLOUDSDK_CONFIG") {
            return Some(PathBuf::from(dir));
        }
        if cfg!(windows) {
            return self.get("APPDATA").map(|root| PathBuf::from(root).join("gcloud"));
        }
        self.get("HOME").map(|home| PathBuf::from(home).join(".config").join("gcloud"))
    }
}

/// Signed-in credentials: where they came from and the project they belong to, if they say.
pub struct SignedIn {
    pub credentials: AccessTokenCredentials,
    pub source: CredentialSource,
    /// The service account's `project_id`, the authorized user's `quota_project_id`, or the metadata server's
    /// project.
    pub project: Option<String>,
}

/// No source gave a token: each one tried, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no usable Google credentials: {}", tried.iter().map(|(source, why)| format!("{source}: {why}")).collect::<Vec<_>>().join("; "))]
pub struct NoCredentials {
    pub tried: Vec<(String, String)>,
}

/// The first source of the chain (or the configured one) that gives a token.
pub async fn sign_in(config: &GcpConfig, env: &Environment) -> Result<SignedIn, NoCredentials> {
    // google-cloud-auth signs service account tokens and reaches token endpoints with rustls; the workspace's
    // TLS stack is ring. Installing fails harmlessly when another part of the process did it first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sources = match config.credential {
        Some(source) => vec![source],
        None => CredentialSource::CHAIN.to_vec(),
    };
    let mut tried = Vec::new();
    for source in sources {
        let attempt = match source {
            CredentialSource::ApplicationCredentials => application_credentials(config, env).await,
            CredentialSource::Gcloud => gcloud(config, env).await,
            CredentialSource::MetadataServer => metadata_server(env).await,
            CredentialSource::Host => Err("only a host gives its own key".to_string()),
        };
        match attempt {
            Ok(signed_in) => return Ok(signed_in),
            Err(why) => tried.push((describe(source, env), why)),
        }
    }
    Err(NoCredentials { tried })
}

/// A source as the error names it, with the place it looked.
fn describe(source: CredentialSource, env: &Environment) -> String {
    match source {
        CredentialSource::ApplicationCredentials | CredentialSource::Host => source.name().to_string(),
        CredentialSource::Gcloud => match env.gcloud_dir() {
            Some(dir) => format!("{} ({})", source.name(), dir.join("application_default_credentials.json").display()),
            None => source.name().to_string(),
        },
        CredentialSource::MetadataServer => {
            format!("{} ({})", source.name(), env.get("GCE_METADATA_HOST").unwrap_or(METADATA_HOST))
        }
    }
}

async fn application_credentials(config: &GcpConfig, env: &Environment) -> Result<SignedIn, String> {
    let path = env.get("GOOGLE_APPLICATION_CREDENTIALS").ok_or("not set")?;
    from_file(config, PathBuf::from(path), CredentialSource::ApplicationCredentials).await
}

async fn gcloud(config: &GcpConfig, env: &Environment) -> Result<SignedIn, String> {
    let dir = env.gcloud_dir().ok_or("neither CLOUDSDK_CONFIG nor HOME is set")?;
    let path = dir.join("application_default_credentials.json");
    if !path.exists() {
        return Err("no such file (`gcloud auth application-default login` writes it)".into());
    }
    from_file(config, path, CredentialSource::Gcloud).await
}

/// Signs in with a service account key the host holds (its JSON text), instead of the chain: the key never
/// touches a file. One token is fetched to prove it works.
pub async fn sign_in_with_key(config: &GcpConfig, key: &str) -> Result<SignedIn, NoCredentials> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let source = CredentialSource::Host;
    let signed_in = match serde_json::from_str::<Json>(key) {
        Ok(json) if json.get("type").and_then(Json::as_str) == Some("service_account") => {
            from_json(config, json, source.name(), source).await
        }
        Ok(_) => Err("it is not a service account key (`type` is not `service_account`)".to_string()),
        Err(error) => Err(format!("it is not JSON: {error}")),
    };
    signed_in.map_err(|why| NoCredentials { tried: vec![(source.name().to_string(), why)] })
}

/// A service account key or an authorized user, from its JSON file; one token is fetched to prove it works.
async fn from_file(config: &GcpConfig, path: PathBuf, source: CredentialSource) -> Result<SignedIn, String> {
    let text = std::fs::read_to_string(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let json: Json = serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", path.display()))?;
    from_json(config, json, &path.display().to_string(), source).await
}

/// A service account key or an authorized user as JSON, `shown` as where it came from in messages.
async fn from_json(config: &GcpConfig, json: Json, shown: &str, source: CredentialSource) -> Result<SignedIn, String> {
    let text_of = |key: &str| json.get(key).and_then(Json::as_str).map(str::to_string);
    let (credentials, project) = match text_of("type").as_deref() {
        Some("service_account") => {
            let project = text_of("project_id");
            let built = service_account::Builder::new(json)
                .with_access_specifier(service_account::AccessSpecifier::from_scopes([CLOUD_PLATFORM]))
                .build_access_token_credentials();
            (built, project)
        }
        Some("authorized_user") => {
            let project = text_of("quota_project_id");
            let mut builder = user_account::Builder::new(json).with_scopes([CLOUD_PLATFORM]);
            if let Some(token_uri) = &config.endpoints.oauth_token {
                builder = builder.with_token_uri(token_uri);
            }
            (builder.build_access_token_credentials(), project)
        }
        Some(other) => {
            return Err(format!(
                "{shown} holds `{other}` credentials; Escher signs in with `service_account` and `authorized_user` ones"
            ));
        }
        None => return Err(format!("{shown} has no `type`")),
    };
    let credentials = credentials.map_err(|error| format!("{shown}: {error}"))?;
    proven(credentials, source, project).await
}

async fn metadata_server(env: &Environment) -> Result<SignedIn, String> {
    let host = env.get("GCE_METADATA_HOST").unwrap_or(METADATA_HOST);
    let project = probe_metadata(host).await?;
    let credentials = mds::Builder::default()
        .with_endpoint(format!("http://{host}"))
        .with_scopes([CLOUD_PLATFORM])
        .build_access_token_credentials()
        .map_err(|error| error.to_string())?;
    proven(credentials, CredentialSource::MetadataServer, Some(project)).await
}

/// The metadata server's project id, which also shows there is one (it answers only with `Metadata-Flavor`).
async fn probe_metadata(host: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(METADATA_PROBE)
        .build()
        .map_err(|error| format!("no HTTP client: {error}"))?;
    let answer = client
        .get(format!("http://{host}/computeMetadata/v1/project/project-id"))
        .header("Metadata-Flavor", "Google")
        .send()
        .await
        .map_err(|_| format!("no answer within {} s (not on Google's cloud)", METADATA_PROBE.as_secs()))?;
    let flavored = answer.headers().get("Metadata-Flavor").is_some_and(|value| value == "Google");
    if !answer.status().is_success() || !flavored {
        return Err(format!("answered {} without `Metadata-Flavor: Google`: not a metadata server", answer.status()));
    }
    answer.text().await.map(|project| project.trim().to_string()).map_err(|error| error.to_string())
}

/// Fetches the first token (kept in the credentials' cache for the next request), so a key that is revoked or
/// a refresh token that expired is said before anything runs.
async fn proven(
    credentials: AccessTokenCredentials,
    source: CredentialSource,
    project: Option<String>,
) -> Result<SignedIn, String> {
    credentials.access_token().await.map_err(|error| format!("no token: {}", error_chain(&error)))?;
    Ok(SignedIn { credentials, source, project })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn with_no_source_the_error_names_each_and_why() {
        let home = tempfile::tempdir().expect("tempdir");
        // Port 9 (discard) on this machine: nothing answers, as off Google's cloud.
        let env = Environment::from_pairs([
            ("HOME", home.path().to_str().expect("utf-8")),
            ("GCE_METADATA_HOST", "127.0.0.1:9"),
        ]);
        let Err(error) = sign_in(&GcpConfig::default(), &env).await else { panic!("no credentials") };
        let text = error.to_string();
        assert_eq!(error.tried.len(), 3, "{text}");
        assert!(text.contains("GOOGLE_APPLICATION_CREDENTIALS: not set"), "{text}");
        assert!(text.contains(".config/gcloud/application_default_credentials.json): no such file"), "{text}");
        assert!(text.contains("metadata server (127.0.0.1:9): no answer"), "{text}");
    }

    #[tokio::test]
    async fn a_file_of_another_kind_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key.json");
        std::fs::write(&path, r#"{"type": "external_account"}"#).expect("written");
        let env = Environment::from_pairs([("GOOGLE_APPLICATION_CREDENTIALS", path.to_str().expect("utf-8"))]);
        let config = GcpConfig { credential: Some(CredentialSource::ApplicationCredentials), ..GcpConfig::default() };
        let Err(error) = sign_in(&config, &env).await else { panic!("refused") };
        assert!(error.to_string().contains("holds `external_account` credentials"), "{error}");
    }
}
