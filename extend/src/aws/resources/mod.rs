//! Each AWS resource of the Extended Laptop: how it is found, shown in the plan, created, brought back from
//! drift and deleted. One file per group of services.

pub(super) mod compute;
mod registry;
mod roles;
mod storage;

pub(super) use storage::{delete_record, read_record, write_record};

use super::policies::RoleSpec;
use super::{AwsExtension, Found};
use crate::ExtendError;
use crate::plan::{Action, Change};

/// How long the container's logs are kept.
const LOG_RETENTION_DAYS: i32 = 30;
/// How long an earlier version of a state object is kept (approvals and audit evidence read earlier versions).
const OLD_VERSIONS_DAYS: i32 = 365;

#[derive(Debug, Clone)]
pub enum Resource {
    StateBucket,
    LogGroup,
    Parameters,
    Repository,
    Image,
    Role(RoleSpec),
    SecurityGroup,
    Cluster,
    TaskDefinition,
    ScheduleGroup,
}

impl Resource {
    pub async fn observe(&self, on: &AwsExtension) -> Result<Found, ExtendError> {
        match self {
            Resource::StateBucket => storage::observe_bucket(on).await,
            Resource::LogGroup => storage::observe_log_group(on).await,
            Resource::Parameters => storage::observe_parameters(on).await,
            Resource::Repository => registry::observe_repository(on).await,
            Resource::Image => registry::observe_image(on).await,
            Resource::Role(role) => roles::observe(on, role).await,
            Resource::SecurityGroup => compute::observe_security_group(on).await,
            Resource::Cluster => compute::observe_cluster(on).await,
            Resource::TaskDefinition => compute::observe_task_definition(on).await,
            Resource::ScheduleGroup => compute::observe_schedule_group(on).await,
        }
    }

    /// Creates it; its ARN or id.
    pub async fn create(&self, on: &AwsExtension) -> Result<String, ExtendError> {
        match self {
            Resource::StateBucket => storage::create_bucket(on).await,
            Resource::LogGroup => storage::create_log_group(on).await,
            Resource::Parameters => storage::put_parameters(on).await,
            Resource::Repository => registry::create_repository(on).await,
            Resource::Image => registry::push_image(on).await,
            Resource::Role(role) => roles::create(on, role).await,
            Resource::SecurityGroup => compute::create_security_group(on).await,
            Resource::Cluster => compute::create_cluster(on).await,
            Resource::TaskDefinition => compute::register_task_definition(on).await,
            Resource::ScheduleGroup => compute::create_schedule_group(on).await,
        }
    }

    /// Brings back what drifted; its ARN or id.
    pub async fn update(&self, on: &AwsExtension) -> Result<String, ExtendError> {
        match self {
            Resource::StateBucket => storage::configure_bucket(on).await,
            Resource::LogGroup => storage::configure_log_group(on).await,
            Resource::Repository => registry::configure_repository(on).await,
            Resource::Role(role) => roles::update(on, role).await,
            // Each of these is written whole, so updating is creating again (a new task definition revision, a
            // parameter overwritten, the image pushed).
            _ => self.create(on).await,
        }
    }

    pub async fn delete(&self, on: &AwsExtension) -> Result<(), ExtendError> {
        match self {
            Resource::StateBucket => storage::delete_bucket(on).await,
            Resource::LogGroup => storage::delete_log_group(on).await,
            Resource::Parameters => storage::delete_parameters(on).await,
            Resource::Repository => registry::delete_repository(on).await,
            // The repository's deletion takes its images.
            Resource::Image => Ok(()),
            Resource::Role(role) => roles::delete(on, &role.name).await,
            Resource::SecurityGroup => compute::delete_security_group(on).await,
            Resource::Cluster => compute::delete_cluster(on).await,
            Resource::TaskDefinition => compute::deregister_task_definitions(on).await,
            Resource::ScheduleGroup => compute::delete_schedule_group(on).await,
        }
    }

    /// The plan's line for it, given what was found.
    pub fn change(&self, on: &AwsExtension, found: &Found) -> Change {
        let names = on.names();
        let (kind, name, summary): (&'static str, String, String) = match self {
            Resource::StateBucket => (
                "s3 bucket",
                names.bucket.clone(),
                format!("versioned, SSE, public access blocked, old versions kept {OLD_VERSIONS_DAYS} days"),
            ),
            Resource::LogGroup => {
                ("cloudwatch log group", names.log_group(), format!("kept {LOG_RETENTION_DAYS} days"))
            }
            Resource::Parameters => (
                "ssm parameter path",
                names.parameter_path(),
                "SecureString credentials; `state` names the bucket".to_string(),
            ),
            Resource::Repository => ("ecr repository", names.repository(), "scan on push".to_string()),
            Resource::Image => match &on.image {
                Some(image) => (
                    "ecr image",
                    format!("{}@{}", names.repository(), image.digest()),
                    format!("{}, {:.1} MiB", image.architecture, image.size() as f64 / (1024.0 * 1024.0)),
                ),
                None => ("ecr image", names.repository(), String::new()),
            },
            Resource::Role(role) => ("iam role", role.name.clone(), role.purpose.to_string()),
            Resource::SecurityGroup => {
                ("ec2 security group", names.security_group(), "default VPC, no inbound rules".to_string())
            }
            Resource::Cluster => ("ecs cluster", names.cluster(), "Fargate".to_string()),
            Resource::TaskDefinition => (
                "ecs task definition",
                names.task_family(),
                format!(
                    "Fargate, {} CPU units, {} MiB, runs `{}`",
                    on.settings.cpu,
                    on.settings.memory_mib,
                    compute::command(on).join(" ")
                ),
            ),
            Resource::ScheduleGroup => ("scheduler schedule group", names.schedule_group(), String::new()),
        };
        let (action, differences) = match found {
            Found::Missing => (Action::Create, Vec::new()),
            Found::Present { differences, .. } if differences.is_empty() => (Action::Keep, Vec::new()),
            Found::Present { differences, .. } => (Action::Update, differences.clone()),
        };
        let change = Change::new(action, kind, name, summary).with_differences(differences);
        match self {
            Resource::Role(role) => change.with_document(role.document()),
            _ => change,
        }
    }
}

/// Whether an SDK error is the service saying the thing is not there.
fn is_code(error: &impl aws_sdk_s3::error::ProvideErrorMetadata, codes: &[&str]) -> bool {
    error.code().is_some_and(|code| codes.contains(&code))
}

pub(super) fn failed<E: std::error::Error + 'static>(operation: &'static str) -> impl FnOnce(E) -> ExtendError {
    move |error| ExtendError::cloud(operation, &error)
}
