//! Evaluating plan expressions at run time, against the outputs of nodes that finished.
//!
//! The compiler folded everything known at plan time; what is left reads node outputs, `for` variables and
//! secrets. Operators mean here exactly what they meant when the compiler folded them
//! ([`escher_compiler::lower::fold_binary`] is the one definition).

use std::collections::BTreeMap;

use escher_compiler::lower::{display, fold_binary};
use escher_compiler::plan::{PlanExpr, Value};
use escher_compiler::syntax::ast::BinaryOp;

use crate::provider::Secret;
use crate::secrets::{SecretError, SecretStore};

/// What an expression can read.
pub struct EvalScope<'a> {
    /// Outputs of finished nodes, by node id.
    pub outputs: &'a BTreeMap<String, Value>,
    /// `for` variables bound by a fan-out.
    pub vars: &'a BTreeMap<String, Value>,
    pub secrets: &'a dyn SecretStore,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("the output of `{0}` is not available (it did not run or has not finished)")]
    NoOutput(String),
    #[error("`{0}` is not bound")]
    Unbound(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("a secret can only be passed whole to an action parameter, not used inside {0}")]
    SecretInside(String),
    #[error("`{op}` cannot be applied to {left} and {right}")]
    Operands { op: String, left: String, right: String },
    #[error("{0} is not a list")]
    NotAList(String),
    #[error("a condition evaluated to {0}, not true or false")]
    NotABool(String),
    #[error("\"{0}\" is not an RFC 3339 date and time")]
    BadDatetime(String),
    #[error("unknown function `{0}`")]
    UnknownFunction(String),
}

/// Evaluates an expression that must not hold a secret.
pub fn evaluate(expr: &PlanExpr, scope: &EvalScope<'_>) -> Result<Value, EvalError> {
    Evaluator { scope, locals: Vec::new() }.value(expr, "an expression")
}

/// A step's arguments evaluated: plain values, and secrets resolved and kept apart.
pub type EvaluatedArgs = (BTreeMap<String, Value>, BTreeMap<String, Secret>);

/// Evaluates a step's arguments; arguments that are secrets are returned apart, resolved.
pub fn evaluate_args(args: &BTreeMap<String, PlanExpr>, scope: &EvalScope<'_>) -> Result<EvaluatedArgs, EvalError> {
    let mut values = BTreeMap::new();
    let mut secrets = BTreeMap::new();
    let mut evaluator = Evaluator { scope, locals: Vec::new() };
    for (name, expr) in args {
        match expr {
            PlanExpr::Secret { name: secret } => {
                secrets.insert(name.clone(), scope.secrets.get(secret)?);
            }
            other => {
                values.insert(name.clone(), evaluator.value(other, &format!("the argument `{name}`"))?);
            }
        }
    }
    Ok((values, secrets))
}

/// Evaluates a `when` condition.
pub fn evaluate_condition(expr: &PlanExpr, scope: &EvalScope<'_>) -> Result<bool, EvalError> {
    match evaluate(expr, scope)? {
        Value::Bool(b) => Ok(b),
        other => Err(EvalError::NotABool(display(&other))),
    }
}

struct Evaluator<'s, 'a> {
    scope: &'s EvalScope<'a>,
    /// Comprehension variables, innermost last; they shadow the scope's `vars`.
    locals: Vec<(String, Value)>,
}

