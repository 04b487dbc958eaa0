use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli::use_color();
    let code = match cli.command {
        Command::Check { files, format } => cli::check::run(&files, format, color),
        Command::Plan { file, params, format } => cli::plan::run(&file, &params, format, color),
        Command::Fmt { files, check } => cli::fmt::run(&files, check),
        Command::Explain { code } => cli::explain::run(&code),
    };
    ExitCode::from(code)
}
