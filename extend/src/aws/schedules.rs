//! Escher's schedules as EventBridge Scheduler schedules in the Extended Laptop's group: each starts the Fargate
//! task at its time, telling the container which occurrence it was started for (`--at`, from the context
//! attribute `<aws.scheduler.scheduled-time>`), so two starts for one occurrence run it once (the claim in the
//! state bucket decides). The state bucket stays the truth; [`sync`] brings the account in line with it.

use aws_sdk_ec2::types::Filter;
use aws_sdk_scheduler::types::{
    AssignPublicIp, AwsVpcConfiguration, EcsParameters, FlexibleTimeWindow, FlexibleTimeWindowMode, LaunchType,
    NetworkConfiguration, RetryPolicy, ScheduleState, Target,
};
use serde_json::json;

use super::cron::{Translated, to_eventbridge};
use super::resources::compute::{CONTAINER, security_group_id};
use super::resources::failed;
use super::{AwsExtension, ExtendError};
use crate::plan::{Action, Change};

pub use crate::Wanted;

/// A schedule as EventBridge holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InAccount {
    pub name: String,
    pub expression: String,
    pub tz: String,
    pub input: String,
}

/// The command the container runs for one occurrence (EventBridge fills in the time).
pub fn occurrence_command(on: &AwsExtension) -> Vec<String> {
    ["job", "run-due", "--state", &on.names.state_url(), "--at", "<aws.scheduler.scheduled-time>", "--exit-when-idle"]
        .map(str::to_string)
        .to_vec()
}

/// The RunTask overrides EventBridge passes: the container's command for this occurrence.
fn input(on: &AwsExtension) -> String {
    json!({ "containerOverrides": [{ "name": CONTAINER, "command": occurrence_command(on) }] }).to_string()
}

async fn target(on: &AwsExtension) -> Result<Target, ExtendError> {
    let names = &on.names;
    let vpc = super::resources::compute::default_vpc(on).await?;
    let subnets = on
        .clients
        .ec2
        .describe_subnets()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .map_err(failed("ec2:DescribeSubnets"))?;
    let subnets: Vec<String> =
        subnets.subnets().iter().filter_map(|subnet| subnet.subnet_id().map(str::to_string)).collect();
    let group = security_group_id(on).await?.ok_or_else(|| {
        ExtendError::Refused(format!(
            "the security group {} is missing: run `escher extend aws --name {}`",
            names.security_group(),
            names.name
        ))
    })?;
    let network = AwsVpcConfiguration::builder()
        .set_subnets(Some(subnets))
        .security_groups(group)
        // In the default VPC the task reaches ECR, S3 and the clouds' APIs through its public address.
        .assign_public_ip(AssignPublicIp::Enabled)
        .build()
        .map_err(failed("scheduler:CreateSchedule"))?;
    let family = format!("arn:aws:ecs:{}:{}:task-definition/{}", names.region, names.account, names.task_family());
    let ecs = EcsParameters::builder()
        .task_definition_arn(family)
        .launch_type(LaunchType::Fargate)
        .task_count(1)
        .network_configuration(NetworkConfiguration::builder().awsvpc_configuration(network).build())
        .build()
        .map_err(failed("scheduler:CreateSchedule"))?;
    Target::builder()
        .arn(names.cluster_arn())
        .role_arn(names.role_arn(&names.scheduler_role()))
        .ecs_parameters(ecs)
        .input(input(on))
        .retry_policy(RetryPolicy::builder().maximum_retry_attempts(2).build())
        .build()
        .map_err(failed("scheduler:CreateSchedule"))
}

