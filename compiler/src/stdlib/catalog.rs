//! What the compiler knows of the stdlib: types, resources, interfaces, enums, queries and actions, built once
//! from the declaration files embedded in the binary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::Type;

/// What an action does to the world, in increasing order of risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Reads only (queries, reports).
    Read,
    /// Reversible configuration change (tags, settings, rules).
    Mutate,
    /// Reversible, but interrupts service (stop, restart, resize).
    Disrupt,
    /// Irreversible (delete, terminate).
    Destroy,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Mutate => "mutate",
            Effect::Disrupt => "disrupt",
            Effect::Destroy => "destroy",
        }
    }
}

/// How an action behaves under `--dry-run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DryRun {
    /// The provider's own dry-run mechanism (EC2's `DryRun`).
    Native,
    /// Escher simulates it from a listing of the targets.
    Simulated,
    /// Cannot be simulated: dry run reports "not simulated".
    Unsupported,
}

/// The cloud an item belongs to, from the first segment of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    Aws,
    Azure,
    Gcp,
    /// Cloud-agnostic (`compute.*`, `storage.*`, `database.*`, `inventory.*`, `cost.*`, `security.*`): dispatches
    /// per cloud at run time.
    Any,
    /// Not a cloud call (`report.*`, `wait`, `notify`, `fail`).
    None,
}

impl Cloud {
    /// The three clouds, in the order Escher lists them.
    pub const ALL: [Cloud; 3] = [Cloud::Aws, Cloud::Azure, Cloud::Gcp];

    /// `aws`, `azure`, `gcp`; `any` and `none` for the two that are not clouds.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Azure => "azure",
            Cloud::Gcp => "gcp",
            Cloud::Any => "any",
            Cloud::None => "none",
        }
    }

    pub fn of(dotted: &str) -> Cloud {
        match dotted.split('.').next() {
            Some("aws") => Cloud::Aws,
            Some("azure") => Cloud::Azure,
            Some("gcp") => Cloud::Gcp,
            Some("compute" | "storage" | "database" | "inventory" | "cost" | "security") => Cloud::Any,
            _ => Cloud::None,
        }
    }
}

impl std::fmt::Display for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One of the three clouds by name (`aws`, `azure`, `gcp`).
impl std::str::FromStr for Cloud {
    type Err = String;

    fn from_str(name: &str) -> Result<Cloud, String> {
        Cloud::ALL
            .into_iter()
            .find(|cloud| cloud.name() == name)
            .ok_or_else(|| format!("`{name}` is not a cloud: say aws, azure or gcp"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallableKind {
    Query,
    Action,
}

/// One parameter of a query or action.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSig {
    pub name: String,
    pub ty: Type,
    /// Whether a call may leave it out (it has a default or an optional type).
    pub has_default: bool,
    /// The declared default, which the plan records for every argument a call leaves out.
    pub default: Option<crate::plan::Value>,
    pub docs: String,
}

/// A query or action of the stdlib.
#[derive(Debug, Clone, PartialEq)]
pub struct Callable {
    pub name: String,
    pub kind: CallableKind,
    pub docs: String,
    pub params: Vec<ParamSig>,
    pub returns: Type,
    pub effect: Effect,
    /// The action that undoes this one (`aws.ec2.start` for `aws.ec2.stop`), used by `on_failure = rollback`.
    pub undo: Option<String>,
    /// How many targets one provider call can take.
    pub batch: Option<u32>,
    /// The rate-limit class the runtime keys its token buckets by, such as `ec2.mutating`.
    pub rate_class: String,
    pub dry_run: DryRun,
    /// The parameter that carries the resources the action touches (its blast radius).
    pub targets: Option<String>,
    /// Whether this action makes a backup or snapshot (a destroy after it is covered).
    pub backup: bool,
    /// Whether doing it twice is the same as doing it once. `idempotent = false` in a declaration: each call
    /// makes something new (a snapshot, an image, a copy) or does it again (a reboot), so a retry after a call
    /// whose answer was lost may do it twice.
    pub idempotent: bool,
    pub cloud: Cloud,
    /// The cloud-agnostic actions or queries this one is on its cloud (`aws.ec2.stop` is `compute.stop` on AWS;
    /// `aws.s3.buckets` is both `storage.buckets` and `security.public_storage`).
    pub implements: Vec<Implements>,
}

/// What a concrete action or query implements: a cloud-agnostic one of the same kind, the agnostic parameters it
/// calls otherwise (`tags` is `labels` on GCP), and the arguments it is always given when it answers for the
/// agnostic one (`security.public_storage` is `aws.s3.buckets(public = true)`). Declared once, in the stdlib;
/// the runtime routes agnostic calls by it.
#[derive(Debug, Clone, PartialEq)]
pub struct Implements {
    pub agnostic: String,
    /// Agnostic parameter name → this callable's parameter name.
    pub renames: BTreeMap<String, String>,
    /// This callable's parameter name → the value it always gets.
    pub fixed: BTreeMap<String, crate::plan::Value>,
}

impl Implements {
    /// A call's arguments to the agnostic callable, as the implementing one takes them: renamed, and with the
    /// arguments it fixes.
    pub fn args(&self, agnostic_args: &BTreeMap<String, crate::plan::Value>) -> BTreeMap<String, crate::plan::Value> {
        let mut args = agnostic_args.clone();
        for (agnostic, own) in &self.renames {
            if let Some(value) = args.remove(agnostic) {
                args.insert(own.clone(), value);
            }
        }
        for (param, value) in &self.fixed {
            args.insert(param.clone(), value.clone());
        }
        args
    }
}

impl Callable {
    pub fn param(&self, name: &str) -> Option<&ParamSig> {
        self.params.iter().find(|p| p.name == name)
    }

    /// `aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance>`, with each default
    /// (`tags: map<string, string> = {}`): the signature as documentation and editors show it.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|param| match &param.default {
                Some(default) => format!("{}: {} = {}", param.name, param.ty, crate::lower::display(default)),
                None => format!("{}: {}", param.name, param.ty),
            })
            .collect();
        format!("{}({}) -> {}", self.name, params.join(", "), self.returns)
    }

