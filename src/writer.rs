//! Puts rendered files on disk so that a failure never leaves a half-written
//! project: everything is written into a hidden staging folder beside the
//! target first, then moved into place. Ctrl-C waits until that is done or
//! undone ([`uninterrupted`]).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interrupt::uninterrupted;
use crate::render::RenderedFile;

/// Checks everything that can be checked before writing: the target is a
/// folder (or absent), empty unless `force`, and `force` overwrites nothing.
/// Missing parent folders are fine (they are created, as `cargo new` does),
/// but the nearest existing one must be a folder.
pub fn check_target(target: &Path, files: &[RenderedFile], force: bool) -> Result<()> {
    let existing = nearest_existing(&parent_of(target));
    if !existing.is_dir() {
        return Err(Error::ParentNotAFolder {
            target: target.to_path_buf(),
            path: existing,
        });
    }
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        return Err(Error::TargetNotADirectory {
            path: target.to_path_buf(),
        });
    }
    if is_empty_dir(target)? {
        return Ok(());
    }
    if !force {
        return Err(Error::TargetNotEmpty {
            path: target.to_path_buf(),
        });
    }
    let taken: Vec<String> = files
        .iter()
        .filter(|f| target.join(&f.path).symlink_metadata().is_ok())
        .map(|f| f.path.display().to_string())
        .collect();
    if taken.is_empty() {
        Ok(())
    } else {
        Err(Error::WouldOverwrite {
            path: target.to_path_buf(),
            files: taken,
        })
    }
}

/// Writes `files` under `target`, which [`check_target`] has accepted,
/// creating its missing parent folders; if writing fails, the folders it
/// created are removed again.
pub fn write_project(target: &Path, files: &[RenderedFile]) -> Result<()> {
    uninterrupted(|| {
        let parents = CreatedFolders::create(&parent_of(target))?;
        stage_and_move(target, files)?;
        parents.keep();
        Ok(())
    })
}

/// The missing folders above a target that apigen created, top first;
/// removed on drop (deepest first) unless kept.
struct CreatedFolders {
    created: Vec<PathBuf>,
    keep: bool,
}

impl CreatedFolders {
    /// Creates `dir` and every missing folder above it.
    fn create(dir: &Path) -> Result<Self> {
        let missing: Vec<&Path> = dir
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .take_while(|a| a.symlink_metadata().is_err())
            .collect();
        let mut folders = Self {
            created: Vec::new(),
            keep: false,
        };
        for folder in missing.into_iter().rev() {
            fs::create_dir(folder).map_err(Error::io(folder))?;
            folders.created.push(folder.to_path_buf());
        }
        Ok(folders)
    }

    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for CreatedFolders {
    fn drop(&mut self) {
        if !self.keep {
            // remove_dir, not remove_dir_all: only the empty folders apigen made.
            for folder in self.created.iter().rev() {
                let _ = fs::remove_dir(folder);
            }
        }
    }
}

/// `path` or its nearest ancestor that exists (`.` for a relative path none of
/// whose folders exist).
fn nearest_existing(path: &Path) -> PathBuf {
    path.ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.symlink_metadata().is_ok())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

fn stage_and_move(target: &Path, files: &[RenderedFile]) -> Result<()> {
    let staging = Staging::create(target)?;
    // Each folder once (files come in path order, so a folder's files are together).
    let mut made: Option<&Path> = None;
    for file in files {
        let path = staging.path.join(&file.path);
        let dir = file.path.parent().filter(|dir| made != Some(*dir));
        if let Some(dir) = dir {
            let dir = staging.path.join(dir);
            fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
            made = file.path.parent();
        }
        write_file(&path, &file.contents).map_err(Error::io(&path))?;
    }
    staging.move_into(target, files)
}

/// Files holding secrets (the generated `.env` has the signing secret): only
/// their owner may read them, from the moment they exist.
const PRIVATE_FILES: &[&str] = &[".env"];

/// Writes a new file; one of [`PRIVATE_FILES`] is created with mode 0600.
fn write_file(path: &Path, contents: &str) -> std::io::Result<()> {
    let private = path
        .file_name()
        .is_some_and(|name| PRIVATE_FILES.iter().any(|private| name == *private));
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    std::io::Write::write_all(&mut options.open(path)?, contents.as_bytes())
}

/// A hidden folder beside the target, removed on drop unless moved in place.
struct Staging {
    path: PathBuf,
    done: bool,
}

impl Staging {
    fn create(target: &Path) -> Result<Self> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".into());
        let path = parent_of(target).join(format!(".{name}.apigen-{}", std::process::id()));
        fs::create_dir(&path).map_err(Error::io(target))?;
        Ok(Self { path, done: false })
    }

