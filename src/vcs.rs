//! Like `cargo new`, a new project gets its own git repository, unless it is
//! created inside one already or `--vcs none` is given.

use std::path::Path;
use std::process::{Command, Stdio};

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Vcs {
    /// Initialise a git repository (skipped inside an existing one)
    Git,
    /// No version control
    None,
}

/// What happened to version control, for the summary.
#[derive(Debug, PartialEq, Eq)]
pub enum VcsOutcome {
    Initialised,
    InsideExistingRepository,
    NotRequested,
    /// git is missing or failed; the project itself is complete.
    Failed(String),
}

pub fn init(project: &Path, vcs: Vcs) -> VcsOutcome {
    if vcs == Vcs::None {
        return VcsOutcome::NotRequested;
    }
    let parent = project.parent().filter(|p| !p.as_os_str().is_empty());
    let inside = git(
        parent.unwrap_or(Path::new(".")),
        &["rev-parse", "--is-inside-work-tree"],
    );
    if inside.is_ok() {
        return VcsOutcome::InsideExistingRepository;
    }
    match git(project, &["init", "--quiet"]) {
        Ok(()) => VcsOutcome::Initialised,
        Err(e) => VcsOutcome::Failed(e),
    }
}

/// The changes `git status` lists under `root` (not elsewhere in a larger
/// repository holding it); empty where there are none, or no git
/// repository (or no git) to ask.
pub fn uncommitted(root: &Path) -> Vec<String> {
    let output = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all", "--", "."])
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("git {} exited with {status}", args.join(" ")))
    }
}
