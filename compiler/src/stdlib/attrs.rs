//! The attributes in braces after a query or action declaration: `effect`, `undo`, `batch`, `rate`,
//! `dry_run`, `targets`, `backup`, `idempotent` and `implements`.

use crate::diagnostics::did_you_mean;
use crate::span::Span;
use crate::syntax::ast::{CallableDecl, CallableKind, Expr, ExprKind, StepOption, StrPart};

use super::error::StdlibError;
use super::{DryRun, Effect};

const ATTRIBUTES: &[&str] =
    &["effect", "undo", "batch", "rate", "dry_run", "targets", "backup", "idempotent", "implements"];
/// What a query may state; everything else describes a change to the world.
const QUERY_ATTRIBUTES: &[&str] = &["effect", "rate", "implements"];
const EFFECTS: &[&str] = &["read", "mutate", "disrupt", "destroy"];
const DRY_RUNS: &[&str] = &["native", "simulated", "unsupported"];

/// An `implements` as written: `compute.tag(tags = labels)`, `security.public_storage(public = true)`.
#[derive(Debug, Clone)]
pub(super) struct ImplementsAttr {
    pub agnostic: String,
    /// `(agnostic parameter, own parameter)` pairs.
    pub renames: Vec<(String, String)>,
    /// `(own parameter, literal)` pairs: arguments this callable always gets when it answers for the agnostic one.
    pub fixed: Vec<(String, Expr)>,
    pub span: Span,
}

/// The attributes of one callable as written; absent ones are `None`.
#[derive(Debug, Default)]
pub(super) struct Attrs {
    pub effect: Option<Effect>,
    pub undo: Option<(String, Span)>,
    pub batch: Option<u32>,
    pub rate: Option<String>,
    pub dry_run: Option<DryRun>,
    pub targets: Option<(String, Span)>,
    pub backup: bool,
    /// `idempotent = false`: calling the action again does it again; absent means `true`.
    pub idempotent: Option<bool>,
    /// `implements = compute.tag(tags = labels)`, or a list of such: the cloud-agnostic actions or queries this
    /// one is on its cloud, each with the agnostic parameters this one names otherwise and the arguments it is
    /// always given.
    pub implements: Vec<ImplementsAttr>,
    /// Every attribute written, valid or not, so a malformed one is not also reported as missing.
    pub stated: Vec<String>,
}

impl Attrs {
    pub fn states(&self, name: &str) -> bool {
        self.stated.iter().any(|s| s == name)
    }
}

/// Reads the attributes of `decl`, pushing an error for each unknown, repeated or malformed one.
pub(super) fn read_attrs(decl: &CallableDecl, errors: &mut Vec<StdlibError>) -> Attrs {
    let mut attrs = Attrs::default();
    for attr in &decl.attrs {
        let name = attr.name.name.as_str();
        if !ATTRIBUTES.contains(&name) {
            errors.push(StdlibError::UnknownAttribute {
                name: name.to_string(),
                span: attr.name.span.into(),
                help: did_you_mean(name, ATTRIBUTES.iter().copied())
                    .unwrap_or_else(|| format!("the attributes are {}", ATTRIBUTES.join(", "))),
            });
            continue;
        }
        if attrs.states(name) {
            errors.push(StdlibError::DuplicateMember {
                name: name.to_string(),
                owner: decl.name.dotted(),
                span: attr.name.span.into(),
            });
            continue;
        }
        attrs.stated.push(name.to_string());
        if decl.kind == CallableKind::Query && !QUERY_ATTRIBUTES.contains(&name) {
            errors.push(StdlibError::NotForQueries { name: name.to_string(), span: attr.name.span.into() });
            continue;
        }
        if let Err(error) = read_one(attr, decl.kind, &mut attrs) {
            errors.push(error);
        }
    }
    attrs
}

