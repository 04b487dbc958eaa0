//! The Extended Laptop on AWS: a state bucket, a parameter path, an ECR repository with the engine's image,
//! three IAM roles, a log group, a security group, an ECS cluster with a Fargate task definition, and an
//! EventBridge Scheduler schedule group (docs/extended-laptop.md).
//!
//! Every resource is found by a name derived from the Extended Laptop's ([`names`]), so [`AwsExtension::apply`]
//! is idempotent and converges after being killed anywhere: what exists is kept or brought back, what is missing
//! is created, nothing twice.

pub mod cron;
pub mod names;
pub mod policies;
mod resources;
pub mod schedules;
pub mod secrets;

use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::image::Image;
use crate::plan::{Action, Change};
use crate::{ExtendError, Record, RecordedResource};
use names::Names;
use policies::{Allow, RoleSpec};
pub use resources::Resource;

/// The SDK clients, one per service, on one configuration (credentials, region, endpoint).
pub struct Clients {
    pub s3: aws_sdk_s3::Client,
    pub iam: aws_sdk_iam::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub scheduler: aws_sdk_scheduler::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Clients {
    /// The standard credential chain and region (`AWS_ENDPOINT_URL` reaches an emulator); `region` overrides.
    pub async fn load(region: Option<&str>) -> Clients {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_string()));
        }
        Clients::new(&loader.load().await)
    }

    pub fn new(config: &SdkConfig) -> Clients {
        // An endpoint other than AWS's (moto) serves buckets by path, not by host name.
        let s3 = aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some()).build();
        Clients {
            s3: aws_sdk_s3::Client::from_conf(s3),
            iam: aws_sdk_iam::Client::new(config),
            ssm: aws_sdk_ssm::Client::new(config),
            ecr: aws_sdk_ecr::Client::new(config),
            ecs: aws_sdk_ecs::Client::new(config),
            scheduler: aws_sdk_scheduler::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
        }
    }

    pub fn region(&self) -> Option<String> {
        self.sts.config().region().map(ToString::to_string)
    }

    /// The account the credentials belong to.
    pub async fn account(&self) -> Result<String, ExtendError> {
        let identity = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|error| ExtendError::cloud("sts:GetCallerIdentity", &error))?;
        identity.account().map(str::to_string).ok_or_else(|| ExtendError::Cloud {
            operation: "sts:GetCallerIdentity".into(),
            detail: "the answer names no account".into(),
        })
    }
}

/// What the user asks for.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    /// The state bucket's name, when `escher-NAME-state` is taken.
    pub bucket: Option<String>,
    pub allow: Vec<Allow>,
    /// Where the image goes and what the task definition names, instead of the ECR repository's own URI (a
    /// mirror, or the registry of the tests). The sign-in is still ECR's authorization token.
    pub registry_endpoint: Option<String>,
    /// Plain HTTP to `registry_endpoint`: only for a registry on this machine.
    pub registry_plain_http: bool,
    /// Fargate task size.
    pub cpu: u32,
    pub memory_mib: u32,
}

impl Settings {
    pub fn new(name: &str) -> Settings {
        Settings {
            name: name.to_string(),
            bucket: None,
            allow: Vec::new(),
            registry_endpoint: None,
            registry_plain_http: false,
            cpu: 256,
            memory_mib: 512,
        }
    }
}

/// One AWS account's Extended Laptop.
pub struct AwsExtension {
    clients: Clients,
    names: Names,
    settings: Settings,
    /// The image to run; `None` for what needs none (`destroy`, `status`).
    image: Option<Image>,
    /// The registry, signed in once: ECR's token lasts twelve hours, and planning, pushing and the task
    /// definition each need it.
    registry: tokio::sync::OnceCell<crate::image::push::Registry>,
}

impl AwsExtension {
    /// Reads the account and region from the credentials; checks the name. `image` is what `apply` pushes and
    /// runs; destroying or looking needs none.
    pub async fn new(clients: Clients, settings: Settings, image: Option<Image>) -> Result<AwsExtension, ExtendError> {
        // A bad name is refused before any call.
        Names::new(&settings.name, "", "", None)?;
        let account = clients.account().await?;
        let region = clients
            .region()
            .ok_or_else(|| ExtendError::Usage("no AWS region is set: pass --region or set AWS_REGION".to_string()))?;
        let names = Names::new(&settings.name, &account, &region, settings.bucket.as_deref())?;
        Ok(AwsExtension { clients, names, settings, image, registry: tokio::sync::OnceCell::new() })
    }

