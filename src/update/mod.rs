//! `apigen update`: brings a project made by `apigen new` to what this
//! apigen generates for its recorded answers (or new ones given as flags),
//! resources and versions, keeping the user's edits: a three-way merge from
//! the base record (`project/base.rs`), planned in full before any write.

mod answers;

use std::fs;
use std::path::{Path, PathBuf};

use crate::cli::UpdateArgs;
use crate::error::{Error, Result};
use crate::project::base::{self, Files};
use crate::project::generate::{Steps, replay};
use crate::project::merge::Plan;
use crate::project::{self, Change};
use crate::project_file::ProjectFile;
use crate::writer::FileEdit;
use crate::{report, vcs, writer};

/// An update, planned: the merge, and everything it writes.
struct Planned {
    plan: Plan,
    change: Change,
    removed: Vec<PathBuf>,
    /// The project had no base record (made before apigen kept one).
    without_base: bool,
}

pub fn run(args: &UpdateArgs, steps: &Steps) -> Result<()> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let root = project::find_root(&cwd)?;
    let recorded = project::read(&root)?;
    if !args.allow_dirty {
        refuse_uncommitted(&root)?;
    }
    let mut target = ProjectFile {
        apigen_version: env!("CARGO_PKG_VERSION").to_owned(),
        project: answers::answered(&recorded.project, &args.choices)?,
        versions: recorded.versions.clone(),
        resources: recorded.resources.clone(),
    };
    find_migrations(&root, &mut target)?;
    let planned = plan_update(&root, &recorded, &target, steps)?;
    if planned.without_base {
        report::warning(
            "this project has no .apigen/base (it was made before apigen kept one): \
             only changed answers are merged; template changes since it was made are \
             not told apart from your edits",
        );
    }
    report::update_plan(&planned.plan, args.dry_run);
    if args.dry_run {
        return Ok(());
    }
    writer::apply_changes(
        &root,
        &planned.change.new_files,
        &planned.change.edits,
        &planned.removed,
    )?;
    report::update_done(&planned.plan);
    Ok(())
}

/// Plans the update of the project at `root` from its `recorded` state to
/// `target`: merges the files and records the new base and answers.
fn plan_update(
    root: &Path,
    recorded: &ProjectFile,
    target: &ProjectFile,
    steps: &Steps,
) -> Result<Planned> {
    let (base, without_base) = match base::read(root)? {
        Some(base) => (base, false),
        None => (replay(recorded, steps)?, true),
    };
    let other = replay(target, steps)?;
    let plan = Plan::merge(&base, &other, |path| read_ours(root, path))?;
    let (mut change, removed) = plan.to_change();
    record(root, &mut change, target, &other)?;
    Ok(Planned {
        plan,
        change,
        removed,
        without_base,
    })
}

/// Adds the new answers (`apigen.toml`) and the new base record to `change`.
fn record(root: &Path, change: &mut Change, target: &ProjectFile, other: &Files) -> Result<()> {
    for file in [target.to_file(), base::to_file(other)] {
        match read_ours(root, &file.path)? {
            Some(before) if before == file.contents => {}
            Some(before) => change.edits.push(FileEdit {
                path: file.path,
                before,
                after: file.contents,
            }),
            None => change.new_files.push(file),
        }
    }
    Ok(())
}

/// The text of `path` on disk; `None` where there is no file.
fn read_ours(root: &Path, path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(root.join(path)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::CannotEdit {
            file: path.into(),
            problem: format!("cannot read it ({e})"),
        }),
    }
}

/// Refuses to update over changes git has not recorded: the update's own
/// changes would mix with them.
fn refuse_uncommitted(root: &Path) -> Result<()> {
    let changes = vcs::uncommitted(root);
    if changes.is_empty() {
        return Ok(());
    }
    Err(Error::UncommittedChanges {
        changes: changes.iter().map(|line| line.trim().to_owned()).collect(),
    })
}

/// Fills in each resource's migration time that its record lacks (records
/// of an apigen before `update`) from its migration on disk.
fn find_migrations(root: &Path, project: &mut ProjectFile) -> Result<()> {
    let dir = root.join("migrations");
    let names: Vec<String> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => return Ok(()),
    };
    for resource in project
        .resources
        .iter_mut()
        .filter(|r| r.migration.is_none())
    {
        let suffix = format!("_create_{}.sql", resource.name);
        resource.migration = names
            .iter()
            .find_map(|name| name.strip_suffix(&suffix))
            .map(str::to_owned);
    }
    Ok(())
}
