//! What apigen tells the user, styled with console (plain under NO_COLOR).

use std::path::Path;

use console::style;

use crate::render::RenderedFile;
use crate::spec::{Choice, ProjectSpec};
use crate::vcs::VcsOutcome;

/// Turns colours off when `NO_COLOR` is set to anything non-empty.
pub fn respect_no_color() {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
}

/// Prints an error the way every apigen failure is shown.
pub fn error(message: &str) {
    eprintln!("{} {message}", style("error:").red().bold());
}

/// The choices, one per line.
pub fn choices(spec: &ProjectSpec) {
    let protocols: Vec<String> = spec.protocols.iter().map(|p| p.name()).collect();
    println!(
        "{} {}",
        style("Project").bold(),
        style(&spec.name).cyan().bold()
    );
    for (label, value) in [
        ("protocol", protocols.join(", ")),
        ("auth", spec.auth.name()),
        ("database", spec.db.name()),
        ("versioning", versioning(spec)),
    ] {
        println!("  {:<11}{value}", style(label).dim());
    }
}

fn versioning(spec: &ProjectSpec) -> String {
    match spec.api_prefix() {
        "" => spec.versioning.name(),
        prefix => format!("{} ({prefix}/…)", spec.versioning.name()),
    }
}

/// The files, as written or (dry run) as they would be.
pub fn files(target: &Path, files: &[RenderedFile], dry_run: bool) {
    let verb = if dry_run { "Would write" } else { "Wrote" };
    println!(
        "{} {} files to {}",
        style(verb).green().bold(),
        files.len(),
        target.display()
    );
    for file in files {
        println!("  {}", file.path.display());
    }
}

/// What to do next.
pub fn next_steps(target: &Path) {
    println!("{}", style("Next:").bold());
    println!("  cd {} && cargo run", target.display());
    println!("  then open http://127.0.0.1:8080/docs");
}

/// Whether the project got a git repository.
pub fn vcs(outcome: &VcsOutcome) {
    match outcome {
        VcsOutcome::Initialised => println!("Initialised a git repository"),
        VcsOutcome::InsideExistingRepository | VcsOutcome::NotRequested => {}
        VcsOutcome::Failed(why) => eprintln!(
            "{} no git repository was created ({why}); the project is complete",
            style("warning:").yellow().bold()
        ),
    }
}
