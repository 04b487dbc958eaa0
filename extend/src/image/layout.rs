//! An image on disk as an OCI image layout (image-spec `image-layout.md`): `oci-layout`, `index.json` naming the
//! manifest with its tag, and each blob at `blobs/sha256/<hex>`. `podman run oci:DIR:TAG`, `skopeo copy` and
//! `umoci` read it; [`read`] reads it back, checking every blob against its digest.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Blob, CONFIG_MEDIA_TYPE, Descriptor, Image, ImageError, LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE};
use super::{sha256_digest, sha256_hex};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Writes `image` into `dir` (created if missing) as the layout's one image, tagged `tag`.
pub fn write(image: &Image, dir: &Path, tag: &str) -> Result<(), ImageError> {
    let blobs = dir.join("blobs/sha256");
    fs::create_dir_all(&blobs).map_err(|source| ImageError::Write { path: blobs.clone(), source })?;
    for blob in [&image.layer, &image.config, &image.manifest] {
        let hex = sha256_hex(&blob.digest).unwrap_or_default();
        write_file(&blobs.join(hex), &blob.bytes)?;
    }
    write_file(&dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    let index = Index {
        schema_version: 2,
        manifests: vec![IndexEntry {
            descriptor: image.manifest.descriptor(),
            annotations: Annotations { ref_name: tag },
        }],
    };
    write_file(&dir.join("index.json"), &serde_json::to_vec(&index).unwrap_or_default())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ImageError> {
    fs::write(path, bytes).map_err(|source| ImageError::Write { path: path.to_path_buf(), source })
}

/// Reads the image tagged `tag` (or the layout's only image) from `dir`.
pub fn read(dir: &Path, tag: Option<&str>) -> Result<Image, ImageError> {
    let problem = |detail: String| ImageError::Layout { path: dir.to_path_buf(), detail };
    let index: ReadIndex = serde_json::from_slice(&read_file(&dir.join("index.json"))?)
        .map_err(|error| problem(format!("index.json: {error}")))?;
    let entry = match tag {
        Some(tag) => index.manifests.iter().find(|entry| entry.tag() == Some(tag)),
        None if index.manifests.len() == 1 => index.manifests.first(),
        None => return Err(problem(format!("it holds {} images: name one by its tag", index.manifests.len()))),
    }
    .ok_or_else(|| problem(format!("no image is tagged `{}`", tag.unwrap_or_default())))?;

    let manifest = read_blob(dir, MANIFEST_MEDIA_TYPE, &entry.digest)?;
    let parsed: ReadManifest = serde_json::from_slice(&manifest.bytes)
        .map_err(|error| problem(format!("manifest {}: {error}", entry.digest)))?;
    let [layer] = parsed.layers.as_slice() else {
        return Err(problem(format!("Escher's images have one layer, this one has {}", parsed.layers.len())));
    };
    let config = read_blob(dir, CONFIG_MEDIA_TYPE, &parsed.config.digest)?;
    let layer = read_blob(dir, LAYER_MEDIA_TYPE, &layer.digest)?;
    let architecture = serde_json::from_slice::<ReadConfig>(&config.bytes)
        .map_err(|error| problem(format!("config {}: {error}", config.digest)))?
        .architecture;
    Ok(Image { manifest, config, layer, architecture, files: Vec::new() })
}

fn read_file(path: &Path) -> Result<Vec<u8>, ImageError> {
    fs::read(path).map_err(|source| ImageError::Read { path: path.to_path_buf(), source })
}

fn read_blob(dir: &Path, media_type: &'static str, digest: &str) -> Result<Blob, ImageError> {
    let problem = |detail: String| ImageError::Layout { path: dir.to_path_buf(), detail };
    let hex = sha256_hex(digest).ok_or_else(|| problem(format!("`{digest}` is not a sha256 digest")))?;
    let bytes = read_file(&dir.join("blobs/sha256").join(hex))?;
    let actual = sha256_digest(&bytes);
    if actual != digest {
        return Err(problem(format!("blob {digest} has digest {actual}: it was changed after it was written")));
    }
    Ok(Blob { media_type, digest: actual, bytes })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Index<'a> {
    schema_version: u32,
    manifests: Vec<IndexEntry<'a>>,
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    #[serde(flatten)]
    descriptor: Descriptor<'a>,
    annotations: Annotations<'a>,
}

#[derive(Serialize)]
struct Annotations<'a> {
    #[serde(rename = "org.opencontainers.image.ref.name")]
    ref_name: &'a str,
}

#[derive(Deserialize)]
struct ReadIndex {
    manifests: Vec<ReadDescriptor>,
}

#[derive(Deserialize)]
struct ReadDescriptor {
    digest: String,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

impl ReadDescriptor {
    fn tag(&self) -> Option<&str> {
        self.annotations.get(REF_NAME).map(String::as_str)
    }
}

#[derive(Deserialize)]
struct ReadManifest {
    config: ReadDescriptor,
    layers: Vec<ReadDescriptor>,
}

#[derive(Deserialize)]
struct ReadConfig {
    architecture: String,
}

#[cfg(test)]
mod tests {
    use super::super::{ImageSpec, build};
    use super::*;

    #[test]
    fn an_image_written_reads_back_the_same_and_a_changed_blob_is_caught() {
        let mut spec = ImageSpec::new("/bin/ls");
        spec.command = Vec::new();
        let image = build(&spec).expect("image");
        let dir = tempfile::tempdir().expect("tempdir");
        write(&image, dir.path(), "test").expect("written");

        let back = read(dir.path(), Some("test")).expect("read");
        assert_eq!(back.digest(), image.digest());
        assert_eq!((back.config, back.layer), (image.config.clone(), image.layer.clone()));
        assert!(matches!(read(dir.path(), Some("other")), Err(ImageError::Layout { .. })));

        let config = dir.path().join("blobs/sha256").join(sha256_hex(&image.config.digest).expect("hex"));
        fs::write(&config, b"{}").expect("tampered");
        let error = read(dir.path(), None).expect_err("tampered");
        assert!(error.to_string().contains("it was changed after it was written"), "{error}");
    }
}