    /// The same Extended Laptop with these `--allow` grants (the ones its record says it was set up with).
    pub fn allowing(mut self, allow: Vec<Allow>) -> AwsExtension {
        self.settings.allow = allow;
        self
    }

    pub fn names(&self) -> &Names {
        &self.names
    }

    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// The resources in the order they are created (each needs only those before it).
    fn resources(&self) -> Vec<Resource> {
        let image = self.image.as_ref().map(|_| Resource::Image);
        [Resource::StateBucket, Resource::LogGroup, Resource::Repository]
            .into_iter()
            .chain(image)
            .chain([
                Resource::Parameters,
                Resource::Role(policies::execution_role(&self.names)),
                Resource::Role(policies::task_role(&self.names, &self.settings.allow)),
                Resource::Role(policies::scheduler_role(&self.names)),
                Resource::SecurityGroup,
                Resource::Cluster,
                Resource::TaskDefinition,
                Resource::ScheduleGroup,
            ])
            .collect()
    }

    fn image(&self) -> Result<&Image, ExtendError> {
        self.image.as_ref().ok_or_else(|| ExtendError::Usage("this needs the engine's image".to_string()))
    }

    /// What [`apply`](Self::apply) would do, resource by resource.
    pub async fn plan(&self) -> Result<Vec<Change>, ExtendError> {
        let mut changes = Vec::new();
        for resource in self.resources() {
            let found = resource.observe(self).await?;
            changes.push(resource.change(self, &found));
        }
        Ok(changes)
    }

    /// Creates the state bucket, or brings it back to versioned, encrypted and private: the first thing
    /// [`apply`](Self::apply) does, on its own so that a host can attach the bucket as state (for the audit log)
    /// before anything else is created.
    pub async fn ensure_state_bucket(&self) -> Result<Change, ExtendError> {
        let found = Resource::StateBucket.observe(self).await?;
        let change = Resource::StateBucket.change(self, &found);
        match change.action {
            Action::Create => drop(Resource::StateBucket.create(self).await?),
            Action::Update => drop(Resource::StateBucket.update(self).await?),
            Action::Keep | Action::Delete => {}
        }
        Ok(change)
    }

    /// Creates what is missing and brings back what drifted, in dependency order; `done` hears each resource
    /// with its id once it is handled (and may refuse to go on: a host that cannot audit a change stops).
    /// The record of what exists is written to the state bucket as `extend.json` after every change, so a run
    /// killed half-way leaves it true.
    pub async fn apply(&self, done: &mut crate::Done<'_>) -> Result<Record, ExtendError> {
        let mut record =
            Record::new("aws", &self.names.name, &self.names.account, &self.names.region, &self.names.state_url());
        record.image_digest = Some(self.image()?.digest().to_string());
        record.allow = self.settings.allow.iter().map(ToString::to_string).collect();
        for resource in self.resources() {
            let found = resource.observe(self).await?;
            let change = resource.change(self, &found);
            let id = match change.action {
                Action::Create => resource.create(self).await?,
                Action::Update => resource.update(self).await?,
                Action::Keep | Action::Delete => found.id().unwrap_or_default().to_string(),
            };
            record.resources.push(RecordedResource {
                kind: change.kind.to_string(),
                name: change.name.clone(),
                id: id.clone(),
            });
            if change.action != Action::Keep {
                // The bucket exists from the first resource on: each change is recorded as soon as it is made.
                resources::write_record(self, &record).await?;
            }
            done(&change, &id)?;
        }
        resources::write_record(self, &record).await?;
        Ok(record)
    }

