//! What `add version` adds for each protocol with a schema per version, as its
//! row of `ProtocolVars` describes it (`VersionedSchema`). Each starts the new
//! version as a copy of the previous one, as REST's `fn vN()` starts as a copy
//! of its routes:
//! - GraphQL: the schema `src/graphql/vN.rs`, served at `/vN/graphql`, with its
//!   SDL checked by `tests/graphql.rs` (as `schema.vN.graphql`);
//! - gRPC: the protobuf package `<crate>.vN` in `proto/<crate>/vN/`, served by
//!   `src/grpc/vN.rs` and its adapters in `src/grpc/vN/`.
//!
//! A copy is the previous version's text with the package and folder renamed
//! (`<crate>.v1` → `<crate>.v2`, `<crate>/v1/` → `<crate>/v2/`) and, for the
//! version's own module, a new opening comment.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::inject_at;
use crate::error::{Error, Result};
use crate::project::{ApiVersion, Edits};
use crate::project_file;
use crate::project_vars::{ProtocolVars, VersionedSchema};
use crate::render::RenderedFile;
use crate::spec::{ProjectSpec, Versioning};

/// The version being added, as the copies need it.
pub struct Step<'a> {
    pub root: &'a Path,
    pub project: &'a ProjectSpec,
    /// The version copied (`v1`) and the new one (`v2`).
    pub previous: ApiVersion,
    pub version: ApiVersion,
}

impl Step<'_> {
    /// How clients reach the new version: its path, or its `Accept-Version`.
    fn reached(&self, path: &str) -> String {
        match self.project.versioning {
            Versioning::Header => {
                format!("`{path}` with `Accept-Version: {}`", self.version.number())
            }
            _ => format!("`/{}{path}`", self.version),
        }
    }

    /// `pattern` (a path of `VersionedSchema`) for version `v`.
    fn path(&self, pattern: &str, v: ApiVersion) -> String {
        pattern
            .replace("{ident}", &self.project.crate_ident())
            .replace("{v}", &v.to_string())
    }

    /// `pattern` (a header or line of `VersionedSchema`) for the new version,
    /// reached at `path`.
    fn text(&self, pattern: &str, path: &str) -> String {
        pattern
            .replace("{ident}", &self.project.crate_ident())
            .replace("{version}", &self.version.to_string())
            .replace("{previous}", &self.previous.to_string())
            .replace("{number}", &self.version.number().to_string())
            .replace("{reached}", &self.reached(path))
    }

    /// `text` of the previous version, renamed to the new one: its package
    /// (`shop.v1`) and its folder (`shop/v1/`).
    fn renamed(&self, text: &str) -> String {
        let ident = self.project.crate_ident();
        let (previous, version) = (self.previous, self.version);
        let text = replace_version(
            text,
            &format!("{ident}.{previous}"),
            &format!("{ident}.{version}"),
        );
        replace_version(
            &text,
            &format!("{ident}/{previous}"),
            &format!("{ident}/{version}"),
        )
    }

    /// The new version's copy of `path`, a file of the previous version.
    fn copy(&self, path: &Path, to: PathBuf, edits: &mut Edits) -> Result<RenderedFile> {
        self.check_new(&to)?;
        let text = edits.current(path)?;
        Ok(RenderedFile {
            path: to,
            contents: self.renamed(&text),
        })
    }

    /// Refuses to write over a file the new version would add.
    fn check_new(&self, path: &Path) -> Result<()> {
        if self.root.join(path).exists() {
            return Err(Error::CannotEdit {
                file: path.into(),
                problem: format!(
                    "it already exists, though {} says the newest version is {}",
                    project_file::FILE_NAME,
                    self.previous
                ),
            });
        }
        Ok(())
    }
}

/// The new files and edits of every protocol of the project that has versions
/// of its own beyond REST's routes (`versions` in its row of `ProtocolVars`).
pub fn plan(step: &Step, edits: &mut Edits) -> Result<Vec<RenderedFile>> {
    let mut files = Vec::new();
    for protocol in &step.project.protocols {
        if let Some(schema) = ProtocolVars::of(*protocol).versions {
            files.extend(copy_version(step, &schema, edits)?);
        }
    }
    Ok(files)
}

