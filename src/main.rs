use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli::use_color();
    // A bucket's state is pulled into its local copy first and pushed back as the command goes.
    let replication = match cli::state::attach(&cli.command) {
        Ok(replication) => replication,
        Err(code) => return ExitCode::from(code),
    };
    let replica = replication.as_ref().and_then(cli::state::Attached::replica);
    let run_id = replication.as_ref().and_then(cli::state::Attached::run_id);
    let code = match cli.command {
        Command::Check { files, format } => cli::check::run(&files, format, color),
        Command::Plan { file, params, format, state } => {
            cli::plan::run(&file, &params, format, &cli::state::state_dir(state.as_deref()), color)
        }
        Command::Fmt { files, check } => cli::fmt::run(&files, check),
        Command::Explain { code } => cli::explain::run(&code),
        Command::Run { file, template, params, cloud, estate, estate_out, sim_faults, dry_run, session } => {
            let setup = cli::state::RunSetup::new(cloud, estate, estate_out, sim_faults);
            let request = cli::run::RunRequest {
                file: file.as_deref(),
                template: template.as_deref(),
                params: &params,
                setup,
                dry_run,
                run_id,
            };
            cli::run::run(&session.session(replica), request)
        }
        Command::Resume { run_id, session } => cli::run::resume(&session.session(replica), &run_id),
        Command::Runs { state } => cli::runs::list(&cli::state::state_dir(state.as_deref())),
        Command::Show { run_id, state, format } => {
            cli::runs::show(&cli::state::state_dir(state.as_deref()), &run_id, format)
        }
        Command::Audit { command, state } => {
            let state = cli::state::state_dir(state.as_deref());
            match command {
                cli::AuditCommand::Verify => cli::audit::run_verify(&state),
                cli::AuditCommand::Export { format } => cli::audit::run_export(
                    &state,
                    match format {
                        cli::ExportChoice::Jsonl => escher_runtime::audit::ExportFormat::Jsonl,
                        cli::ExportChoice::Csv => escher_runtime::audit::ExportFormat::Csv,
                    },
                ),
            }
        }
        Command::Identity { name, state, format } => {
            cli::identity::run(&cli::state::state_dir(state.as_deref()), name.as_deref(), format)
        }
        Command::Policy { command: cli::PolicyCommand::Check { file, format } } => {
            cli::policy::run_check(&file, format, color)
        }
        Command::Approvals { all, format, at } => governed(&at, |at| cli::approvals::list(at, all, format)),
        Command::Approve { run_id, step, at } => {
            governed(&at, |at| cli::approvals::decide(at, &run_id, &step, true, None))
        }
        Command::Reject { run_id, step, reason, at } => {
            governed(&at, |at| cli::approvals::decide(at, &run_id, &step, false, Some(reason)))
        }
        Command::Template { command: cli::TemplateCommand::Publish { file, name, bounds, at } } => {
            governed(&at, |at| cli::template::publish(at, &file, &name, bounds.as_deref()))
        }
        Command::Template { command: cli::TemplateCommand::List { format, at } } => {
            governed(&at, |at| cli::template::list(at, format))
        }
        Command::State(args) => cli::state_cmd::run(&args),
        Command::Schedule(args) => cli::schedule::run(&args),
        Command::Daemon(args) => cli::daemon::run(&args),
        Command::Inventory { cloud: cli::InventoryCloud::Aws, regions, aws_config, state } => {
            cli::inventory::run(&cli::state::state_dir(state.as_deref()), &regions, aws_config.as_deref())
        }
    };
    let code = cli::state::detach(replication, code);
    ExitCode::from(code)
}

/// Runs a governance command with its state directory, policy and approvals directory resolved.
fn governed(at: &cli::GovWhere, command: impl FnOnce(&cli::approvals::Where<'_>) -> u8) -> u8 {
    let state = cli::state::state_dir(at.state.as_deref());
    command(&cli::approvals::Where { state: &state, policy: at.policy.as_deref(), approvals: at.approvals.as_deref() })
}
