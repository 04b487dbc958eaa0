//! Where the container runs: a security group in the default VPC, the ECS cluster, the Fargate task definition
//! and the EventBridge Scheduler schedule group its schedules go into.

use aws_sdk_ec2::types::Filter;
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, CpuArchitecture, KeyValuePair, LogConfiguration, LogDriver, NetworkMode,
    OsFamily, RuntimePlatform, TaskDefinitionStatus,
};

use super::failed;
use super::registry::{image_reference, registry};
use crate::ExtendError;
use crate::aws::{AwsExtension, Found};

/// The container's name in the task definition.
pub const CONTAINER: &str = "escher";

/// What the container runs when started without overrides: what is due in the state bucket now, then it
/// exits. A schedule's start names its occurrence (`crate::aws::schedules::occurrence_command`).
pub fn command(on: &AwsExtension) -> Vec<String> {
    ["job", "run-due", "--state", &on.names.state_url(), "--exit-when-idle"].map(str::to_string).to_vec()
}

pub(crate) async fn default_vpc(on: &AwsExtension) -> Result<String, ExtendError> {
    let answer = on
        .clients
        .ec2
        .describe_vpcs()
        .filters(Filter::builder().name("isDefault").values("true").build())
        .send()
        .await
        .map_err(failed("ec2:DescribeVpcs"))?;
    answer.vpcs().first().and_then(|vpc| vpc.vpc_id()).map(str::to_string).ok_or_else(|| {
        ExtendError::Refused(format!(
            "the region {} has no default VPC, which the Fargate task runs in (`aws ec2 create-default-vpc` makes one)",
            on.names.region
        ))
    })
}

pub(crate) async fn security_group_id(on: &AwsExtension) -> Result<Option<String>, ExtendError> {
    let vpc = default_vpc(on).await?;
    let answer = on
        .clients
        .ec2
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values(on.names.security_group()).build())
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .map_err(failed("ec2:DescribeSecurityGroups"))?;
    Ok(answer.security_groups().first().and_then(|group| group.group_id()).map(str::to_string))
}

pub async fn observe_security_group(on: &AwsExtension) -> Result<Found, ExtendError> {
    let Some(id) = security_group_id(on).await? else {
        return Ok(Found::Missing);
    };
    let answer = on
        .clients
        .ec2
        .describe_security_groups()
        .group_ids(&id)
        .send()
        .await
        .map_err(failed("ec2:DescribeSecurityGroups"))?;
    let inbound = answer.security_groups().first().map_or(0, |group| group.ip_permissions().len());
    let differences = if inbound == 0 { Vec::new() } else { vec![format!("{inbound} inbound rule(s) were added")] };
    Ok(Found::Present { id, differences })
}

pub async fn create_security_group(on: &AwsExtension) -> Result<String, ExtendError> {
    if let Some(id) = security_group_id(on).await? {
        return revoke_inbound(on, id).await;
    }
    let vpc = default_vpc(on).await?;
    let created = on
        .clients
        .ec2
        .create_security_group()
        .group_name(on.names.security_group())
        .description(format!("Escher Extended Laptop {}: the engine's task, no inbound", on.names.name))
        .vpc_id(vpc)
        .send()
        .await
        .map_err(failed("ec2:CreateSecurityGroup"))?;
    Ok(created.group_id().unwrap_or_default().to_string())
}

/// Drift on the security group is an inbound rule: every one is revoked.
async fn revoke_inbound(on: &AwsExtension, id: String) -> Result<String, ExtendError> {
    let ec2 = &on.clients.ec2;
    let answer =
        ec2.describe_security_groups().group_ids(&id).send().await.map_err(failed("ec2:DescribeSecurityGroups"))?;
    let inbound = answer.security_groups().first().map(|group| group.ip_permissions().to_vec()).unwrap_or_default();
    if !inbound.is_empty() {
        ec2.revoke_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(inbound))
            .send()
            .await
            .map_err(failed("ec2:RevokeSecurityGroupIngress"))?;
    }
    Ok(id)
}

pub async fn delete_security_group(on: &AwsExtension) -> Result<(), ExtendError> {
    if let Some(id) = security_group_id(on).await? {
        on.clients.ec2.delete_security_group().group_id(id).send().await.map_err(failed("ec2:DeleteSecurityGroup"))?;
    }
    Ok(())
}

