//! The names and ARNs of one Extended Laptop's resources, all derived from its name, so that a rerun finds
//! what an earlier (perhaps killed) run created instead of creating it again.

use super::ExtendError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub name: String,
    pub account: String,
    pub region: String,
    pub bucket: String,
}

impl Names {
    /// `name`: 3 to 24 lowercase letters, digits and inner hyphens (it goes into S3, IAM and ECR names, whose
    /// rules these are the intersection of). `bucket` overrides the state bucket's name (S3's are global).
    pub fn new(name: &str, account: &str, region: &str, bucket: Option<&str>) -> Result<Names, ExtendError> {
        let valid = (3..=24).contains(&name.len())
            && name.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !valid {
            return Err(ExtendError::Usage(format!(
                "`{name}` cannot name an Extended Laptop: use 3 to 24 lowercase letters, digits and inner hyphens"
            )));
        }
        Ok(Names {
            name: name.to_string(),
            account: account.to_string(),
            region: region.to_string(),
            bucket: bucket.map_or_else(|| format!("escher-{name}-state"), str::to_string),
        })
    }

    /// The common prefix: `escher-NAME`.
    pub fn prefix(&self) -> String {
        format!("escher-{}", self.name)
    }

    pub fn parameter_path(&self) -> String {
        format!("/escher/{}/", self.name)
    }

    pub fn log_group(&self) -> String {
        format!("/escher/{}", self.name)
    }

    pub fn repository(&self) -> String {
        self.prefix()
    }

    pub fn cluster(&self) -> String {
        self.prefix()
    }

    pub fn task_family(&self) -> String {
        self.prefix()
    }

    pub fn schedule_group(&self) -> String {
        self.prefix()
    }

    pub fn security_group(&self) -> String {
        format!("{}-task", self.prefix())
    }

    pub fn execution_role(&self) -> String {
        format!("{}-execution", self.prefix())
    }

    pub fn task_role(&self) -> String {
        format!("{}-task", self.prefix())
    }

    pub fn scheduler_role(&self) -> String {
        format!("{}-scheduler", self.prefix())
    }

    pub fn role_arn(&self, role: &str) -> String {
        format!("arn:aws:iam::{}:role/{role}", self.account)
    }

    pub fn bucket_arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.bucket)
    }

    pub fn parameters_arn(&self) -> String {
        format!("arn:aws:ssm:{}:{}:parameter/escher/{}/*", self.region, self.account, self.name)
    }

    pub fn log_group_arn(&self) -> String {
        format!("arn:aws:logs:{}:{}:log-group:{}:*", self.region, self.account, self.log_group())
    }

    pub fn cluster_arn(&self) -> String {
        format!("arn:aws:ecs:{}:{}:cluster/{}", self.region, self.account, self.cluster())
    }

    /// Every revision of the task definition: the scheduler may run no other task.
    pub fn task_definitions_arn(&self) -> String {
        format!("arn:aws:ecs:{}:{}:task-definition/{}:*", self.region, self.account, self.task_family())
    }

    /// Where the state lives: `s3://BUCKET`.
    pub fn state_url(&self) -> String {
        format!("s3://{}", self.bucket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_derived() {
        let names = Names::new("lab", "123456789012", "eu-west-1", None).expect("valid");
        assert_eq!(names.bucket, "escher-lab-state");
        assert_eq!(names.role_arn(&names.task_role()), "arn:aws:iam::123456789012:role/escher-lab-task");
        assert_eq!(names.task_definitions_arn(), "arn:aws:ecs:eu-west-1:123456789012:task-definition/escher-lab:*");
        for bad in ["la", "Lab", "lab_1", "-lab", "lab-", "a-name-much-longer-than-allowed"] {
            assert!(Names::new(bad, "1", "eu-west-1", None).is_err(), "{bad}");
        }
        assert_eq!(Names::new("lab", "1", "r", Some("my-bucket")).expect("valid").bucket, "my-bucket");
    }
}
