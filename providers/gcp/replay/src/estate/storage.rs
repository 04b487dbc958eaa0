//! Cloud Storage buckets and their IAM policies as the JSON API prints them.

use serde_json::{Value as Json, json};

use super::label_map;
use crate::ids;

const CREATED: &str = "2026-01-05T17:00:00.000Z";

pub(crate) fn bucket(
    project_number: &str,
    name: &str,
    location: &str,
    versioned: bool,
    labels: &[(&str, &str)],
) -> Json {
    let multi_region = matches!(location, "US" | "EU" | "ASIA");
    let mut bucket = json!({
        "kind": "storage#bucket",
        "selfLink": format!("https://www.googleapis.com/storage/v1/b/{name}"),
        "id": name,
        "name": name,
        "projectNumber": project_number,
        "generation": ids::numeric_id(name)[..16].to_string(),
        "metageneration": "1",
        "location": location,
        "locationType": if multi_region { "multi-region" } else { "region" },
        "storageClass": "STANDARD",
        "etag": bucket_etag(1),
        "timeCreated": CREATED,
        "updated": CREATED,
        "versioning": {"enabled": versioned},
        "iamConfiguration": {
            "bucketPolicyOnly": {"enabled": true, "lockedTime": "2026-04-05T17:00:00.000Z"},
            "uniformBucketLevelAccess": {"enabled": true, "lockedTime": "2026-04-05T17:00:00.000Z"},
            "publicAccessPrevention": "inherited",
        },
        "softDeletePolicy": {"retentionDurationSeconds": "604800", "effectiveTime": CREATED},
        "rpo": "DEFAULT",
    });
    if !labels.is_empty() {
        bucket["labels"] = label_map(labels);
    }
    bucket
}

/// A bucket's etag: base64 of the protobuf encoding of its metageneration, as Cloud Storage prints it
/// (`CAE=` for 1).
pub(crate) fn bucket_etag(metageneration: u64) -> String {
    let mut bytes = vec![0x08];
    let mut n = metageneration;
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            bytes.push(low);
            break;
        }
        bytes.push(low | 0x80);
    }
    ids::base64(&bytes)
}

/// A policy's etag at `version` of its bindings.
pub(crate) fn policy_etag(version: u64) -> String {
    bucket_etag(version)
}

/// The policy a new bucket gets (the project's basic roles), with `allUsers` reading objects when `public`.
pub(crate) fn policy(project: &str, bucket: &str, public: bool) -> Json {
    let mut bindings = vec![
        json!({"role": "roles/storage.legacyBucketOwner",
               "members": [format!("projectEditor:{project}"), format!("projectOwner:{project}")]}),
        json!({"role": "roles/storage.legacyBucketReader", "members": [format!("projectViewer:{project}")]}),
    ];
    if public {
        bindings.push(json!({"role": "roles/storage.objectViewer", "members": ["allUsers"]}));
    }
    json!({
        "kind": "storage#policy",
        "resourceId": format!("projects/_/buckets/{bucket}"),
        "version": 1,
        "etag": policy_etag(1),
        "bindings": bindings,
    })
}
