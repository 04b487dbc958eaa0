//! `escher init DIR`: a new folder to start from: a playbook that runs on the simulated estate, a policy in
//! which the local identity is the one manager, and a README saying what to do next.

use std::path::PathBuf;

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to create (it must not exist, or be empty).
    pub dir: PathBuf,
    /// The state whose identity becomes the policy's manager (default: $ESCHER_STATE, else the XDG data
    /// directory).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

const PLAYBOOK: &str = r#"//! Stops the running dev machines of one AWS region and reports what was stopped. Try it on the simulated
//! estate: `escher plan stop_dev.esc`, then `escher run stop_dev.esc --dry-run`, then `escher run stop_dev.esc`.

playbook stop_dev {
  /// The region to look in.
  param region: aws.region = "us-east-1"

  let running = aws.ec2.instances(regions = [region], tags = { env: "dev" }, state = "running")

  /// Stops them; at most ten, so a surprise in the listing cannot stop the whole estate.
  step stop = aws.ec2.stop(running) { max_targets = 10 }

  step stopped = report.table(title = "Stopped dev machines", rows = stop.changed)
}
"#;

const README: &str = "# Escher playbooks

- `stop_dev.esc`: a playbook. `escher check stop_dev.esc` checks it, `escher plan stop_dev.esc` shows its plan
  (steps, effects, risk, approvals), `escher run stop_dev.esc --dry-run` shows what it would change on the
  simulated estate, and `escher run stop_dev.esc` runs it there. `--cloud aws` runs it on your AWS account.
- `policy.toml`: who may run what unattended and who approves the rest. You are its one manager; add your
  team's keys (`escher identity` prints each person's) and give it to runs with `--policy policy.toml`.
- `escher actions` lists every action and query the language knows; `escher explain CODE` explains a
  diagnostic.
";

pub fn run(args: &InitArgs) -> Outcome {
    let dir = &args.dir;
    if dir.exists() && dir.read_dir().map_or(true, |mut entries| entries.next().is_some()) {
        return Err(CliError::Usage(format!("{} exists and is not empty; give a new folder", dir.display())));
    }
    let identity = super::identity::local(&super::state::state_dir(args.state.as_deref()), None)?;
    let policy = format!(
        "# Who may run what, and who approves the rest (docs/policy.md). Check it with `escher policy check`.\n\n\
         [roles.manager]\n\
         run_without_approval = \"high\"\n\
         members = [{{ name = \"{name}\", key = \"{key}\" }}]\n\n\
         [roles.executor]\n\
         run_without_approval = \"low\"\n\
         members = []\n\n\
         [approvals.medium]\n\
         count = 1\n\
         from = [\"manager\"]\n",
        name = identity.name,
        key = identity.public_key()
    );
    let write = |name: &str, text: &str| -> Result<PathBuf, CliError> {
        let path = dir.join(name);
        std::fs::write(&path, text)
            .map_err(|error| CliError::Usage(format!("cannot write {}: {error}", path.display())))?;
        Ok(path)
    };
    std::fs::create_dir_all(dir)
        .map_err(|error| CliError::Usage(format!("cannot create {}: {error}", dir.display())))?;
    for (name, text) in [("stop_dev.esc", PLAYBOOK), ("policy.toml", policy.as_str()), ("README.md", README)] {
        outln!("created {}", write(name, text)?.display());
    }
    Ok(EXIT_OK)
}
