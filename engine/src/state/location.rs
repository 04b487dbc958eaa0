//! A state location as a host gives it, and the directory the engine works in for it.

use std::path::{Path, PathBuf};

use escher_state::layout::{check_readable, ensure_layout};
use escher_state::mirror::{SyncReport, pull};
use escher_state::runs::journal_run_ids;
use escher_state::summary::{StateSummary, summarize};
use escher_state::{Store, StoreError, StoreOptions, StoreUrl};

/// A local state directory or a bucket URL, with the local directory commands read and write: the directory
/// itself, or the bucket's local copy under the user's cache directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateLocation {
    url: StoreUrl,
    dir: PathBuf,
}

impl StateLocation {
    /// A directory (a plain path) or an `s3://`, `az://` or `gs://` URL.
    pub fn parse(text: &str) -> Result<StateLocation, StoreError> {
        let url = StoreUrl::parse(text)?;
        let dir = match &url {
            StoreUrl::Local(dir) => dir.clone(),
            remote => cache_dir(remote),
        };
        Ok(StateLocation { url, dir })
    }

    /// The location given (`--state`, or a host's setting), else `ESCHER_STATE`, else `$XDG_DATA_HOME/escher`,
    /// else `~/.local/share/escher`: where every Escher host on a machine looks by default.
    pub fn resolve(given: Option<&Path>) -> Result<StateLocation, StoreError> {
        StateLocation::parse(&default_text(given))
    }

    /// The location as [`StateLocation::resolve`] finds it, as text: for messages about a location that does
    /// not parse.
    pub fn resolved_text(given: Option<&Path>) -> String {
        default_text(given)
    }

    pub fn url(&self) -> &StoreUrl {
        &self.url
    }

    /// The directory the engine reads and writes.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_local(&self) -> bool {
        self.url.is_local()
    }

    /// The store the location names.
    pub fn open(&self) -> Result<Store, StoreError> {
        Store::open(&self.url, &StoreOptions::default())
    }

    /// What the state holds, read where it lives (the bucket, not the local copy), once its layout is known
    /// to be one this build reads.
    pub async fn summary(&self) -> Result<StateSummary, StoreError> {
        let store = self.open()?;
        check_readable(&store).await?;
        summarize(&store).await
    }

    /// Brings this location's directory up to date from `source` (a bucket or another state directory) and
    /// brings its layout up to date; both layouts must be ones this build reads. Returns what was copied and
    /// how many runs the directory holds now.
    pub async fn sync_from(&self, source: &StateLocation) -> Result<(SyncReport, usize), StoreError> {
        let source = source.open()?;
        let target = Store::local(&self.dir);
        check_readable(&source).await?;
        check_readable(&target).await?;
        let report = pull(&source, &self.dir).await?;
        ensure_layout(&target).await?;
        let runs = journal_run_ids(&target).await?.len();
        Ok((report, runs))
    }
}

impl std::fmt::Display for StateLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.url.fmt(f)
    }
}

fn default_text(given: Option<&Path>) -> String {
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if let Some(dir) = given {
        return dir.to_string_lossy().into_owned();
    }
    if let Some(dir) = non_empty("ESCHER_STATE") {
        return dir.to_string_lossy().into_owned();
    }
    if let Some(dir) = non_empty("XDG_DATA_HOME") {
        return PathBuf::from(dir).join("escher").to_string_lossy().into_owned();
    }
    home().join(".local/share/escher").to_string_lossy().into_owned()
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

/// `$XDG_CACHE_HOME/escher/state/<url as a file name>`, else under `~/.cache`.
fn cache_dir(url: &StoreUrl) -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|value| !value.is_empty())
        .map_or_else(|| home().join(".cache"), PathBuf::from);
    let name: String = url
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
        .collect();
    base.join("escher").join("state").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_is_worked_on_in_a_cache_directory_named_after_it() {
        let location = StateLocation::parse("s3://team-state/escher").expect("an S3 URL");
        assert!(!location.is_local());
        assert!(location.dir().ends_with("escher/state/s3___team-state_escher"), "{}", location.dir().display());
        let local = StateLocation::parse("/tmp/state").expect("a directory");
        assert_eq!(local.dir(), Path::new("/tmp/state"));
    }

    #[test]
    fn an_unknown_scheme_is_refused_rather_than_taken_for_a_directory() {
        let error = StateLocation::parse("file:///tmp/state").expect_err("file:// is not a store");
        assert!(error.to_string().contains("file:///tmp/state"), "{error}");
    }
}
