//! The five APIs the fake serves, and where each listens.

/// One of Google's APIs. Cloud Functions v1 and v2 are one API: both are views of the same functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Api {
    Compute,
    SqlAdmin,
    Functions,
    Storage,
    BigQuery,
}

impl Api {
    pub const ALL: [Api; 5] = [Api::Compute, Api::SqlAdmin, Api::Functions, Api::Storage, Api::BigQuery];

    /// The host the API stands for, as Google's clients name it.
    pub fn google_root(self) -> &'static str {
        match self {
            Api::Compute => "https://compute.googleapis.com/",
            Api::SqlAdmin => "https://sqladmin.googleapis.com/",
            Api::Functions => "https://cloudfunctions.googleapis.com/",
            Api::Storage => "https://storage.googleapis.com/",
            Api::BigQuery => "https://bigquery.googleapis.com/",
        }
    }
}

/// Where the fake listens. Each API URL ends in `/` and stands for the Google root URL named beside it; a
/// request's path is the one Google's would have (`/compute/v1/projects/...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://compute.googleapis.com/`
    pub compute: String,
    /// `https://sqladmin.googleapis.com/`
    pub sqladmin: String,
    /// `https://cloudfunctions.googleapis.com/` (v1 and v2)
    pub cloudfunctions: String,
    /// `https://storage.googleapis.com/`
    pub storage: String,
    /// `https://bigquery.googleapis.com/`
    pub bigquery: String,
    /// The full URL of an OAuth2 token endpoint (`https://oauth2.googleapis.com/token`).
    pub oauth_token: String,
    /// `127.0.0.1:PORT`, what `GCE_METADATA_HOST` holds.
    pub metadata_host: String,
}

impl Endpoints {
    /// The URL standing for `api`'s root.
    pub fn of(&self, api: Api) -> &str {
        match api {
            Api::Compute => &self.compute,
            Api::SqlAdmin => &self.sqladmin,
            Api::Functions => &self.cloudfunctions,
            Api::Storage => &self.storage,
            Api::BigQuery => &self.bigquery,
        }
    }
}