/// Creates or updates the schedule `wanted.name`.
pub async fn put(on: &AwsExtension, wanted: &Wanted) -> Result<Translated, ExtendError> {
    let translated = to_eventbridge(&wanted.cron)?;
    let target = target(on).await?;
    let window = FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Off)
        .build()
        .map_err(failed("scheduler:CreateSchedule"))?;
    let scheduler = &on.clients.scheduler;
    let exists = get(on, &wanted.name).await?.is_some();
    if exists {
        scheduler
            .update_schedule()
            .group_name(on.names.schedule_group())
            .name(&wanted.name)
            .schedule_expression(&translated.expression)
            .schedule_expression_timezone(&wanted.tz)
            .flexible_time_window(window)
            .target(target)
            .state(ScheduleState::Enabled)
            .send()
            .await
            .map_err(failed("scheduler:UpdateSchedule"))?;
    } else {
        scheduler
            .create_schedule()
            .group_name(on.names.schedule_group())
            .name(&wanted.name)
            .description(format!("Escher schedule {} of Extended Laptop {}", wanted.name, on.names.name))
            .schedule_expression(&translated.expression)
            .schedule_expression_timezone(&wanted.tz)
            .flexible_time_window(window)
            .target(target)
            .state(ScheduleState::Enabled)
            .send()
            .await
            .map_err(failed("scheduler:CreateSchedule"))?;
    }
    Ok(translated)
}

pub async fn delete(on: &AwsExtension, name: &str) -> Result<(), ExtendError> {
    match on.clients.scheduler.delete_schedule().group_name(on.names.schedule_group()).name(name).send().await {
        Ok(_) => Ok(()),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_resource_not_found_exception()) => Ok(()),
        Err(error) => Err(ExtendError::cloud("scheduler:DeleteSchedule", &error)),
    }
}

pub async fn get(on: &AwsExtension, name: &str) -> Result<Option<InAccount>, ExtendError> {
    match on.clients.scheduler.get_schedule().group_name(on.names.schedule_group()).name(name).send().await {
        Ok(answer) => Ok(Some(InAccount {
            name: name.to_string(),
            expression: answer.schedule_expression().unwrap_or_default().to_string(),
            tz: answer.schedule_expression_timezone().unwrap_or("UTC").to_string(),
            input: answer.target().and_then(|target| target.input()).unwrap_or_default().to_string(),
        })),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_resource_not_found_exception()) => Ok(None),
        Err(error) => Err(ExtendError::cloud("scheduler:GetSchedule", &error)),
    }
}

/// Every schedule in the group.
pub async fn list(on: &AwsExtension) -> Result<Vec<InAccount>, ExtendError> {
    let mut names = Vec::new();
    let mut pages = on.clients.scheduler.list_schedules().group_name(on.names.schedule_group()).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("scheduler:ListSchedules"))?;
        names.extend(page.schedules().iter().filter_map(|schedule| schedule.name().map(str::to_string)));
    }
    let mut found = Vec::new();
    for name in names {
        found.extend(get(on, &name).await?);
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// What differs between the bucket's schedules and the account's: `+` missing in the account, `~` different,
/// `-` in the account only. With `apply`, each is put right.
pub async fn sync(on: &AwsExtension, wanted: &[Wanted], apply: bool) -> Result<Vec<Change>, ExtendError> {
    let present = list(on).await?;
    let mut changes = Vec::new();
    for schedule in wanted {
        let translated = to_eventbridge(&schedule.cron)?;
        let summary = format!("{} in {}", translated.expression, schedule.tz);
        let change = match present.iter().find(|found| found.name == schedule.name) {
            None => Change::new(Action::Create, "scheduler schedule", &schedule.name, summary),
            Some(found) => {
                let mut differences = Vec::new();
                if found.expression != translated.expression || found.tz != schedule.tz {
                    differences.push(format!("the account has {} in {}", found.expression, found.tz));
                }
                if found.input != input(on) {
                    differences.push("its task command differs".to_string());
                }
                let action = if differences.is_empty() { Action::Keep } else { Action::Update };
                Change::new(action, "scheduler schedule", &schedule.name, summary).with_differences(differences)
            }
        };
        if apply && matches!(change.action, Action::Create | Action::Update) {
            put(on, schedule).await?;
        }
        changes.push(change);
    }
    for found in present.iter().filter(|found| !wanted.iter().any(|schedule| schedule.name == found.name)) {
        let change = Change::new(
            Action::Delete,
            "scheduler schedule",
            &found.name,
            format!("{} in {}", found.expression, found.tz),
        )
        .with_differences(vec!["not in the state bucket".to_string()]);
        if apply {
            delete(on, &found.name).await?;
        }
        changes.push(change);
    }
    Ok(changes)
}
