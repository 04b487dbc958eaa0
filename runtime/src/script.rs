//! `script` steps: a rhai body run in a sandbox. The engine starts raw (no functions at all) and gets only the
//! packages for arithmetic, logic, strings, arrays and maps; nothing that reaches files, processes or the network
//! is registered. Operations, call depth, sizes and time are limited. Inputs become scope variables; the result
//! is converted to the step's declared output type, or the step fails.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use escher_compiler::plan::Value;
use escher_compiler::types::Type;
use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, CorePackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{Array, Dynamic, Engine, EvalAltResult, Map, Scope};

/// What one script may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    pub max_operations: u64,
    pub timeout: Duration,
}

const MAX_CALL_LEVELS: usize = 32;
const MAX_EXPR_DEPTH: usize = 64;
const MAX_STRING_BYTES: usize = 1 << 20;
const MAX_ARRAY_LEN: usize = 100_000;
const MAX_MAP_LEN: usize = 10_000;
/// How many operations run between two looks at the clock.
const CLOCK_EVERY: u64 = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("the script does not compile: {0}")]
    Compile(String),
    #[error("the script ran more than {0} operations")]
    TooManyOperations(u64),
    #[error("the script ran longer than {0:?}")]
    Timeout(Duration),
    #[error("the script failed: {0}")]
    Failed(String),
    #[error("the script returned {found} where its declared output type {expected} wants {wanted}")]
    Output { expected: String, wanted: String, found: String },
}

/// Runs `source` with `inputs` as variables and converts its value to `output`. Blocking: call it from a
/// blocking thread.
pub fn run_script(
    source: &str,
    inputs: &BTreeMap<String, Value>,
    output: &Type,
    limits: &ScriptLimits,
) -> Result<Value, ScriptError> {
    let engine = sandbox(limits);
    let mut scope = Scope::new();
    for (name, value) in inputs {
        scope.push_dynamic(name.as_str(), to_dynamic(value));
    }
    let ast = engine.compile_with_scope(&scope, source).map_err(|error| ScriptError::Compile(error.to_string()))?;
    let result = engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast).map_err(|error| match *error {
        EvalAltResult::ErrorTooManyOperations(_) => ScriptError::TooManyOperations(limits.max_operations),
        EvalAltResult::ErrorTerminated(..) => ScriptError::Timeout(limits.timeout),
        other => ScriptError::Failed(other.to_string()),
    })?;
    from_dynamic(result, output).map_err(|mismatch| ScriptError::Output {
        expected: output.to_string(),
        wanted: mismatch.wanted,
        found: mismatch.found,
    })
}

fn sandbox(limits: &ScriptLimits) -> Engine {
    let mut engine = Engine::new_raw();
    for package in [
        CorePackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(package);
    }
    engine.set_strict_variables(true);
    engine.disable_symbol("eval");
    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    engine.set_max_expr_depths(MAX_EXPR_DEPTH, MAX_EXPR_DEPTH);
    engine.set_max_string_size(MAX_STRING_BYTES);
    engine.set_max_array_size(MAX_ARRAY_LEN);
    engine.set_max_map_size(MAX_MAP_LEN);
    let deadline = Instant::now() + limits.timeout;
    engine.on_progress(move |operations| {
        (operations % CLOCK_EVERY == 0 && Instant::now() >= deadline).then(|| Dynamic::from("timeout"))
    });
    engine
}

/// A plan value as a script sees it. Durations are whole milliseconds.
pub fn to_dynamic(value: &Value) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Int(i) => Dynamic::from_int(*i),
        Value::Float(f) => Dynamic::from_float(*f),
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Duration { duration_ms } => Dynamic::from_int(i64::try_from(*duration_ms).unwrap_or(i64::MAX)),
        Value::List(items) => Dynamic::from_array(items.iter().map(to_dynamic).collect()),
        Value::Record(fields) => {
            Dynamic::from_map(fields.iter().map(|(name, value)| (name.as_str().into(), to_dynamic(value))).collect())
        }
    }
}

/// Why a script's value does not fit its declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub wanted: String,
    pub found: String,
}