fn read_one(attr: &StepOption, kind: CallableKind, attrs: &mut Attrs) -> Result<(), StdlibError> {
    let value = &attr.value;
    match attr.name.name.as_str() {
        "effect" => {
            let effect = keyword(attr, EFFECTS, "`read`, `mutate`, `disrupt` or `destroy`")?;
            let effect = match effect.as_str() {
                "mutate" => Effect::Mutate,
                "disrupt" => Effect::Disrupt,
                "destroy" => Effect::Destroy,
                _ => Effect::Read,
            };
            if kind == CallableKind::Query && effect != Effect::Read {
                return Err(invalid(attr, "`read`: queries only read", None));
            }
            attrs.effect = Some(effect);
        }
        "dry_run" => {
            let dry_run = keyword(attr, DRY_RUNS, "`native`, `simulated` or `unsupported`")?;
            attrs.dry_run = Some(match dry_run.as_str() {
                "native" => DryRun::Native,
                "simulated" => DryRun::Simulated,
                _ => DryRun::Unsupported,
            });
        }
        "undo" => {
            let name = dotted(value).ok_or_else(|| invalid(attr, "the name of an action", None))?;
            attrs.undo = Some((name, value.span));
        }
        "targets" => match &value.kind {
            ExprKind::Name(ident) => attrs.targets = Some((ident.name.clone(), value.span)),
            _ => return Err(invalid(attr, "the name of a parameter", None)),
        },
        "batch" => {
            let batch = match value.kind {
                ExprKind::Int(n) => u32::try_from(n).ok().filter(|b| *b > 0),
                _ => None,
            };
            attrs.batch = Some(batch.ok_or_else(|| invalid(attr, "a whole number of at least 1", None))?);
        }
        "rate" => {
            let class = plain_string(value)
                .filter(|class| !class.is_empty())
                .ok_or_else(|| invalid(attr, "a rate-limit class such as \"ec2.mutating\"", None))?;
            attrs.rate = Some(class);
        }
        "implements" => {
            let items = match &value.kind {
                ExprKind::List(items) => items.iter().collect(),
                _ => vec![value],
            };
            for item in items {
                let implements = implements(attr, item, kind)?;
                if attrs.implements.iter().any(|known| known.agnostic == implements.agnostic) {
                    let name = implements.agnostic;
                    return Err(StdlibError::DuplicateMember {
                        name,
                        owner: "implements".into(),
                        span: item.span.into(),
                    });
                }
                attrs.implements.push(implements);
            }
        }
        "backup" => match value.kind {
            ExprKind::Bool(backup) => attrs.backup = backup,
            _ => return Err(invalid(attr, "`true` or `false`", None)),
        },
        "idempotent" => match value.kind {
            ExprKind::Bool(idempotent) => attrs.idempotent = Some(idempotent),
            _ => return Err(invalid(attr, "`true` or `false`", None)),
        },
        // `read_attrs` only passes names from ATTRIBUTES, all handled above.
        _ => {}
    }
    Ok(())
}

/// `AGNOSTIC` or `AGNOSTIC(agnostic_param = own_param, own_param = literal, ...)`: `value`, one item of the
/// attribute `attr`.
fn implements(attr: &StepOption, value: &Expr, kind: CallableKind) -> Result<ImplementsAttr, StdlibError> {
    let expected = match kind {
        CallableKind::Action => {
            "a cloud-agnostic action, such as `compute.stop` or `compute.tag(tags = labels)`, or a list of them"
        }
        CallableKind::Query => {
            "a cloud-agnostic query, such as `compute.instances(tags = labels)` or \
             `security.public_storage(public = true)`, or a list of them"
        }
    };
    let ExprKind::Call(call) = &value.kind else {
        let agnostic = dotted(value).ok_or_else(|| invalid(attr, expected, None))?;
        return Ok(ImplementsAttr { agnostic, renames: Vec::new(), fixed: Vec::new(), span: value.span });
    };
    let (mut renames, mut fixed) = (Vec::new(), Vec::new());
    for arg in &call.args {
        let Some(param) = &arg.name else { return Err(invalid(attr, expected, None)) };
        match &arg.value.kind {
            ExprKind::Name(own) => renames.push((param.name.clone(), own.name.clone())),
            ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Duration(_) => {
                fixed.push((param.name.clone(), arg.value.clone()))
            }
            ExprKind::Str(_) if plain_string(&arg.value).is_some() => {
                fixed.push((param.name.clone(), arg.value.clone()))
            }
            _ => return Err(invalid(attr, expected, None)),
        }
    }
    Ok(ImplementsAttr { agnostic: call.callee.dotted(), renames, fixed, span: value.span })
}

/// A bare word out of `allowed`, such as `disrupt`.
fn keyword(attr: &StepOption, allowed: &[&str], expected: &str) -> Result<String, StdlibError> {
    match &attr.value.kind {
        ExprKind::Name(ident) if allowed.contains(&ident.name.as_str()) => Ok(ident.name.clone()),
        ExprKind::Name(ident) => Err(invalid(attr, expected, did_you_mean(&ident.name, allowed.iter().copied()))),
        _ => Err(invalid(attr, expected, None)),
    }
}

/// The text of a string literal without interpolations.
fn plain_string(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Str(parts) => match parts.as_slice() {
            [] => Some(String::new()),
            [StrPart::Text(text)] => Some(text.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `a.b.c` written as names and field accesses, as a dotted string.
fn dotted(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name(ident) => Some(ident.name.clone()),
        ExprKind::Field(base, field) => Some(format!("{}.{}", dotted(base)?, field.name)),
        _ => None,
    }
}

fn invalid(attr: &StepOption, expected: &str, help: Option<String>) -> StdlibError {
    StdlibError::InvalidAttribute {
        name: attr.name.name.clone(),
        expected: expected.to_string(),
        span: attr.value.span.into(),
        help: help.unwrap_or_else(|| format!("give `{}` {expected}", attr.name.name)),
    }
}
