//! `extend.json` in the state bucket: what an Extended Laptop is made of (each resource's id or ARN, the image's
//! digest, the Escher version that last changed it). `escher extend status` starts from it; the resources
//! themselves stay the truth, found by name (a record lost or stale is rebuilt by the next `extend`).

use serde::{Deserialize, Serialize};

/// The record's key in the state bucket.
pub const RECORD_KEY: &str = "extend.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub format: u32,
    pub cloud: String,
    pub name: String,
    pub account: String,
    pub region: String,
    /// Where the state lives: `s3://BUCKET`.
    pub state: String,
    pub image_digest: Option<String>,
    /// What `--allow` granted the task role (presets as typed: `ec2-start-stop`, `assume-role=ARN`).
    #[serde(default)]
    pub allow: Vec<String>,
    pub escher_version: String,
    pub resources: Vec<RecordedResource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResource {
    pub kind: String,
    pub name: String,
    /// The ARN where the resource has one, else its id or name.
    pub id: String,
}

impl Record {
    pub fn new(cloud: &str, name: &str, account: &str, region: &str, state: &str) -> Record {
        Record {
            format: 1,
            cloud: cloud.to_string(),
            name: name.to_string(),
            account: account.to_string(),
            region: region.to_string(),
            state: state.to_string(),
            image_digest: None,
            allow: Vec::new(),
            escher_version: env!("CARGO_PKG_VERSION").to_string(),
            resources: Vec::new(),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).unwrap_or_default();
        json.push(b'\n');
        json
    }
}
