use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    apigen::report::respect_no_color();
    apigen::interrupt::install();
    let cli = apigen::cli::Cli::parse();
    match apigen::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // As the Ctrl-C handler does: silent, as if killed by SIGINT.
        Err(apigen::Error::Interrupted) => ExitCode::from(apigen::interrupt::EXIT_STATUS),
        Err(error) => {
            apigen::report::error(&error.to_string());
            ExitCode::FAILURE
        }
    }
}
