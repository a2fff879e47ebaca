//! apigen's snapshot presets: the projects, resources and versions whose
//! every generated file is snapshotted. One list, read by apigen's own
//! snapshot tests (`tests/snapshots.rs`, against `snapshots/`) and by
//! `apigen templates check` (a team's overrides, against the snapshots it
//! keeps beside them), so both test templates on the same outputs.
//!
//! A snapshot is named `<preset>@<path with / as __>`: a generated file's
//! text, `….diff` for the unified diff of a file `add` changed, and
//! `<preset>@files` for the list of files.

use std::path::Path;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::overrides::Overrides;
use crate::project::generate::project_files;
use crate::project::scratch::Scratch;
use crate::render::Secrets;
use crate::report::unified_diff;
use crate::resource::fields::parse_fields;
use crate::resource::{ResourceRequest, plan_resource_in};
use crate::spec::{Auth, Cache, Database, ProjectSpec, Protocol, Versioning};
use crate::version::{VersionRequest, plan_version};
use crate::writer::FileEdit;

/// One snapshot: its name and the text it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub name: String,
    pub contents: String,
}

/// What a preset generates.
#[derive(Clone, Debug)]
pub enum Kind {
    /// `apigen new` with these answers: every file.
    Project,
    /// `apigen add resource NAME --fields FIELDS [--owned]` in a fresh
    /// project: each new file and the diff of each changed file.
    Resource {
        resource: &'static str,
        fields: &'static str,
        owned: bool,
    },
    /// A resource, `apigen add version v2`, then a resource in v2 only:
    /// the diffs of both, and the new resource's tests.
    Version,
}

/// One preset: a name, the project's answers, and what is generated in it.
#[derive(Clone, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub spec: ProjectSpec,
    pub kind: Kind,
}

const PRODUCTS: &str = "title:string,body:text?,price:decimal,in_stock:bool,sku:string:unique,released_on:date,quantity:int:index";
const ORDER_ITEMS: &str = "reference:uuid:unique,count:bigint,weight:float?,placed_at:datetime,metadata:json?,note:string?";

/// The clock of resource presets: it names their migrations.
const MIGRATION_TIME: &str = "20260301120000";

/// Every preset, in a fixed order.
pub fn all() -> Vec<Preset> {
    let default = || ProjectSpec::with_defaults("myapi");
    let with = |change: fn(&mut ProjectSpec)| {
        let mut spec = default();
        change(&mut spec);
        spec
    };
    let project = |name, spec| Preset {
        name,
        spec,
        kind: Kind::Project,
    };
    let products = |name, spec| Preset {
        name,
        spec,
        kind: Kind::Resource {
            resource: "products",
            fields: PRODUCTS,
            owned: false,
        },
    };
    let order_items = |name, spec| Preset {
        name,
        spec,
        kind: Kind::Resource {
            resource: "order_items",
            fields: ORDER_ITEMS,
            owned: true,
        },
    };
    let version = |name, spec| Preset {
        name,
        spec,
        kind: Kind::Version,
    };
    let memory = with(|s| s.cache = Cache::Memory);
    let redis = with(|s| s.cache = Cache::Redis);
    let postgres = with(|s| s.db = Database::Postgres);
    let mysql = with(|s| s.db = Database::Mysql);
    let in_memory = with(|s| s.db = Database::None);
    let no_auth = with(|s| s.auth = Auth::None);
    let api_key = with(|s| s.auth = Auth::ApiKey);
    let session = with(|s| s.auth = Auth::Session);
    let oauth2 = with(|s| s.auth = Auth::Oauth2);
    let graphql = with(|s| s.protocols = vec![Protocol::Rest, Protocol::Graphql]);
    let graphql_only = with(|s| s.protocols = vec![Protocol::Graphql]);
    let grpc = with(|s| s.protocols = vec![Protocol::Rest, Protocol::Grpc]);
    let grpc_only = with(|s| s.protocols = vec![Protocol::Grpc]);
    let websocket = with(|s| s.protocols = vec![Protocol::Rest, Protocol::Websocket]);
    let websocket_only = with(|s| s.protocols = vec![Protocol::Websocket]);
    let header = with(|s| s.versioning = Versioning::Header);
    let unversioned = with(|s| s.versioning = Versioning::None);
    vec![
        project("rest-jwt-sqlite-url", default()),
        project("rest-jwt-sqlite-url-cache-memory", memory),
        project("rest-jwt-sqlite-url-cache-redis", redis.clone()),
        project("rest-jwt-postgres-url", postgres.clone()),
        project("rest-jwt-mysql-url", mysql.clone()),
        project("rest-jwt-none-url", in_memory.clone()),
        project("rest-none-sqlite-url", no_auth.clone()),
        project("rest-api-key-sqlite-url", api_key.clone()),
        project("rest-session-sqlite-url", session.clone()),
        project("rest-oauth2-sqlite-url", oauth2.clone()),
        project("rest+graphql-jwt-sqlite-url", graphql.clone()),
        project("rest+grpc-jwt-sqlite-url", grpc.clone()),
        project("websocket-jwt-sqlite-url", websocket_only.clone()),
        project("rest-jwt-sqlite-header", header.clone()),
        project("rest-jwt-sqlite-none", unversioned),
        products("add-products", default()),
        order_items("add-order_items-owned", default()),
        products("add-products-auth-none", no_auth),
        products("add-products-auth-api-key", api_key.clone()),
        order_items("add-order_items-owned-auth-api-key", api_key),
        products("add-products-auth-session", session.clone()),
        order_items("add-order_items-owned-auth-session", session),
        products("add-products-auth-oauth2", oauth2.clone()),
        order_items("add-order_items-owned-auth-oauth2", oauth2),
        products("add-products-graphql", graphql),
        order_items("add-order_items-owned-graphql-only", graphql_only),
        products("add-products-grpc", grpc),
        order_items("add-order_items-owned-grpc-only", grpc_only),
        products("add-products-websocket", websocket),
        order_items("add-order_items-owned-websocket-only", websocket_only),
        products("add-products-versioning-header", header.clone()),
        products("add-products-postgres", postgres.clone()),
        order_items("add-order_items-owned-postgres", postgres),
        products("add-products-mysql", mysql.clone()),
        order_items("add-order_items-owned-mysql", mysql),
        products("add-products-none", in_memory.clone()),
        order_items("add-order_items-owned-none", in_memory),
        order_items("add-order_items-owned-cache-redis", redis),
        version("url", default()),
        version("header", header),
    ]
}

