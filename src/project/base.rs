//! The base record, `.apigen/base`: what apigen generated for this project
//! last time (by `apigen new`, then each `apigen add …` and `apigen update`),
//! kept in the project as one text file. `apigen update` merges from it, so
//! it needs neither the old apigen nor a network nor git (docs/templates.md
//! says why it is a file and not a git ref).
//!
//! The format is plain text, so that git stores and diffs it well: a comment
//! header, then per file a line `--- <path> <bytes>`, the file's bytes and a
//! newline.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};
use crate::project::Files;
use crate::project::edit::Change;
use crate::project::scratch::Scratch;
use crate::project_file;
use crate::render::RenderedFile;
use crate::writer::FileEdit;

/// Where the record lives, relative to the project root.
pub const PATH: &str = ".apigen/base";

const HEADER: &str = "# Written by apigen: the files it generated for this project last time,\n\
# the base of `apigen update`'s three-way merge. Commit it; do not edit it.\n";

/// Files the record leaves out: `apigen.toml` (the record of the answers,
/// rewritten by every command), `.env` (per machine, holds secrets, never
/// committed) and the record itself.
const NOT_RECORDED: &[&str] = &[project_file::FILE_NAME, ".env", PATH];

/// Whether `path` belongs in the record: nothing under `.apigen/` (the
/// record itself, the project's template overrides and their snapshots)
/// is generated.
pub fn recorded(path: &Path) -> bool {
    !NOT_RECORDED.iter().any(|skip| path == Path::new(skip)) && !path.starts_with(".apigen")
}

/// The recorded files among `files`.
pub fn from_rendered(files: &[RenderedFile]) -> Files {
    files
        .iter()
        .filter(|f| recorded(&f.path))
        .map(|f| (f.path.clone(), f.contents.clone()))
        .collect()
}

/// The record of `files`, as the file to write.
pub fn to_file(files: &Files) -> RenderedFile {
    let mut text = String::from(HEADER);
    for (path, contents) in files {
        text.push_str(&format!("--- {} {}\n", path.display(), contents.len()));
        text.push_str(contents);
        text.push('\n');
    }
    RenderedFile {
        path: PATH.into(),
        contents: text,
    }
}

/// Reads a record's text back; the problem, if it is not one.
pub fn parse(text: &str) -> Result<Files, String> {
    let mut files = Files::new();
    let mut rest = text;
    while rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, after)| after);
    }
    while !rest.is_empty() {
        let (header, after) = rest.split_once('\n').ok_or("a header line is cut off")?;
        let (path, bytes) = header
            .strip_prefix("--- ")
            .and_then(|h| h.rsplit_once(' '))
            .ok_or_else(|| format!("expected `--- <path> <bytes>`, found {header:?}"))?;
        let bytes: usize = bytes
            .parse()
            .map_err(|_| format!("bad size in {header:?}"))?;
        let contents = after
            .get(..bytes)
            .filter(|_| after[bytes..].starts_with('\n'))
            .ok_or_else(|| format!("{path} is cut off"))?;
        files.insert(path.into(), contents.to_owned());
        rest = &after[bytes + 1..];
    }
    Ok(files)
}

/// The project's record at `root`; `None` in a project made before apigen
/// kept one.
pub fn read(root: &Path) -> Result<Option<Files>> {
    let path = root.join(PATH);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path)(e)),
    };
    parse(&text)
        .map(Some)
        .map_err(|message| Error::ProjectFile {
            path,
            message: format!("{message}; restore it from version control"),
        })
}

/// Keeps the record in step with a command's change of the project at
/// `root`: `plan` plans the same command in a copy of the recorded files
/// (with the project's `apigen.toml`), and the record becomes that copy
/// with the change applied. `None` where the project has no record.
pub fn follow(root: &Path, plan: impl FnOnce(&Path) -> Result<Change>) -> Result<Option<FileEdit>> {
    let Some(files) = read(root)? else {
        return Ok(None);
    };
    let before = to_file(&files).contents;
    let toml = crate::project::edit::read(root, Path::new(project_file::FILE_NAME))?;
    let scratch = Scratch::new(
        files
            .into_iter()
            .chain([(project_file::FILE_NAME.into(), toml)]),
    )?;
    scratch.apply(&plan(scratch.path())?)?;
    let after: Files = scratch
        .files()?
        .into_iter()
        .filter(|(path, _)| recorded(path))
        .collect();
    Ok(Some(FileEdit {
        path: PATH.into(),
        before,
        after: to_file(&after).contents,
    }))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        let files: Files = [
            ("a b/with space.txt", "x\n--- not a header 3\n"),
            ("empty", ""),
            ("no-newline.rs", "fn main() {}"),
        ]
        .into_iter()
        .map(|(p, c)| (PathBuf::from(p), c.to_owned()))
        .collect();
        let text = to_file(&files).contents;
        assert!(text.starts_with("# Written by apigen"), "{text}");
        assert_eq!(parse(&text).unwrap(), files);
    }

    #[test]
    fn a_damaged_record_is_refused() {
        let text = to_file(&[(PathBuf::from("a"), "abc".to_owned())].into()).contents;
        let cut = &text[..text.len() - 2];
        assert!(parse(cut).unwrap_err().contains("a is cut off"));
        assert!(parse("junk\n").unwrap_err().contains("expected"));
    }

    #[test]
    fn secrets_and_the_answers_are_not_recorded() {
        assert!(!recorded(Path::new(".env")));
        assert!(!recorded(Path::new("apigen.toml")));
        assert!(recorded(Path::new(".env.example")));
        // A project's own template overrides are not generated.
        assert!(!recorded(Path::new(
            ".apigen/templates/project/README.md.tera"
        )));
    }
}
