//! A provider signed in with the test service account key (tokens it signs itself) on a fresh replay of the
//! standard two-project estate; or as an authorized user, whose refresh token the replay's OAuth endpoint takes.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_gcp::{Endpoints, Environment, GcpConfig, GcpContext, GcpProvider, ProjectConfig};
use escher_gcp_replay::{Estate, Replay};
use escher_runtime::provider::{Provider, ProviderCall, ProviderError, ProviderResponse, TargetResult};

pub const DEV: &str = "acme-dev";
pub const PROD: &str = "acme-prod";

pub struct Gcp {
    pub replay: Replay,
    pub provider: GcpProvider,
    /// Holds the files the credentials were read from.
    pub _dir: tempfile::TempDir,
}

/// The provider for both projects of the standard estate.
pub async fn gcp() -> Gcp {
    gcp_for(&[DEV, PROD]).await
}

pub async fn gcp_for(projects: &[&str]) -> Gcp {
    let replay = Replay::start(Estate::two_projects()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ctx = GcpContext::connect(config(&replay, projects), &service_account()).await.expect("signed in");
    Gcp { replay, provider: GcpProvider::new(ctx), _dir: dir }
}

/// The test service account's key file (`tests/fixtures/credentials`), named by `GOOGLE_APPLICATION_CREDENTIALS`.
pub fn service_account() -> Environment {
    let file = format!("{}/tests/fixtures/credentials/service-account.json", env!("CARGO_MANIFEST_DIR"));
    Environment::from_pairs([("GOOGLE_APPLICATION_CREDENTIALS", file)])
}

/// An authorized user's file (what `gcloud auth application-default login` writes), named by
/// `GOOGLE_APPLICATION_CREDENTIALS`.
pub fn authorized_user(replay: &Replay, dir: &std::path::Path) -> Environment {
    let file = dir.join("adc.json");
    let user = serde_json::json!({
        "type": "authorized_user", "client_id": "escher-tests.apps.googleusercontent.com",
        "client_secret": "not-a-secret", "refresh_token": "1//escher-tests", "quota_project_id": DEV,
        "token_uri": replay.endpoints().oauth_token,
    });
    std::fs::write(&file, user.to_string()).expect("written");
    Environment::from_pairs([("GOOGLE_APPLICATION_CREDENTIALS", file.to_str().expect("utf-8"))])
}

pub fn config(replay: &Replay, projects: &[&str]) -> GcpConfig {
    let endpoints = replay.endpoints();
    GcpConfig {
        projects: projects.iter().map(|id| ProjectConfig { id: id.to_string() }).collect(),
        endpoints: Endpoints {
            compute: Some(endpoints.compute),
            sqladmin: Some(endpoints.sqladmin),
            cloudfunctions: Some(endpoints.cloudfunctions),
            storage: Some(endpoints.storage),
            bigquery: Some(endpoints.bigquery),
            oauth_token: Some(endpoints.oauth_token),
        },
        operation_timeout_secs: Some(30),
        poll_interval_ms: Some(0),
        ..GcpConfig::default()
    }
}

pub fn call(action: &str, args: &[(&str, Value)], targets: Vec<Value>) -> ProviderCall {
    ProviderCall {
        run_id: "run-1".into(),
        node: "step".into(),
        action: action.into(),
        args: args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        secrets: BTreeMap::new(),
        targets,
        dry_run: false,
        idempotency_key: "run-1:step:0".into(),
        in_doubt: false,
    }
}

pub fn text(value: &str) -> Value {
    Value::String(value.to_string())
}

pub fn labels(pairs: &[(&str, &str)]) -> Value {
    Value::Record(pairs.iter().map(|(k, v)| (k.to_string(), text(v))).collect())
}

pub fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    escher_runtime::provider::resource_field(record, name).unwrap_or("")
}

pub fn names(records: &[Value]) -> Vec<&str> {
    let mut names: Vec<&str> = records.iter().map(|r| field(r, "name")).collect();
    names.sort_unstable();
    names
}

impl Gcp {
    pub async fn query(&self, action: &str, args: &[(&str, Value)]) -> Result<Vec<Value>, ProviderError> {
        match self.provider.call(&call(action, args, Vec::new())).await? {
            ProviderResponse::Value(Value::List(items)) => Ok(items),
            other => panic!("{action} answered {other:?}"),
        }
    }

    pub async fn act(&self, call: ProviderCall) -> Result<Vec<TargetResult>, ProviderError> {
        match self.provider.call(&call).await? {
            ProviderResponse::Targets(results) => Ok(results),
            other => panic!("{} answered {other:?}", call.action),
        }
    }

    /// The one record of `query` named `name`.
    pub async fn one(&self, query: &str, args: &[(&str, Value)], name: &str) -> Value {
        let found = self.query(query, args).await.expect("listed");
        found.into_iter().find(|r| field(r, "name") == name).unwrap_or_else(|| panic!("no `{name}` in {query}"))
    }

    /// The requests since the last clear, one line each: method id and path.
    pub fn calls(&self) -> Vec<String> {
        self.replay.calls()
    }

    /// The requests since the last clear, exactly: method, path, every query parameter (sorted) and the JSON
    /// body, for snapshots. Token requests are left out (their count is asserted where it matters).
    pub fn requests(&self) -> String {
        let mut out = String::new();
        for logged in self.replay.log().into_iter().filter(|l| l.api.is_some()) {
            let query: Vec<String> = logged.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
            out.push_str(&format!("{} {}{query}\n", logged.http_method, logged.path));
            if let Some(body) = &logged.body {
                out.push_str(&format!("  {body}\n"));
            }
        }
        out
    }
}
