//! One insta snapshot per generated file, stored in the top-level
//! `snapshots/` folder, so that every template change is reviewed as a diff of
//! the output it produces (`cargo insta review`).

use apigen::date::Date;
use apigen::new::project_files;
use apigen::render::{Secrets, embedded_templates, embedded_templates_in, manifest_templates};
use apigen::report::unified_diff;
use apigen::resource::fields::parse_fields;
use apigen::resource::plan::plan_resource_in;
use apigen::resource::plan::{RESOURCE_DIR, resource_manifest_templates};
use apigen::resource::{ResourceRequest, plan_resource};
use apigen::spec::{Auth, Cache, Database, ProjectSpec, Protocol, Versioning};
use apigen::version::{VersionRequest, plan_version};
use apigen::writer::{FileEdit, apply_files, write_project};

/// Secrets are random in real runs; snapshots show this fixed stand-in.
fn fixed_secrets() -> Secrets {
    Secrets {
        jwt_secret: "0".repeat(64),
        metrics_token: "0".repeat(64),
    }
}

/// Snapshots are kept in the top-level `snapshots/` folder, named by preset.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// Snapshots every file of `spec`'s project under the given preset name, plus
/// the list of files (so that an added or dropped file shows up too).
fn snapshot_project(preset: &str, spec: &ProjectSpec) {
    let files = project_files(spec, &fixed_secrets()).unwrap();
    settings().bind(|| {
        let listing: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
        insta::assert_snapshot!(format!("{preset}@files"), listing.join("\n"));
        for file in &files {
            let name = file.path.display().to_string().replace('/', "__");
            insta::assert_snapshot!(format!("{preset}@{name}"), &file.contents);
        }
    });
}

#[test]
fn default_project() {
    snapshot_project("rest-jwt-sqlite-url", &ProjectSpec::with_defaults("myapi"));
}

/// The default project with `--cache memory` or `--cache redis`.
fn cached(cache: Cache) -> ProjectSpec {
    ProjectSpec {
        cache,
        ..ProjectSpec::with_defaults("myapi")
    }
}

fn spec_with_db(db: Database) -> ProjectSpec {
    ProjectSpec {
        db,
        ..ProjectSpec::with_defaults("myapi")
    }
}

#[test]
fn memory_cache_project() {
    snapshot_project("rest-jwt-sqlite-url-cache-memory", &cached(Cache::Memory));
}

#[test]
fn redis_cache_project() {
    snapshot_project("rest-jwt-sqlite-url-cache-redis", &cached(Cache::Redis));
}

#[test]
fn postgres_project() {
    snapshot_project("rest-jwt-postgres-url", &spec_with_db(Database::Postgres));
}

#[test]
fn mysql_project() {
    snapshot_project("rest-jwt-mysql-url", &spec_with_db(Database::Mysql));
}

#[test]
fn in_memory_project() {
    snapshot_project("rest-jwt-none-url", &spec_with_db(Database::None));
}

/// The default project with another auth method (`none`: public resources;
/// `api-key`: keys instead of accounts; `session`: cookie sessions and CSRF;
/// `oauth2`: tokens of an identity provider, scopes).
fn with_auth(auth: Auth) -> ProjectSpec {
    ProjectSpec {
        auth,
        ..ProjectSpec::with_defaults("myapi")
    }
}

#[test]
fn project_without_auth() {
    snapshot_project("rest-none-sqlite-url", &with_auth(Auth::None));
}

#[test]
fn add_resource_without_auth() {
    snapshot_resource_in(
        &with_auth(Auth::None),
        "add-products-auth-none",
        "products",
        PRODUCTS,
        false,
    );
}

#[test]
fn project_with_api_keys() {
    snapshot_project("rest-api-key-sqlite-url", &with_auth(Auth::ApiKey));
}

