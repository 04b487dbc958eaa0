//! Deterministic ids, fingerprints and timestamps, so two runs of a test answer byte for byte the same.

/// A Compute-style numeric id (19 digits) derived from `seed`, usually the resource's path.
pub(crate) fn numeric_id(seed: &str) -> String {
    const LOW: u64 = 1_000_000_000_000_000_000;
    (LOW + fnv(seed) % (9 * LOW)).to_string()
}

/// A base64 fingerprint (`labelFingerprint`, `fingerprint`) derived from `seed`.
pub(crate) fn fingerprint(seed: &str) -> String {
    base64(&fnv(seed).to_be_bytes())
}

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// RFC 3339 time `seconds` after 2026-12-01T10:00:00Z, the replay's "now" at start.
pub(crate) fn timestamp(seconds: u64) -> String {
    const START_DAYS: u64 = 20_788; // 2026-12-01, days since 1970-01-01
    const START_SECONDS: u64 = 10 * 3600;
    let total = START_SECONDS + seconds;
    let (days, in_day) = (START_DAYS + total / 86_400, total % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z", in_day / 3600, in_day / 60 % 60, in_day % 60)
}

/// Days since 1970-01-01 as (year, month, day) in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[8, 1]), "CAE=");
    }

    #[test]
    fn timestamps_count_from_the_start_of_december() {
        assert_eq!(timestamp(0), "2026-12-01T10:00:00.000Z");
        assert_eq!(timestamp(86_400 * 31 + 61), "2027-01-01T10:01:01.000Z");
    }

    #[test]
    fn numeric_ids_have_nineteen_digits() {
        assert_eq!(numeric_id("projects/acme-dev/zones/us-central1-a/instances/web-1").len(), 19);
    }
}
