//! The image's one layer: a gzip'd tar whose bytes depend only on the files put in it. Entries go in path
//! order with each directory before what it holds; every header has time stamp 0, owner and group 0 and no user
//! or group name; the gzip header's time stamp is 0 too. The same files give the same digest on any machine
//! with the same `flate2`.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::{Compression, GzBuilder};
use tar::{EntryType, Header};

use super::ImageError;
use super::digest::sha256_digest;

/// What a layer holds at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerEntry {
    Directory { mode: u32 },
    File { mode: u32, contents: Vec<u8> },
}

/// The files of a layer by path (relative, `/`-separated, as in the image: `lib/x86_64-linux-gnu/libc.so.6`).
#[derive(Debug, Default)]
pub struct LayerFiles {
    entries: BTreeMap<String, LayerEntry>,
}

/// A layer as pushed: the gzip'd tar, its digest, and the digest of the tar itself (the config's `diff_id`).
#[derive(Debug, Clone)]
pub struct Layer {
    pub gzip: Vec<u8>,
    pub digest: String,
    pub diff_id: String,
    /// The size of the uncompressed tar.
    pub tar_size: u64,
}

impl LayerFiles {
    /// Adds a file at `path` (leading `/` optional); its parent directories are added with mode 0755 unless
    /// already there. A second file at the same path replaces the first.
    pub fn add_file(&mut self, path: &str, mode: u32, contents: Vec<u8>) {
        let path = relative(path);
        self.add_parents(&path);
        self.entries.insert(path, LayerEntry::File { mode, contents });
    }

    /// Adds a directory (its parents too).
    pub fn add_directory(&mut self, path: &str, mode: u32) {
        let path = relative(path);
        self.add_parents(&path);
        self.entries.insert(path, LayerEntry::Directory { mode });
    }

    fn add_parents(&mut self, path: &str) {
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash;
            self.entries.entry(path[..end].to_string()).or_insert(LayerEntry::Directory { mode: 0o755 });
            end += 1;
        }
    }

    /// Every path and its entry, in the order the tar lists them.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &LayerEntry)> {
        self.entries.iter().map(|(path, entry)| (path.as_str(), entry))
    }

    /// The tar, then its gzip.
    pub fn build(&self) -> Result<Layer, ImageError> {
        let tar = self.tar()?;
        let mut gzip = GzBuilder::new().mtime(0).write(Vec::new(), Compression::default());
        gzip.write_all(&tar).map_err(ImageError::Archive)?;
        let gzip = gzip.finish().map_err(ImageError::Archive)?;
        Ok(Layer { digest: sha256_digest(&gzip), diff_id: sha256_digest(&tar), tar_size: tar.len() as u64, gzip })
    }

    fn tar(&self) -> Result<Vec<u8>, ImageError> {
        let mut builder = tar::Builder::new(Vec::new());
        // `BTreeMap` order puts `a` before `a/b`, but also `a-b` before `a/b`; a directory still precedes its
        // contents, which is all an unpacker needs.
        for (path, entry) in &self.entries {
            let mut header = Header::new_gnu();
            header.set_mtime(0);
            header.set_uid(0);
            header.set_gid(0);
            match entry {
                LayerEntry::Directory { mode } => {
                    header.set_entry_type(EntryType::Directory);
                    header.set_mode(*mode);
                    header.set_size(0);
                    builder
                        .append_data(&mut header, format!("{path}/"), std::io::empty())
                        .map_err(ImageError::Archive)?;
                }
                LayerEntry::File { mode, contents } => {
                    header.set_entry_type(EntryType::Regular);
                    header.set_mode(*mode);
                    header.set_size(contents.len() as u64);
                    builder.append_data(&mut header, path, contents.as_slice()).map_err(ImageError::Archive)?;
                }
            }
        }
        builder.into_inner().map_err(ImageError::Archive)
    }
}

fn relative(path: &str) -> String {
    path.trim_start_matches('/').trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(layer: &Layer) -> Vec<(String, u32, u64, u64)> {
        let tar = flate2::read::GzDecoder::new(layer.gzip.as_slice());
        let mut archive = tar::Archive::new(tar);
        let mut seen = Vec::new();
        for entry in archive.entries().expect("entries") {
            let entry = entry.expect("entry");
            let header = entry.header();
            seen.push((
                entry.path().expect("path").display().to_string(),
                header.mode().expect("mode"),
                header.mtime().expect("mtime"),
                header.uid().expect("uid"),
            ));
        }
        seen
    }

    #[test]
    fn parents_come_first_and_every_header_is_fixed() {
        let mut files = LayerFiles::default();
        files.add_file("/lib/x86_64-linux-gnu/libc.so.6", 0o755, b"libc".to_vec());
        files.add_file("/escher", 0o755, b"binary".to_vec());
        files.add_directory("/tmp", 0o1777);
        let layer = files.build().expect("layer");
        assert_eq!(
            listing(&layer),
            [
                ("escher".to_string(), 0o755, 0, 0),
                ("lib/".to_string(), 0o755, 0, 0),
                ("lib/x86_64-linux-gnu/".to_string(), 0o755, 0, 0),
                ("lib/x86_64-linux-gnu/libc.so.6".to_string(), 0o755, 0, 0),
                ("tmp/".to_string(), 0o1777, 0, 0),
            ]
        );
    }

    #[test]
    fn the_same_files_in_any_order_give_the_same_digests() {
        let mut first = LayerFiles::default();
        first.add_file("b/two", 0o644, b"2".to_vec());
        first.add_file("a/one", 0o644, b"1".to_vec());
        let mut second = LayerFiles::default();
        second.add_file("a/one", 0o644, b"1".to_vec());
        second.add_file("b/two", 0o644, b"2".to_vec());
        let (first, second) = (first.build().expect("first"), second.build().expect("second"));
        assert_eq!(first.digest, second.digest);
        assert_eq!(first.diff_id, second.diff_id);

        let mut changed = LayerFiles::default();
        changed.add_file("a/one", 0o600, b"1".to_vec());
        changed.add_file("b/two", 0o644, b"2".to_vec());
        assert_ne!(changed.build().expect("changed").diff_id, first.diff_id, "the mode is part of the layer");
    }
}
