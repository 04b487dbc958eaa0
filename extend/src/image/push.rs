//! Sending an image to a registry over the OCI distribution protocol (`oci-client`): the layer and config
//! blobs, then the manifest as the very bytes [`super::build`] made, so the registry's digest is the image's.
//! A tag already on the image's digest is left alone: pushing twice transfers nothing the second time.

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use super::{Image, ImageError};

/// A registry and how to sign in to it.
#[derive(Clone)]
pub struct Registry {
    /// `host[:port]`: ECR's `ACCOUNT.dkr.ecr.REGION.amazonaws.com`, a mirror, or a test registry.
    pub endpoint: String,
    /// Plain HTTP instead of HTTPS: only for a registry on this machine (tests).
    pub plain_http: bool,
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password is ECR's token: never printed.
        formatter
            .debug_struct("Registry")
            .field("endpoint", &self.endpoint)
            .field("plain_http", &self.plain_http)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish()
    }
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// `endpoint/repository@sha256:…`: what a task definition names.
    pub reference: String,
    pub digest: String,
    /// False when the tag already named this digest and nothing was sent.
    pub transferred: bool,
}

fn client(registry: &Registry) -> (Client, RegistryAuth) {
    let client = Client::new(ClientConfig {
        protocol: if registry.plain_http { ClientProtocol::Http } else { ClientProtocol::Https },
        ..ClientConfig::default()
    });
    let auth = match &registry.credentials {
        Some((user, password)) => RegistryAuth::Basic(user.clone(), password.clone()),
        None => RegistryAuth::Anonymous,
    };
    (client, auth)
}

/// Whether `repository:tag` names this very image. A tag that is not there answers 404, which is a no, and so
/// is a refusal: [`push`] then says what the registry refused.
pub async fn exists(image: &Image, registry: &Registry, repository: &str, tag: &str) -> Result<bool, ImageError> {
    let (client, auth) = client(registry);
    let reference = Reference::with_tag(registry.endpoint.clone(), repository.to_string(), tag.to_string());
    Ok(client.fetch_manifest_digest(&reference, &auth).await.is_ok_and(|digest| digest == image.digest()))
}

/// Pushes `image` as `repository:tag`.
pub async fn push(image: &Image, registry: &Registry, repository: &str, tag: &str) -> Result<Pushed, ImageError> {
    let refused = |what: &str, error: oci_client::errors::OciDistributionError| ImageError::Push {
        registry: registry.endpoint.clone(),
        what: what.to_string(),
        detail: error.to_string(),
    };
    let pushed = |transferred| Pushed {
        reference: format!("{}/{repository}@{}", registry.endpoint, image.digest()),
        digest: image.digest().to_string(),
        transferred,
    };
    if exists(image, registry, repository, tag).await? {
        return Ok(pushed(false));
    }
    let (client, auth) = client(registry);
    let reference = Reference::with_tag(registry.endpoint.clone(), repository.to_string(), tag.to_string());
    client
        .auth(&reference, &auth, oci_client::RegistryOperation::Push)
        .await
        .map_err(|error| refused("the sign-in", error))?;
    for blob in [&image.layer, &image.config] {
        client
            .push_blob(&reference, &blob.bytes, &blob.digest)
            .await
            .map_err(|error| refused(&format!("blob {}", blob.digest), error))?;
    }
    let content_type = http_header(image.manifest.media_type);
    client
        .push_manifest_raw(&reference, image.manifest.bytes.clone(), content_type)
        .await
        .map_err(|error| refused(&format!("manifest {}", image.digest()), error))?;
    Ok(pushed(true))
}

fn http_header(media_type: &'static str) -> http::HeaderValue {
    http::HeaderValue::from_static(media_type)
}
