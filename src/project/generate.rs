//! What apigen generates for a project: the templates for its answers
//! ([`project_files`]) and, for `apigen update`, the whole project as its
//! `apigen.toml` records it ([`replay`]): the answers, then every resource
//! and version added, in order, by the same planners the `add` commands use.

use std::path::Path;

use crate::error::{Error, Result};
use crate::overrides::Overrides;
use crate::project::Files;
use crate::project::base;
use crate::project::edit::Change;
use crate::project::scratch::Scratch;
use crate::project_file::{ProjectFile, ResourceRecord, VersionRecord};
use crate::render::{RenderedFile, Secrets, render_project};
use crate::spec::ProjectSpec;

/// Every file of the project for `spec`: the templates (each from its
/// override in `overrides` where there is one) plus `apigen.toml`.
/// Refuses names that would clash with a crate the project depends on.
pub fn project_files(
    spec: &ProjectSpec,
    secrets: &Secrets,
    overrides: &Overrides,
) -> Result<Vec<RenderedFile>> {
    let mut files = render_project(spec, secrets, overrides)?;
    refuse_dependency_names(spec, &files)?;
    files.push(ProjectFile::new(spec).to_file());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The planners of the `add` commands, handed in by whoever runs a replay
/// (so that no command imports another): each plans one recorded step in
/// the project at the given root.
pub struct Steps {
    /// Plans adding a recorded resource (`apigen add resource`) with the
    /// given template overrides.
    pub resource: fn(&Path, &ResourceRecord, &Overrides) -> Result<Change>,
    /// Plans adding the version named by the second record, which follows
    /// the first (whose `deprecated` and `sunset` dates it sets).
    pub version: fn(&Path, &VersionRecord, &VersionRecord) -> Result<Change>,
}

/// One recorded step, in the order it is replayed.
enum Step<'a> {
    Resource(&'a ResourceRecord),
    Version(&'a VersionRecord, &'a VersionRecord),
}

/// The files this apigen generates for `project` (its answers, resources
/// and versions) with the template `overrides`, without `apigen.toml` and
/// the other files the base record leaves out ([`base::recorded`]).
/// Secrets are placeholders: the only file holding them, `.env`, is not
/// recorded.
pub fn replay(project: &ProjectFile, steps: &Steps, overrides: &Overrides) -> Result<Files> {
    let files = project_files(&project.project, &Secrets::placeholder(), overrides)?;
    let scratch = Scratch::new(files.into_iter().map(|f| (f.path, f.contents)))?;
    for step in order(project) {
        let change = match step {
            Step::Resource(record) => (steps.resource)(scratch.path(), record, overrides)?,
            Step::Version(previous, next) => (steps.version)(scratch.path(), previous, next)?,
        };
        scratch.apply(&change)?;
    }
    Ok(scratch
        .files()?
        .into_iter()
        .filter(|(path, _)| base::recorded(path))
        .collect())
}

/// The recorded steps in the order they were taken, as far as `apigen.toml`
/// tells it: resources recorded without a version came before the first
/// added version; one recorded with version `vN` right after `vN` was
/// added; one recorded with an older version (`--version v1` once `v2`
/// existed) after every version.
fn order(project: &ProjectFile) -> Vec<Step<'_>> {
    let mut versions: Vec<&VersionRecord> = project.versions.iter().collect();
    versions.sort_by_key(|v| crate::project::ApiVersion::from_name(&v.name));
    let mut steps: Vec<Step> = project
        .resources
        .iter()
        .filter(|r| r.version.is_none())
        .map(Step::Resource)
        .collect();
    let mut placed: Vec<&str> = Vec::new();
    for pair in versions.windows(2) {
        steps.push(Step::Version(pair[0], pair[1]));
        placed.push(&pair[1].name);
        let added = |r: &&ResourceRecord| r.version.as_deref() == Some(&pair[1].name);
        steps.extend(project.resources.iter().filter(added).map(Step::Resource));
    }
    let later = |r: &&ResourceRecord| r.version.as_deref().is_some_and(|v| !placed.contains(&v));
    steps.extend(project.resources.iter().filter(later).map(Step::Resource));
    steps
}

fn refuse_dependency_names(spec: &ProjectSpec, files: &[RenderedFile]) -> Result<()> {
    let Some(manifest) = files.iter().find(|f| f.path == Path::new("Cargo.toml")) else {
        return Ok(());
    };
    let manifest: toml::Table =
        toml::from_str(&manifest.contents).map_err(|e| Error::Template {
            template: "Cargo.toml.tera".into(),
            message: e.to_string(),
        })?;
    let ident = spec.crate_ident();
    let clash = ["dependencies", "dev-dependencies"]
        .iter()
        .filter_map(|section| manifest.get(*section).and_then(|d| d.as_table()))
        .flat_map(|deps| deps.keys())
        .any(|dep| dep.replace('-', "_") == ident);
    if clash {
        return Err(Error::InvalidName {
            name: spec.name.clone(),
            reason: "the generated project depends on a crate of that name".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(name: &str, version: Option<&str>) -> ResourceRecord {
        ResourceRecord {
            name: name.into(),
            fields: "title:string".into(),
            owned: false,
            writes: None,
            step_up: false,
            version: version.map(Into::into),
            migration: None,
        }
    }

    fn version(name: &str) -> VersionRecord {
        VersionRecord {
            name: name.into(),
            deprecated: None,
            sunset: None,
        }
    }

    #[test]
    fn steps_replay_in_the_order_they_were_taken() {
        let mut project = ProjectFile::new(&ProjectSpec::with_defaults("shop"));
        project.resources = vec![
            resource("a", None),
            resource("b", Some("v2")),
            resource("c", Some("v1")),
            resource("d", Some("v3")),
        ];
        project.versions = vec![version("v3"), version("v1"), version("v2")];
        let names: Vec<String> = order(&project)
            .iter()
            .map(|step| match step {
                Step::Resource(r) => r.name.clone(),
                Step::Version(_, v) => v.name.clone(),
            })
            .collect();
        assert_eq!(names, ["a", "v2", "b", "v3", "d", "c"]);
    }
}
