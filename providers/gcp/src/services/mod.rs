//! One module per Google API: `compute` (Compute Engine), `sql` (Cloud SQL Admin), `functions` (Cloud
//! Functions v2, and v1 for 1st-gen changes), `storage` (Cloud Storage JSON API), `billing` (the Cloud Billing
//! export, read with BigQuery).

pub(crate) mod billing;
pub(crate) mod compute;
pub(crate) mod functions;
pub(crate) mod sql;
pub(crate) mod storage;

/// `gcp.compute.stop` is served by `compute`; a resource kind (`gcp.sql.Instance`) names its service the same
/// way.
pub(crate) fn service_of(name: &str) -> Option<&str> {
    name.strip_prefix("gcp.")?.split('.').next()
}

/// A query's records over the projects it names (its `project`, else every one Escher may reach): `list` reads
/// one project's records, and [`crate::filters::keep`] decides which the query returns.
pub(crate) async fn each_project<List, Listed>(
    ctx: &crate::context::GcpContext,
    args: &escher_runtime::provider::args::Args<'_>,
    query: &str,
    mut list: List,
) -> Result<escher_compiler::plan::Value, escher_runtime::provider::ProviderError>
where
    List: FnMut(String) -> Listed,
    Listed: std::future::Future<Output = Result<Vec<escher_compiler::plan::Value>, escher_runtime::provider::ProviderError>>,
{
    let mut found = Vec::new();
    for project in ctx.listed(args.opt_str("project")?)? {
        for record in list(project).await? {
            if crate::filters::keep(query, args.0, &record)? {
                found.push(record);
            }
        }
    }
    Ok(escher_compiler::plan::Value::List(found))
}
