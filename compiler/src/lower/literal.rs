//! Values written literally in source, and whether a value meets a parameter's constraint.

use std::collections::BTreeMap;

use crate::plan::Value;
use crate::syntax::ast::*;

/// The value of an expression made only of literals, if it is one.
pub fn literal_value(expr: &Expr) -> Option<Value> {
    Some(match &expr.kind {
        ExprKind::Str(parts) => {
            let mut text = String::new();
            for part in parts {
                match part {
                    StrPart::Text(t) => text.push_str(t),
                    StrPart::Interp(_) => return None,
                }
            }
            Value::String(text)
        }
        ExprKind::Int(n) => Value::Int(*n),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Duration(ms) => Value::Duration { duration_ms: *ms },
        ExprKind::None => Value::Null,
        ExprKind::List(items) => Value::List(items.iter().map(literal_value).collect::<Option<_>>()?),
        ExprKind::Record(fields) => Value::Record(
            fields
                .iter()
                .map(|f| literal_value(&f.value).map(|v| (f.key.name.clone(), v)))
                .collect::<Option<BTreeMap<_, _>>>()?,
        ),
        _ => return None,
    })
}

/// A parameter constraint with its bounds already evaluated.
#[derive(Debug, Clone)]
pub enum Bound {
    Range { low: Value, high: Value, inclusive: bool },
    OneOf(Vec<Value>),
    Pattern(regex::Regex),
}

impl Bound {
    /// Evaluates a written constraint; `None` if its bounds are not literals or the pattern does not compile
    /// (the type checker reports both).
    pub fn from_constraint(constraint: &Constraint) -> Option<Bound> {
        Some(match constraint {
            Constraint::Range { low, high, inclusive, .. } => {
                Bound::Range { low: literal_value(low)?, high: literal_value(high)?, inclusive: *inclusive }
            }
            Constraint::OneOf { values, .. } => Bound::OneOf(values.iter().map(literal_value).collect::<Option<_>>()?),
            Constraint::Pattern { regex, .. } => Bound::Pattern(regex::Regex::new(&regex.value).ok()?),
        })
    }

    /// `Ok` if `value` meets the bound, else a sentence saying why not.
    pub fn admits(&self, value: &Value) -> Result<(), String> {
        match self {
            Bound::Range { low, high, inclusive } => {
                let (Some(v), Some(lo), Some(hi)) = (ordinal(value), ordinal(low), ordinal(high)) else {
                    return Err(format!("{} is not a number or duration", display(value)));
                };
                let above_high = if *inclusive { v > hi } else { v >= hi };
                if v < lo || above_high {
                    let op = if *inclusive { "..=" } else { ".." };
                    return Err(format!("{} is outside {}{op}{}", display(value), display(low), display(high)));
                }
                Ok(())
            }
            // A list parameter constrained by `in [...]` may hold only allowed values.
            Bound::OneOf(_) if matches!(value, Value::List(_)) => match value {
                Value::List(items) => items.iter().try_for_each(|item| self.admits(item)),
                _ => Ok(()),
            },
            Bound::OneOf(values) => {
                if values.contains(value) {
                    Ok(())
                } else {
                    let allowed: Vec<String> = values.iter().map(display).collect();
                    Err(format!("{} is not one of {}", display(value), allowed.join(", ")))
                }
            }
            Bound::Pattern(regex) => match value {
                Value::String(s) if regex.is_match(s) => Ok(()),
                other => Err(format!("{} does not match \"{}\"", display(other), regex.as_str())),
            },
        }
    }
}

fn ordinal(value: &Value) -> Option<f64> {
    match value {
        Value::Int(n) => Some(*n as f64),
        Value::Float(f) => Some(*f),
        Value::Duration { duration_ms } => Some(*duration_ms as f64),
        _ => None,
    }
}

/// A value as a playbook would write it.
pub fn display(value: &Value) -> String {
    match value {
        Value::Null => "none".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => format!("\"{s}\""),
        Value::Duration { duration_ms } => format_duration(*duration_ms),
        Value::List(items) => format!("[{}]", items.iter().map(display).collect::<Vec<_>>().join(", ")),
        Value::Record(fields) => {
            format!("{{{}}}", fields.iter().map(|(k, v)| format!("{k}: {}", display(v))).collect::<Vec<_>>().join(", "))
        }
    }
}

/// Milliseconds in the largest exact units: 5400000 → `1h30m`.
pub fn format_duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    const UNITS: &[(&str, u64)] =
        &[("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];
    let mut rest = ms;
    let mut out = String::new();
    for (unit, size) in UNITS {
        // Weeks only when exact: 90 days reads better as 90d than 12w6d.
        if *unit == "w" && !ms.is_multiple_of(*size) {
            continue;
        }
        if rest >= *size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}
