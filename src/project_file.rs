//! `apigen.toml`: the choices a project was generated with, written into the
//! project so that `apigen add …` can read them back.

use serde::{Deserialize, Serialize};

use crate::render::RenderedFile;
use crate::spec::ProjectSpec;

pub const FILE_NAME: &str = "apigen.toml";

const HEADER: &str = "# Written by apigen: the choices this project was generated with.\n\
# `apigen add …` reads it back; edit it only if you know what changes.\n\n";

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectFile {
    /// The apigen version that generated the project.
    pub apigen_version: String,
    pub project: ProjectSpec,
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
}

impl ProjectFile {
    pub fn new(spec: &ProjectSpec) -> Self {
        Self {
            apigen_version: env!("CARGO_PKG_VERSION").to_owned(),
            project: spec.clone(),
            resources: Vec::new(),
        }
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
        });
        let text = written.to_file().contents;
        assert!(text.contains("[[resource]]"), "{text}");
        assert_eq!(ProjectFile::parse(&text).unwrap(), written);
    }
}
