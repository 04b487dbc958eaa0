//! "Did you mean": the one place that picks a close name.

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
///
/// Closeness is Damerau-Levenshtein distance, allowed to grow with the name's length (one edit per three
/// characters, rounded up); a candidate that differs only in case always qualifies.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = name.chars().count().div_ceil(3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let distance = if c.eq_ignore_ascii_case(name) { 0 } else { strsim::damerau_levenshtein(name, c) };
            (distance, c)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// `Some("did you mean `x`?")` help text for the closest candidate.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_letter_typo_finds_the_intended_name() {
        assert_eq!(suggest("stpo", ["stop", "start", "reboot"]), Some("stop"));
    }

    #[test]
    fn a_distant_name_finds_nothing() {
        assert_eq!(suggest("terminate", ["stop", "start"]), None);
    }

    #[test]
    fn a_plural_finds_its_singular() {
        assert_eq!(suggest("retries", ["retry", "timeout", "when"]), Some("retry"));
    }

    #[test]
    fn case_differences_always_qualify() {
        assert_eq!(suggest("MAX_VMS", ["max_vms"]), Some("max_vms"));
    }
}
