//! The generated project on disk, as apigen's commands find, read and
//! edit it: the floor the commands stand on. Nothing here belongs to one
//! command, and nothing here imports a command.
//!
//! - [`find_root`] and [`read`]: the project and its `apigen.toml`;
//! - [`resolve_version`]: which API version an addition goes to;
//! - [`api_version`]: version names, parsed once;
//! - [`edit`]: a command's plan, computed in memory before any write;
//! - [`inject`]: edits of existing files at marker comments;
//! - [`generate`]: what apigen generates for a project, from its answers
//!   and from its whole record (`replay`);
//! - [`base`]: the record of what apigen generated last time, and
//!   [`merge`]: the three-way merge `apigen update` runs from it;
//! - [`rebase`]: a project brought to another record through that merge;
//! - [`migration`]: migration file names;
//! - [`scratch`]: a throwaway copy of a project to plan commands in.

pub mod api_version;
pub mod base;
pub mod edit;
pub mod generate;
pub mod inject;
pub mod merge;
pub mod migration;
pub mod rebase;
pub mod scratch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::project_file::{self, ProjectFile};
use crate::spec::Versioning;

pub use api_version::ApiVersion;
pub use edit::{Change, Edits};

/// Files by path, relative to the project root: what apigen generated (the
/// [`base`] record, a [`generate::replay`]) or what a [`scratch`] copy holds.
pub type Files = BTreeMap<PathBuf, String>;

/// The nearest folder, from `dir` up, that holds an `apigen.toml`.
pub fn find_root(dir: &Path) -> Result<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(project_file::FILE_NAME).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NotInProject { dir: dir.into() })
}

/// The project's `apigen.toml` at `root`.
/// A choice this apigen cannot generate (the file was edited by hand, or
/// written by a newer apigen) is refused like a bad file.
pub fn read(root: &Path) -> Result<ProjectFile> {
    let text = edit::read(root, Path::new(project_file::FILE_NAME))?;
    let error = |message: String| Error::ProjectFile {
        path: root.join(project_file::FILE_NAME),
        message,
    };
    let project = ProjectFile::parse(&text).map_err(|e| error(e.message().to_owned()))?;
    if let Some(bad) = project
        .versions
        .iter()
        .find(|v| ApiVersion::from_name(&v.name).is_none())
    {
        return Err(error(format!(
            "its [[version]] name {:?} is not a version (`v` and a number, e.g. v2)",
            bad.name
        )));
    }
    match project.project.unsupported() {
        None => Ok(project),
        Some(unsupported) => Err(error(format!(
            "it names {} {}, which this apigen cannot generate (it can: {})",
            unsupported.flag, unsupported.value, unsupported.available
        ))),
    }
}

/// The version an addition to `project` goes to (`add resource --version`):
/// the one named (`requested`), or the newest; `None` in a project without
/// versions, where `--version` is refused.
pub fn resolve_version(
    project: &ProjectFile,
    requested: Option<&str>,
) -> Result<Option<ApiVersion>> {
    if project.project.versioning == Versioning::None {
        return match requested {
            Some(name) => Err(Error::VersionFlagUnversioned {
                name: name.to_owned(),
            }),
            None => Ok(None),
        };
    }
    let versions = project.versions();
    let Some(name) = requested else {
        return Ok(Some(project.newest_version()));
    };
    match ApiVersion::from_name(name).filter(|v| versions.contains(v)) {
        Some(version) => Ok(Some(version)),
        None => Err(Error::UnknownVersion {
            name: name.to_owned(),
            versions: versions.iter().map(ToString::to_string).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project_file::VersionRecord;
    use crate::spec::ProjectSpec;

    #[test]
    fn additions_go_to_the_newest_or_the_named_version() {
        let mut project = ProjectFile::new(&ProjectSpec::with_defaults("shop"));
        let (v1, v2) = (ApiVersion::FIRST, ApiVersion::FIRST.next());
        assert_eq!(resolve_version(&project, None).unwrap(), Some(v1));
        project.versions = ["v1", "v2"]
            .map(|name| VersionRecord {
                name: name.into(),
                deprecated: None,
                sunset: None,
            })
            .into();
        assert_eq!(resolve_version(&project, None).unwrap(), Some(v2));
        assert_eq!(resolve_version(&project, Some("v1")).unwrap(), Some(v1));
        for unknown in ["v3", "V1"] {
            let err = resolve_version(&project, Some(unknown))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!(
                    "this project has no {unknown}; its versions are v1, v2"
                )),
                "{err}"
            );
        }
        project.project.versioning = Versioning::None;
        assert_eq!(resolve_version(&project, None).unwrap(), None);
        let err = resolve_version(&project, Some("v1"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--versioning none has no versions; drop --version"),
            "{err}"
        );
    }

    #[test]
    fn the_root_is_the_nearest_folder_with_an_apigen_toml() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("src/routers");
        std::fs::create_dir_all(&deep).unwrap();
        assert!(matches!(find_root(&deep), Err(Error::NotInProject { .. })));
        std::fs::write(dir.path().join(project_file::FILE_NAME), "").unwrap();
        assert_eq!(find_root(&deep).unwrap(), dir.path());
    }
}