impl Preset {
    /// Whether the snapshot `name` is one this preset writes (by the part
    /// of its name before `@`).
    pub fn writes(&self, snapshot: &str) -> bool {
        let prefix = snapshot.split('@').next().unwrap_or_default();
        match self.kind {
            Kind::Version => [VERSION_ADDED, REVIEWS_ADDED]
                .iter()
                .any(|step| prefix == format!("{}{step}", self.name)),
            _ => prefix == self.name,
        }
    }
}

/// What a version preset's snapshot names add to the preset's name.
const VERSION_ADDED: &str = "-add-version-v2";
const REVIEWS_ADDED: &str = "-add-reviews-v2";

/// The preset named `name`.
pub fn find(name: &str) -> Option<Preset> {
    all().into_iter().find(|preset| preset.name == name)
}

/// Every snapshot of `preset`, rendered with `overrides`. Secrets are fixed
/// stand-ins and the clock is fixed, so the same templates give the same
/// snapshots.
pub fn render(preset: &Preset, overrides: &Overrides) -> Result<Vec<Snapshot>> {
    match preset.kind {
        Kind::Project => project(preset, overrides),
        Kind::Resource {
            resource,
            fields,
            owned,
        } => resource_in_project(preset, resource, fields, owned, overrides),
        Kind::Version => version(preset, overrides),
    }
}

/// The name of the snapshot of `path` in `preset` (`suffix`: `.diff` or none).
fn name(preset: &str, path: &Path, suffix: &str) -> String {
    format!(
        "{preset}@{}{suffix}",
        path.display().to_string().replace('/', "__")
    )
}

fn project(preset: &Preset, overrides: &Overrides) -> Result<Vec<Snapshot>> {
    let files = project_files(&preset.spec, &Secrets::placeholder(), overrides)?;
    let listing: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    let mut snapshots = vec![Snapshot {
        name: format!("{}@files", preset.name),
        contents: listing.join("\n"),
    }];
    snapshots.extend(files.into_iter().map(|file| Snapshot {
        name: name(preset.name, &file.path, ""),
        contents: file.contents,
    }));
    Ok(snapshots)
}

