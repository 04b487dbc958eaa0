//! Where state lives, as a URL: a local directory (a plain path), `s3://bucket/prefix`, `az://container/prefix`
//! or `gs://bucket/prefix`.

use std::fmt;
use std::path::PathBuf;

use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Local(PathBuf),
    S3 { bucket: String, prefix: String },
    Azure { container: String, prefix: String },
    Gcs { bucket: String, prefix: String },
}

impl StoreUrl {
    /// Parses a location: a known scheme, else a path. `file://` and other schemes are refused rather than taken
    /// for directory names.
    pub fn parse(text: &str) -> Result<StoreUrl, StoreError> {
        let bad = |reason: &str| StoreError::BadUrl {
            url: text.to_string(),
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let Some((scheme, rest)) = text.split_once("://") else {
            if text.is_empty() {
                return Err(bad("it is empty"));
            }
            return Ok(StoreUrl::Local(PathBuf::from(text)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("it names no bucket or container"));
        }
        let bucket = bucket.to_string();
        let prefix = prefix.trim_matches('/').to_string();
        match scheme {
            "s3" => Ok(StoreUrl::S3 { bucket, prefix }),
            "az" => Ok(StoreUrl::Azure { container: bucket, prefix }),
            "gs" => Ok(StoreUrl::Gcs { bucket, prefix }),
            _ => Err(bad("the scheme is not s3://, az:// or gs:// (a local directory is a plain path)")),
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self, StoreUrl::Local(_))
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let remote = |f: &mut fmt::Formatter<'_>, scheme: &str, bucket: &str, prefix: &str| {
            if prefix.is_empty() { write!(f, "{scheme}://{bucket}") } else { write!(f, "{scheme}://{bucket}/{prefix}") }
        };
        match self {
            StoreUrl::Local(path) => write!(f, "{}", path.display()),
            StoreUrl::S3 { bucket, prefix } => remote(f, "s3", bucket, prefix),
            StoreUrl::Azure { container, prefix } => remote(f, "az", container, prefix),
            StoreUrl::Gcs { bucket, prefix } => remote(f, "gs", bucket, prefix),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_store() {
        assert_eq!(StoreUrl::parse("/tmp/x").ok(), Some(StoreUrl::Local("/tmp/x".into())));
        assert_eq!(
            StoreUrl::parse("s3://b/team/escher/").ok(),
            Some(StoreUrl::S3 { bucket: "b".into(), prefix: "team/escher".into() })
        );
        assert_eq!(StoreUrl::parse("az://c").ok(), Some(StoreUrl::Azure { container: "c".into(), prefix: "".into() }));
        assert_eq!(StoreUrl::parse("gs://b/p").map(|u| u.to_string()).ok().as_deref(), Some("gs://b/p"));
        assert!(StoreUrl::parse("ftp://b/p").is_err());
        assert!(StoreUrl::parse("s3:///p").is_err());
    }
}