    /// How this callable implements the cloud-agnostic `agnostic`, if it does.
    pub fn implementation_of(&self, agnostic: &str) -> Option<&Implements> {
        self.implements.iter().find(|implements| implements.agnostic == agnostic)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    pub name: String,
    pub values: Vec<String>,
    pub docs: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordDecl {
    pub name: String,
    pub fields: BTreeMap<String, Type>,
    pub docs: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDecl {
    pub name: String,
    pub implements: Vec<String>,
    pub fields: BTreeMap<String, Type>,
    pub docs: String,
    pub cloud: Cloud,
}

/// Everything the stdlib declares, by dotted name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub enums: BTreeMap<String, EnumDecl>,
    pub interfaces: BTreeMap<String, RecordDecl>,
    pub resources: BTreeMap<String, ResourceDecl>,
    pub callables: BTreeMap<String, Callable>,
}

impl Catalog {
    /// The action or query that is the cloud-agnostic `agnostic` on `cloud`, as the stdlib declares it.
    pub fn implementer(&self, agnostic: &str, cloud: Cloud) -> Option<&Callable> {
        self.callables
            .values()
            .find(|callable| callable.cloud == cloud && callable.implementation_of(agnostic).is_some())
    }

    /// Whether resource `resource` implements interface `interface`.
    pub fn implements(&self, resource: &str, interface: &str) -> bool {
        self.resources.get(resource).is_some_and(|r| r.implements.iter().any(|i| i == interface))
    }

    /// The fields of a resource or interface type.
    pub fn fields_of(&self, ty: &Type) -> Option<&BTreeMap<String, Type>> {
        match ty {
            Type::Resource(name) => self.resources.get(name).map(|r| &r.fields),
            Type::Interface(name) => self.interfaces.get(name).map(|i| &i.fields),
            _ => None,
        }
    }

    /// Resolves a named type written in source (`aws.ec2.Instance`, `aws.region`), if the stdlib declares it.
    pub fn named_type(&self, name: &str) -> Option<Type> {
        if self.resources.contains_key(name) {
            Some(Type::Resource(name.to_string()))
        } else if self.interfaces.contains_key(name) {
            Some(Type::Interface(name.to_string()))
        } else if self.enums.contains_key(name) {
            Some(Type::Enum(name.to_string()))
        } else {
            None
        }
    }

    /// Every type name the catalog knows, for "did you mean".
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.resources.keys().chain(self.interfaces.keys()).chain(self.enums.keys()).map(String::as_str)
    }
}
