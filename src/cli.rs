//! Command-line interface: every question apigen asks has a flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::spec::{Auth, Database, Protocol, Versioning};
use crate::vcs::Vcs;

#[derive(Debug, Parser)]
#[command(name = "apigen", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, ready-to-run API project at PATH
    New(NewArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Without a terminal (or with --yes, or CI set) apigen never prompts:\n\
    flags decide, defaults fill in the rest (rest, jwt, sqlite, url)."
)]
pub struct NewArgs {
    /// Folder to create; its last component is the crate name unless --name is given
    pub path: PathBuf,

    /// Crate name (defaults to the folder's name)
    #[arg(long)]
    pub name: Option<String>,

    /// Protocols to serve; several may be given, comma-separated
    #[arg(long, value_enum, value_delimiter = ',')]
    pub protocol: Vec<Protocol>,

    /// Authentication method
    #[arg(long, value_enum)]
    pub auth: Option<Auth>,

    /// Database
    #[arg(long, value_enum)]
    pub db: Option<Database>,

    /// API versioning scheme
    #[arg(long, value_enum)]
    pub versioning: Option<Versioning>,

    /// Version control for the new project
    #[arg(long, value_enum, default_value = "git")]
    pub vcs: Vcs,

    /// Never prompt: use flags and defaults
    #[arg(short, long)]
    pub yes: bool,

    /// Print the files that would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Allow a non-empty target folder (existing files are never overwritten)
    #[arg(long)]
    pub force: bool,
}