impl Evaluator<'_, '_> {
    /// Evaluates `expr`; `context` names where a secret would be misplaced.
    fn value(&mut self, expr: &PlanExpr, context: &str) -> Result<Value, EvalError> {
        Ok(match expr {
            PlanExpr::Value { value } => value.clone(),
            PlanExpr::Ref { node, path } => {
                let base = self.scope.outputs.get(node).ok_or_else(|| EvalError::NoOutput(node.clone()))?;
                follow(base, path)
            }
            PlanExpr::Var { name, path } => {
                let local = self.locals.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v);
                let base =
                    local.or_else(|| self.scope.vars.get(name)).ok_or_else(|| EvalError::Unbound(name.clone()))?;
                follow(base, path)
            }
            PlanExpr::Secret { .. } => return Err(EvalError::SecretInside(context.to_string())),
            PlanExpr::Field { base, field } => follow(&self.value(base, context)?, std::slice::from_ref(field)),
            PlanExpr::List { items } => {
                Value::List(items.iter().map(|i| self.value(i, context)).collect::<Result<_, _>>()?)
            }
            PlanExpr::Record { fields } => {
                Value::Record(fields.iter().map(|(k, v)| Ok((k.clone(), self.value(v, context)?))).collect::<Result<
                    _,
                    EvalError,
                >>(
                )?)
            }
            PlanExpr::Interpolate { parts } => {
                let mut text = String::new();
                for part in parts {
                    match self.value(part, "a string")? {
                        Value::String(s) => text.push_str(&s),
                        other => text.push_str(&display(&other)),
                    }
                }
                Value::String(text)
            }
            PlanExpr::Not { operand } => match self.value(operand, context)? {
                Value::Bool(b) => Value::Bool(!b),
                other => return Err(EvalError::NotABool(display(&other))),
            },
            PlanExpr::Binary { op, left, right } => self.binary(op, left, right, context)?,
            PlanExpr::Call { function, args } => self.call(function, args, context)?,
            PlanExpr::Comprehension { elem, var, iter, cond } => {
                let items = match self.value(iter, context)? {
                    Value::List(items) => items,
                    Value::Null => Vec::new(),
                    other => return Err(EvalError::NotAList(display(&other))),
                };
                let mut out = Vec::new();
                for item in items {
                    self.locals.push((var.clone(), item));
                    let keep = match cond {
                        Some(cond) => match self.value(cond, context) {
                            Ok(Value::Bool(b)) => Ok(b),
                            Ok(other) => Err(EvalError::NotABool(display(&other))),
                            Err(e) => Err(e),
                        },
                        None => Ok(true),
                    };
                    let result =
                        keep.and_then(|keep| if keep { self.value(elem, context).map(Some) } else { Ok(None) });
                    self.locals.pop();
                    if let Some(value) = result? {
                        out.push(value);
                    }
                }
                Value::List(out)
            }
        })
    }

    fn binary(&mut self, op: &str, left: &PlanExpr, right: &PlanExpr, context: &str) -> Result<Value, EvalError> {
        let op = binary_op(op).ok_or_else(|| EvalError::UnknownFunction(op.to_string()))?;
        let l = self.value(left, context)?;
        // `and` and `or` do not evaluate their right side when the left decides.
        match (op, &l) {
            (BinaryOp::And, Value::Bool(false)) => return Ok(Value::Bool(false)),
            (BinaryOp::Or, Value::Bool(true)) => return Ok(Value::Bool(true)),
            _ => {}
        }
        let r = self.value(right, context)?;
        if let Some(value) = fold_binary(op, &l, &r) {
            return Ok(value);
        }
        // An absent optional field orders before nothing and after nothing: comparisons with it are false.
        let ordering = matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge);
        if ordering && (l == Value::Null || r == Value::Null) {
            return Ok(Value::Bool(false));
        }
        if op == BinaryOp::In && r == Value::Null {
            return Ok(Value::Bool(false));
        }
        Err(EvalError::Operands { op: op.symbol().to_string(), left: display(&l), right: display(&r) })
    }

    fn call(&mut self, function: &str, args: &[PlanExpr], context: &str) -> Result<Value, EvalError> {
        let values: Vec<Value> = args.iter().map(|a| self.value(a, context)).collect::<Result<_, _>>()?;
        match (function, values.as_slice()) {
            ("len", [Value::List(items)]) => Ok(Value::Int(items.len() as i64)),
            ("len", [Value::Record(fields)]) => Ok(Value::Int(fields.len() as i64)),
            ("len", [Value::String(s)]) => Ok(Value::Int(s.chars().count() as i64)),
            ("len", [Value::Null]) => Ok(Value::Int(0)),
            ("datetime", [Value::String(s)]) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|_| Value::String(s.clone()))
                .map_err(|_| EvalError::BadDatetime(s.clone())),
            _ => Err(EvalError::UnknownFunction(function.to_string())),
        }
    }
}

/// Follows a field path into a value; a missing field (an absent tag, say) is `Null`.
fn follow(base: &Value, path: &[String]) -> Value {
    let mut current = base;
    for field in path {
        match current {
            Value::Record(fields) => match fields.get(field) {
                Some(next) => current = next,
                None => return Value::Null,
            },
            _ => return Value::Null,
        }
    }
    current.clone()
}

