//! Typing expressions: `infer` computes a type, `check` compares against an expected one (which lets string
//! literals be checked as enum values and record literals as maps).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Checker, TypeError};
use crate::diagnostics::{Fix, did_you_mean, suggest};
use crate::resolve::Symbol;
use crate::span::Span;
use crate::stdlib::{CallableKind, Cloud};
use crate::syntax::ast::*;
use crate::types::{Type, is_assignable};

impl Checker<'_> {
    pub(super) fn infer(&mut self, expr: &Expr) -> Type {
        match &expr.kind {
            ExprKind::Str(parts) => {
                for part in parts {
                    if let StrPart::Interp(inner) = part {
                        let ty = self.infer(inner);
                        if ty.contains_secret() {
                            self.error(TypeError::SecretMisuse {
                                usage: "interpolated into a string".into(),
                                span: inner.span.into(),
                            });
                        }
                    }
                }
                Type::String
            }
            ExprKind::Int(_) => Type::Int,
            ExprKind::Float(_) => Type::Float,
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::Duration(_) => Type::Duration,
            ExprKind::None => Type::optional(Type::Never),
            ExprKind::List(items) => {
                let mut element = Type::Never;
                for item in items {
                    let ty = self.infer(item);
                    match self.join(&element, &ty) {
                        Some(joined) => element = joined,
                        None => {
                            self.error(TypeError::Mismatch {
                                expected: element.to_string(),
                                found: ty.to_string(),
                                span: item.span.into(),
                                help: "all elements of a list have one type".into(),
                            });
                            element = Type::Error;
                        }
                    }
                }
                Type::list(element)
            }
            ExprKind::Record(fields) => {
                let mut out = BTreeMap::new();
                for field in fields {
                    let ty = self.infer(&field.value);
                    out.insert(field.key.name.clone(), ty);
                }
                Type::Record(out)
            }
            ExprKind::Name(ident) => self.name_type(ident),
            ExprKind::Field(base, field) => {
                let base_ty = self.infer(base);
                self.field_type(&base_ty, field)
            }
            ExprKind::Call(call) => self.call_in_expression(call),
            ExprKind::Unary(_, operand) => {
                self.check(operand, &Type::Bool);
                Type::Bool
            }
            ExprKind::Binary(op, left, right) => self.binary(*op, left, right, expr.span),
            ExprKind::Comprehension { elem, var, iter, cond } => {
                let iter_ty = self.infer(iter);
                let element = match &iter_ty {
                    Type::List(t) => (**t).clone(),
                    Type::Error => Type::Error,
                    other => {
                        self.error(TypeError::Mismatch {
                            expected: "a list".into(),
                            found: other.to_string(),
                            span: iter.span.into(),
                            help: "a comprehension `[x for x in LIST]` goes over the elements of a list".into(),
                        });
                        Type::Error
                    }
                };
                self.locals.push((var.name.clone(), element));
                if let Some(cond) = cond {
                    self.check(cond, &Type::Bool);
                }
                let elem_ty = self.infer(elem);
                self.locals.pop();
                Type::list(elem_ty)
            }
        }
    }

    /// Checks `expr` against `expected`, reporting a mismatch at the expression.
    pub(super) fn check(&mut self, expr: &Expr, expected: &Type) {
        let expected_inner = match expected {
            Type::Optional(inner) => inner.as_ref(),
            other => other,
        };
        match (&expr.kind, expected_inner) {
            (ExprKind::Str(parts), Type::Enum(name)) if is_plain(parts) => {
                let value = plain_text(parts);
                self.check_enum_value(&value, name, expr.span);
            }
            (ExprKind::List(items), Type::List(element)) => {
                for item in items {
                    self.check(item, element);
                }
            }
            (ExprKind::Record(fields), Type::Map(value)) => {
                for field in fields {
                    self.check(&field.value, value);
                }
            }
            (ExprKind::Str(_), Type::Secret(_)) => {
                self.error(TypeError::Mismatch {
                    expected: expected.to_string(),
                    found: "a string".into(),
                    span: expr.span.into(),
                    help: "read secrets with `secret(\"name\")`; they are never written in playbooks".into(),
                });
            }
            _ => {
                let found = self.infer(expr);
                self.expect_assignable(&found, expected, expr.span);
            }
        }
    }

    pub(super) fn expect_assignable(&mut self, found: &Type, expected: &Type, span: Span) {
        if is_assignable(found, expected, self.catalog) {
            return;
        }
        if found.contains_secret() && !expected.contains_secret() {
            self.error(TypeError::SecretMisuse {
                usage: format!("used where {expected} is expected"),
                span: span.into(),
            });
            return;
        }
        let help = cross_cloud_help(found, expected)
            .or_else(|| self.mismatch_help.clone())
            .unwrap_or_else(|| format!("use a value of type {expected} here"));
        self.error(TypeError::Mismatch {
            expected: expected.to_string(),
            found: found.to_string(),
            span: span.into(),
            help,
        });
    }

    pub(super) fn check_enum_value(&mut self, value: &str, enum_name: &str, span: Span) {
        let Some(decl) = self.catalog.enums.get(enum_name) else {
            return;
        };
        if decl.values.iter().any(|v| v == value) {
            return;
        }
        let candidates: Vec<&str> = decl.values.iter().map(String::as_str).collect();
        let suggestion = suggest(value, candidates.iter().copied()).map(str::to_string);
        let fix = suggestion.as_ref().map(|s| Fix::replace(format!("replace with \"{s}\""), span, format!("\"{s}\"")));
        let help = did_you_mean(value, candidates.iter().copied())
            .unwrap_or_else(|| format!("{enum_name} is one of: {}", candidates.join(", ")));
        self.error_with_fix(
            TypeError::NotAnEnumValue { value: value.to_string(), ty: enum_name.to_string(), span: span.into(), help },
            fix,
        );
    }

    fn name_type(&mut self, ident: &Ident) -> Type {
        if let Some((_, ty)) = self.locals.iter().rev().find(|(name, _)| *name == ident.name) {
            return ty.clone();
        }
        match self.scope.get(&ident.name) {
            Some(Symbol::Param(_)) => self.typed.params.get(&ident.name).map(|p| p.ty.clone()).unwrap_or(Type::Error),
            Some(Symbol::Let(_)) => self.let_type(&ident.name, ident.span),
            Some(Symbol::Step(_)) => self.typed.steps.get(&ident.name).cloned().unwrap_or(Type::Error),
            None => Type::Error,
        }
    }

    pub(super) fn field_type(&mut self, base: &Type, field: &Ident) -> Type {
        let catalog = self.catalog;
        // Borrowed where they are declared; an outcome's are only built to explain a field it lacks.
        let fields: Option<Cow<'_, BTreeMap<String, Type>>> = match base {
            Type::Error | Type::Any => return Type::Error,
            Type::Record(fields) => Some(Cow::Borrowed(fields)),
            Type::Resource(_) | Type::Interface(_) => catalog.fields_of(base).map(Cow::Borrowed),
            Type::Outcome(of) => match Type::outcome_field(of, &field.name) {
                Some(ty) => return ty,
                None => Some(Cow::Owned(Type::outcome_fields(of))),
            },
            Type::Optional(inner) => {
                return match self.field_type(inner, field) {
                    Type::Error => Type::Error,
                    Type::Optional(t) => Type::Optional(t),
                    t => Type::optional(t),
                };
            }
            // `tags.env`: a map read by key may find nothing.
            Type::Map(value) => return Type::Optional(value.clone()),
            _ => None,
        };
        if let Some(ty) = fields.as_ref().and_then(|f| f.get(&field.name)) {
            return ty.clone();
        }
        let help = match (&fields, base) {
            (Some(fields), _) => did_you_mean(&field.name, fields.keys().map(String::as_str)).unwrap_or_else(|| {
                let names: Vec<&str> = fields.keys().map(String::as_str).collect();
                format!("the fields of {base} are: {}", names.join(", "))
            }),
            (None, Type::List(_)) => format!(
                "a list has no fields; to read `{}` of each element write `[x.{} for x in LIST]`",
                field.name, field.name
            ),
            _ => format!("{base} has no fields"),
        };
        let fix = fields
            .as_ref()
            .and_then(|f| suggest(&field.name, f.keys().map(String::as_str)))
            .map(|s| Fix::replace(format!("replace with `{s}`"), field.span, s));
        self.error_with_fix(
            TypeError::UnknownField { ty: base.to_string(), field: field.name.clone(), span: field.span.into(), help },
            fix,
        );
        Type::Error
    }

    /// A call inside an expression: a built-in function, or a misplaced query, action or playbook.
    fn call_in_expression(&mut self, call: &Call) -> Type {
        let dotted = call.callee.dotted();
        if let Some(ty) = self.builtin_call(&dotted, call) {
            return ty;
        }
        if let Some(callable) = self.catalog.callables.get(&dotted).cloned() {
            let binding = dotted.rsplit('.').next().unwrap_or("result").to_string();
            match callable.kind {
                CallableKind::Query => self.error(TypeError::NestedQuery {
                    name: dotted.clone(),
                    suggestion: binding,
                    span: call.span.into(),
                }),
                CallableKind::Action => {
                    self.error(TypeError::ActionInExpression { name: dotted.clone(), binding, span: call.span.into() })
                }
            }
            return callable.returns.clone();
        }
        if self.imports.contains_key(&dotted) {
            self.error(TypeError::ImportInExpression { name: dotted, span: call.span.into() });
        }
        Type::Error
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: Span) -> Type {
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            self.check(left, &Type::Bool);
            self.check(right, &Type::Bool);
            return Type::Bool;
        }
        let l = self.infer(left);
        let r = self.infer(right);
        if l == Type::Error || r == Type::Error {
            return if op == BinaryOp::Concat { Type::Error } else { Type::Bool };
        }
        if op != BinaryOp::Concat && (l.contains_secret() || r.contains_secret()) {
            self.error(TypeError::SecretMisuse { usage: "compared".into(), span: span.into() });
            return Type::Bool;
        }
        let bad = |help: &str| TypeError::BadOperands {
            op: op.symbol().into(),
            left: l.to_string(),
            right: r.to_string(),
            help: help.into(),
            span: span.into(),
        };
        match op {
            BinaryOp::Eq | BinaryOp::Ne => {
                if self.join(strip_optional(&l), strip_optional(&r)).is_none() {
                    self.error(bad("only values of the same type can be compared"));
                }
                Type::Bool
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ordered = |t: &Type| {
                    matches!(
                        strip_optional(t),
                        Type::Int | Type::Float | Type::Duration | Type::Datetime | Type::String | Type::Enum(_)
                    )
                };
                if !(ordered(&l) && ordered(&r) && self.join(strip_optional(&l), strip_optional(&r)).is_some()) {
                    self.error(bad("order compares numbers, durations, datetimes or strings of the same type"));
                }
                Type::Bool
            }
            BinaryOp::In => {
                let fits = match strip_optional(&r) {
                    Type::List(element) => self.join(strip_optional(&l), element).is_some(),
                    Type::Map(_) => matches!(strip_optional(&l), Type::String | Type::Enum(_)),
                    Type::String => matches!(strip_optional(&l), Type::String | Type::Enum(_)),
                    _ => false,
                };
                if !fits {
                    self.error(bad(
                        "`x in y` needs a list of x's type, a map (keys) or a string (substring) on the right",
                    ));
                }
                Type::Bool
            }
            BinaryOp::Concat => match (&l, &r) {
                (Type::String | Type::Enum(_), Type::String | Type::Enum(_)) => Type::String,
                (Type::List(a), Type::List(b)) => match self.join(a, b) {
                    Some(element) => Type::list(element),
                    None => {
                        self.error(bad("lists can be joined when their elements share a type or an interface"));
                        Type::Error
                    }
                },
                _ => {
                    self.error(bad("`++` joins two lists or two strings"));
                    Type::Error
                }
            },
            BinaryOp::And | BinaryOp::Or => Type::Bool,
        }
    }

    /// The narrowest type both fit, if any: one of the two, or an interface both implement.
    pub(super) fn join(&self, a: &Type, b: &Type) -> Option<Type> {
        if is_assignable(a, b, self.catalog) {
            return Some(b.clone());
        }
        if is_assignable(b, a, self.catalog) {
            return Some(a.clone());
        }
        match (a, b) {
            (Type::List(x), Type::List(y)) => self.join(x, y).map(Type::list),
            (Type::Optional(x), y) | (y, Type::Optional(x)) => self.join(x, y).map(Type::optional),
            _ => {
                let ia = self.interfaces_of(a);
                let ib = self.interfaces_of(b);
                ia.into_iter().find(|i| ib.contains(i)).map(Type::Interface)
            }
        }
    }

    fn interfaces_of(&self, ty: &Type) -> Vec<String> {
        match ty {
            Type::Resource(name) => self.catalog.resources.get(name).map(|r| r.implements.clone()).unwrap_or_default(),
            Type::Interface(name) => vec![name.clone()],
            _ => Vec::new(),
        }
    }
}

