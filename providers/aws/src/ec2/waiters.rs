//! Waiting for instances to reach a state (resize, starting instances still stopping), by polling
//! DescribeInstances with a deadline. A state the instance cannot leave for the wanted one (terminated) stops the
//! wait with a refusal; the deadline with a timeout.

use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;
use escher_runtime::provider::ProviderError;

use crate::errors::classify;
use crate::poll::{Look, until};

/// How long an instance may take to stop or start.
pub(crate) const STATE_LIMIT: Duration = Duration::from_secs(600);

/// The instance's state now, or `None` when it no longer exists.
pub(crate) async fn state_of(client: &Client, id: &str) -> Result<Option<String>, ProviderError> {
    let answer = client
        .describe_instances()
        .filters(Filter::builder().name("instance-id").values(id).build())
        .send()
        .await
        .map_err(|e| classify(&format!("ec2 DescribeInstances {id}"), &e))?;
    Ok(answer
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.instance_id() == Some(id))
        .and_then(|i| i.state().and_then(|s| s.name()).map(|n| n.as_str().to_string())))
}

/// Waits until the instance is in `wanted` (`stopped`, `running`).
pub(crate) async fn until_state(client: &Client, id: &str, wanted: &str, limit: Duration) -> Result<(), ProviderError> {
    let what = format!("waiting for {id} to be {wanted}");
    until(&what, limit, || async {
        match state_of(client, id).await?.as_deref() {
            Some(state) if state == wanted => Ok(Look::Done(())),
            None | Some("terminated" | "shutting-down") => Ok(Look::Failed(format!("{id} is gone or terminating"))),
            Some(_) => Ok(Look::Pending),
        }
    })
    .await
}
