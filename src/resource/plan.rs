//! Computes, in memory and in full, everything `apigen add resource` will
//! write: the new files and the edited text of existing ones. Any problem
//! (a missing anchor, an existing resource) stops here, before any write.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tera::Context;

use crate::error::{Error, Result};
use crate::project_file::{self, ProjectFile, ResourceRecord, version_number};
use crate::render::{
    ManifestEntry, RenderedFile, condition_holds, load_manifest, render_entries, render_str,
};
use crate::resource::cargo_toml::add_needs;
use crate::resource::dialect;
use crate::resource::fields::{Field, to_spec};
use crate::resource::format::format_rust_files;
use crate::resource::inject::{InjectError, Placement, inject};
use crate::resource::naming::ResourceName;
use crate::resource::vars::{ResourceVars, VersionVars};
use crate::spec::{Database, ProjectSpec, owned_refusal};
use crate::version;
use crate::writer::FileEdit;

/// Where resource templates live inside `templates/`, and their manifest.
pub const RESOURCE_DIR: &str = "resource";
const RESOURCE_MANIFEST: &str = "resource/manifest.toml";

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct ResourceRequest {
    pub name: String,
    pub fields: Vec<Field>,
    pub owned: bool,
}

/// Everything one `add resource` writes, relative to the project root.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub new_files: Vec<RenderedFile>,
    pub edits: Vec<FileEdit>,
    /// Whether rustfmt formatted the new Rust files (see `format.rs`).
    pub formatted: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceManifest {
    file: Vec<ManifestEntry>,
    injection: Vec<Injection>,
}

/// One `[[injection]]` of `templates/resource/manifest.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Injection {
    /// The existing file to edit, relative to the project root; a template
    /// over the resource variables (`src/graphql/{{ version.name }}.rs`).
    file: String,
    /// The marker line the snippet goes next to; a template over the
    /// resource variables (`{{ version.routes_anchor }}`).
    anchor: String,
    /// What to insert; a template over the resource variables.
    snippet: String,
    #[serde(default)]
    placement: Placement,
    when: Option<String>,
}

/// The templates named by the resource manifest (for tests that keep
/// manifest and folder in step).
pub fn resource_manifest_templates() -> Result<Vec<String>> {
    let manifest: ResourceManifest = load_manifest(RESOURCE_MANIFEST)?;
    Ok(manifest.file.iter().map(ManifestEntry::template).collect())
}

/// Plans adding `request` to the project at `root`; `now` is the
/// `YYYYMMDDHHMMSS` UTC time that names the migration.
pub fn plan_resource(root: &Path, request: &ResourceRequest, now: &str) -> Result<Change> {
    plan_resource_in(root, request, None, now)
}

/// [`plan_resource`] adding to the API version `version` (`v2`, `--version`)
/// instead of the newest.
pub fn plan_resource_in(
    root: &Path,
    request: &ResourceRequest,
    version: Option<&str>,
    now: &str,
) -> Result<Change> {
    let mut project = read_project(root)?;
    let name = ResourceName::parse(&request.name)?;
    check_owned(&project.project, &name.plural, request.owned)?;
    if project.resources.iter().any(|r| r.name == name.plural) {
        return Err(exists(&name, project_file::FILE_NAME));
    }

    let api_version = version::resolve(&project, version)?;
    let newest = version_number(&project.newest_version()).unwrap_or(1);
    let migration = next_migration_version(&root.join("migrations"), now)?;
    let vars = ResourceVars::new(
        &project.project,
        &name,
        &request.fields,
        request.owned,
        migration,
        api_version.map(|number| VersionVars::new(number, newest)),
    )?;
    let context = Context::from_serialize(&vars).map_err(|e| Error::Template {
        template: "(resource context)".into(),
        message: e.to_string(),
    })?;
    let manifest: ResourceManifest = load_manifest(RESOURCE_MANIFEST)?;

    let mut new_files = render_entries(RESOURCE_DIR, project.project.db, &manifest.file, &context)?;
    if let Some(taken) = new_files.iter().find(|f| root.join(&f.path).exists()) {
        return Err(exists(&name, &taken.path));
    }
    let mut edits = Edits::new(root);
    for injection in &manifest.injection {
        apply_injection(&mut edits, injection, &context, &name)?;
    }
    add_dependencies(&mut edits, project.project.db, &request.fields)?;

    project.resources.push(ResourceRecord {
        name: name.plural.clone(),
        fields: to_spec(&request.fields),
        owned: request.owned,
        // Which version it went to matters once there is more than one.
        version: api_version
            .filter(|_| project.versions().len() > 1)
            .map(|number| format!("v{number}")),
    });
    edits.set(
        Path::new(project_file::FILE_NAME),
        project.to_file().contents,
    )?;
    let formatted = format_rust_files(root, &mut new_files);
    Ok(Change {
        new_files,
        edits: edits.finish(),
        formatted,
    })
}

