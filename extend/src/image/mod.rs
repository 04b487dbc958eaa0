//! The engine's container image, built without a container daemon or a base image: one layer holding the
//! `escher` binary, exactly the shared libraries it loads (none for a static build), a CA bundle and an empty
//! `/tmp`, on an empty (scratch) root. The image is reproducible: the same binary, libraries and CA bundle give
//! the same manifest digest ([`layer`] says how).
//!
//! [`build`] makes it in memory, [`layout`] writes it as an OCI image layout (what `podman`, `skopeo` and
//! `umoci` read as `oci:DIR`) and reads one back, and [`push`] sends it to a registry.

mod digest;
pub mod layer;
pub mod layout;
pub mod libraries;
pub mod push;

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use digest::{sha256_digest, sha256_hex};
use layer::LayerFiles;

pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// Where the binary goes in the image, and the CA bundle (also `SSL_CERT_FILE` in the image's environment).
pub const BINARY_PATH: &str = "/escher";
pub const CA_BUNDLE_PATH: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The user the engine runs as: `nobody`, never root.
pub const USER: &str = "65534:65534";

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a Linux ELF executable (a container runs Linux binaries: build for a linux target)")]
    NotElf { path: PathBuf },
    #[error(
        "{path} is an ELF binary for machine {machine:#x}, which the image cannot declare (x86_64 and aarch64 only)"
    )]
    UnknownArchitecture { path: PathBuf, machine: u16 },
    #[error("cannot list the shared libraries of {binary}: {detail}")]
    Ldd { binary: PathBuf, detail: String },
    #[error("cannot build the image's layer: {0}")]
    Archive(std::io::Error),
    #[error("{path} is not an OCI image layout: {detail}")]
    Layout { path: PathBuf, detail: String },
    #[error("the registry at {registry} refused {what}: {detail}")]
    Push { registry: String, what: String, detail: String },
}

/// What goes into the image.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    /// The `escher` binary (a Linux ELF; the release build for users, the test build in tests).
    pub binary: PathBuf,
    /// The CA bundle for TLS to the clouds' APIs (default: this machine's, `/etc/ssl/certs/ca-certificates.crt`).
    pub ca_bundle: PathBuf,
    /// The image's command after the entry point (the binary): by default the container job.
    pub command: Vec<String>,
}

impl ImageSpec {
    pub fn new(binary: impl Into<PathBuf>) -> ImageSpec {
        ImageSpec {
            binary: binary.into(),
            ca_bundle: PathBuf::from(CA_BUNDLE_PATH),
            // The state comes from `ESCHER_STATE` (the task definition sets it).
            command: ["job", "run-due", "--exit-when-idle"].map(String::from).to_vec(),
        }
    }
}

/// One content-addressed blob of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub media_type: &'static str,
    pub digest: String,
    pub bytes: Vec<u8>,
}

impl Blob {
    fn new(media_type: &'static str, bytes: Vec<u8>) -> Blob {
        Blob { media_type, digest: sha256_digest(&bytes), bytes }
    }

    fn descriptor(&self) -> Descriptor<'_> {
        Descriptor { media_type: self.media_type, digest: &self.digest, size: self.bytes.len() as u64 }
    }
}

/// A built image: its manifest, config and layer.
#[derive(Debug, Clone)]
pub struct Image {
    pub manifest: Blob,
    pub config: Blob,
    pub layer: Blob,
    /// The OCI architecture (`amd64`, `arm64`), read from the binary's ELF header.
    pub architecture: String,
    /// Each file in the image with its size, in the layer's order.
    pub files: Vec<(String, u64)>,
}

impl Image {
    /// The manifest's digest: the image's identity in a registry (`repo@sha256:…`).
    pub fn digest(&self) -> &str {
        &self.manifest.digest
    }

    /// What the registry stores: manifest, config and compressed layer.
    pub fn size(&self) -> u64 {
        [&self.manifest, &self.config, &self.layer].iter().map(|blob| blob.bytes.len() as u64).sum()
    }
}