    /// Renames the staging folder to the target in one step when the target
    /// is absent or empty; otherwise (`--force`) moves file by file.
    fn move_into(mut self, target: &Path, files: &[RenderedFile]) -> Result<()> {
        // rename(2) replaces an empty folder, so the project appears at once.
        if !target.exists() || is_empty_dir(target)? {
            fs::rename(&self.path, target).map_err(Error::io(target))?;
            self.done = true;
            return Ok(());
        }
        for file in files {
            let to = target.join(&file.path);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(Error::io(dir))?;
            }
            fs::rename(self.path.join(&file.path), &to).map_err(Error::io(&to))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir).map_err(Error::io(dir))?.next().is_none())
}

/// An existing file of a project and its new contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEdit {
    /// Relative to the project root.
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

/// Writes new files and replaces edited ones under `root` so that a failure
/// leaves the project as it was: every file is first written to a temporary
/// file beside its target, and only when all are written is each renamed into
/// place. If a rename fails, the files already moved are put back.
pub fn apply_files(root: &Path, new_files: &[RenderedFile], edits: &[FileEdit]) -> Result<()> {
    apply_changes(root, new_files, edits, &[])
}

/// [`apply_files`], and removes the files at `removed` (relative to `root`)
/// as part of the same all-or-nothing step: each is first moved aside, and
/// deleted only once everything else is in place.
pub fn apply_changes(
    root: &Path,
    new_files: &[RenderedFile],
    edits: &[FileEdit],
    removed: &[PathBuf],
) -> Result<()> {
    uninterrupted(|| stage_and_commit(root, new_files, edits, removed))
}

fn stage_and_commit(
    root: &Path,
    new_files: &[RenderedFile],
    edits: &[FileEdit],
    removed: &[PathBuf],
) -> Result<()> {
    let mut staged = Vec::new();
    let result = stage_all(root, new_files, edits, &mut staged).and_then(|()| {
        staged.extend(removed.iter().map(|path| StagedFile {
            temp: temp_beside(&root.join(path)),
            target: root.join(path),
            original: Original::Removed,
        }));
        commit(&staged)
    });
    for file in &staged {
        // After success only the moved-aside removals are left to delete.
        if result.is_err() || file.original == Original::Removed {
            let _ = fs::remove_file(&file.temp);
        }
    }
    result
}

/// A file written beside its target, waiting to be renamed over it.
struct StagedFile {
    temp: PathBuf,
    target: PathBuf,
    original: Original,
}

/// What a staged file replaces, to restore it.
#[derive(PartialEq, Eq)]
enum Original {
    /// The target is new.
    None,
    /// The target's contents before.
    Text(String),
    /// The target is removed: moved aside to `temp` until all is done.
    Removed,
}

fn stage_all(
    root: &Path,
    new_files: &[RenderedFile],
    edits: &[FileEdit],
    staged: &mut Vec<StagedFile>,
) -> Result<()> {
    let new = new_files.iter().map(|f| (&f.path, &f.contents, None));
    let edited = edits.iter().map(|e| (&e.path, &e.after, Some(&e.before)));
    for (path, contents, original) in new.chain(edited) {
        let target = root.join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let temp = temp_beside(&target);
        staged.push(StagedFile {
            temp: temp.clone(),
            target,
            original: original.map_or(Original::None, |text| Original::Text(text.clone())),
        });
        fs::write(&temp, contents).map_err(Error::io(&temp))?;
    }
    Ok(())
}

