//! Computes, in memory and in full, everything `apigen add resource` will
//! write: the new files and the edited text of existing ones. Any problem
//! (a missing anchor, an existing resource) stops here, before any write.

use std::path::Path;

use serde::Deserialize;
use tera::Context;

use crate::error::{Error, Result};
use crate::overrides::Overrides;
use crate::project::inject::{InjectError, Placement, inject};
use crate::project::migration::next_migration_version;
use crate::project::{self, Change, Edits};

pub use crate::project::migration::utc_timestamp;
use crate::project_file::{self, ResourceRecord};
use crate::project_vars::AuthVars;
use crate::render::{ManifestEntry, condition_holds, load_manifest, render_entries, render_str};
use crate::resource::cargo_toml::add_needs;
use crate::resource::dialect;
use crate::resource::fields::{Field, to_spec};
use crate::resource::format::format_rust_files;
use crate::resource::naming::ResourceName;
use crate::resource::vars::{Access, ResourceVars, VersionVars};
use crate::spec::{Database, ProjectSpec, Writes, owned_refusal, writes_refusal};

/// Where resource templates live inside `templates/`, and their manifest.
pub const RESOURCE_DIR: &str = "resource";
const RESOURCE_MANIFEST: &str = "resource/manifest.toml";

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct ResourceRequest {
    pub name: String,
    pub fields: Vec<Field>,
    pub owned: bool,
    /// `--writes`, as given: `None` takes the auth method's default.
    pub writes: Option<Writes>,
    /// `--step-up`: writes need a recent MFA verification.
    pub step_up: bool,
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

/// Plans adding `request` to the project at `root` with apigen's own
/// templates; `now` is the `YYYYMMDDHHMMSS` UTC time that names the migration.
pub fn plan_resource(root: &Path, request: &ResourceRequest, now: &str) -> Result<Change> {
    plan_resource_in(root, request, None, now, &Overrides::none())
}

/// [`plan_resource`] adding to the API version `version` (`v2`, `--version`)
/// instead of the newest, rendering with the template `overrides`.
pub fn plan_resource_in(
    root: &Path,
    request: &ResourceRequest,
    version: Option<&str>,
    now: &str,
    overrides: &Overrides,
) -> Result<Change> {
    let mut project = project::read(root)?;
    let name = ResourceName::parse(&request.name)?;
    check_owned(&project.project, &name.plural, request.owned)?;
    let writes = write_policy(
        &project.project,
        &name.plural,
        request.owned,
        request.writes,
    )?;
    check_step_up(&project.project, &name.plural, writes, request.step_up)?;
    if project.resources.iter().any(|r| r.name == name.plural) {
        return Err(exists(&name, project_file::FILE_NAME));
    }

    let api_version = project::resolve_version(&project, version)?;
    let newest = project.newest_version();
    let migration = next_migration_version(&root.join("migrations"), now)?;
    let vars = ResourceVars::new(
        &project.project,
        &name,
        &request.fields,
        Access {
            owned: request.owned,
            writes,
            step_up: request.step_up,
        },
        migration.clone(),
        api_version.map(|version| VersionVars::new(version, newest)),
    )?;
    let context = Context::from_serialize(&vars).map_err(|e| Error::Template {
        template: "(resource context)".into(),
        message: e.to_string(),
    })?;
    let manifest: ResourceManifest = load_manifest(RESOURCE_MANIFEST)?;

    let mut new_files = render_entries(
        RESOURCE_DIR,
        project.project.db,
        &manifest.file,
        &context,
        overrides,
    )?;
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
        writes,
        step_up: request.step_up,
        // Which version it went to matters once there is more than one.
        version: api_version
            .filter(|_| project.versions().len() > 1)
            .map(|version| version.to_string()),
        migration: Some(migration),
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

/// Refuses `--step-up` (resource `name`, whose write policy is `writes`) where
/// there is no MFA to step up with (an auth method without passwords or identity
/// provider), or where a
/// write does not name its caller (`--writes any`).
pub fn check_step_up(
    spec: &ProjectSpec,
    name: &str,
    writes: Option<Writes>,
    step_up: bool,
) -> Result<()> {
    if !step_up {
        return Ok(());
    }
    let auth = AuthVars::of(spec.auth);
    let reason = if !auth.users && !auth.provider {
        "MFA belongs to accounts with passwords (--auth jwt or --auth session) or to \
         an identity provider's sign-in (--auth oauth2); drop --step-up"
    } else if writes == Some(Writes::Any) {
        "the writes of a --writes any resource do not name their caller, so there is \
         no MFA to ask for; use --step-up with --writes admin or --owned"
    } else {
        return Ok(());
    };
    Err(Error::StepUpRefused {
        name: name.to_owned(),
        reason,
    })
}

/// The write policy of resource `name` (`owned` or not) given `--writes`
/// `writes`: `None` where there is none to choose (an `--owned` resource,
/// `--auth none`), where `--writes` is refused ([`writes_refusal`]); else
/// `writes`, or the auth method's default ([`Writes::default_for`]).
pub fn write_policy(
    spec: &ProjectSpec,
    name: &str,
    owned: bool,
    writes: Option<Writes>,
) -> Result<Option<Writes>> {
    match (writes_refusal(spec.auth, owned), writes) {
        (Some(reason), Some(given)) => Err(Error::WritesRefused {
            name: name.to_owned(),
            writes: given.name(),
            reason,
        }),
        (Some(_), None) => Ok(None),
        (None, given) => Ok(given.or(Writes::default_for(spec.auth))),
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

fn exists(name: &ResourceName, file: impl AsRef<Path>) -> Error {
    Error::ResourceExists {
        name: name.plural.clone(),
        file: file.as_ref().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Auth;

    #[test]
    fn step_up_needs_passwords_and_a_write_that_names_its_caller() {
        let mut spec = ProjectSpec::with_defaults("shop");
        check_step_up(&spec, "notes", Some(Writes::Admin), true).unwrap();
        check_step_up(&spec, "notes", None, true).unwrap();
        let any = check_step_up(&spec, "notes", Some(Writes::Any), true);
        let err = any.unwrap_err().to_string();
        assert!(
            err.starts_with("cannot add resource notes with --step-up: "),
            "{err}"
        );
        assert!(err.contains("--writes admin or --owned"), "{err}");
        check_step_up(&spec, "notes", Some(Writes::Any), false).unwrap();
        spec.auth = Auth::Oauth2;
        check_step_up(&spec, "notes", Some(Writes::Admin), true).unwrap();
        spec.auth = Auth::ApiKey;
        let err = check_step_up(&spec, "notes", Some(Writes::Admin), true).unwrap_err();
        assert!(err.to_string().contains("drop --step-up"), "{err}");
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
    fn writes_are_refused_where_they_mean_nothing() {
        let mut spec = ProjectSpec::with_defaults("shop");
        let err = write_policy(&spec, "notes", true, Some(Writes::Any))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot add resource notes with --writes any: "),
            "{err}"
        );
        assert!(
            err.contains("--owned") && err.ends_with("nothing was changed"),
            "{err}"
        );
        assert_eq!(write_policy(&spec, "notes", true, None).unwrap(), None);
        spec.auth = Auth::None;
        let err = write_policy(&spec, "notes", false, Some(Writes::Admin))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--auth none") && err.contains("drop --writes"),
            "{err}"
        );
        assert_eq!(write_policy(&spec, "notes", false, None).unwrap(), None);
    }

    #[test]
    fn shared_resources_take_the_given_policy_or_the_methods_default() {
        let mut spec = ProjectSpec::with_defaults("shop");
        let policy = |spec: &ProjectSpec, writes| write_policy(spec, "products", false, writes);
        assert_eq!(policy(&spec, None).unwrap(), Some(Writes::Admin));
        assert_eq!(policy(&spec, Some(Writes::Any)).unwrap(), Some(Writes::Any));
        spec.auth = Auth::ApiKey;
        assert_eq!(policy(&spec, None).unwrap(), Some(Writes::Any));
        assert_eq!(
            policy(&spec, Some(Writes::Admin)).unwrap(),
            Some(Writes::Admin)
        );
    }

    /// Writes default to `admin` exactly where anyone can become a caller: accounts
    /// register themselves, or an identity provider signs them in.
    #[test]
    fn admin_writes_are_the_default_where_templates_see_self_registration() {
        use crate::project_vars::AuthVars;
        use crate::spec::Choice;
        for auth in Auth::supported().into_iter().filter(|a| a.has_callers()) {
            let admin = Writes::default_for(auth) == Some(Writes::Admin);
            let vars = AuthVars::of(auth);
            assert_eq!(admin, vars.users || vars.provider, "{auth:?}");
        }
    }

    #[test]
    fn owners_are_the_callers_templates_see() {
        use crate::project_vars::AuthVars;
        use crate::spec::Choice;
        for auth in Auth::supported() {
            assert_eq!(auth.has_callers(), AuthVars::of(auth).principal, "{auth:?}");
        }
    }
}