/// Builds the image: the binary at [`BINARY_PATH`], each library [`libraries::shared_libraries`] lists at its
/// own path, the CA bundle at [`CA_BUNDLE_PATH`], an `nsswitch.conf` so names resolve through DNS, and `/tmp`.
pub fn build(spec: &ImageSpec) -> Result<Image, ImageError> {
    let binary = read(&spec.binary)?;
    let architecture = elf_architecture(&spec.binary, &binary)?;
    let mut files = LayerFiles::default();
    for library in libraries::shared_libraries(&spec.binary)? {
        // Read through symlinks: the image holds the file's bytes where the loader asks for it.
        let contents = read(&library)?;
        files.add_file(&library.to_string_lossy(), 0o755, contents);
    }
    files.add_file(BINARY_PATH, 0o755, binary);
    files.add_file(CA_BUNDLE_PATH, 0o644, read(&spec.ca_bundle)?);
    files.add_file("/etc/nsswitch.conf", 0o644, b"hosts: files dns\n".to_vec());
    files.add_directory("/tmp", 0o1777);

    let listing = files
        .entries()
        .filter_map(|(path, entry)| match entry {
            layer::LayerEntry::File { contents, .. } => Some((format!("/{path}"), contents.len() as u64)),
            layer::LayerEntry::Directory { .. } => None,
        })
        .collect();
    let layer = files.build()?;

    let config = ImageConfig {
        architecture: &architecture,
        os: "linux",
        config: RunConfig {
            entrypoint: vec![BINARY_PATH],
            cmd: spec.command.iter().map(String::as_str).collect(),
            env: vec![
                "PATH=/",
                "HOME=/tmp",
                "TMPDIR=/tmp",
                // `SSL_CERT_FILE` is read by rustls-native-certs (the AWS SDK's and reqwest's roots).
                "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
            ],
            working_dir: "/tmp",
            user: USER,
        },
        rootfs: RootFs { kind: "layers", diff_ids: vec![&layer.diff_id] },
    };
    let config = Blob::new(CONFIG_MEDIA_TYPE, to_json(&config));
    let layer = Blob::new(LAYER_MEDIA_TYPE, layer.gzip);
    let manifest = Manifest {
        schema_version: 2,
        media_type: MANIFEST_MEDIA_TYPE,
        config: config.descriptor(),
        layers: vec![layer.descriptor()],
    };
    let manifest = Blob::new(MANIFEST_MEDIA_TYPE, to_json(&manifest));
    Ok(Image { manifest, config, layer, architecture, files: listing })
}

fn read(path: &Path) -> Result<Vec<u8>, ImageError> {
    fs::read(path).map_err(|source| ImageError::Read { path: path.to_path_buf(), source })
}

/// The OCI architecture of an ELF executable, from `e_machine` (little-endian, the only byte order of the two
/// machines Fargate runs).
fn elf_architecture(path: &Path, binary: &[u8]) -> Result<String, ImageError> {
    if binary.len() < 20 || &binary[..4] != b"\x7fELF" {
        return Err(ImageError::NotElf { path: path.to_path_buf() });
    }
    match u16::from_le_bytes([binary[18], binary[19]]) {
        0x3e => Ok("amd64".to_string()),
        0xb7 => Ok("arm64".to_string()),
        machine => Err(ImageError::UnknownArchitecture { path: path.to_path_buf(), machine }),
    }
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    // Serializing these structs of strings and numbers cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor<'a> {
    pub media_type: &'a str,
    pub digest: &'a str,
    pub size: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    schema_version: u32,
    media_type: &'a str,
    config: Descriptor<'a>,
    layers: Vec<Descriptor<'a>>,
}

/// The image configuration (OCI image spec, `config.md`); no `created` time, so a rebuild is byte-identical.
#[derive(Serialize)]
struct ImageConfig<'a> {
    architecture: &'a str,
    os: &'a str,
    config: RunConfig<'a>,
    rootfs: RootFs<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RunConfig<'a> {
    entrypoint: Vec<&'a str>,
    cmd: Vec<&'a str>,
    env: Vec<&'a str>,
    working_dir: &'a str,
    user: &'a str,
}

#[derive(Serialize)]
struct RootFs<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    diff_ids: Vec<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_elf_is_refused_by_name() {
        let error = elf_architecture(Path::new("escher.exe"), b"MZ\x90\x00 not an elf file").expect_err("not elf");
        assert!(error.to_string().starts_with("escher.exe is not a Linux ELF executable"), "{error}");
    }

    #[test]
    fn this_machines_ls_makes_an_image_whose_manifest_names_its_blobs() {
        let mut spec = ImageSpec::new("/bin/ls");
        spec.command = vec!["--version".to_string()];
        let image = build(&spec).expect("image");
        let manifest: serde_json::Value = serde_json::from_slice(&image.manifest.bytes).expect("json");
        assert_eq!(manifest["config"]["digest"], image.config.digest.as_str());
        assert_eq!(manifest["layers"][0]["digest"], image.layer.digest.as_str());
        assert_eq!(manifest["layers"][0]["size"], image.layer.bytes.len());
        let config: serde_json::Value = serde_json::from_slice(&image.config.bytes).expect("json");
        assert_eq!(config["config"]["Entrypoint"][0], "/escher");
        assert_eq!(config["config"]["User"], USER);
        assert!(image.files.iter().any(|(path, _)| path.ends_with("/libc.so.6")), "{:?}", image.files);
        assert_eq!(build(&spec).expect("again").digest(), image.digest());
    }
}
