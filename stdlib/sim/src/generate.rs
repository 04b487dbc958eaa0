//! Generated estates of any size, for benchmarks and tests: every kind the simulator holds, in several
//! accounts, regions and environments, with attachments and snapshots that point at real resources. The same
//! size and seed give the same estate.

use chrono::{DateTime, Duration, Utc};

use crate::build::{self, AzurePlace, Draft, HostedZone, SecurityGroup};
use crate::estate::{Account, Estate, ids, timestamp};
use crate::rng::SplitMix;

/// The clock of generated estates.
pub(crate) const GENERATED_NOW: &str = "2025-06-02T19:00:00Z";

const ENVS: &[&str] = &["prod", "staging", "dev", "test"];
const ROLES: &[&str] = &["web", "api", "worker", "batch", "cache", "etl", "ci", "search"];
const AWS_REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const AZURE_LOCATIONS: &[&str] = &["westeurope", "northeurope", "eastus", "uksouth"];
const GCP_ZONES: &[&str] = &["us-central1-a", "us-central1-b", "europe-west1-b", "us-east1-c", "asia-southeast1-a"];
const EC2_TYPES: &[&str] = &["t3.micro", "t3.small", "t3.medium", "t3.large", "m7i.large", "c6i.xlarge", "r6i.large"];
const VM_SIZES: &[&str] = &["Standard_B2s", "Standard_D2s_v5", "Standard_D4s_v5", "Standard_E4s_v5"];
const MACHINE_TYPES: &[&str] = &["e2-medium", "e2-standard-2", "e2-standard-4", "n2-standard-4"];
const PORTS: &[(i64, i64)] = &[(22, 22), (80, 80), (443, 443), (3389, 3389), (5432, 5432), (3306, 3306), (8080, 8090)];

/// Kinds in the proportions a typical estate has them (per 100 resources).
const MIX: &[(&str, u64)] = &[
    ("aws.ec2.Instance", 12),
    ("aws.ec2.Volume", 12),
    ("aws.ec2.Snapshot", 8),
    ("aws.ec2.Image", 2),
    ("aws.ec2.SecurityGroupRule", 5),
    ("aws.lambda.Function", 4),
    ("aws.rds.Instance", 3),
    ("aws.rds.Snapshot", 2),
    ("aws.route53.Record", 2),
    ("aws.s3.Bucket", 5),
    ("azure.vm.VirtualMachine", 6),
    ("azure.disk.Disk", 6),
    ("azure.disk.Snapshot", 2),
    ("azure.functions.FunctionApp", 2),
    ("azure.sql.Database", 2),
    ("azure.storage.Container", 3),
    ("azure.network.SecurityRule", 2),
    ("gcp.compute.Instance", 6),
    ("gcp.compute.Disk", 5),
    ("gcp.compute.Snapshot", 3),
    ("gcp.compute.FirewallRule", 2),
    ("gcp.functions.Function", 2),
    ("gcp.sql.Instance", 2),
    ("gcp.storage.Bucket", 2),
];

pub(crate) fn estate(size: usize, seed: u64) -> Estate {
    let now = DateTime::parse_from_rfc3339(GENERATED_NOW).map(|t| t.with_timezone(&Utc)).unwrap_or_default();
    let mut generator = Generator {
        rng: SplitMix::new(seed),
        serial: seed.wrapping_mul(1_000_003),
        now,
        estate: Estate::new(now),
        made: Vec::new(),
    };
    generator.accounts();
    let total: u64 = MIX.iter().map(|(_, weight)| weight).sum();
    while generator.estate.len() < size {
        let roll = generator.rng.below(total);
        generator.make(pick_kind(roll));
    }
    generator.estate
}

/// The kind a roll in `0..total weight` lands on.
fn pick_kind(mut roll: u64) -> &'static str {
    for (kind, weight) in MIX {
        if roll < *weight {
            return kind;
        }
        roll -= weight;
    }
    "aws.ec2.Instance"
}

