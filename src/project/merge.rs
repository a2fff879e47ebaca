//! The three-way merge of `apigen update`: per file, the base (what apigen
//! generated last time), the other side (what it generates now) and ours
//! (the file on disk, with the user's edits). Lines are merged by `diffy`;
//! a conflict is written with the standard markers.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::project::Files;
use crate::project::edit::Change;
use crate::render::RenderedFile;
use crate::writer::FileEdit;

/// Migrations are history: applied ones must never change, so a migration
/// on disk is never rewritten or removed (a change to a table is a new
/// migration).
const MIGRATIONS: &str = "migrations";

/// What happens to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Generated now, not before, and not on disk: written.
    Created,
    /// Untouched since generated: replaced by what apigen generates now.
    Updated,
    /// Edited by the user and changed by apigen: both changes kept.
    Merged,
    /// Edited by both in the same lines: written with conflict markers.
    Conflict,
    /// No longer generated and untouched: removed.
    Removed,
    /// Deleted by the user: stays deleted (apigen's changes to it dropped).
    KeptDeleted,
    /// No longer generated, but edited by the user: kept as it is.
    KeptEdited,
    /// A migration, which is never rewritten or removed.
    KeptMigration,
    /// Nothing to write.
    Unchanged,
}

/// One file's outcome, and its text before (on disk) and after.
#[derive(Clone, Debug)]
pub struct FilePlan {
    pub path: PathBuf,
    pub outcome: Outcome,
    /// On disk now; `None` when absent.
    pub ours: Option<String>,
    /// To write; `None` when nothing is written or the file is removed.
    pub after: Option<String>,
}

/// Every file's outcome, in path order.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub files: Vec<FilePlan>,
}

impl Plan {
    /// Merges `base` and `other` into the files on disk, read by `ours`
    /// (`None`: absent).
    pub fn merge(
        base: &Files,
        other: &Files,
        mut ours: impl FnMut(&Path) -> Result<Option<String>>,
    ) -> Result<Self> {
        let mut paths: Vec<&PathBuf> = base.keys().chain(other.keys()).collect();
        paths.sort();
        paths.dedup();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let ours = ours(path)?;
            let sides = Sides {
                base: base.get(path).map(String::as_str),
                other: other.get(path).map(String::as_str),
                ours: ours.as_deref(),
            };
            let (outcome, after) = sides.merge(path.starts_with(MIGRATIONS));
            files.push(FilePlan {
                path: path.clone(),
                outcome,
                ours,
                after,
            });
        }
        Ok(Self { files })
    }

    /// The files with `outcome`.
    pub fn with(&self, outcome: Outcome) -> impl Iterator<Item = &FilePlan> {
        self.files.iter().filter(move |f| f.outcome == outcome)
    }

    /// What to write: new files, edited files, and the paths to remove.
    pub fn to_change(&self) -> (Change, Vec<PathBuf>) {
        let mut change = Change {
            formatted: true,
            ..Change::default()
        };
        let mut removed = Vec::new();
        for file in &self.files {
            match (&file.ours, &file.after) {
                (None, Some(after)) => change.new_files.push(RenderedFile {
                    path: file.path.clone(),
                    contents: after.clone(),
                }),
                (Some(ours), Some(after)) => change.edits.push(FileEdit {
                    path: file.path.clone(),
                    before: ours.clone(),
                    after: after.clone(),
                }),
                (Some(_), None) if file.outcome == Outcome::Removed => {
                    removed.push(file.path.clone());
                }
                _ => {}
            }
        }
        (change, removed)
    }
}

/// The three versions of one file; `None` where it does not exist.
struct Sides<'a> {
    base: Option<&'a str>,
    other: Option<&'a str>,
    ours: Option<&'a str>,
}

impl Sides<'_> {
    /// The outcome and the text to write (`None`: write nothing or remove).
    fn merge(&self, migration: bool) -> (Outcome, Option<String>) {
        use Outcome::*;
        let write = |outcome, text: &str| (outcome, Some(text.to_owned()));
        match (self.base, self.other, self.ours) {
            (_, _, Some(ours)) if migration => match self.other {
                Some(other) if other != ours => (KeptMigration, None),
                _ => (Unchanged, None),
            },
            (Some(base), Some(other), None) if base != other => (KeptDeleted, None),
            (Some(_), Some(_), None) => (Unchanged, None),
            (None, Some(other), None) => write(Created, other),
            (Some(base), None, Some(ours)) if ours == base => (Removed, None),
            (Some(_), None, Some(_)) => (KeptEdited, None),
            (_, None, _) => (Unchanged, None),
            (_, Some(other), Some(ours)) if ours == other => (Unchanged, None),
            (Some(base), Some(other), Some(ours)) if ours == base => write(Updated, other),
            (Some(base), Some(other), Some(_)) if base == other => (Unchanged, None),
            (base, Some(other), Some(ours)) => {
                match diffy::merge(base.unwrap_or(""), ours, other) {
                    Ok(merged) => write(Merged, &merged),
                    Err(marked) => write(Conflict, &marked),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(
        base: Option<&str>,
        other: Option<&str>,
        ours: Option<&str>,
    ) -> (Outcome, Option<String>) {
        Sides { base, other, ours }.merge(false)
    }

    const BASE: &str = "a\nb\nc\nd\ne\n";

    #[test]
    fn untouched_files_take_the_new_text_and_edits_are_kept() {
        let other = "a\nB\nc\nd\ne\n";
        assert_eq!(
            merge(Some(BASE), Some(other), Some(BASE)),
            (Outcome::Updated, Some(other.into()))
        );
        let ours = "a\nb\nc\nd\nE\n";
        assert_eq!(
            merge(Some(BASE), Some(other), Some(ours)),
            (Outcome::Merged, Some("a\nB\nc\nd\nE\n".into()))
        );
        assert_eq!(
            merge(Some(BASE), Some(BASE), Some(ours)),
            (Outcome::Unchanged, None)
        );
    }

    #[test]
    fn the_same_line_changed_on_both_sides_is_a_marked_conflict() {
        let (outcome, text) = merge(Some(BASE), Some("a\nX\nc\nd\ne\n"), Some("a\nY\nc\nd\ne\n"));
        assert_eq!(outcome, Outcome::Conflict);
        let text = text.unwrap();
        assert!(text.contains("<<<<<<< ours\nY\n"), "{text}");
        assert!(text.contains("=======\nX\n>>>>>>> theirs"), "{text}");
    }

    #[test]
    fn deletions_removals_and_migrations() {
        assert_eq!(
            merge(Some(BASE), Some("new\n"), None).0,
            Outcome::KeptDeleted
        );
        assert_eq!(merge(Some(BASE), Some(BASE), None).0, Outcome::Unchanged);
        assert_eq!(
            merge(None, Some("new\n"), None),
            (Outcome::Created, Some("new\n".into()))
        );
        assert_eq!(merge(Some(BASE), None, Some(BASE)).0, Outcome::Removed);
        assert_eq!(
            merge(Some(BASE), None, Some("mine\n")).0,
            Outcome::KeptEdited
        );
        let sides = Sides {
            base: Some(BASE),
            other: Some("changed\n"),
            ours: Some(BASE),
        };
        assert_eq!(sides.merge(true), (Outcome::KeptMigration, None));
    }
}
