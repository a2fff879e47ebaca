//! Brings a project to another record (today's templates, other answers, a
//! resource fewer) through the three-way merge: the base is the base record,
//! the other side what apigen generates for the new record, ours the files
//! on disk. `apigen update` and `apigen remove resource` both stand on it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::overrides::Overrides;
use crate::project::Files;
use crate::project::base;
use crate::project::edit::Change;
use crate::project::generate::{Steps, replay};
use crate::project::merge::Plan;
use crate::project::migration;
use crate::project_file::ProjectFile;
use crate::vcs;
use crate::writer::{self, FileEdit};

/// A rebase, planned: the merge, and everything it writes.
pub struct Rebase {
    pub plan: Plan,
    pub change: Change,
    pub removed: Vec<PathBuf>,
}

/// Refuses to write over changes git has not recorded: the command's own
/// changes would mix with them.
pub fn refuse_uncommitted(root: &Path) -> Result<()> {
    let changes = vcs::uncommitted(root);
    if changes.is_empty() {
        return Ok(());
    }
    Err(Error::UncommittedChanges {
        changes: changes.iter().map(|line| line.trim().to_owned()).collect(),
    })
}

/// The project's base record; where it has none (made before apigen kept
/// one), what this apigen generates for `recorded` with `overrides`, and `true`.
pub fn base_or_replay(
    root: &Path,
    recorded: &ProjectFile,
    steps: &Steps,
    overrides: &Overrides,
) -> Result<(Files, bool)> {
    match base::read(root)? {
        Some(base) => Ok((base, false)),
        None => Ok((
            replay(&with_migrations(root, recorded)?, steps, overrides)?,
            true,
        )),
    }
}

/// Plans the merge of `base` and `other` into the project at `root`, and
/// recording `other` as the new base and `target` as its `apigen.toml`.
pub fn plan(root: &Path, base: &Files, other: &Files, target: &ProjectFile) -> Result<Rebase> {
    let plan = Plan::merge(base, other, |path| read_ours(root, path))?;
    let mut rebase = Rebase {
        plan,
        change: Change::default(),
        removed: Vec::new(),
    };
    rebase.recompute(root, target, other)?;
    Ok(rebase)
}

impl Rebase {
    /// Recomputes what to write from the plan (after a file was added to it).
    pub fn recompute(&mut self, root: &Path, target: &ProjectFile, other: &Files) -> Result<()> {
        (self.change, self.removed) = self.plan.to_change();
        for file in [target.to_file(), base::to_file(other)] {
            match read_ours(root, &file.path)? {
                Some(before) if before == file.contents => {}
                Some(before) => self.change.edits.push(FileEdit {
                    path: file.path,
                    before,
                    after: file.contents,
                }),
                None => self.change.new_files.push(file),
            }
        }
        Ok(())
    }

    /// Writes it all, or nothing.
    pub fn write(&self, root: &Path) -> Result<()> {
        writer::apply_changes(
            root,
            &self.change.new_files,
            &self.change.edits,
            &self.removed,
        )
    }
}

/// The text of `path` on disk; `None` where there is no file.
pub fn read_ours(root: &Path, path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(root.join(path)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::CannotEdit {
            file: path.into(),
            problem: format!("cannot read it ({e})"),
        }),
    }
}

/// `project` with each resource's migration time that its record lacks
/// (records of an apigen before `update`) found on disk.
pub fn with_migrations(root: &Path, project: &ProjectFile) -> Result<ProjectFile> {
    let mut project = project.clone();
    let names: Vec<String> = match fs::read_dir(root.join(migration::DIR)) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => return Ok(project),
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
    Ok(project)
}
