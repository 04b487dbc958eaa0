//! Reading a call's evaluated arguments. A missing or `null` optional argument reads as its default; an argument
//! of the wrong shape is an invalid request (the compiler's types make that a bug, never a user error).

use std::collections::BTreeMap;
use std::time::Duration;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

/// A call's arguments by name.
pub(crate) struct Args<'a>(pub(crate) &'a BTreeMap<String, Value>);

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

    pub(crate) fn opt_str(&self, name: &str) -> Read<Option<&'a str>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Self::wrong(name, "a string")),
        }
    }

    pub(crate) fn str(&self, name: &str) -> Read<&'a str> {
        self.opt_str(name)?.ok_or_else(|| Self::required(name))
    }

    pub(crate) fn opt_bool(&self, name: &str) -> Read<Option<bool>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Self::wrong(name, "true or false")),
        }
    }

    pub(crate) fn bool_or(&self, name: &str, default: bool) -> Read<bool> {
        Ok(self.opt_bool(name)?.unwrap_or(default))
    }

    pub(crate) fn opt_int(&self, name: &str) -> Read<Option<i64>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Int(i)) => Ok(Some(*i)),
            Some(_) => Err(Self::wrong(name, "an integer")),
        }
    }

    pub(crate) fn int(&self, name: &str) -> Read<i64> {
        self.opt_int(name)?.ok_or_else(|| Self::required(name))
    }

    pub(crate) fn opt_duration(&self, name: &str) -> Read<Option<Duration>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Duration { duration_ms }) => Ok(Some(Duration::from_millis(*duration_ms))),
            Some(_) => Err(Self::wrong(name, "a duration")),
        }
    }

    pub(crate) fn strings(&self, name: &str) -> Read<Vec<String>> {
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

    pub(crate) fn ints(&self, name: &str) -> Read<Vec<i64>> {
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

    /// A `map<string, string>` argument (tags); missing reads as empty.
    pub(crate) fn tags(&self, name: &str) -> Read<BTreeMap<String, String>> {
        match self.present(name) {
            None => Ok(BTreeMap::new()),
            Some(Value::Record(fields)) => fields
                .iter()
                .map(|(key, value)| match value {
                    Value::String(s) => Ok((key.clone(), s.clone())),
                    _ => Err(Self::wrong(name, "a map of strings")),
                })
                .collect(),
            Some(_) => Err(Self::wrong(name, "a map of strings")),
        }
    }
}
