//! `escher extend`: the Extended Laptop (docs/extended-laptop.md). `extend image build` makes the engine's
//! container image from an `escher` binary (this one by default) without a container daemon; `extend image push`
//! sends it to a registry.

use std::path::PathBuf;

use escher_extend::image::{self, ImageSpec, layout, push::Registry};

use super::state::tokio;
use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, clap::Subcommand)]
pub enum ExtendCommand {
    /// The engine's container image: build it, push it.
    #[command(subcommand)]
    Image(ImageCommand),
    /// Set up (or bring back) the Extended Laptop in an AWS account; `--plan` shows what would change.
    #[cfg(feature = "aws")]
    Aws(super::extend_aws::AwsArgs),
    /// Remove an Extended Laptop's resources (the state bucket stays unless --delete-state).
    #[cfg(feature = "aws")]
    Destroy(super::extend_aws::DestroyArgs),
    /// What an Extended Laptop is made of, and what drifted.
    #[cfg(feature = "aws")]
    Status(super::extend_aws::StatusArgs),
    /// Secrets for scheduled playbooks, in the account's parameter store: set, list.
    #[cfg(feature = "aws")]
    #[command(subcommand)]
    Secrets(super::extend_aws::SecretsCommand),
    /// Bring the cloud's schedules in line with the state bucket's, and report the drift.
    #[cfg(feature = "aws")]
    Sync {
        /// The Extended Laptop's state: s3://BUCKET.
        #[arg(long, value_name = "URL")]
        state: String,
        /// Report the drift and change nothing.
        #[arg(long)]
        plan: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum ImageCommand {
    /// Build the image (scratch + the binary + the shared libraries it loads + a CA bundle) as an OCI image
    /// layout; the same binary always gives the same digest.
    Build {
        /// The Linux `escher` binary to put in the image (default: the one running).
        #[arg(long, value_name = "FILE")]
        binary: Option<PathBuf>,
        /// The CA bundle for TLS inside the container.
        #[arg(long, value_name = "FILE", default_value = image::CA_BUNDLE_PATH)]
        ca_bundle: PathBuf,
        /// Where to write the OCI image layout (`podman run oci:DIR:TAG` runs it).
        #[arg(long, value_name = "DIR", default_value = "escher-image")]
        out: PathBuf,
        /// The tag in the layout.
        #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
        tag: String,
    },
    /// Push an image layout to a registry: `--to HOST[:PORT]/REPOSITORY[:TAG]`.
    Push {
        /// The OCI image layout `extend image build` wrote.
        #[arg(value_name = "DIR")]
        layout: PathBuf,
        #[arg(long, value_name = "HOST/REPOSITORY[:TAG]")]
        to: String,
        /// The registry's user name, if it asks to sign in.
        #[arg(long, requires = "password_env")]
        user: Option<String>,
        /// The environment variable that holds the password (never the password itself on the command line).
        #[arg(long, value_name = "VAR", requires = "user")]
        password_env: Option<String>,
        /// Plain HTTP: only for a registry on this machine.
        #[arg(long)]
        plain_http: bool,
    },
}

pub fn run(command: &ExtendCommand) -> Outcome {
    match command {
        ExtendCommand::Image(ImageCommand::Build { binary, ca_bundle, out, tag }) => {
            build(binary.as_ref(), ca_bundle, out, tag)
        }
        ExtendCommand::Image(ImageCommand::Push { layout, to, user, password_env, plain_http }) => {
            push(layout, to, user.as_deref(), password_env.as_deref(), *plain_http)
        }
        #[cfg(feature = "aws")]
        ExtendCommand::Aws(args) => super::extend_aws::apply(args),
        #[cfg(feature = "aws")]
        ExtendCommand::Destroy(args) => super::extend_aws::destroy(args),
        #[cfg(feature = "aws")]
        ExtendCommand::Status(args) => super::extend_aws::status(args),
        #[cfg(feature = "aws")]
        ExtendCommand::Secrets(command) => super::extend_aws::secrets(command),
        #[cfg(feature = "aws")]
        ExtendCommand::Sync { state, plan } => super::extend_schedules::sync(state, *plan),
    }
}

fn build(binary: Option<&PathBuf>, ca_bundle: &std::path::Path, out: &std::path::Path, tag: &str) -> Outcome {
    let binary = match binary {
        Some(binary) => binary.clone(),
        None => std::env::current_exe().map_err(|error| {
            CliError::Usage(format!("cannot find the running binary: {error}; name one with --binary"))
        })?,
    };
    let mut spec = ImageSpec::new(&binary);
    spec.ca_bundle = ca_bundle.to_path_buf();
    let image = image::build(&spec).map_err(image_error)?;
    layout::write(&image, out, tag).map_err(image_error)?;
    let files: u64 = image.files.iter().map(|(_, size)| size).sum();
    outln!("image {} ({}, linux)", image.digest(), image.architecture);
    for (path, size) in &image.files {
        outln!("  {path}  {}", mebibytes(*size));
    }
    outln!(
        "{} files, {} uncompressed, {} to push; written to {} as tag {tag}",
        image.files.len(),
        mebibytes(files),
        mebibytes(image.size()),
        out.display()
    );
    Ok(EXIT_OK)
}

fn push(
    layout_dir: &std::path::Path,
    to: &str,
    user: Option<&str>,
    password_env: Option<&str>,
    plain_http: bool,
) -> Outcome {
    let (endpoint, repository, tag) = split_destination(to)?;
    let credentials = match (user, password_env) {
        (Some(user), Some(variable)) => {
            let password = std::env::var(variable)
                .map_err(|_| CliError::Usage(format!("--password-env names {variable}, which is not set")))?;
            Some((user.to_string(), password))
        }
        _ => None,
    };
    let image = layout::read(layout_dir, None).map_err(image_error)?;
    let registry = Registry { endpoint, plain_http, credentials };
    let pushed = tokio()?.block_on(image::push::push(&image, &registry, &repository, &tag)).map_err(image_error)?;
    let verb = if pushed.transferred { "pushed" } else { "already there, nothing sent:" };
    outln!("{verb} {} as {repository}:{tag}", pushed.reference);
    Ok(EXIT_OK)
}

/// `HOST[:PORT]/REPOSITORY[:TAG]`, the tag `latest` when none is given.
fn split_destination(to: &str) -> Result<(String, String, String), CliError> {
    let usage = || CliError::Usage(format!("--to {to}: expected HOST[:PORT]/REPOSITORY[:TAG]"));
    let (endpoint, rest) = to.split_once('/').ok_or_else(usage)?;
    let (repository, tag) = match rest.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, tag),
        _ => (rest, "latest"),
    };
    if endpoint.is_empty() || repository.is_empty() || tag.is_empty() {
        return Err(usage());
    }
    Ok((endpoint.to_string(), repository.to_string(), tag.to_string()))
}

fn image_error(error: image::ImageError) -> CliError {
    CliError::Refused(error.to_string())
}

fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_splits_into_registry_repository_and_tag() {
        let split = |to| split_destination(to).map_err(|error| error.to_string());
        assert_eq!(split("127.0.0.1:5000/escher:1.0"), Ok(("127.0.0.1:5000".into(), "escher".into(), "1.0".into())));
        assert_eq!(
            split("registry.example/team/escher"),
            Ok(("registry.example".into(), "team/escher".into(), "latest".into()))
        );
        assert!(split("escher").is_err());
    }
}