struct Generator {
    rng: SplitMix,
    serial: u64,
    now: DateTime<Utc>,
    estate: Estate,
    /// (kind, id) of every resource made, to link new ones to.
    made: Vec<(&'static str, String)>,
}

impl Generator {
    fn accounts(&mut self) {
        for (i, env) in ["prod", "staging", "dev"].iter().enumerate() {
            let id = format!("{:012}", self.rng.below(1_000_000_000_000));
            self.estate.add_account(Account::new("aws", &id, &format!("gen-{env}-{i}")));
        }
        for env in ["prod", "nonprod"] {
            let h = self.rng.next_u64();
            let id = format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                h >> 32,
                h & 0xffff,
                h % 0xfff,
                (h >> 12) % 0xfff,
                self.rng.below(1 << 48)
            );
            self.estate.add_account(Account::new("azure", &id, &format!("gen-{env}")));
        }
        for env in ["prod", "dev", "data"] {
            let id = format!("gen-{env}-{}", self.rng.below(900_000) + 100_000);
            self.estate.add_account(Account::new("gcp", &id, &id));
        }
    }

    fn next(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    fn account(&self, cloud: &str, env: &str) -> String {
        let accounts: Vec<&Account> = self.estate.accounts().iter().filter(|a| a.cloud == cloud).collect();
        let index = match env {
            "prod" => 0,
            "staging" => 1 % accounts.len(),
            _ => accounts.len() - 1,
        };
        accounts.get(index).map(|a| a.id.clone()).unwrap_or_default()
    }

    fn days_ago(&mut self, most: i64) -> String {
        timestamp(self.now - Duration::days(self.rng.between(1, most)))
    }

    /// Common tags: env, owner and cost-center, each sometimes missing, as in real estates.
    fn tagged(&mut self, draft: Draft, env: &str) -> Draft {
        let mut draft = draft.tag("env", env);
        if self.rng.chance(0.9) {
            let owner = self.rng.word(&["team-platform", "team-data", "team-web", "team-payments"]);
            draft = draft.tag("owner", owner);
        }
        if self.rng.chance(0.85) {
            let center = self.rng.word(&["cc-1001", "cc-1002", "cc-2040", "cc-3300"]);
            draft = draft.tag("cost-center", center);
        }
        draft
    }

    fn linked(&mut self, kind: &str) -> Option<String> {
        let candidates: Vec<&String> = self.made.iter().filter(|(k, _)| *k == kind).map(|(_, id)| id).collect();
        if candidates.is_empty() {
            return None;
        }
        Some(self.rng.pick(&candidates).to_string())
    }

    fn field(&self, id: &str, field: &str) -> String {
        self.estate.get(id).and_then(|r| crate::record::str_of(r, field)).unwrap_or_default().to_string()
    }

    fn make(&mut self, kind: &'static str) {
        let env = self.rng.word(ENVS);
        let n = self.next();
        let role = self.rng.word(ROLES);
        let name = format!("{env}-{role}-{n}");
        let draft = match kind {
            "aws.ec2.Instance"
            | "aws.ec2.Volume"
            | "aws.ec2.Snapshot"
            | "aws.ec2.Image"
            | "aws.ec2.SecurityGroupRule" => self.ec2(kind, env, n, &name),
            k if k.starts_with("aws.") => self.aws_other(kind, env, n, &name),
            k if k.starts_with("azure.") => self.azure(kind, env, n, &name),
            _ => self.gcp(kind, env, n, &name),
        };
        let draft = self.tagged(draft, env);
        let id = draft.id().to_string();
        let inserted = self.estate.insert(draft.record());
        debug_assert!(inserted.is_ok(), "generated an invalid {kind}: {inserted:?}");
        if inserted.is_ok() {
            self.made.push((kind, id));
        }
    }

    fn ec2(&mut self, kind: &str, env: &str, n: u64, name: &str) -> Draft {
        let account = self.account("aws", env);
        let region = self.rng.word(AWS_REGIONS);
        match kind {
            "aws.ec2.Instance" => {
                let instance_type = self.rng.word(EC2_TYPES);
                let state = self.rng.word(&["running", "running", "running", "stopped", "stopped", "terminated"]);
                let launched = self.days_ago(400);
                build::ec2_instance(&account, region, &format!("i-{}", ids::hex17(n)), name, instance_type)
                    .state(state)
                    .at(&launched)
            }
            "aws.ec2.Volume" => {
                let size = *self.rng.pick(&[8, 20, 50, 100, 500]);
                let id = format!("vol-{}", ids::hex17(n));
                let created = self.days_ago(400);
                let draft = match self.linked("aws.ec2.Instance").filter(|_| self.rng.chance(0.6)) {
                    Some(instance) => {
                        let (account, region) = (self.field(&instance, "account"), self.field(&instance, "region"));
                        build::ebs_volume_on(&account, &region, &id, size, &instance, self.rng.chance(0.5))
                    }
                    None => build::ebs_volume(&account, region, &id, size),
                };
                draft.flag("encrypted", self.rng.chance(0.85)).at(&created)
            }
            "aws.ec2.Snapshot" => {
                let id = format!("snap-{}", ids::hex17(n));
                let created = self.days_ago(500);
                match self.linked("aws.ec2.Volume") {
                    Some(volume) => {
                        let (account, region) = (self.field(&volume, "account"), self.field(&volume, "region"));
                        build::ebs_snapshot(&account, &region, &id, &volume, 50).at(&created)
                    }
                    None => build::ebs_snapshot(&account, region, &id, "vol-ffffffff", 50).at(&created),
                }
            }
            "aws.ec2.Image" => {
                let created = self.days_ago(300);
                build::ami(&account, region, &format!("ami-{}", ids::hex17(n)), &format!("{name}-golden"), &[])
                    .at(&created)
            }
            _ => {
                let (from, to) = *self.rng.pick(PORTS);
                let source = self.rng.word(&["0.0.0.0/0", "10.0.0.0/8", "10.20.0.0/16", "::/0"]);
                let group_id = format!("sg-{}", ids::hex17(n ^ 1));
                let group = SecurityGroup { id: &group_id, name: &format!("{name}-sg"), vpc_id: "vpc-0a1b2c3d" };
                build::sg_rule(&account, region, &format!("sgr-{}", ids::hex17(n)), &group, ("tcp", from, to), source)
            }
        }
    }

    fn aws_other(&mut self, kind: &str, env: &str, n: u64, name: &str) -> Draft {
        let account = self.account("aws", env);
        let region = self.rng.word(AWS_REGIONS);
        match kind {
            "aws.lambda.Function" => {
                build::lambda_function(&account, region, name, self.rng.word(&["python3.12", "nodejs20.x", "java21"]))
            }
            "aws.rds.Instance" => {
                let engine = self.rng.word(&["postgres", "mysql"]);
                build::rds_instance(
                    &account,
                    region,
                    name,
                    engine,
                    self.rng.word(&["db.t4g.medium", "db.r6g.large"]),
                    100,
                )
                .state(self.rng.word(&["available", "available", "stopped"]))
            }
            "aws.rds.Snapshot" => {
                let source = build::rds_instance(&account, region, name, "postgres", "db.t4g.medium", 100);
                let kind = self.rng.word(&["manual", "automated"]);
                let created = self.days_ago(200);
                build::rds_snapshot(&account, region, &format!("{name}-snap-{n}"), &source, kind).at(&created)
            }
            "aws.route53.Record" => {
                let zone = HostedZone { id: "Z0GENERATED1", name: "generated.example" };
                build::route53_record(&account, &zone, &format!("{name}.generated.example."), "A", &["192.0.2.10"])
            }
            _ => build::s3_bucket(&account, region, &format!("gen-{name}"))
                .flag("public", self.rng.chance(0.1))
                .flag("encrypted", self.rng.chance(0.9))
                .flag("versioning", self.rng.chance(0.5)),
        }
    }

    fn azure(&mut self, kind: &str, env: &str, _n: u64, name: &str) -> Draft {
        let subscription = self.account("azure", env);
        let resource_group = format!("rg-{env}");
        let place = AzurePlace {
            subscription: &subscription,
            resource_group: &resource_group,
            location: self.rng.word(AZURE_LOCATIONS),
        };
        match kind {
            "azure.vm.VirtualMachine" => {
                let state = self.rng.word(&["running", "running", "deallocated", "stopped"]);
                build::azure_vm(&place, name, self.rng.word(VM_SIZES)).state(state)
            }
            "azure.disk.Disk" => match self.linked("azure.vm.VirtualMachine").filter(|_| self.rng.chance(0.6)) {
                Some(vm) => {
                    let (subscription, group, location) =
                        (self.field(&vm, "subscription"), self.field(&vm, "resource_group"), self.field(&vm, "region"));
                    let place = AzurePlace { subscription: &subscription, resource_group: &group, location: &location };
                    build::azure_disk_on(&place, &format!("{name}-disk"), 128, &vm, true)
                }
                None => build::azure_disk(&place, &format!("{name}-disk"), 64),
            },
            "azure.disk.Snapshot" => {
                let source = self.linked("azure.disk.Disk").unwrap_or_else(|| place.id("Microsoft.Compute/disks/gone"));
                let created = self.days_ago(300);
                build::azure_snapshot(&place, &format!("{name}-snap"), &source, 128).at(&created)
            }
            "azure.functions.FunctionApp" => build::function_app(&place, &format!("{name}-fn"), "python|3.11"),
            "azure.sql.Database" => build::sql_database(
                &place,
                &format!("sql-{env}"),
                name,
                self.rng.word(&["S1", "GP_S_Gen5_2", "GP_Gen5_2"]),
            ),
            "azure.storage.Container" => {
                build::blob_container(&place, &format!("st{env}data"), name).flag("public", self.rng.chance(0.1))
            }
            _ => {
                let (from, to) = *self.rng.pick(PORTS);
                let source = self.rng.word(&["*", "Internet", "10.0.0.0/8", "VirtualNetwork"]);
                let priority = 100 + self.rng.between(0, 3000);
                build::nsg_rule(
                    &place,
                    &format!("nsg-{env}"),
                    &format!("allow-{name}"),
                    priority,
                    ("tcp", from, to),
                    source,
                )
            }
        }
    }

    fn gcp(&mut self, kind: &str, env: &str, n: u64, name: &str) -> Draft {
        let project = self.account("gcp", env);
        let zone = self.rng.word(GCP_ZONES);
        let id = ids::numeric(n);
        match kind {
            "gcp.compute.Instance" => {
                let status = self.rng.word(&["running", "running", "terminated"]);
                build::gce_instance(&project, zone, &id, name, self.rng.word(MACHINE_TYPES)).state(status)
            }
            "gcp.compute.Disk" => match self.linked("gcp.compute.Instance").filter(|_| self.rng.chance(0.6)) {
                Some(instance) => {
                    let (project, zone, owner) = (
                        self.field(&instance, "project"),
                        self.field(&instance, "zone"),
                        self.field(&instance, "name"),
                    );
                    build::gce_disk_on(&project, &zone, &id, &format!("{name}-disk"), 100, &owner, true)
                }
                None => build::gce_disk(&project, zone, &id, &format!("{name}-disk"), 200),
            },
            "gcp.compute.Snapshot" => {
                let created = self.days_ago(300);
                build::gce_snapshot(
                    &project,
                    build::region_of_zone(zone),
                    &id,
                    &format!("{name}-snap"),
                    &format!("{name}-disk"),
                    100,
                )
                .at(&created)
            }
            "gcp.compute.FirewallRule" => {
                let (from, to) = *self.rng.pick(PORTS);
                let source = self.rng.word(&["0.0.0.0/0", "10.128.0.0/9", "35.235.240.0/20"]);
                build::firewall_rule(&project, &id, &format!("allow-{name}"), ("tcp", from, to), source)
            }
            "gcp.functions.Function" => build::cloud_function(&project, build::region_of_zone(zone), name, "python312"),
            "gcp.sql.Instance" => {
                build::cloud_sql(&project, build::region_of_zone(zone), name, "POSTGRES_16", "db-custom-2-7680")
            }
            _ => build::gcs_bucket(&project, self.rng.word(&["us", "eu", "us-central1"]), &format!("gen-{name}"))
                .flag("public", self.rng.chance(0.1)),
        }
    }
}