#[test]
fn add_resource_with_api_keys() {
    snapshot_resource_in(
        &with_auth(Auth::ApiKey),
        "add-products-auth-api-key",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &with_auth(Auth::ApiKey),
        "add-order_items-owned-auth-api-key",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

#[test]
fn project_with_sessions() {
    snapshot_project("rest-session-sqlite-url", &with_auth(Auth::Session));
}

#[test]
fn add_resource_with_sessions() {
    snapshot_resource_in(
        &with_auth(Auth::Session),
        "add-products-auth-session",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &with_auth(Auth::Session),
        "add-order_items-owned-auth-session",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

#[test]
fn project_with_oauth2() {
    snapshot_project("rest-oauth2-sqlite-url", &with_auth(Auth::Oauth2));
}

#[test]
fn add_resource_with_oauth2() {
    snapshot_resource_in(
        &with_auth(Auth::Oauth2),
        "add-products-auth-oauth2",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &with_auth(Auth::Oauth2),
        "add-order_items-owned-auth-oauth2",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

/// The default project with other `--protocol` values.
fn with_protocols(protocols: &[Protocol]) -> ProjectSpec {
    ProjectSpec {
        protocols: protocols.to_vec(),
        ..ProjectSpec::with_defaults("myapi")
    }
}

#[test]
fn project_with_graphql() {
    snapshot_project(
        "rest+graphql-jwt-sqlite-url",
        &with_protocols(&[Protocol::Rest, Protocol::Graphql]),
    );
}

#[test]
fn add_resource_with_graphql() {
    snapshot_resource_in(
        &with_protocols(&[Protocol::Rest, Protocol::Graphql]),
        "add-products-graphql",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &with_protocols(&[Protocol::Graphql]),
        "add-order_items-owned-graphql-only",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

#[test]
fn project_with_grpc() {
    snapshot_project(
        "rest+grpc-jwt-sqlite-url",
        &with_protocols(&[Protocol::Rest, Protocol::Grpc]),
    );
}

#[test]
fn add_resource_with_grpc() {
    snapshot_resource_in(
        &with_protocols(&[Protocol::Rest, Protocol::Grpc]),
        "add-products-grpc",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &with_protocols(&[Protocol::Grpc]),
        "add-order_items-owned-grpc-only",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

#[test]
fn project_with_websocket() {
    snapshot_project(
        "websocket-jwt-sqlite-url",
        &with_protocols(&[Protocol::Websocket]),
    );
}

#[test]
fn add_resource_with_websocket() {
    snapshot_resource_in(
        &with_protocols(&[Protocol::Rest, Protocol::Websocket]),
        "add-products-websocket",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &with_protocols(&[Protocol::Websocket]),
        "add-order_items-owned-websocket-only",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

/// The default project with `--versioning header` or `none`.
fn with_versioning(versioning: Versioning) -> ProjectSpec {
    ProjectSpec {
        versioning,
        ..ProjectSpec::with_defaults("myapi")
    }
}

#[test]
fn project_with_header_versioning() {
    snapshot_project(
        "rest-jwt-sqlite-header",
        &with_versioning(Versioning::Header),
    );
}

#[test]
fn project_without_versioning() {
    snapshot_project("rest-jwt-sqlite-none", &with_versioning(Versioning::None));
}

#[test]
fn add_resource_with_header_versioning() {
    snapshot_resource_in(
        &with_versioning(Versioning::Header),
        "add-products-versioning-header",
        "products",
        PRODUCTS,
        false,
    );
}

/// `apigen add version v2` in a project with a resource, on a fixed day; then a
/// resource added to v2 only. Snapshots the diffs of both.
fn snapshot_version(spec: &ProjectSpec, preset: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("myapi");
    write_project(&root, &project_files(spec, &fixed_secrets()).unwrap()).unwrap();
    let products = ResourceRequest {
        name: "products".into(),
        fields: parse_fields("title:string,price:decimal").unwrap(),
        owned: false,
        writes: None,
        step_up: false,
    };
    let change = plan_resource(&root, &products, "20260301120000").unwrap();
    apply_files(&root, &change.new_files, &change.edits).unwrap();
    let request = VersionRequest {
        name: "v2".into(),
        sunset: Some("2026-09-30".into()),
    };
    let today = Date::parse("2026-03-02").unwrap();
    let version = plan_version(&root, &request, today).unwrap();
    assert!(version.change.new_files.is_empty());
    snapshot_edits(&format!("{preset}-add-version-v2"), &version.change.edits);
    apply_files(&root, &[], &version.change.edits).unwrap();
    let reviews = ResourceRequest {
        name: "reviews".into(),
        fields: parse_fields("stars:int,body:text?").unwrap(),
        owned: false,
        writes: None,
        step_up: false,
    };
    let change = plan_resource_in(&root, &reviews, Some("v2"), "20260302120000").unwrap();
    snapshot_edits(&format!("{preset}-add-reviews-v2"), &change.edits);
    settings().bind(|| {
        let tests = change
            .new_files
            .iter()
            .find(|f| f.path.starts_with("tests"));
        let tests = &tests.expect("the resource's tests").contents;
        insta::assert_snapshot!(format!("{preset}-add-reviews-v2@tests__reviews.rs"), tests);
    });
}

fn snapshot_edits(preset: &str, edits: &[FileEdit]) {
    settings().bind(|| {
        for edit in edits {
            let path = edit.path.display().to_string();
            let diff = unified_diff(&path, &edit.before, &edit.after);
            insta::assert_snapshot!(format!("{preset}@{}.diff", path.replace('/', "__")), diff);
        }
    });
}

#[test]
fn add_version_with_url_versioning() {
    snapshot_version(&ProjectSpec::with_defaults("myapi"), "url");
}

#[test]
fn add_version_with_header_versioning() {
    snapshot_version(&with_versioning(Versioning::Header), "header");
}

#[test]
fn manifest_and_template_folder_agree() {
    let mut listed = manifest_templates().unwrap();
    listed.sort();
    listed.dedup();
    let mut embedded = embedded_templates();
    embedded.sort();
    assert_eq!(
        listed, embedded,
        "every file under templates/project must be listed in templates/manifest.toml, and the other way round"
    );
}

/// Snapshots what `apigen add resource` does to a default project: each new
/// file, the diff of each changed file, and the list of both.
fn snapshot_resource(preset: &str, name: &str, fields: &str, owned: bool) {
    let spec = ProjectSpec::with_defaults("myapi");
    snapshot_resource_in(&spec, preset, name, fields, owned);
}

/// [`snapshot_resource`] in a project generated from `spec`.
fn snapshot_resource_in(spec: &ProjectSpec, preset: &str, name: &str, fields: &str, owned: bool) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("myapi");
    write_project(&root, &project_files(spec, &fixed_secrets()).unwrap()).unwrap();
    let request = ResourceRequest {
        name: name.into(),
        fields: parse_fields(fields).unwrap(),
        owned,
        writes: None,
        step_up: false,
    };
    // A fixed clock keeps the migration's name stable.
    let change = plan_resource(&root, &request, "20260301120000").unwrap();
    assert!(
        change.formatted,
        "rustfmt must be installed for these snapshots"
    );
    settings().bind(|| {
        let mut listing: Vec<String> = Vec::new();
        for file in &change.new_files {
            let path = file.path.display().to_string();
            listing.push(format!("new     {path}"));
            insta::assert_snapshot!(
                format!("{preset}@{}", path.replace('/', "__")),
                &file.contents
            );
        }
        for edit in &change.edits {
            let path = edit.path.display().to_string();
            listing.push(format!("changed {path}"));
            let diff = unified_diff(&path, &edit.before, &edit.after);
            insta::assert_snapshot!(format!("{preset}@{}.diff", path.replace('/', "__")), diff);
        }
        insta::assert_snapshot!(format!("{preset}@files"), listing.join("\n"));
    });
}

#[test]
fn add_resource() {
    snapshot_resource(
        "add-products",
        "products",
        "title:string,body:text?,price:decimal,in_stock:bool,sku:string:unique,released_on:date,quantity:int:index",
        false,
    );
}

#[test]
fn add_owned_resource() {
    snapshot_resource(
        "add-order_items-owned",
        "order_items",
        "reference:uuid:unique,count:bigint,weight:float?,placed_at:datetime,metadata:json?,note:string?",
        true,
    );
}

const PRODUCTS: &str = "title:string,body:text?,price:decimal,in_stock:bool,sku:string:unique,released_on:date,quantity:int:index";
const ORDER_ITEMS: &str = "reference:uuid:unique,count:bigint,weight:float?,placed_at:datetime,metadata:json?,note:string?";

#[test]
fn add_resource_postgres() {
    let db = Database::Postgres;
    snapshot_resource_in(
        &spec_with_db(db),
        "add-products-postgres",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &spec_with_db(db),
        "add-order_items-owned-postgres",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

#[test]
fn add_resource_mysql() {
    let db = Database::Mysql;
    snapshot_resource_in(
        &spec_with_db(db),
        "add-products-mysql",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &spec_with_db(db),
        "add-order_items-owned-mysql",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

#[test]
fn add_resource_in_memory() {
    let db = Database::None;
    snapshot_resource_in(
        &spec_with_db(db),
        "add-products-none",
        "products",
        PRODUCTS,
        false,
    );
    snapshot_resource_in(
        &spec_with_db(db),
        "add-order_items-owned-none",
        "order_items",
        ORDER_ITEMS,
        true,
    );
}

#[test]
fn add_owned_resource_with_redis_cache() {
    snapshot_resource_in(
        &cached(Cache::Redis),
        "add-order_items-owned-cache-redis",
        "order_items",
        "reference:uuid:unique,count:bigint,weight:float?,placed_at:datetime,metadata:json?,note:string?",
        true,
    );
}

#[test]
fn resource_manifest_and_template_folder_agree() {
    let mut listed = resource_manifest_templates().unwrap();
    listed.sort();
    listed.dedup();
    let mut embedded = embedded_templates_in(RESOURCE_DIR);
    embedded.sort();
    assert_eq!(
        listed, embedded,
        "every file under templates/resource must be listed in templates/resource/manifest.toml, and the other way round"
    );
}
