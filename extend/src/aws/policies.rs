//! The IAM roles' documents: who may assume each role (trust) and what it may do, least privilege. The task role
//! reaches the state bucket, the parameter path and, beyond that, only what `--allow` grants; the scheduler role
//! may run only this Extended Laptop's task definition and pass only its two roles.

use serde_json::{Value, json};

use super::ExtendError;
use super::names::Names;

/// The AWS-managed policy that lets ECS pull from ECR and write the container's logs.
pub const TASK_EXECUTION_MANAGED_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
pub const READ_ONLY_MANAGED_POLICY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// What `--allow` grants the task role beyond its state: the operations scheduled playbooks may perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allow {
    /// AWS's `ReadOnlyAccess`: queries and inventory everywhere.
    ReadOnly,
    /// Describe, start and stop EC2 instances.
    Ec2StartStop,
    /// Describe, start and stop RDS instances.
    RdsStartStop,
    /// Assume a role in another account (that account's role trusts this task role).
    AssumeRole(String),
}

impl std::fmt::Display for Allow {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Allow::ReadOnly => formatter.write_str("read-only"),
            Allow::Ec2StartStop => formatter.write_str("ec2-start-stop"),
            Allow::RdsStartStop => formatter.write_str("rds-start-stop"),
            Allow::AssumeRole(arn) => write!(formatter, "assume-role={arn}"),
        }
    }
}

impl std::str::FromStr for Allow {
    type Err = ExtendError;

    fn from_str(text: &str) -> Result<Allow, ExtendError> {
        match text.split_once('=') {
            None if text == "read-only" => Ok(Allow::ReadOnly),
            None if text == "ec2-start-stop" => Ok(Allow::Ec2StartStop),
            None if text == "rds-start-stop" => Ok(Allow::RdsStartStop),
            Some(("assume-role", arn)) if arn.starts_with("arn:aws:iam::") && arn.contains(":role/") => {
                Ok(Allow::AssumeRole(arn.to_string()))
            }
            _ => Err(ExtendError::Usage(format!(
                "--allow {text}: expected read-only, ec2-start-stop, rds-start-stop or assume-role=arn:aws:iam::ACCOUNT:role/NAME"
            ))),
        }
    }
}

fn trust(service: &str, account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole",
            // Only for this account's own ECS tasks and schedules (the confused-deputy guard).
            "Condition": { "StringEquals": { "aws:SourceAccount": account } }
        }]
    })
}

/// One role as Escher wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleSpec {
    pub name: String,
    pub purpose: &'static str,
    pub trust: Value,
    /// The inline policy, named `escher`.
    pub inline: Value,
    pub managed: Vec<String>,
}

impl RoleSpec {
    /// The plan's view of it: trust, managed policies and the inline policy.
    pub fn document(&self) -> String {
        let mut text = format!("trusts: {}", self.trust["Statement"][0]["Principal"]["Service"].as_str().unwrap_or(""));
        for arn in &self.managed {
            text.push_str(&format!("\nmanaged policy: {arn}"));
        }
        let inline = serde_json::to_string_pretty(&self.inline).unwrap_or_default();
        text.push_str(&format!("\ninline policy `{INLINE_POLICY}`:\n{inline}"));
        text
    }
}

pub const INLINE_POLICY: &str = "escher";

/// The task execution role: ECS itself, pulling the image, writing logs and reading the parameters a task
/// definition's `secrets` name.
pub fn execution_role(names: &Names) -> RoleSpec {
    RoleSpec {
        name: names.execution_role(),
        purpose: "ECS pulls the image, writes the logs, reads the parameter path",
        trust: trust("ecs-tasks.amazonaws.com", &names.account),
        inline: json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Parameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameters"],
                "Resource": names.parameters_arn()
            }]
        }),
        managed: vec![TASK_EXECUTION_MANAGED_POLICY.to_string()],
    }
}

