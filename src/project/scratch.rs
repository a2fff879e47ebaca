//! A throwaway copy of a project in a temporary folder, where apigen plans
//! and applies its own commands to compute what it generates (the base
//! record, a replay) without touching the real project.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::project::Files;
use crate::project::edit::Change;
use crate::writer;

/// A temporary folder holding a project's files, removed on drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// A new folder holding `files` (paths relative to it).
    pub fn new(files: impl IntoIterator<Item = (PathBuf, String)>) -> Result<Self> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "apigen-scratch-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let scratch = Self {
            path: std::env::temp_dir().join(name),
        };
        fs::create_dir(&scratch.path).map_err(Error::io(&scratch.path))?;
        for (path, contents) in files {
            let target = scratch.path.join(path);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(Error::io(dir))?;
            }
            fs::write(&target, contents).map_err(Error::io(&target))?;
        }
        Ok(scratch)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a planned change into the copy.
    pub fn apply(&self, change: &Change) -> Result<()> {
        writer::apply_files(&self.path, &change.new_files, &change.edits)
    }

    /// Every file of the copy, by path.
    pub fn files(&self) -> Result<Files> {
        let mut files = Files::new();
        for entry in walkdir::WalkDir::new(&self.path) {
            let entry = entry.map_err(|e| Error::io(&self.path)(e.into()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let text = fs::read_to_string(entry.path()).map_err(Error::io(entry.path()))?;
            let path = entry
                .path()
                .strip_prefix(&self.path)
                .unwrap_or(entry.path());
            files.insert(path.to_path_buf(), text);
        }
        Ok(files)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}
