use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::Cli;

/// Parses the command, attaches its state (a bucket is pulled first and pushed back as the command goes), runs
/// it, and prints what went wrong, once.
fn main() -> ExitCode {
    let Cli { command, output } = Cli::parse();
    cli::output::set(&output);
    let outcome = cli::state::attach(&command).and_then(|attached| command.run(attached));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("{}", error.render());
            ExitCode::from(error.exit_code())
        }
    }
}
