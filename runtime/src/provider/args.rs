//! Reading a call's evaluated arguments, for providers. A missing or `null` optional argument reads as its
//! default; an argument of the wrong shape is an invalid request (the compiler's types make that a runtime bug).

use std::collections::BTreeMap;
use std::time::Duration;

use super::interface::ProviderError;
use escher_compiler::plan::Value;

/// A call's arguments by name: `Args(&call.args)`.
pub struct Args<'a>(pub &'a BTreeMap<String, Value>);

type Read<T> = Result<T, ProviderError>;

impl<'a> Args<'a> {
    fn present(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !matches!(v, Value::Null))
    }

    fn wrong(name: &str, expected: &str) -> ProviderError {
        ProviderError::Invalid(format!("argument `{name}` should be {expected}"))
    }

    fn required(name: &str) -> ProviderError {
        ProviderError::Invalid(format!("argument `{name}` is required"))
    }

    pub fn opt_str(&self, name: &str) -> Read<Option<&'a str>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Self::wrong(name, "a string")),
        }
    }

    pub fn str(&self, name: &str) -> Read<&'a str> {
        self.opt_str(name)?.ok_or_else(|| Self::required(name))
    }

    pub fn opt_bool(&self, name: &str) -> Read<Option<bool>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Self::wrong(name, "true or false")),
        }
    }

    pub fn bool_or(&self, name: &str, default: bool) -> Read<bool> {
        Ok(self.opt_bool(name)?.unwrap_or(default))
    }

    pub fn opt_int(&self, name: &str) -> Read<Option<i64>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Int(i)) => Ok(Some(*i)),
            Some(_) => Err(Self::wrong(name, "an integer")),
        }
    }

    pub fn int(&self, name: &str) -> Read<i64> {
        self.opt_int(name)?.ok_or_else(|| Self::required(name))
    }

    pub fn opt_duration(&self, name: &str) -> Read<Option<Duration>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Duration { duration_ms }) => Ok(Some(Duration::from_millis(*duration_ms))),
            Some(_) => Err(Self::wrong(name, "a duration")),
        }
    }

    pub fn duration_or(&self, name: &str, default: Duration) -> Read<Duration> {
        Ok(self.opt_duration(name)?.unwrap_or(default))
    }

    pub fn strings(&self, name: &str) -> Read<Vec<String>> {
        match self.present(name) {
            None => Ok(Vec::new()),
            Some(Value::List(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(Self::wrong(name, "a list of strings")),
                })
                .collect(),
            Some(_) => Err(Self::wrong(name, "a list of strings")),
        }
    }

    pub fn ints(&self, name: &str) -> Read<Vec<i64>> {
        match self.present(name) {
            None => Ok(Vec::new()),
            Some(Value::List(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Int(i) => Ok(*i),
                    _ => Err(Self::wrong(name, "a list of integers")),
                })
                .collect(),
            Some(_) => Err(Self::wrong(name, "a list of integers")),
        }
    }

    /// A `map<string, string>` such as `tags`.
    pub fn tags(&self, name: &str) -> Read<BTreeMap<String, String>> {
        match self.present(name) {
            None => Ok(BTreeMap::new()),
            Some(Value::Record(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    _ => Err(Self::wrong(name, "a map of strings")),
                })
                .collect(),
            Some(_) => Err(Self::wrong(name, "a map of strings")),
        }
    }

    pub fn list(&self, name: &str) -> Read<&'a [Value]> {
        match self.present(name) {
            None => Ok(&[]),
            Some(Value::List(items)) => Ok(items),
            Some(_) => Err(Self::wrong(name, "a list")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_null_read_as_defaults_and_a_wrong_shape_is_an_invalid_request() {
        let given = BTreeMap::from([
            ("name".to_string(), Value::String("web".into())),
            ("state".to_string(), Value::Null),
            ("ports".to_string(), Value::List(vec![Value::Int(22), Value::Int(3389)])),
            ("tags".to_string(), Value::Record(BTreeMap::from([("env".to_string(), Value::String("dev".into()))]))),
        ]);
        let args = Args(&given);
        assert_eq!(args.str("name"), Ok("web"));
        assert_eq!(args.opt_str("state"), Ok(None));
        assert_eq!(args.bool_or("force", true), Ok(true));
        assert_eq!(args.ints("ports"), Ok(vec![22, 3389]));
        assert_eq!(args.strings("regions"), Ok(Vec::new()));
        assert_eq!(args.tags("tags").map(|tags| tags.len()), Ok(1));
        assert_eq!(args.int("name"), Err(ProviderError::Invalid("argument `name` should be an integer".into())));
        assert_eq!(args.int("count"), Err(ProviderError::Invalid("argument `count` is required".into())));
    }
}
