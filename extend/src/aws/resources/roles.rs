//! The IAM roles: trust policy, the inline policy `escher` and the managed policies, each compared with what
//! Escher wants and written back when it differs. A managed policy attached outside Escher is drift too, and is
//! detached: least privilege is what the plan listed.

use std::collections::BTreeSet;

use aws_sdk_iam::types::Tag;

use super::failed;
use crate::ExtendError;
use crate::aws::policies::{INLINE_POLICY, RoleSpec, same_document};
use crate::aws::{AwsExtension, Found};

fn no_such_entity(error: &impl aws_sdk_iam::error::ProvideErrorMetadata) -> bool {
    error.code() == Some("NoSuchEntity")
}

pub async fn observe(on: &AwsExtension, role: &RoleSpec) -> Result<Found, ExtendError> {
    let iam = &on.clients.iam;
    let found = match iam.get_role().role_name(&role.name).send().await {
        Ok(answer) => answer.role,
        Err(error) if no_such_entity(&error) => None,
        Err(error) => return Err(ExtendError::cloud("iam:GetRole", &error)),
    };
    let Some(found) = found else {
        return Ok(Found::Missing);
    };
    let mut differences = Vec::new();
    if !found.assume_role_policy_document().is_some_and(|document| same_document(document, &role.trust)) {
        differences.push("the trust policy differs".to_string());
    }
    match iam.get_role_policy().role_name(&role.name).policy_name(INLINE_POLICY).send().await {
        Ok(answer) if same_document(answer.policy_document(), &role.inline) => {}
        Ok(_) => differences.push(format!("the inline policy `{INLINE_POLICY}` differs")),
        Err(error) if no_such_entity(&error) => {
            differences.push(format!("the inline policy `{INLINE_POLICY}` is missing"))
        }
        Err(error) => return Err(ExtendError::cloud("iam:GetRolePolicy", &error)),
    }
    let attached = attached_policies(on, &role.name).await?;
    let wanted: BTreeSet<&str> = role.managed.iter().map(String::as_str).collect();
    for arn in wanted.iter().filter(|arn| !attached.contains(**arn)) {
        differences.push(format!("managed policy {arn} is not attached"));
    }
    for arn in attached.iter().filter(|arn| !wanted.contains(arn.as_str())) {
        differences.push(format!("managed policy {arn} is attached outside Escher"));
    }
    Ok(Found::Present { id: found.arn, differences })
}

async fn attached_policies(on: &AwsExtension, role: &str) -> Result<BTreeSet<String>, ExtendError> {
    let mut attached = BTreeSet::new();
    let mut pages = on.clients.iam.list_attached_role_policies().role_name(role).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("iam:ListAttachedRolePolicies"))?;
        attached.extend(page.attached_policies().iter().filter_map(|policy| policy.policy_arn().map(str::to_string)));
    }
    Ok(attached)
}

pub async fn create(on: &AwsExtension, role: &RoleSpec) -> Result<String, ExtendError> {
    let tag = Tag::builder().key("escher").value(&on.names.name).build().map_err(failed("iam:CreateRole"))?;
    let created = on
        .clients
        .iam
        .create_role()
        .role_name(&role.name)
        .assume_role_policy_document(role.trust.to_string())
        .description(format!("Escher Extended Laptop `{}`: {}", on.names.name, role.purpose))
        .tags(tag)
        .send()
        .await;
    match created {
        Ok(_) => {}
        // Created by a run killed before it wrote the policies: they are written below.
        Err(error) if aws_sdk_iam::error::ProvideErrorMetadata::code(&error) == Some("EntityAlreadyExists") => {}
        Err(error) => return Err(ExtendError::cloud("iam:CreateRole", &error)),
    }
    update(on, role).await
}

pub async fn update(on: &AwsExtension, role: &RoleSpec) -> Result<String, ExtendError> {
    let iam = &on.clients.iam;
    iam.update_assume_role_policy()
        .role_name(&role.name)
        .policy_document(role.trust.to_string())
        .send()
        .await
        .map_err(failed("iam:UpdateAssumeRolePolicy"))?;
    iam.put_role_policy()
        .role_name(&role.name)
        .policy_name(INLINE_POLICY)
        .policy_document(role.inline.to_string())
        .send()
        .await
        .map_err(failed("iam:PutRolePolicy"))?;
    let attached = attached_policies(on, &role.name).await?;
    for arn in role.managed.iter().filter(|arn| !attached.contains(*arn)) {
        iam.attach_role_policy()
            .role_name(&role.name)
            .policy_arn(arn)
            .send()
            .await
            .map_err(failed("iam:AttachRolePolicy"))?;
    }
    for arn in attached.iter().filter(|arn| !role.managed.contains(arn)) {
        iam.detach_role_policy()
            .role_name(&role.name)
            .policy_arn(arn)
            .send()
            .await
            .map_err(failed("iam:DetachRolePolicy"))?;
    }
    Ok(on.names.role_arn(&role.name))
}

/// Detaches and deletes its policies, then the role.
pub async fn delete(on: &AwsExtension, role: &str) -> Result<(), ExtendError> {
    let iam = &on.clients.iam;
    for arn in attached_policies(on, role).await? {
        iam.detach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
            .map_err(failed("iam:DetachRolePolicy"))?;
    }
    let inline = iam.list_role_policies().role_name(role).send().await.map_err(failed("iam:ListRolePolicies"))?;
    for name in inline.policy_names() {
        iam.delete_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await
            .map_err(failed("iam:DeleteRolePolicy"))?;
    }
    match iam.delete_role().role_name(role).send().await {
        Ok(_) => Ok(()),
        Err(error) if no_such_entity(&error) => Ok(()),
        Err(error) => Err(ExtendError::cloud("iam:DeleteRole", &error)),
    }
}
