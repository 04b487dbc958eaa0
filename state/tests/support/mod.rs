//! The stores the suite runs against, each fresh per test: a temporary directory, and a new bucket or container
//! on moto, Azurite and fake-gcs-server. A remote store whose endpoint variable is unset fails the test.

#![allow(dead_code)]

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use escher_state::{AZURITE_ACCOUNT, AZURITE_KEY, Store, StoreOptions, StoreUrl};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Local,
    S3,
    Azure,
    Gcs,
}

/// A store for one test, and what a child process needs to open the same one.
pub struct TestStore {
    pub url: StoreUrl,
    pub options: StoreOptions,
    pub _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    pub fn open(&self) -> Store {
        Store::open(&self.url, &self.options).unwrap_or_else(|error| panic!("{error}"))
    }

    /// Environment for a child process opening this store.
    pub fn child_env(&self) -> Vec<(String, String)> {
        let mut env = vec![("ESCHER_STATE_CHILD_URL".to_string(), self.url.to_string())];
        if let Some(endpoint) = &self.options.endpoint {
            env.push(("ESCHER_STATE_CHILD_ENDPOINT".to_string(), endpoint.clone()));
        }
        env
    }

    /// The store a child process was told about.
    pub fn from_child_env() -> TestStore {
        let url = std::env::var("ESCHER_STATE_CHILD_URL").expect("ESCHER_STATE_CHILD_URL");
        let options = match std::env::var("ESCHER_STATE_CHILD_ENDPOINT") {
            Ok(endpoint) => StoreOptions::emulator(&endpoint),
            Err(_) => StoreOptions::default(),
        };
        TestStore { url: StoreUrl::parse(&url).expect("a store url"), options, _dir: None }
    }
}

pub fn endpoint(var: &str) -> String {
    std::env::var(var).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!("{var} is not set: start the emulators (scripts/emulators.sh start && . target/emulators.env)")
    })
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{:016x}", rand_u64())
}

fn rand_u64() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let digest = Sha256::digest(format!("{nanos}-{}-{:?}", std::process::id(), std::thread::current().id()));
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

pub async fn fresh(kind: Kind) -> TestStore {
    let client = reqwest::Client::new();
    match kind {
        Kind::Local => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            TestStore {
                url: StoreUrl::Local(dir.path().join("state")),
                options: StoreOptions::default(),
                _dir: Some(dir),
            }
        }
        Kind::S3 => {
            let endpoint = endpoint("ESCHER_TEST_MOTO");
            let bucket = unique("escher-state");
            let response = client.put(format!("{endpoint}/{bucket}")).send().await.expect("moto answers");
            assert!(response.status().is_success(), "creating bucket {bucket}: {}", response.status());
            TestStore {
                url: StoreUrl::S3 { bucket, prefix: "team/escher".into() },
                options: StoreOptions::emulator(&endpoint),
                _dir: None,
            }
        }
        Kind::Azure => {
            let endpoint = endpoint("ESCHER_TEST_AZURITE");
            let container = unique("escher-state");
            create_container(&client, &endpoint, &container).await;
            TestStore {
                url: StoreUrl::Azure { container, prefix: "team/escher".into() },
                options: StoreOptions::emulator(&endpoint),
                _dir: None,
            }
        }
        Kind::Gcs => {
            let endpoint = endpoint("ESCHER_TEST_GCS");
            let bucket = unique("escher-state");
            let response = client
                .post(format!("{endpoint}/storage/v1/b"))
                .json(&serde_json::json!({ "name": bucket }))
                .send()
                .await
                .expect("fake-gcs-server answers");
            assert!(response.status().is_success(), "creating bucket {bucket}: {}", response.status());
            TestStore {
                url: StoreUrl::Gcs { bucket, prefix: "team/escher".into() },
                options: StoreOptions::emulator(&endpoint),
                _dir: None,
            }
        }
    }
}

/// Azurite refuses unsigned requests: Create Container signed with the dev account's Shared Key.
async fn create_container(client: &reqwest::Client, endpoint: &str, container: &str) {
    let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let version = "2021-08-06";
    let to_sign = format!(
        "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{AZURITE_ACCOUNT}/{AZURITE_ACCOUNT}/{container}\nrestype:container"
    );
    let key = STANDARD.decode(AZURITE_KEY).expect("the published key is base64");
    let signature = STANDARD.encode(hmac_sha256(&key, to_sign.as_bytes()));
    let response = client
        .put(format!("{endpoint}/{AZURITE_ACCOUNT}/{container}?restype=container"))
        .header("x-ms-date", date)
        .header("x-ms-version", version)
        .header("content-length", "0")
        .header("authorization", format!("SharedKey {AZURITE_ACCOUNT}:{signature}"))
        .send()
        .await
        .expect("Azurite answers");
    let status = response.status();
    assert!(
        status.is_success(),
        "creating container {container}: {status} {}",
        response.text().await.unwrap_or_default()
    );
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).chain(message.iter().copied()).collect();
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).chain(Sha256::digest(&inner)).collect();
    Sha256::digest(&outer).to_vec()
}

/// A journal as Escher before the state store wrote it: run_started and run_finished of a small plan.
pub fn v1_journal(run_id: &str) -> Vec<u8> {
    use escher_compiler::{CompileOptions, NoImports, compile};
    use escher_runtime::events::RunStatus;
    use escher_runtime::journal::JournalRecord;
    let source = "playbook tidy {\n  step summary = report.summary(\"Nothing to do\", values = { n: 0 })\n}\n";
    let compilation = compile("tidy.esc", source, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    let plan = compilation.plan.unwrap_or_else(|| panic!("compiles: {:?}", compilation.diagnostics));
    let records = [
        JournalRecord::RunStarted {
            run_id: run_id.to_string(),
            plan,
            dry_run: false,
            at: "2025-01-06T20:00:00Z".to_string(),
        },
        JournalRecord::RunFinished { status: RunStatus::Succeeded, at: "2025-01-06T20:00:01Z".to_string() },
    ];
    let mut bytes = Vec::new();
    for record in records {
        serde_json::to_writer(&mut bytes, &record).expect("encodes");
        bytes.push(b'\n');
    }
    bytes
}
