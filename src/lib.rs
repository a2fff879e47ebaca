//! apigen: scaffolds ready-to-run Rust API projects that follow API best
//! practices. `main.rs` parses the command line and calls [`run`].

pub mod cli;
pub mod date;
pub mod embedded;
pub mod error;
pub mod interrupt;
pub mod lock_dimensions;
pub mod matrix;
pub mod names;
pub mod new;
pub mod overrides;
pub mod presets;
pub mod project;
pub mod project_file;
pub mod project_vars;
pub mod prompt;
pub mod remove;
pub mod render;
pub mod report;
pub mod resource;
pub mod spec;
pub mod templates;
pub mod update;
pub mod vcs;
pub mod version;
pub mod writer;

pub use error::{Error, Result};

/// The `add` commands' planners, for `apigen update` to replay a project's
/// record with (wired here, so that no command imports another).
const REPLAY_STEPS: project::generate::Steps = project::generate::Steps {
    resource: resource::replay,
    version: version::replay,
};

/// Runs one apigen command.
pub fn run(cli: cli::Cli) -> Result<()> {
    match cli.command {
        cli::Command::New(args) => new::run(&args),
        cli::Command::Add(cli::AddCommand::Resource(args)) => resource::run(&args),
        cli::Command::Add(cli::AddCommand::Version(args)) => version::run(&args),
        cli::Command::Update(args) => update::run(&args, &REPLAY_STEPS),
        cli::Command::Remove(cli::RemoveCommand::Resource(args)) => {
            remove::run(&args, &REPLAY_STEPS)
        }
        cli::Command::Templates(command) => templates::run(&command),
    }
}
