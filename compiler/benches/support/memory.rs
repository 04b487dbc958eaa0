//! Peak memory of this process, from Linux's `/proc/self/status`.
//!
//! The workspace forbids `unsafe`, so a counting global allocator is out; the kernel's high-water mark of the
//! resident set (VmHWM) is read instead. Writing `5` to `/proc/self/clear_refs` resets it to the current
//! resident size, so the peak of one compilation can be taken on its own.

/// Resets the high-water mark to the current resident size; false where the kernel does not allow it.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The peak resident set since start or the last reset, in KiB.
pub fn peak_kib() -> Option<u64> {
    status_field("VmHWM:")
}

/// The current resident set, in KiB.
pub fn resident_kib() -> Option<u64> {
    status_field("VmRSS:")
}

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(name))?;
    line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// KiB as MiB with one decimal, or "unavailable".
pub fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "unavailable".to_string(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0))
}
