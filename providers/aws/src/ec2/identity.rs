//! How what EC2 creates carries the batch's identity, and how a call in doubt finds it again.
//!
//! Every image, snapshot, copy, restored volume and ingress rule Escher creates is tagged at creation
//! (TagSpecifications) with `escher:run`, `escher:source` (what it was made from) and
//! [`IDEMPOTENCY_TAG`] = the call's idempotency key. A call made again in doubt (`ProviderCall::in_doubt`: a resumed
//! batch, a retry after a timeout or a 5xx) first looks for resources carrying its key and made from the same
//! source, and reports the target changed when one exists instead of creating a second.
//!
//! Of these APIs only CreateVolume takes a ClientToken; it gets one derived from the key and the source, so AWS
//! itself answers a repeated request with the volume it already made. CreateSnapshot, CreateImage, CopySnapshot and
//! AuthorizeSecurityGroupIngress take none: for them the look-up is the only guard, and EC2's describe calls are
//! eventually consistent, so a resource made an instant before the earlier call's answer was lost may not be
//! listed yet when the call in doubt looks.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderCall, ProviderError};
use sha2::{Digest, Sha256};

use crate::errors::classify;

/// The tags that mark what a call made from `source`: its run, its source and its idempotency key.
pub(crate) fn made_by(call: &ProviderCall, kind: ResourceType, source: &str) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .tags(Tag::builder().key("escher:run").value(&call.run_id).build())
        .tags(Tag::builder().key("escher:source").value(source).build())
        .tags(Tag::builder().key(IDEMPOTENCY_TAG).value(&call.idempotency_key).build())
        .build()
}

/// Filters for what a call with this key made from `source`, told by the `escher:source` tag.
pub(crate) fn made_from(call: &ProviderCall, source: &str) -> Vec<Filter> {
    vec![with_key(call), Filter::builder().name("tag:escher:source").values(source).build()]
}

/// The filter for resources carrying the call's idempotency key.
pub(crate) fn with_key(call: &ProviderCall) -> Filter {
    Filter::builder().name(format!("tag:{IDEMPOTENCY_TAG}")).values(&call.idempotency_key).build()
}

/// A ClientToken for creating one resource from `source` under the call's key: the same for every attempt of the
/// batch, different for each source, within EC2's 64 ASCII characters (a SHA-256 in hex is exactly 64).
pub(crate) fn client_token(call: &ProviderCall, source: &str) -> String {
    let digest = Sha256::digest(format!("{}\n{source}", call.idempotency_key).as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether a snapshot matching `filters` exists (one in `error` does not count: it has to be made again).
pub(crate) async fn snapshot_exists(client: &Client, filters: Vec<Filter>) -> Result<bool, ProviderError> {
    let found = client
        .describe_snapshots()
        .owner_ids("self")
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify("ec2 DescribeSnapshots (idempotency key)", &e))?;
    Ok(found.iter().any(|s| s.state().is_none_or(|state| state.as_str() != "error")))
}

/// Whether an image matching `filters` exists (failed or deregistered ones do not count).
pub(crate) async fn image_exists(client: &Client, filters: Vec<Filter>) -> Result<bool, ProviderError> {
    let found = client
        .describe_images()
        .owners("self")
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify("ec2 DescribeImages (idempotency key)", &e))?;
    Ok(found.iter().any(|i| i.state().is_none_or(|state| !matches!(state.as_str(), "failed" | "deregistered"))))
}

/// Whether a volume matching `filters` exists (one failed or being deleted does not count).
pub(crate) async fn volume_exists(client: &Client, filters: Vec<Filter>) -> Result<bool, ProviderError> {
    let found = client
        .describe_volumes()
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify("ec2 DescribeVolumes (idempotency key)", &e))?;
    Ok(found.iter().any(|v| v.state().is_none_or(|state| !matches!(state.as_str(), "error" | "deleting" | "deleted"))))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn call(key: &str) -> ProviderCall {
        ProviderCall {
            run_id: "run".into(),
            node: "step".into(),
            action: "aws.ec2.restore_volumes".into(),
            args: BTreeMap::new(),
            secrets: BTreeMap::new(),
            targets: Vec::new(),
            dry_run: false,
            idempotency_key: key.into(),
            in_doubt: false,
        }
    }

    #[test]
    fn a_client_token_is_stable_per_key_and_source_and_fits_ec2() {
        let long_key = format!("20260101T000000Z-abcdef:{}:0", "a_very_long_step_name".repeat(8));
        let token = client_token(&call(&long_key), "snap-1");
        assert_eq!(token.len(), 64);
        assert!(token.is_ascii());
        assert_eq!(token, client_token(&call(&long_key), "snap-1"));
        assert_ne!(token, client_token(&call(&long_key), "snap-2"));
        assert_ne!(token, client_token(&call("another:step:0"), "snap-1"));
    }

    #[test]
    fn what_a_call_makes_carries_its_key() {
        let spec = made_by(&call("run:step:3"), ResourceType::Snapshot, "vol-1");
        let key = spec.tags().iter().find(|t| t.key() == Some(IDEMPOTENCY_TAG)).and_then(|t| t.value());
        assert_eq!(key, Some("run:step:3"));
        let filter = with_key(&call("run:step:3"));
        assert_eq!(filter.name(), Some("tag:escher-idempotency-key"));
        assert_eq!(filter.values(), ["run:step:3"]);
    }
}