pub async fn observe_cluster(on: &AwsExtension) -> Result<Found, ExtendError> {
    let answer = on
        .clients
        .ecs
        .describe_clusters()
        .clusters(on.names.cluster())
        .send()
        .await
        .map_err(failed("ecs:DescribeClusters"))?;
    // A deleted cluster stays listed a while as INACTIVE.
    Ok(answer.clusters().iter().find(|cluster| cluster.status() == Some("ACTIVE")).map_or(Found::Missing, |cluster| {
        Found::Present { id: cluster.cluster_arn().unwrap_or_default().to_string(), differences: Vec::new() }
    }))
}

pub async fn create_cluster(on: &AwsExtension) -> Result<String, ExtendError> {
    // CreateCluster answers with the existing cluster when it is there: it is idempotent.
    let created = on
        .clients
        .ecs
        .create_cluster()
        .cluster_name(on.names.cluster())
        .send()
        .await
        .map_err(failed("ecs:CreateCluster"))?;
    Ok(created.cluster().and_then(|cluster| cluster.cluster_arn()).unwrap_or_default().to_string())
}

pub async fn delete_cluster(on: &AwsExtension) -> Result<(), ExtendError> {
    match on.clients.ecs.delete_cluster().cluster(on.names.cluster()).send().await {
        Ok(_) => Ok(()),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_cluster_not_found_exception()) => Ok(()),
        Err(error) => Err(ExtendError::cloud("ecs:DeleteCluster", &error)),
    }
}

/// The environment the container starts with: where its state and parameters are. No secret is in it.
fn environment(on: &AwsExtension) -> Vec<(String, String)> {
    vec![
        ("AWS_REGION".to_string(), on.names.region.clone()),
        ("ESCHER_EXTEND_NAME".to_string(), on.names.name.clone()),
        ("ESCHER_STATE".to_string(), on.names.state_url()),
        ("ESCHER_SECRETS_SSM_PATH".to_string(), on.names.parameter_path()),
    ]
}

