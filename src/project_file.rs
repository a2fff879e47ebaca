//! `apigen.toml`: the choices a project was generated with, written into the
//! project so that `apigen add …` can read them back.

use serde::{Deserialize, Serialize};

use crate::project::api_version::ApiVersion;
use crate::render::RenderedFile;
use crate::spec::{ProjectSpec, Writes};

pub const FILE_NAME: &str = "apigen.toml";

const HEADER: &str = "# Written by apigen: the choices this project was generated with.\n\
# `apigen add …` reads it back; edit it only if you know what changes.\n\n";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectFile {
    /// The apigen version that generated the project.
    pub apigen_version: String,
    pub project: ProjectSpec,
    /// API versions, oldest first; written by the first `apigen add version`.
    /// Empty (older files, or no version added yet): only `v1`.
    #[serde(default, skip_serializing_if = "Vec::is_empty", rename = "version")]
    pub versions: Vec<VersionRecord>,
    /// Resources added with `apigen add resource`, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty", rename = "resource")]
    pub resources: Vec<ResourceRecord>,
}

/// One `apigen add resource` run, as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRecord {
    pub name: String,
    pub fields: String,
    #[serde(default)]
    pub owned: bool,
    /// Who may write the rows of a resource every caller shares (`--writes`,
    /// or its default for the auth method); absent for an `--owned` resource
    /// and with `--auth none`, where there is no policy to choose. A record of
    /// an apigen before `--writes` lacks it too: its code lets any signed-in
    /// caller write (what `any` generates today), and the record describes the
    /// code on disk, so it is not read as the new default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writes: Option<Writes>,
    /// `--step-up`: writes need a recent MFA verification; absent when not asked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub step_up: bool,
    /// The API version it was added to (later versions start with its
    /// routes); recorded whenever the project has more than one version,
    /// absent when `v1` was the only one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The `YYYYMMDDHHMMSS` that names its migration, so that `apigen
    /// update` generates it again under the same name; absent in records of
    /// an apigen before `update` (which finds it on disk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<String>,
}

/// One API version (`v1`) and, once it has a successor, its dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub name: String,
    /// `YYYY-MM-DD` (UTC): the day its successor was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// `YYYY-MM-DD` (UTC): the day after which it may stop answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
}

impl ProjectFile {
    pub fn new(spec: &ProjectSpec) -> Self {
        Self {
            apigen_version: env!("CARGO_PKG_VERSION").to_owned(),
            project: spec.clone(),
            versions: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// The API versions' names, oldest first: `v1` and those recorded, each
    /// once, in the order of their numbers. The one source of truth for
    /// which versions exist (`versioning = "none"` still says `v1`: callers
    /// refuse versions there first).
    pub fn versions(&self) -> Vec<ApiVersion> {
        let mut versions: Vec<ApiVersion> = std::iter::once(ApiVersion::FIRST)
            .chain(
                self.versions
                    .iter()
                    .filter_map(|v| ApiVersion::from_name(&v.name)),
            )
            .collect();
        versions.sort_unstable();
        versions.dedup();
        versions
    }

    /// The newest API version (`v1` until one is added).
    pub fn newest_version(&self) -> ApiVersion {
        self.versions().pop().expect("v1 always exists")
    }

    /// Reads `text`, the contents of an `apigen.toml`.
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn to_file(&self) -> RenderedFile {
        let body = toml::to_string(self).expect("a ProjectFile always serializes");
        RenderedFile {
            path: FILE_NAME.into(),
            contents: format!("{HEADER}{body}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(versions: &[ApiVersion]) -> Vec<String> {
        versions.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_back_what_it_writes() {
        let written = ProjectFile::new(&ProjectSpec::with_defaults("shop"));
        let file = written.to_file();
        let read: ProjectFile = toml::from_str(&file.contents).unwrap();
        assert_eq!(read, written);
        assert!(file.contents.starts_with("# Written by apigen"));
    }

    #[test]
    fn resources_are_recorded_and_optional() {
        let mut written = ProjectFile::new(&ProjectSpec::with_defaults("shop"));
        assert!(!written.to_file().contents.contains("resource"));
        written.resources.push(ResourceRecord {
            name: "orders".into(),
            fields: "total:decimal".into(),
            owned: true,
            writes: None,
            step_up: false,
            version: None,
            migration: None,
        });
        written.resources.push(ResourceRecord {
            name: "products".into(),
            fields: "title:string".into(),
            owned: false,
            writes: Some(Writes::Admin),
            step_up: true,
            version: None,
            migration: Some("20260101000000".into()),
        });
        let text = written.to_file().contents;
        assert!(text.contains("[[resource]]"), "{text}");
        assert!(text.contains("writes = \"admin\""), "{text}");
        // Recorded only when asked for.
        assert_eq!(text.matches("step_up = true").count(), 1, "{text}");
        assert_eq!(text.matches("writes =").count(), 1, "{text}");
        assert_eq!(ProjectFile::parse(&text).unwrap(), written);
    }

    #[test]
    fn a_resource_recorded_before_write_policies_reads_without_one() {
        let mut text = ProjectFile::new(&ProjectSpec::with_defaults("shop"))
            .to_file()
            .contents;
        text.push_str("\n[[resource]]\nname = \"products\"\nfields = \"title:string\"\n");
        let read = ProjectFile::parse(&text).unwrap();
        assert_eq!(read.resources[0].writes, None);
        assert!(!read.resources[0].owned);
    }

    #[test]
    fn v1_exists_until_versions_are_recorded() {
        let mut file = ProjectFile::new(&ProjectSpec::with_defaults("shop"));
        assert_eq!(names(&file.versions()), ["v1"]);
        assert_eq!(file.newest_version().to_string(), "v1");
        assert!(!file.to_file().contents.contains("[[version]]"));
        file.versions = ["v1", "v2"]
            .map(|name| VersionRecord {
                name: name.into(),
                deprecated: (name == "v1").then(|| "2026-01-01".into()),
                sunset: (name == "v1").then(|| "2026-06-30".into()),
            })
            .into();
        let text = file.to_file().contents;
        assert!(
            text.contains(
                "[[version]]\nname = \"v1\"\ndeprecated = \"2026-01-01\"\nsunset = \"2026-06-30\"\n\n[[version]]\nname = \"v2\"\n"
            ),
            "{text}"
        );
        let read = ProjectFile::parse(&text).unwrap();
        assert_eq!(read, file);
        assert_eq!(names(&read.versions()), ["v1", "v2"]);
        assert_eq!(read.newest_version().to_string(), "v2");
    }

    #[test]
    fn versions_are_ordered_by_number_and_v1_is_implicit() {
        let mut file = ProjectFile::new(&ProjectSpec::with_defaults("shop"));
        file.versions = ["v10", "v2", "v9"]
            .map(|name| VersionRecord {
                name: name.into(),
                deprecated: None,
                sunset: None,
            })
            .into();
        assert_eq!(names(&file.versions()), ["v1", "v2", "v9", "v10"]);
        assert_eq!(file.newest_version().to_string(), "v10");
    }
}
