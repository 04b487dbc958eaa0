//! The shared libraries a dynamically linked binary loads, as the system's `ldd` lists them: each goes into the
//! image at the path `ldd` prints, so the loader finds it where it looks on the build machine. A static binary
//! needs none.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::ImageError;

/// The libraries `binary` needs, each at the absolute path the loader opens (the loader itself included).
pub fn shared_libraries(binary: &Path) -> Result<Vec<PathBuf>, ImageError> {
    let output = Command::new("ldd").arg(binary).output().map_err(|source| ImageError::Ldd {
        binary: binary.to_path_buf(),
        detail: format!("could not start `ldd`: {source}"),
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if is_static(&stdout) || is_static(&stderr) {
        return Ok(Vec::new());
    }
    if !output.status.success() {
        return Err(ImageError::Ldd { binary: binary.to_path_buf(), detail: stderr.trim().to_string() });
    }
    parse_ldd(&stdout).map_err(|detail| ImageError::Ldd { binary: binary.to_path_buf(), detail })
}

fn is_static(text: &str) -> bool {
    text.contains("statically linked") || text.contains("not a dynamic executable")
}

/// Reads `ldd`'s lines: `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)`, the loader as
/// `/lib64/ld-linux-x86-64.so.2 (0x…)`, and the kernel's `linux-vdso.so.1 (0x…)`, which is no file.
fn parse_ldd(stdout: &str) -> Result<Vec<PathBuf>, String> {
    let mut libraries = Vec::new();
    for line in stdout.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let before_address = line.rsplit_once(" (0x").map_or(line, |(path, _)| path);
        let path = match before_address.split_once(" => ") {
            Some((name, "not found")) => return Err(format!("`{name}` is not found on this machine")),
            Some((_, path)) => path.trim(),
            None => before_address.trim(),
        };
        if path.starts_with('/') {
            libraries.push(PathBuf::from(path));
        }
    }
    libraries.sort();
    libraries.dedup();
    Ok(libraries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libraries_and_the_loader_and_skips_the_vdso() {
        let listing = "\tlinux-vdso.so.1 (0x00007ffd4b5f2000)
\tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f0e1a5c0000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e1a3df000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f0e1b9a8000)
";
        assert_eq!(
            parse_ldd(listing).expect("parsed"),
            [
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib/x86_64-linux-gnu/libgcc_s.so.1"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2"),
            ]
        );
    }

    #[test]
    fn a_missing_library_is_named() {
        let error = parse_ldd("\tlibssl.so.3 => not found\n").expect_err("missing");
        assert!(error.contains("`libssl.so.3` is not found"), "{error}");
    }

    #[test]
    fn this_machines_ls_needs_libc_and_the_loader() {
        let libraries = shared_libraries(Path::new("/bin/ls")).expect("ldd");
        assert!(libraries.iter().any(|path| path.ends_with("libc.so.6")), "{libraries:?}");
        assert!(libraries.iter().any(|path| path.to_string_lossy().contains("ld-linux")), "{libraries:?}");
    }
}