/// The task role: what the engine in the container may do.
pub fn task_role(names: &Names, allow: &[Allow]) -> RoleSpec {
    let bucket = names.bucket_arn();
    let mut statements = vec![
        json!({
            "Sid": "StateBucket",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
            "Resource": bucket
        }),
        json!({
            "Sid": "StateObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
            "Resource": format!("{bucket}/*")
        }),
        json!({
            "Sid": "Parameters",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            "Resource": names.parameters_arn()
        }),
    ];
    let mut managed = Vec::new();
    for grant in allow {
        match grant {
            Allow::ReadOnly => managed.push(READ_ONLY_MANAGED_POLICY.to_string()),
            Allow::Ec2StartStop => statements.push(json!({
                "Sid": "Ec2StartStop",
                "Effect": "Allow",
                "Action": ["ec2:DescribeInstances", "ec2:DescribeRegions", "ec2:StartInstances", "ec2:StopInstances"],
                "Resource": "*"
            })),
            Allow::RdsStartStop => statements.push(json!({
                "Sid": "RdsStartStop",
                "Effect": "Allow",
                "Action": ["rds:DescribeDBInstances", "rds:StartDBInstance", "rds:StopDBInstance"],
                "Resource": "*"
            })),
            Allow::AssumeRole(arn) => statements.push(json!({
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": arn
            })),
        }
    }
    RoleSpec {
        name: names.task_role(),
        purpose: "the engine: its state, its parameters, and what --allow grants",
        trust: trust("ecs-tasks.amazonaws.com", &names.account),
        inline: json!({ "Version": "2012-10-17", "Statement": statements }),
        managed,
    }
}

/// The scheduler's role: run this task definition on this cluster, passing its two roles, nothing else.
pub fn scheduler_role(names: &Names) -> RoleSpec {
    RoleSpec {
        name: names.scheduler_role(),
        purpose: "EventBridge Scheduler starts the task",
        trust: trust("scheduler.amazonaws.com", &names.account),
        inline: json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "RunTheTask",
                    "Effect": "Allow",
                    "Action": "ecs:RunTask",
                    "Resource": names.task_definitions_arn(),
                    "Condition": { "ArnEquals": { "ecs:cluster": names.cluster_arn() } }
                },
                {
                    "Sid": "PassItsRoles",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": [names.role_arn(&names.execution_role()), names.role_arn(&names.task_role())],
                    "Condition": { "StringEquals": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }
                }
            ]
        }),
        managed: Vec::new(),
    }
}

/// Whether a document IAM returns (URL-encoded JSON) says the same as `wanted`.
pub fn same_document(returned: &str, wanted: &Value) -> bool {
    let decoded = percent_decode(returned);
    serde_json::from_str::<Value>(&decoded).is_ok_and(|value| normalized(&value) == normalized(wanted))
}

/// IAM hands back a one-element list as a string and vice versa depending on how it was written: compare
/// lists of one as their element.
fn normalized(value: &Value) -> Value {
    match value {
        Value::Array(items) if items.len() == 1 => normalized(&items[0]),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(key, value)| (key.clone(), normalized(value))).collect()),
        other => other.clone(),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|byte| (*byte as char).to_digit(16));
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                index += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                index += 1;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new("lab", "123456789012", "eu-west-1", None).expect("valid")
    }

    #[test]
    fn the_task_role_reaches_its_bucket_and_path_and_only_what_is_allowed() {
        let plain = task_role(&names(), &[]);
        let text = plain.inline.to_string();
        assert!(text.contains("arn:aws:s3:::escher-lab-state/*"), "{text}");
        assert!(text.contains("parameter/escher/lab/*"), "{text}");
        assert!(!text.contains("ec2:"), "nothing beyond the state without --allow: {text}");
        assert!(plain.managed.is_empty());

        let allowed = task_role(&names(), &["ec2-start-stop".parse().expect("preset"), Allow::ReadOnly]);
        assert!(allowed.inline.to_string().contains("ec2:StopInstances"));
        assert_eq!(allowed.managed, [READ_ONLY_MANAGED_POLICY]);
        assert!("assume-role=not-an-arn".parse::<Allow>().is_err());
        assert!("admin".parse::<Allow>().is_err());
    }

    #[test]
    fn the_scheduler_may_run_only_this_task_definition() {
        let role = scheduler_role(&names());
        assert_eq!(
            role.inline["Statement"][0]["Resource"],
            "arn:aws:ecs:eu-west-1:123456789012:task-definition/escher-lab:*"
        );
        assert_eq!(role.trust["Statement"][0]["Principal"]["Service"], "scheduler.amazonaws.com");
    }

    #[test]
    fn a_url_encoded_document_with_single_element_lists_is_the_same() {
        let wanted = json!({"Version": "2012-10-17", "Statement": [{"Action": ["s3:GetObject"], "Resource": "*"}]});
        let returned = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%7D";
        assert!(same_document(returned, &wanted));
        assert!(!same_document(&returned.replace("GetObject", "PutObject"), &wanted));
    }
}