/// The new version of one protocol: a copy of each of its folders and of its
/// module (with a new opening comment), and its lines in the lists of versions.
fn copy_version(
    step: &Step,
    schema: &VersionedSchema,
    edits: &mut Edits,
) -> Result<Vec<RenderedFile>> {
    let mut files = Vec::new();
    for folder in schema.folders {
        let (from, to) = (
            step.path(folder, step.previous),
            step.path(folder, step.version),
        );
        for file in files_under(step.root, Path::new(&from))? {
            let relative = file.strip_prefix(&from).expect("under the folder");
            files.push(step.copy(&file, Path::new(&to).join(relative), edits)?);
        }
    }
    let from = PathBuf::from(step.path(schema.module, step.previous));
    let to = PathBuf::from(step.path(schema.module, step.version));
    let mut module = step.copy(&from, to, edits)?;
    module.contents = retitled(&module.contents, &step.text(schema.header, schema.path));
    files.push(module);

    for (file, anchor, line) in schema.lists {
        list(
            edits,
            file,
            &[(anchor, step.text(line, schema.path))],
            step.previous,
        )?;
    }
    Ok(files)
}

/// Lists the new version in `file`: each snippet before its anchor line.
fn list(
    edits: &mut Edits,
    file: &str,
    lines: &[(&str, String)],
    previous: ApiVersion,
) -> Result<()> {
    let path = Path::new(file);
    let mut text = edits.current(path)?;
    for (anchor, snippet) in lines {
        text = inject_at(path, &text, anchor, snippet, previous)?;
    }
    edits.set(path, text)
}

/// Every file under `folder` of the project at `root`, relative to `root`, in
/// path order; none when the folder does not exist.
fn files_under(root: &Path, folder: &Path) -> Result<Vec<PathBuf>> {
    if !root.join(folder).is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in WalkDir::new(root.join(folder)).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::CannotEdit {
            file: folder.into(),
            problem: format!("cannot read it ({e})"),
        })?;
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(root).expect("under the root");
            files.push(relative.to_path_buf());
        }
    }
    Ok(files)
}

/// `text` with its opening `//!` comment replaced by `header`.
fn retitled(text: &str, header: &str) -> String {
    let body: Vec<&str> = text
        .split_inclusive('\n')
        .skip_while(|line| line.starts_with("//!"))
        .collect();
    format!("{header}{}", body.concat())
}

/// `text` with each `from` replaced by `to`, where `from` is not the start of
/// a longer name (`shop.v1` but not `shop.v10`).
fn replace_version(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn a_version_is_renamed_but_not_a_longer_one() {
        let text = "package shop.v1;\nimport \"shop/v1/a.proto\";\n// shop.v10 stays\n";
        let step_text = replace_version(
            &replace_version(text, "shop.v1", "shop.v2"),
            "shop/v1",
            "shop/v2",
        );
        assert_eq!(
            step_text,
            "package shop.v2;\nimport \"shop/v2/a.proto\";\n// shop.v10 stays\n"
        );
    }

    #[test]
    fn retitling_replaces_only_the_opening_comment() {
        let text = "//! Version 1.\n//! More.\n\nuse x;\n//! not a header\n";
        assert_eq!(
            retitled(text, "//! Version 2.\n"),
            "//! Version 2.\n\nuse x;\n//! not a header\n"
        );
    }

    #[test]
    fn a_missing_folder_has_no_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            files_under(dir.path(), Path::new("src/grpc/v1"))
                .unwrap()
                .is_empty()
        );
        fs::create_dir_all(dir.path().join("src/grpc/v1/deep")).unwrap();
        fs::write(dir.path().join("src/grpc/v1/b.rs"), "").unwrap();
        fs::write(dir.path().join("src/grpc/v1/deep/a.rs"), "").unwrap();
        assert_eq!(
            files_under(dir.path(), Path::new("src/grpc/v1")).unwrap(),
            vec![
                PathBuf::from("src/grpc/v1/b.rs"),
                PathBuf::from("src/grpc/v1/deep/a.rs")
            ]
        );
    }
}