fn strip_optional(ty: &Type) -> &Type {
    match ty {
        Type::Optional(inner) => strip_optional(inner),
        other => other,
    }
}

pub(super) fn is_plain(parts: &[StrPart]) -> bool {
    parts.iter().all(|p| matches!(p, StrPart::Text(_)))
}

pub(super) fn plain_text(parts: &[StrPart]) -> String {
    parts
        .iter()
        .filter_map(|p| match p {
            StrPart::Text(t) => Some(t.as_str()),
            StrPart::Interp(_) => None,
        })
        .collect()
}

/// Explains the mistake of passing one cloud's resources to another cloud's action.
fn cross_cloud_help(found: &Type, expected: &Type) -> Option<String> {
    let resource = |t: &Type| -> Option<String> {
        match t {
            Type::Resource(n) | Type::Interface(n) => Some(n.clone()),
            Type::List(inner) | Type::Optional(inner) | Type::Outcome(inner) => match inner.as_ref() {
                Type::Resource(n) | Type::Interface(n) => Some(n.clone()),
                _ => None,
            },
            _ => None,
        }
    };
    let (found, expected) = (resource(found)?, resource(expected)?);
    let cloud = |n: &str| n.split('.').next().unwrap_or_default().to_string();
    let per_cloud = |n: &str| matches!(Cloud::of(n), Cloud::Aws | Cloud::Azure | Cloud::Gcp);
    (per_cloud(&found) && per_cloud(&expected) && cloud(&found) != cloud(&expected)).then(|| {
        format!(
            "{found} belongs to {}, but this expects {expected}; use the {} action for it, or a cloud-agnostic one such as compute.stop",
            cloud(&found),
            cloud(&found)
        )
    })
}
