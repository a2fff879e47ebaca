//! One insta snapshot per generated file, stored in the top-level
//! `snapshots/` folder, so that every template change is reviewed as a diff of
//! the output it produces (`cargo insta review`). The presets are apigen's
//! (`src/presets.rs`), which `apigen templates check` renders too.

use apigen::embedded;
use apigen::overrides::Overrides;
use apigen::presets;
use apigen::render::{embedded_templates, manifest_templates};
use apigen::resource::plan::{RESOURCE_DIR, resource_manifest_templates};

/// Snapshots are kept in the top-level `snapshots/` folder, named by preset.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// Asserts every snapshot of the preset `name`, rendered with apigen's own
/// templates (secrets and clock fixed, so the snapshots are stable).
fn snapshot(name: &str) {
    let preset = presets::find(name).unwrap_or_else(|| panic!("no preset {name}"));
    let snapshots = presets::render(&preset, &Overrides::none()).unwrap();
    assert!(!snapshots.is_empty(), "{name} renders nothing");
    settings().bind(|| {
        for snapshot in snapshots {
            insta::assert_snapshot!(snapshot.name, snapshot.contents);
        }
    });
}

/// One test per preset (they run in parallel); `every_preset_is_tested`
/// keeps this list and `presets::all()` in step.
macro_rules! preset_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                snapshot($name);
            }
        )*

        const TESTED: &[&str] = &[$($name),*];
    };
}

preset_tests! {
    default_project => "rest-jwt-sqlite-url",
    memory_cache_project => "rest-jwt-sqlite-url-cache-memory",
    redis_cache_project => "rest-jwt-sqlite-url-cache-redis",
    postgres_project => "rest-jwt-postgres-url",
    mysql_project => "rest-jwt-mysql-url",
    in_memory_project => "rest-jwt-none-url",
    project_without_auth => "rest-none-sqlite-url",
    project_with_api_keys => "rest-api-key-sqlite-url",
    project_with_sessions => "rest-session-sqlite-url",
    project_with_oauth2 => "rest-oauth2-sqlite-url",
    project_with_graphql => "rest+graphql-jwt-sqlite-url",
    project_with_grpc => "rest+grpc-jwt-sqlite-url",
    project_with_websocket => "websocket-jwt-sqlite-url",
    project_with_header_versioning => "rest-jwt-sqlite-header",
    project_without_versioning => "rest-jwt-sqlite-none",
    add_resource => "add-products",
    add_owned_resource => "add-order_items-owned",
    add_resource_without_auth => "add-products-auth-none",
    add_resource_with_api_keys => "add-products-auth-api-key",
    add_owned_resource_with_api_keys => "add-order_items-owned-auth-api-key",
    add_resource_with_sessions => "add-products-auth-session",
    add_owned_resource_with_sessions => "add-order_items-owned-auth-session",
    add_resource_with_oauth2 => "add-products-auth-oauth2",
    add_owned_resource_with_oauth2 => "add-order_items-owned-auth-oauth2",
    add_resource_with_graphql => "add-products-graphql",
    add_owned_resource_graphql_only => "add-order_items-owned-graphql-only",
    add_resource_with_grpc => "add-products-grpc",
    add_owned_resource_grpc_only => "add-order_items-owned-grpc-only",
    add_resource_with_websocket => "add-products-websocket",
    add_owned_resource_websocket_only => "add-order_items-owned-websocket-only",
    add_resource_with_header_versioning => "add-products-versioning-header",
    add_resource_postgres => "add-products-postgres",
    add_owned_resource_postgres => "add-order_items-owned-postgres",
    add_resource_mysql => "add-products-mysql",
    add_owned_resource_mysql => "add-order_items-owned-mysql",
    add_resource_in_memory => "add-products-none",
    add_owned_resource_in_memory => "add-order_items-owned-none",
    add_owned_resource_with_redis_cache => "add-order_items-owned-cache-redis",
    add_version_with_url_versioning => "url",
    add_version_with_header_versioning => "header",
}

#[test]
fn every_preset_is_tested() {
    let all: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
    assert_eq!(
        TESTED, all,
        "a preset in src/presets.rs needs its test here"
    );
}

/// Every snapshot in `snapshots/` is one a preset writes: a preset taken out
/// of `src/presets.rs` cannot leave its snapshots behind unnoticed.
#[test]
fn every_snapshot_belongs_to_a_preset() {
    let mut names = std::collections::BTreeSet::new();
    for preset in presets::all() {
        for snapshot in presets::render(&preset, &Overrides::none()).unwrap() {
            names.insert(snapshot.name);
        }
    }
    let stored = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots")).unwrap();
    let orphans: Vec<String> = stored
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|file| file.strip_suffix(".snap").map(str::to_owned))
        .filter(|name| !names.contains(name))
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots no preset writes: {orphans:?}"
    );
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

#[test]
fn resource_manifest_and_template_folder_agree() {
    let mut listed = resource_manifest_templates().unwrap();
    listed.sort();
    listed.dedup();
    let mut embedded = embedded::templates_in(RESOURCE_DIR);
    embedded.sort();
    assert_eq!(
        listed, embedded,
        "every file under templates/resource must be listed in templates/resource/manifest.toml, and the other way round"
    );
}