fn mismatch(wanted: impl Into<String>, found: &Dynamic) -> Mismatch {
    Mismatch { wanted: wanted.into(), found: found.type_name().rsplit("::").next().unwrap_or_default().to_string() }
}

/// A script's value as a plan value of type `ty`.
pub fn from_dynamic(value: Dynamic, ty: &Type) -> Result<Value, Mismatch> {
    match ty {
        Type::Optional(inner) => {
            if value.is_unit() {
                Ok(Value::Null)
            } else {
                from_dynamic(value, inner)
            }
        }
        Type::String | Type::Datetime | Type::Enum(_) => {
            let found = mismatch("a string", &value);
            text(value).ok_or(found)
        }
        Type::Int => value.as_int().map(Value::Int).map_err(|_| mismatch("an integer", &value)),
        Type::Float => match value.as_float() {
            Ok(f) => Ok(Value::Float(f)),
            Err(_) => value.as_int().map(|i| Value::Float(i as f64)).map_err(|_| mismatch("a number", &value)),
        },
        Type::Bool => value.as_bool().map(Value::Bool).map_err(|_| mismatch("a bool", &value)),
        Type::Duration => match value.as_int() {
            Ok(ms) if ms >= 0 => Ok(Value::Duration { duration_ms: ms as u64 }),
            _ => Err(mismatch("a non-negative number of milliseconds", &value)),
        },
        Type::List(element) => {
            let items = list(value)?;
            items.into_iter().map(|item| from_dynamic(item, element)).collect::<Result<_, _>>().map(Value::List)
        }
        Type::Map(element) => {
            let fields = map(value)?;
            let converted = fields.into_iter().map(|(name, item)| Ok((name.to_string(), from_dynamic(item, element)?)));
            converted.collect::<Result<_, _>>().map(Value::Record)
        }
        Type::Record(declared) => record(value, declared),
        Type::Outcome(of) => record(value, &Type::outcome_fields(of)),
        Type::Resource(_) | Type::Interface(_) => map(value)?
            .into_iter()
            .map(|(name, item)| Ok((name.to_string(), structural(item)?)))
            .collect::<Result<_, _>>()
            .map(Value::Record),
        Type::Secret(_) => Err(mismatch("no secret (scripts cannot make secrets)", &value)),
        Type::Any | Type::Never | Type::Error => structural(value),
    }
}

/// A record of the declared fields (a missing optional field is none) and any others the script added.
fn record(value: Dynamic, declared: &BTreeMap<String, Type>) -> Result<Value, Mismatch> {
    let mut fields = map(value)?;
    let mut out = BTreeMap::new();
    for (name, ty) in declared {
        match fields.remove(name.as_str()) {
            Some(item) => {
                out.insert(name.clone(), from_dynamic(item, ty)?);
            }
            None if matches!(ty, Type::Optional(_)) => {
                out.insert(name.clone(), Value::Null);
            }
            None => return Err(Mismatch { wanted: format!("a field `{name}`"), found: "a map without it".into() }),
        }
    }
    for (name, item) in fields {
        out.insert(name.to_string(), structural(item)?);
    }
    Ok(Value::Record(out))
}

/// A value converted by its own shape, for `any`.
fn structural(value: Dynamic) -> Result<Value, Mismatch> {
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Value::Int(i));
    }
    if let Ok(f) = value.as_float() {
        return Ok(Value::Float(f));
    }
    if value.is_array() {
        return list(value)?.into_iter().map(structural).collect::<Result<_, _>>().map(Value::List);
    }
    if value.is_map() {
        let fields = map(value)?.into_iter().map(|(name, item)| Ok((name.to_string(), structural(item)?)));
        return fields.collect::<Result<_, _>>().map(Value::Record);
    }
    let found = mismatch("", &value).found;
    text(value).ok_or(Mismatch { wanted: "a plain value".into(), found })
}

fn text(value: Dynamic) -> Option<Value> {
    if let Ok(c) = value.as_char() {
        return Some(Value::String(c.to_string()));
    }
    value.into_string().ok().map(Value::String)
}

fn list(value: Dynamic) -> Result<Array, Mismatch> {
    let found = mismatch("a list", &value);
    value.into_array().map_err(|_| found)
}

