//! Run ids: `YYYYMMDDTHHMMSSZ-<6 hex>`, so sorting them sorts runs by start time.

use chrono::Utc;

/// A new run id: the current UTC time to the second, and 24 random bits for runs started in the same second.
pub fn new_run_id() -> String {
    let suffix = rand::random::<u32>() & 0x00ff_ffff;
    format!("{}-{suffix:06x}", Utc::now().format("%Y%m%dT%H%M%SZ"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_id_is_a_utc_second_and_six_hex_digits() {
        let id = new_run_id();
        let (time, suffix) = id.split_once('-').expect("a dash between time and suffix");
        assert!(chrono::NaiveDateTime::parse_from_str(time, "%Y%m%dT%H%M%SZ").is_ok(), "{id}");
        assert_eq!(suffix.len(), 6, "{id}");
        assert!(suffix.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
        assert!(super::super::paths::is_valid_run_id(&id));
    }
}