fn binary_op(symbol: &str) -> Option<BinaryOp> {
    use BinaryOp::*;
    [Or, And, Eq, Ne, Lt, Le, Gt, Ge, In, Concat].into_iter().find(|op| op.symbol() == symbol)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoSecrets;

    impl SecretStore for NoSecrets {
        fn get(&self, name: &str) -> Result<Secret, SecretError> {
            if name == "token" {
                return Ok(Secret::new("s3cr3t"));
            }
            Err(SecretError::Missing { name: name.into(), env_var: "X".into(), file: "f".into() })
        }
    }

    fn text(s: &str) -> PlanExpr {
        PlanExpr::value(Value::String(s.into()))
    }

    fn outputs() -> BTreeMap<String, Value> {
        let instance = |id: &str, state: &str| {
            Value::Record(BTreeMap::from([
                ("id".to_string(), Value::String(id.into())),
                ("state".to_string(), Value::String(state.into())),
            ]))
        };
        BTreeMap::from([(
            "stop".to_string(),
            Value::Record(BTreeMap::from([(
                "changed".to_string(),
                Value::List(vec![instance("i-1", "stopped"), instance("i-2", "running")]),
            )])),
        )])
    }

    fn eval(expr: &PlanExpr) -> Result<Value, EvalError> {
        let outputs = outputs();
        let vars = BTreeMap::new();
        evaluate(expr, &EvalScope { outputs: &outputs, vars: &vars, secrets: &NoSecrets })
    }

    fn reference(path: &[&str]) -> PlanExpr {
        PlanExpr::Ref { node: "stop".into(), path: path.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn a_comprehension_filters_the_output_of_an_earlier_step() {
        let expr = PlanExpr::Comprehension {
            elem: Box::new(PlanExpr::Var { name: "i".into(), path: vec!["id".into()] }),
            var: "i".into(),
            iter: Box::new(reference(&["changed"])),
            cond: Some(Box::new(PlanExpr::Binary {
                op: "==".into(),
                left: Box::new(PlanExpr::Var { name: "i".into(), path: vec!["state".into()] }),
                right: Box::new(text("stopped")),
            })),
        };
        assert_eq!(eval(&expr), Ok(Value::List(vec![Value::String("i-1".into())])));
    }

    #[test]
    fn interpolation_reads_outputs_and_counts() {
        let expr = PlanExpr::Interpolate {
            parts: vec![
                text("stopped "),
                PlanExpr::Call { function: "len".into(), args: vec![reference(&["changed"])] },
                text(" instances"),
            ],
        };
        assert_eq!(eval(&expr), Ok(Value::String("stopped 2 instances".into())));
    }

    #[test]
    fn a_missing_output_is_an_error_not_a_null() {
        let expr = PlanExpr::Ref { node: "later".into(), path: Vec::new() };
        assert_eq!(eval(&expr), Err(EvalError::NoOutput("later".into())));
    }

    #[test]
    fn an_absent_field_is_null_and_orders_false() {
        let absent = reference(&["changed", "nope"]);
        assert_eq!(eval(&absent), Ok(Value::Null));
        let compare = PlanExpr::Binary {
            op: "<".into(),
            left: Box::new(absent),
            right: Box::new(PlanExpr::value(Value::Int(3))),
        };
        assert_eq!(eval(&compare), Ok(Value::Bool(false)));
    }

    #[test]
    fn secrets_are_returned_apart_and_never_inside_values() {
        let outputs = outputs();
        let vars = BTreeMap::new();
        let scope = EvalScope { outputs: &outputs, vars: &vars, secrets: &NoSecrets };
        let args = BTreeMap::from([
            ("webhook".to_string(), PlanExpr::Secret { name: "token".into() }),
            ("message".to_string(), text("hi")),
        ]);
        let (values, secrets) = evaluate_args(&args, &scope).expect("evaluates");
        assert_eq!(values.len(), 1);
        assert_eq!(secrets["webhook"].expose(), "s3cr3t");
        let nested = PlanExpr::List { items: vec![PlanExpr::Secret { name: "token".into() }] };
        assert!(matches!(evaluate(&nested, &scope), Err(EvalError::SecretInside(_))));
    }

    #[test]
    fn and_does_not_evaluate_its_right_side_when_the_left_is_false() {
        let expr = PlanExpr::Binary {
            op: "and".into(),
            left: Box::new(PlanExpr::value(Value::Bool(false))),
            right: Box::new(PlanExpr::Ref { node: "never".into(), path: Vec::new() }),
        };
        assert_eq!(eval(&expr), Ok(Value::Bool(false)));
    }
}