/// The project's `apigen.toml` at `root`.
/// A choice this apigen cannot generate (the file was edited by hand, or
/// written by a newer apigen) is refused like a bad file.
pub fn read_project(root: &Path) -> Result<ProjectFile> {
    let text = read(root, Path::new(project_file::FILE_NAME))?;
    let error = |message: String| Error::ProjectFile {
        path: root.join(project_file::FILE_NAME),
        message,
    };
    let project = ProjectFile::parse(&text).map_err(|e| error(e.message().to_owned()))?;
    if let Some(bad) = project
        .versions
        .iter()
        .find(|v| version_number(&v.name).is_none())
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

/// Refuses `--owned` (resource `name`) where the project's auth method has
/// no owners to give rows to ([`owned_refusal`]).
pub fn check_owned(spec: &ProjectSpec, name: &str, owned: bool) -> Result<()> {
    match owned_refusal(spec.auth) {
        Some(reason) if owned => Err(Error::OwnedRefused {
            name: name.to_owned(),
            reason,
        }),
        _ => Ok(()),
    }
}

fn apply_injection(
    edits: &mut Edits,
    injection: &Injection,
    context: &Context,
    name: &ResourceName,
) -> Result<()> {
    if !condition_holds(injection.when.as_deref(), &injection.file, context)? {
        return Ok(());
    }
    let file = render_str(&injection.file, context)?;
    let path = Path::new(&file);
    let anchor = render_str(&injection.anchor, context)?;
    let snippet = render_str(&injection.snippet, context)?;
    let text = edits.current(path)?;
    let edited = inject(&text, &anchor, &snippet, injection.placement).map_err(|e| match e {
        InjectError::AlreadyPresent => exists(name, path),
        InjectError::AnchorMissing => Error::CannotEdit {
            file: path.into(),
            problem: format!("the anchor line `{anchor}` is missing"),
        },
    })?;
    edits.set(path, edited)
}

/// Adds the crates and features the field types need to `Cargo.toml`.
fn add_dependencies(edits: &mut Edits, db: Database, fields: &[Field]) -> Result<()> {
    let mut needs = Vec::new();
    for need in fields.iter().flat_map(|f| dialect::needs(db, f.kind)) {
        if !needs.contains(&need) {
            needs.push(need);
        }
    }
    if needs.is_empty() {
        return Ok(());
    }
    let path = Path::new("Cargo.toml");
    let text = edits.current(path)?;
    let edited = add_needs(&text, &needs).map_err(|problem| Error::CannotEdit {
        file: path.into(),
        problem,
    })?;
    edits.set(path, edited)
}

/// The edited files so far: original and current text, by path.
pub(crate) struct Edits<'a> {
    root: &'a Path,
    files: BTreeMap<PathBuf, (String, String)>,
}

impl<'a> Edits<'a> {
    pub(crate) fn new(root: &'a Path) -> Self {
        Self {
            root,
            files: BTreeMap::new(),
        }
    }

    /// The text of `path` with the edits so far.
    pub(crate) fn current(&mut self, path: &Path) -> Result<String> {
        if let Some((_, after)) = self.files.get(path) {
            return Ok(after.clone());
        }
        let text = read(self.root, path)?;
        self.files.insert(path.into(), (text.clone(), text.clone()));
        Ok(text)
    }

    pub(crate) fn set(&mut self, path: &Path, text: String) -> Result<()> {
        self.current(path)?;
        if let Some((_, after)) = self.files.get_mut(path) {
            *after = text;
        }
        Ok(())
    }

    /// The files whose text changed, in path order.
    pub(crate) fn finish(self) -> Vec<FileEdit> {
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

fn read(root: &Path, path: &Path) -> Result<String> {
    fs::read_to_string(root.join(path)).map_err(|e| Error::CannotEdit {
        file: path.into(),
        problem: format!("cannot read it ({e})"),
    })
}

fn exists(name: &ResourceName, file: impl AsRef<Path>) -> Error {
    Error::ResourceExists {
        name: name.plural.clone(),
        file: file.as_ref().into(),
    }
}

/// `now`, or one second after the newest existing migration if that is not
/// earlier, so that migrations stay ordered and never share a version.
fn next_migration_version(migrations: &Path, now: &str) -> Result<String> {
    let now: u64 = now.parse().expect("a YYYYMMDDHHMMSS timestamp");
    let entries = match fs::read_dir(migrations) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(now.to_string()),
        Err(e) => return Err(Error::io(migrations)(e)),
    };
    let newest = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.split('_').next()?.parse::<u64>().ok()
        })
        .max();
    Ok(match newest {
        Some(newest) if newest >= now => (newest + 1).to_string(),
        _ => now.to_string(),
    })
}

/// The current UTC time as `YYYYMMDDHHMMSS`, as sqlx migration names use it.
pub fn utc_timestamp(time: std::time::SystemTime) -> String {
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = crate::date::civil_from_days(days as i64);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Auth;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_are_utc_calendar_times() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "19700101000000");
        let t = UNIX_EPOCH + Duration::from_secs(1_772_362_923);
        assert_eq!(utc_timestamp(t), "20260301110203");
    }

    #[test]
    fn owned_is_refused_where_there_are_no_users() {
        let mut spec = ProjectSpec::with_defaults("shop");
        spec.auth = Auth::None;
        let err = check_owned(&spec, "notes", true).unwrap_err().to_string();
        assert!(
            err.starts_with("cannot add resource notes with --owned: "),
            "{err}"
        );
        assert!(
            err.contains("no users") && err.contains("drop --owned"),
            "{err}"
        );
        assert!(err.ends_with("nothing was changed"), "{err}");
        check_owned(&spec, "notes", false).unwrap();
        spec.auth = Auth::Jwt;
        check_owned(&spec, "notes", true).unwrap();
    }

    #[test]
    fn a_migration_version_follows_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("20260101000002_x.sql"), "").unwrap();
        assert_eq!(
            next_migration_version(dir.path(), "20251231000000").unwrap(),
            "20260101000003"
        );
        assert_eq!(
            next_migration_version(dir.path(), "20270101000000").unwrap(),
            "20270101000000"
        );
    }
}