pub async fn observe_task_definition(on: &AwsExtension) -> Result<Found, ExtendError> {
    let answer = on.clients.ecs.describe_task_definition().task_definition(on.names.task_family()).send().await;
    let definition = match answer {
        Ok(answer) => answer.task_definition,
        // ECS says "Unable to describe task definition." as a ClientException when the family has none.
        Err(error) if error.as_service_error().is_some_and(|error| error.is_client_exception()) => None,
        Err(error) => return Err(ExtendError::cloud("ecs:DescribeTaskDefinition", &error)),
    };
    let Some(definition) = definition.filter(|definition| definition.status() == Some(&TaskDefinitionStatus::Active))
    else {
        return Ok(Found::Missing);
    };
    let (execution, task) = on.task_roles();
    let mut differences = Vec::new();
    let mut differs = |what: &str, now: Option<String>, wanted: String| {
        if now.as_deref() != Some(wanted.as_str()) {
            differences.push(format!("{what} is {}, not {wanted}", now.unwrap_or_else(|| "unset".to_string())));
        }
    };
    let container = definition.container_definitions().iter().find(|container| container.name() == Some(CONTAINER));
    // Without an image to compare (destroy, status), the running one is as good as any.
    if on.image.is_some() {
        let wanted = image_reference(&registry(on).await?, on)?;
        differs("the image", container.and_then(|c| c.image()).map(str::to_string), wanted);
    }
    differs("the command", container.map(|c| c.command().join(" ")), command(on).join(" "));
    differs(
        "the execution role",
        definition.execution_role_arn().map(str::to_string),
        on.names.role_arn(&execution.name),
    );
    differs("the task role", definition.task_role_arn().map(str::to_string), on.names.role_arn(&task.name));
    differs("the CPU", definition.cpu().map(str::to_string), on.settings.cpu.to_string());
    differs("the memory", definition.memory().map(str::to_string), on.settings.memory_mib.to_string());
    let mut environment: Vec<String> = container
        .map(|c| {
            c.environment()
                .iter()
                .map(|pair| format!("{}={}", pair.name().unwrap_or(""), pair.value().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    environment.sort();
    let mut wanted: Vec<String> = self::environment(on).iter().map(|(name, value)| format!("{name}={value}")).collect();
    wanted.sort();
    if environment != wanted {
        differences.push("the environment differs".to_string());
    }
    Ok(Found::Present { id: definition.task_definition_arn().unwrap_or_default().to_string(), differences })
}

/// Registers a new revision (task definitions are immutable; the newest active one is what runs).
pub async fn register_task_definition(on: &AwsExtension) -> Result<String, ExtendError> {
    let registry = registry(on).await?;
    let (execution, task) = on.task_roles();
    let logs = LogConfiguration::builder()
        .log_driver(LogDriver::Awslogs)
        .options("awslogs-group", on.names.log_group())
        .options("awslogs-region", &on.names.region)
        .options("awslogs-stream-prefix", CONTAINER)
        .build()
        .map_err(failed("ecs:RegisterTaskDefinition"))?;
    let environment =
        environment(on).into_iter().map(|(name, value)| KeyValuePair::builder().name(name).value(value).build());
    let container = ContainerDefinition::builder()
        .name(CONTAINER)
        .image(image_reference(&registry, on)?)
        .essential(true)
        .set_command(Some(command(on)))
        .set_environment(Some(environment.collect()))
        .memory(on.settings.memory_mib as i32)
        .log_configuration(logs)
        .build();
    let architecture = match on.image()?.architecture.as_str() {
        "arm64" => CpuArchitecture::Arm64,
        _ => CpuArchitecture::X8664,
    };
    let registered = on
        .clients
        .ecs
        .register_task_definition()
        .family(on.names.task_family())
        .requires_compatibilities(Compatibility::Fargate)
        .network_mode(NetworkMode::Awsvpc)
        .cpu(on.settings.cpu.to_string())
        .memory(on.settings.memory_mib.to_string())
        .runtime_platform(
            RuntimePlatform::builder().operating_system_family(OsFamily::Linux).cpu_architecture(architecture).build(),
        )
        .execution_role_arn(on.names.role_arn(&execution.name))
        .task_role_arn(on.names.role_arn(&task.name))
        .container_definitions(container)
        .send()
        .await
        .map_err(failed("ecs:RegisterTaskDefinition"))?;
    Ok(registered
        .task_definition()
        .and_then(|definition| definition.task_definition_arn())
        .unwrap_or_default()
        .to_string())
}

/// Deregisters every active revision of the family.
pub async fn deregister_task_definitions(on: &AwsExtension) -> Result<(), ExtendError> {
    let ecs = &on.clients.ecs;
    let mut arns = Vec::new();
    let mut pages = ecs
        .list_task_definitions()
        .family_prefix(on.names.task_family())
        .status(TaskDefinitionStatus::Active)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        arns.extend(page.map_err(failed("ecs:ListTaskDefinitions"))?.task_definition_arns().iter().cloned());
    }
    for arn in arns {
        ecs.deregister_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(failed("ecs:DeregisterTaskDefinition"))?;
    }
    Ok(())
}

pub async fn observe_schedule_group(on: &AwsExtension) -> Result<Found, ExtendError> {
    match on.clients.scheduler.get_schedule_group().name(on.names.schedule_group()).send().await {
        Ok(answer) => Ok(Found::Present { id: answer.arn().unwrap_or_default().to_string(), differences: Vec::new() }),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_resource_not_found_exception()) => {
            Ok(Found::Missing)
        }
        Err(error) => Err(ExtendError::cloud("scheduler:GetScheduleGroup", &error)),
    }
}

pub async fn create_schedule_group(on: &AwsExtension) -> Result<String, ExtendError> {
    match on.clients.scheduler.create_schedule_group().name(on.names.schedule_group()).send().await {
        Ok(answer) => Ok(answer.schedule_group_arn().to_string()),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_conflict_exception()) => {
            observe_schedule_group(on).await.map(|found| found.id().unwrap_or_default().to_string())
        }
        Err(error) => Err(ExtendError::cloud("scheduler:CreateScheduleGroup", &error)),
    }
}

/// Deletes the group's schedules, then the group.
pub async fn delete_schedule_group(on: &AwsExtension) -> Result<(), ExtendError> {
    let scheduler = &on.clients.scheduler;
    let group = on.names.schedule_group();
    let mut names = Vec::new();
    let mut pages = scheduler.list_schedules().group_name(&group).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("scheduler:ListSchedules"))?;
        names.extend(page.schedules().iter().filter_map(|schedule| schedule.name().map(str::to_string)));
    }
    for name in names {
        scheduler
            .delete_schedule()
            .group_name(&group)
            .name(name)
            .send()
            .await
            .map_err(failed("scheduler:DeleteSchedule"))?;
    }
    match scheduler.delete_schedule_group().name(&group).send().await {
        Ok(_) => Ok(()),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_resource_not_found_exception()) => Ok(()),
        Err(error) => Err(ExtendError::cloud("scheduler:DeleteScheduleGroup", &error)),
    }
}