/// A fresh project of `preset` in a throwaway folder.
fn fresh_project(preset: &Preset, overrides: &Overrides) -> Result<Scratch> {
    let files = project_files(&preset.spec, &Secrets::placeholder(), overrides)?;
    Scratch::new(files.into_iter().map(|f| (f.path, f.contents)))
}

fn request(resource: &str, fields: &str, owned: bool) -> Result<ResourceRequest> {
    Ok(ResourceRequest {
        name: resource.into(),
        fields: parse_fields(fields)?,
        owned,
        writes: None,
        step_up: false,
    })
}

fn resource_in_project(
    preset: &Preset,
    resource: &str,
    fields: &str,
    owned: bool,
    overrides: &Overrides,
) -> Result<Vec<Snapshot>> {
    let scratch = fresh_project(preset, overrides)?;
    let request = request(resource, fields, owned)?;
    let change = plan_resource_in(scratch.path(), &request, None, MIGRATION_TIME, overrides)?;
    if !change.formatted {
        return Err(rustfmt_missing());
    }
    let mut listing = Vec::new();
    let mut snapshots = Vec::new();
    for file in &change.new_files {
        listing.push(format!("new     {}", file.path.display()));
        snapshots.push(Snapshot {
            name: name(preset.name, &file.path, ""),
            contents: file.contents.clone(),
        });
    }
    for edit in &change.edits {
        listing.push(format!("changed {}", edit.path.display()));
        snapshots.push(diff(preset.name, edit));
    }
    snapshots.push(Snapshot {
        name: format!("{}@files", preset.name),
        contents: listing.join("\n"),
    });
    Ok(snapshots)
}

fn diff(preset: &str, edit: &FileEdit) -> Snapshot {
    let path = edit.path.display().to_string();
    Snapshot {
        name: name(preset, &edit.path, ".diff"),
        contents: unified_diff(&path, &edit.before, &edit.after),
    }
}

/// Resource presets format new Rust files as `apigen add resource` does.
fn rustfmt_missing() -> Error {
    Error::Template {
        template: "(presets)".into(),
        message: "rustfmt did not run; it formats the new files of the resource presets \
                  (install it: `rustup component add rustfmt`)"
            .into(),
    }
}

/// `add version v2` on a fixed day after a resource, then a resource in v2.
fn version(preset: &Preset, overrides: &Overrides) -> Result<Vec<Snapshot>> {
    let scratch = fresh_project(preset, overrides)?;
    let root = scratch.path();
    let products = request("products", "title:string,price:decimal", false)?;
    scratch.apply(&plan_resource_in(
        root,
        &products,
        None,
        MIGRATION_TIME,
        overrides,
    )?)?;
    let v2 = VersionRequest {
        name: "v2".into(),
        sunset: Some("2026-09-30".into()),
    };
    let today = Date::parse("2026-03-02").map_err(|reason| Error::InvalidSunset {
        value: "2026-03-02".into(),
        reason,
    })?;
    let version = plan_version(root, &v2, today)?;
    let added = format!("{}{VERSION_ADDED}", preset.name);
    let mut snapshots: Vec<Snapshot> = version
        .change
        .edits
        .iter()
        .map(|edit| diff(&added, edit))
        .collect();
    scratch.apply(&version.change)?;
    let reviews = request("reviews", "stars:int,body:text?", false)?;
    let change = plan_resource_in(root, &reviews, Some("v2"), "20260302120000", overrides)?;
    let added = format!("{}{REVIEWS_ADDED}", preset.name);
    snapshots.extend(change.edits.iter().map(|edit| diff(&added, edit)));
    if let Some(tests) = change
        .new_files
        .iter()
        .find(|f| f.path.starts_with("tests"))
    {
        snapshots.push(Snapshot {
            name: format!("{added}@tests__reviews.rs"),
            contents: tests.contents.clone(),
        });
    }
    Ok(snapshots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_names_are_unique() {
        let mut names: Vec<&str> = all().iter().map(|p| p.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    #[test]
    fn a_preset_owns_its_snapshots_by_name() {
        let url = find("url").unwrap();
        assert!(url.writes("url-add-version-v2@src__routers__mod.rs.diff"));
        assert!(url.writes("url-add-reviews-v2@tests__reviews.rs"));
        assert!(!url.writes("url@files"));
        let products = find("add-products").unwrap();
        assert!(products.writes("add-products@files"));
        assert!(!products.writes("add-products-mysql@files"));
    }
}
