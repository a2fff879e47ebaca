//! A command's plan: the new files and the edited text of existing ones,
//! computed in memory in full before anything is written ([`Change`]), and
//! the edits collected on the way ([`Edits`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::render::RenderedFile;
use crate::writer::FileEdit;

/// Everything one `apigen add …` writes, relative to the project root.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub new_files: Vec<RenderedFile>,
    pub edits: Vec<FileEdit>,
    /// Whether rustfmt formatted the new Rust files (see `resource/format.rs`).
    pub formatted: bool,
}

/// The edited files so far: original and current text, by path.
pub struct Edits<'a> {
    root: &'a Path,
    files: BTreeMap<PathBuf, (String, String)>,
}

impl<'a> Edits<'a> {
    /// No edits yet of the project at `root`.
    pub fn new(root: &'a Path) -> Self {
        Self {
            root,
            files: BTreeMap::new(),
        }
    }

    /// The text of `path` with the edits so far.
    pub fn current(&mut self, path: &Path) -> Result<String> {
        if let Some((_, after)) = self.files.get(path) {
            return Ok(after.clone());
        }
        let text = read(self.root, path)?;
        self.files.insert(path.into(), (text.clone(), text.clone()));
        Ok(text)
    }

    /// Replaces the text of `path` (read first, so that its original is kept).
    pub fn set(&mut self, path: &Path, text: String) -> Result<()> {
        self.current(path)?;
        if let Some((_, after)) = self.files.get_mut(path) {
            *after = text;
        }
        Ok(())
    }

    /// The files whose text changed, in path order.
    pub fn finish(self) -> Vec<FileEdit> {
        self.files
            .into_iter()
            .filter(|(_, (before, after))| before != after)
            .map(|(path, (before, after))| FileEdit {
                path,
                before,
                after,
            })
            .collect()
    }
}

/// The text of `path` in the project at `root`; a file that cannot be read
/// is one apigen cannot edit.
pub fn read(root: &Path, path: &Path) -> Result<String> {
    fs::read_to_string(root.join(path)).map_err(|e| Error::CannotEdit {
        file: path.into(),
        problem: format!("cannot read it ({e})"),
    })
}