fn commit(staged: &[StagedFile]) -> Result<()> {
    for (done, file) in staged.iter().enumerate() {
        let (from, to) = match file.original {
            Original::Removed => (&file.target, &file.temp),
            _ => (&file.temp, &file.target),
        };
        if let Err(e) = fs::rename(from, to) {
            staged[..done].iter().for_each(restore);
            return Err(Error::io(&file.target)(e));
        }
    }
    Ok(())
}

/// Undoes one rename: removes a new file, writes an edited one back, or
/// moves a removed one back.
fn restore(file: &StagedFile) {
    let _ = match &file.original {
        Original::None => fs::remove_file(&file.target),
        Original::Text(original) => fs::write(&file.target, original),
        Original::Removed => fs::rename(&file.temp, &file.target),
    };
}

fn temp_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.apigen-{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    #[test]
    fn files_are_created_and_edited() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("old.txt"), "before").unwrap();
        let edit = FileEdit {
            path: "old.txt".into(),
            before: "before".into(),
            after: "after".into(),
        };
        apply_files(dir.path(), &[file("new/a.txt", "a")], &[edit]).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("new/a.txt")).unwrap(),
            "a"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("old.txt")).unwrap(),
            "after"
        );
    }

    #[test]
    #[cfg(unix)]
    fn secrets_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("p");
        write_project(&target, &[file(".env", "SECRET=x"), file("README.md", "r")]).unwrap();
        let mode = |name: &str| {
            fs::metadata(target.join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(".env"), 0o600);
        assert_ne!(
            mode("README.md") & 0o044,
            0,
            "other files keep the usual mode"
        );
        assert_eq!(fs::read_to_string(target.join(".env")).unwrap(), "SECRET=x");
    }

    #[test]
    fn missing_parents_are_created_and_removed_again_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("some/dir/shop");
        write_project(&target, &[file("a.txt", "a")]).unwrap();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "a");

        // `b` is a file and a folder at once: staging fails after the
        // parents were made; they go, the folder that was there stays.
        fs::create_dir(dir.path().join("kept")).unwrap();
        let target = dir.path().join("kept/new/deeper/shop");
        let files = [file("b", "b"), file("b/c.txt", "c")];
        assert!(write_project(&target, &files).is_err());
        assert!(dir.path().join("kept").is_dir());
        assert_eq!(fs::read_dir(dir.path().join("kept")).unwrap().count(), 0);
    }

    #[test]
    fn the_nearest_existing_parent_must_be_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a-file"), "").unwrap();
        let err = check_target(&dir.path().join("a-file/x/shop"), &[], false).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("a-file exists and is not a folder"),
            "{err}"
        );
        assert!(check_target(&dir.path().join("missing/x/shop"), &[], false).is_ok());
    }

    #[test]
    fn a_failure_leaves_no_file_and_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("old.txt"), "before").unwrap();
        // A file where a folder must go: writing b.txt fails after a.txt was staged.
        fs::write(dir.path().join("blocked"), "").unwrap();
        let edit = FileEdit {
            path: "old.txt".into(),
            before: "before".into(),
            after: "after".into(),
        };
        let files = [file("a.txt", "a"), file("blocked/b.txt", "b")];
        assert!(apply_files(dir.path(), &files, &[edit]).is_err());
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["blocked", "old.txt"]);

        // A removal that cannot happen (a folder where the file should be)
        // puts back the file already removed.
        fs::write(dir.path().join("gone.txt"), "gone").unwrap();
        fs::create_dir(dir.path().join("missing")).unwrap();
        let removed = ["gone.txt".into(), "missing/file.txt".into()];
        assert!(apply_changes(dir.path(), &[], &[], &removed).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("gone.txt")).unwrap(),
            "gone"
        );
        apply_changes(dir.path(), &[], &[], &removed[..1]).unwrap();
        assert!(!dir.path().join("gone.txt").exists());
        assert!(
            fs::read_dir(dir.path())
                .unwrap()
                .all(|e| { !e.unwrap().file_name().to_string_lossy().ends_with(".tmp") })
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("old.txt")).unwrap(),
            "before"
        );
    }
}