fn map(value: Dynamic) -> Result<Map, Mismatch> {
    let found = mismatch("a map", &value);
    value.try_cast::<Map>().ok_or(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ScriptLimits {
        ScriptLimits { max_operations: 100_000, timeout: Duration::from_secs(5) }
    }

    fn run(source: &str, inputs: &[(&str, Value)], output: Type) -> Result<Value, ScriptError> {
        let inputs = inputs.iter().map(|(name, value)| (name.to_string(), value.clone())).collect();
        run_script(source, &inputs, &output, &limits())
    }

    fn instance(id: &str, name: &str) -> Value {
        Value::Record(BTreeMap::from([
            ("id".to_string(), Value::String(id.into())),
            ("name".to_string(), Value::String(name.into())),
        ]))
    }

    #[test]
    fn inputs_are_variables_and_the_result_takes_the_declared_type() {
        let source = r#"
            let bad = [];
            for i in instances { if !i.name.starts_with(prefix) { bad.push(i.id); } }
            bad
        "#;
        let instances = Value::List(vec![instance("i-1", "web-1"), instance("i-2", "db")]);
        let result = run(
            source,
            &[("instances", instances), ("prefix", Value::String("web-".into()))],
            Type::list(Type::String),
        );
        assert_eq!(result, Ok(Value::List(vec![Value::String("i-2".into())])));
    }

    #[test]
    fn records_keep_their_fields_and_durations_are_milliseconds() {
        let output = Type::Record(BTreeMap::from([
            ("count".to_string(), Type::Int),
            ("pause".to_string(), Type::Duration),
            ("note".to_string(), Type::optional(Type::String)),
        ]));
        let result = run(
            "#{count: items.len(), pause: wait * 2}",
            &[
                ("items", Value::List(vec![Value::Int(1), Value::Int(2)])),
                ("wait", Value::Duration { duration_ms: 1500 }),
            ],
            output,
        );
        assert_eq!(
            result,
            Ok(Value::Record(BTreeMap::from([
                ("count".to_string(), Value::Int(2)),
                ("note".to_string(), Value::Null),
                ("pause".to_string(), Value::Duration { duration_ms: 3000 }),
            ])))
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_fails_the_script() {
        let error = run(r#""three""#, &[], Type::Int).expect_err("an error");
        assert!(matches!(&error, ScriptError::Output { wanted, .. } if wanted == "an integer"), "{error}");
    }

    #[test]
    fn an_endless_loop_runs_out_of_operations() {
        assert_eq!(run("loop { }", &[], Type::Int), Err(ScriptError::TooManyOperations(100_000)));
    }

    #[test]
    fn a_slow_script_is_stopped_at_its_deadline() {
        let limits = ScriptLimits { max_operations: u64::MAX, timeout: Duration::from_millis(50) };
        let started = Instant::now();
        let result = run_script("loop { }", &BTreeMap::new(), &Type::Int, &limits);
        assert_eq!(result, Err(ScriptError::Timeout(Duration::from_millis(50))));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn deep_recursion_is_refused() {
        let result = run("fn down(n) { down(n + 1) } down(0)", &[], Type::Int);
        assert!(matches!(result, Err(ScriptError::Failed(_))), "{result:?}");
    }

    #[test]
    fn huge_strings_are_refused() {
        let result = run(r#"let s = "x"; loop { s += s; }"#, &[], Type::String);
        assert!(matches!(result, Err(ScriptError::Failed(ref m)) if m.contains("too large")), "{result:?}");
    }

    #[test]
    fn undefined_variables_and_eval_are_errors() {
        assert!(matches!(run("missing + 1", &[], Type::Int), Err(ScriptError::Compile(_))));
        assert!(matches!(run(r#"eval("1")"#, &[], Type::Int), Err(ScriptError::Compile(_))));
    }

    #[test]
    fn nothing_outside_the_sandbox_is_callable() {
        for source in [r#"open_file("/etc/passwd")"#, r#"system("ls")"#, "timestamp()"] {
            let result = run(source, &[], Type::Any);
            assert!(
                matches!(result, Err(ScriptError::Failed(ref m)) if m.contains("not found")),
                "{source}: {result:?}"
            );
        }
    }
}
