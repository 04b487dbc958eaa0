//! The ECR repository and the engine's image in it. The image is pushed over the OCI distribution protocol,
//! signed in with ECR's authorization token, to the repository's own registry or to `registry_endpoint`.

use aws_sdk_ecr::types::{ImageScanningConfiguration, ImageTagMutability};
use base64::Engine as _;

use super::failed;
use crate::ExtendError;
use crate::aws::{AwsExtension, Found};
use crate::image::push::{Registry, exists, push};

/// The tag the image carries beside its digest: the Escher version in it.
fn tag() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub async fn observe_repository(on: &AwsExtension) -> Result<Found, ExtendError> {
    let answer = on.clients.ecr.describe_repositories().repository_names(on.names.repository()).send().await;
    let repository = match answer {
        Ok(answer) => answer.repositories().first().cloned(),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_repository_not_found_exception()) => None,
        Err(error) => return Err(ExtendError::cloud("ecr:DescribeRepositories", &error)),
    };
    let Some(repository) = repository else {
        return Ok(Found::Missing);
    };
    let mut differences = Vec::new();
    if !repository.image_scanning_configuration().is_some_and(|scanning| scanning.scan_on_push()) {
        differences.push("images are not scanned on push".to_string());
    }
    Ok(Found::Present { id: repository.repository_arn().unwrap_or_default().to_string(), differences })
}

pub async fn create_repository(on: &AwsExtension) -> Result<String, ExtendError> {
    let created = on
        .clients
        .ecr
        .create_repository()
        .repository_name(on.names.repository())
        // Mutable: the version tag follows a rebuilt image; the task definition names the digest anyway.
        .image_tag_mutability(ImageTagMutability::Mutable)
        .image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(true).build())
        .send()
        .await;
    match created {
        Ok(answer) => {
            Ok(answer.repository().and_then(|repository| repository.repository_arn()).unwrap_or_default().to_string())
        }
        Err(error) if error.as_service_error().is_some_and(|error| error.is_repository_already_exists_exception()) => {
            configure_repository(on).await
        }
        Err(error) => Err(ExtendError::cloud("ecr:CreateRepository", &error)),
    }
}

pub async fn configure_repository(on: &AwsExtension) -> Result<String, ExtendError> {
    on.clients
        .ecr
        .put_image_scanning_configuration()
        .repository_name(on.names.repository())
        .image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(true).build())
        .send()
        .await
        .map_err(failed("ecr:PutImageScanningConfiguration"))?;
    match observe_repository(on).await? {
        Found::Present { id, .. } => Ok(id),
        Found::Missing => {
            Err(ExtendError::Refused(format!("the ECR repository {} disappeared", on.names.repository())))
        }
    }
}

/// Deletes the repository with its images.
pub async fn delete_repository(on: &AwsExtension) -> Result<(), ExtendError> {
    match on.clients.ecr.delete_repository().repository_name(on.names.repository()).force(true).send().await {
        Ok(_) => Ok(()),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_repository_not_found_exception()) => Ok(()),
        Err(error) => Err(ExtendError::cloud("ecr:DeleteRepository", &error)),
    }
}

/// The registry, signed in with ECR's authorization token (`AWS:PASSWORD`, base64), asked for once.
pub async fn registry(on: &AwsExtension) -> Result<Registry, ExtendError> {
    on.registry.get_or_try_init(|| sign_in(on)).await.cloned()
}

async fn sign_in(on: &AwsExtension) -> Result<Registry, ExtendError> {
    let answer = on.clients.ecr.get_authorization_token().send().await.map_err(failed("ecr:GetAuthorizationToken"))?;
    let data = answer.authorization_data().first().ok_or_else(|| ExtendError::Cloud {
        operation: "ecr:GetAuthorizationToken".into(),
        detail: "the answer holds no authorization data".into(),
    })?;
    let malformed = || ExtendError::Cloud {
        operation: "ecr:GetAuthorizationToken".into(),
        detail: "the token is not base64 of USER:PASSWORD".into(),
    };
    let token = base64::engine::general_purpose::STANDARD
        .decode(data.authorization_token().unwrap_or_default())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(malformed)?;
    let (user, password) = token.split_once(':').ok_or_else(malformed)?;
    let endpoint = match &on.settings.registry_endpoint {
        Some(endpoint) => endpoint.clone(),
        None => data
            .proxy_endpoint()
            .map(|url| url.trim_start_matches("https://").trim_end_matches('/').to_string())
            .ok_or_else(|| ExtendError::Cloud {
            operation: "ecr:GetAuthorizationToken".into(),
            detail: "the answer names no registry endpoint".into(),
        })?,
    };
    Ok(Registry {
        endpoint,
        plain_http: on.settings.registry_plain_http,
        credentials: Some((user.to_string(), password.to_string())),
    })
}

/// `REGISTRY/REPOSITORY@sha256:…`, what the task definition runs.
pub fn image_reference(registry: &Registry, on: &AwsExtension) -> Result<String, ExtendError> {
    Ok(format!("{}/{}@{}", registry.endpoint, on.names.repository(), on.image()?.digest()))
}

pub async fn observe_image(on: &AwsExtension) -> Result<Found, ExtendError> {
    // Without a repository there is no image, and no registry to ask.
    if observe_repository(on).await? == Found::Missing {
        return Ok(Found::Missing);
    }
    let registry = registry(on).await?;
    if exists(on.image()?, &registry, &on.names.repository(), tag()).await? {
        Ok(Found::Present { id: image_reference(&registry, on)?, differences: Vec::new() })
    } else {
        Ok(Found::Missing)
    }
}

pub async fn push_image(on: &AwsExtension) -> Result<String, ExtendError> {
    let registry = registry(on).await?;
    push(on.image()?, &registry, &on.names.repository(), tag()).await?;
    image_reference(&registry, on)
}