    /// What [`destroy`](Self::destroy) would remove, in the order it would.
    pub async fn destroy_plan(&self, delete_state: bool) -> Result<Vec<Change>, ExtendError> {
        let mut changes = Vec::new();
        for resource in self.resources().into_iter().rev() {
            if matches!(resource, Resource::StateBucket) && !delete_state {
                continue;
            }
            let found = resource.observe(self).await?;
            if found.id().is_some() {
                let mut change = resource.change(self, &found);
                change.action = Action::Delete;
                change.differences.clear();
                changes.push(change);
            }
        }
        Ok(changes)
    }

    /// Removes every resource in reverse dependency order, keeping the state bucket unless `delete_state`; the
    /// bucket is emptied (every version) only then. What is already gone is skipped, so a second destroy does
    /// nothing. `done` hears each resource once it is gone.
    pub async fn destroy(&self, delete_state: bool, done: &mut crate::Done<'_>) -> Result<(), ExtendError> {
        for resource in self.resources().into_iter().rev() {
            if matches!(resource, Resource::StateBucket) && !delete_state {
                continue;
            }
            let found = resource.observe(self).await?;
            let Some(id) = found.id().map(str::to_string) else {
                continue;
            };
            resource.delete(self).await?;
            let mut change = resource.change(self, &found);
            change.action = Action::Delete;
            change.differences.clear();
            done(&change, &id)?;
        }
        if !delete_state {
            resources::delete_record(self).await?;
        }
        Ok(())
    }

    /// `extend.json` as the state bucket holds it, if it does.
    pub async fn record(&self) -> Result<Option<Record>, ExtendError> {
        resources::read_record(self).await
    }

    fn task_roles(&self) -> (RoleSpec, RoleSpec) {
        (policies::execution_role(&self.names), policies::task_role(&self.names, &self.settings.allow))
    }
}

/// What was found of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Missing,
    /// It exists with this id (ARN or name); `differences` says where it is not as Escher wants it.
    Present {
        id: String,
        differences: Vec<String>,
    },
}

impl Found {
    pub fn id(&self) -> Option<&str> {
        match self {
            Found::Missing => None,
            Found::Present { id, .. } => Some(id),
        }
    }
}

#[async_trait::async_trait]
impl crate::Extension for AwsExtension {
    fn name(&self) -> &str {
        &self.names.name
    }

    fn place(&self) -> String {
        format!("AWS account {} ({})", self.names.account, self.names.region)
    }

    fn state_url(&self) -> String {
        self.names.state_url()
    }

    fn scheduler(&self) -> &'static str {
        "EventBridge"
    }

    fn schedule_place(&self) -> String {
        format!("group {}", self.names.schedule_group())
    }

    async fn plan(&self) -> Result<Vec<Change>, ExtendError> {
        AwsExtension::plan(self).await
    }

    async fn ensure_state(&self) -> Result<(Change, String), ExtendError> {
        Ok((self.ensure_state_bucket().await?, self.names.bucket_arn()))
    }

    async fn apply(&self, done: &mut crate::Done<'_>) -> Result<Record, ExtendError> {
        AwsExtension::apply(self, done).await
    }

    async fn destroy_plan(&self, delete_state: bool) -> Result<Vec<Change>, ExtendError> {
        AwsExtension::destroy_plan(self, delete_state).await
    }

    async fn destroy(&self, delete_state: bool, done: &mut crate::Done<'_>) -> Result<(), ExtendError> {
        AwsExtension::destroy(self, delete_state, done).await
    }

    async fn record(&self) -> Result<Option<Record>, ExtendError> {
        AwsExtension::record(self).await
    }

    fn check_cron(&self, cron: &str) -> Result<(), ExtendError> {
        cron::to_eventbridge(cron).map(drop)
    }

    async fn put_schedule(&self, schedule: &crate::Wanted) -> Result<crate::Scheduled, ExtendError> {
        let translated = schedules::put(self, schedule).await?;
        Ok(crate::Scheduled { expression: translated.expression, notes: translated.notes })
    }

    async fn delete_schedule(&self, name: &str) -> Result<(), ExtendError> {
        schedules::delete(self, name).await
    }

    async fn sync_schedules(&self, wanted: &[crate::Wanted], apply: bool) -> Result<Vec<Change>, ExtendError> {
        schedules::sync(self, wanted, apply).await
    }
}
