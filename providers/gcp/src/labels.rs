//! Labels, checked before any call against Google's rules for them ("Requirements for labels"): at most 64 on a
//! resource; keys of 1 to 63 characters that start with a lowercase letter; keys and values only lowercase
//! letters, digits, `_` and `-`; values at most 63 characters (empty allowed).

use std::collections::BTreeMap;

use escher_runtime::provider::ProviderError;

const MOST_LABELS: usize = 64;
const LONGEST: usize = 63;

fn allowed(c: char) -> bool {
    c.is_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
}

/// `labels` as they would be after merging into `existing`, or why Google would refuse them.
pub(crate) fn merged(
    existing: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ProviderError> {
    check(labels)?;
    let mut all = existing.clone();
    all.extend(labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    if all.len() > MOST_LABELS {
        return Err(ProviderError::Invalid(format!(
            "labels: {} with the ones already set, and Google allows {MOST_LABELS} on a resource",
            all.len()
        )));
    }
    Ok(all)
}

/// Whether every key and value follows Google's rules.
pub(crate) fn check(labels: &BTreeMap<String, String>) -> Result<(), ProviderError> {
    for (key, value) in labels {
        let key_ok = key.chars().next().is_some_and(char::is_lowercase)
            && key.chars().count() <= LONGEST
            && key.chars().all(allowed);
        if !key_ok {
            return Err(ProviderError::Invalid(format!(
                "label key `{key}`: keys start with a lowercase letter and hold at most {LONGEST} lowercase letters, digits, `_` or `-`"
            )));
        }
        if value.chars().count() > LONGEST || !value.chars().all(allowed) {
            return Err(ProviderError::Invalid(format!(
                "label `{key}` value `{value}`: values hold at most {LONGEST} lowercase letters, digits, `_` or `-`"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn googles_rules_are_checked_before_any_call() {
        assert!(check(&labels(&[("env", "dev"), ("cost-center", ""), ("team_2", "a-b")])).is_ok());
        for bad in [("Env", "dev"), ("2env", "x"), ("env", "Dev"), ("env", "a.b"), ("", "x")] {
            assert!(check(&labels(&[bad])).is_err(), "{bad:?}");
        }
        assert!(check(&labels(&[("k", &"v".repeat(64))])).is_err());
    }

    #[test]
    fn merging_keeps_the_others_and_counts_them() {
        let all = merged(&labels(&[("a", "1"), ("b", "2")]), &labels(&[("b", "3")])).expect("fits");
        assert_eq!(all, labels(&[("a", "1"), ("b", "3")]));
        let many: BTreeMap<String, String> = (0..64).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(merged(&many, &labels(&[("one-more", "")])).is_err());
    }
}
