//! One insta snapshot per generated file, stored in the top-level
//! `snapshots/` folder, so that every template change is reviewed as a diff of
//! the output it produces (`cargo insta review`).

use apigen::new::project_files;
use apigen::render::{Secrets, embedded_templates, manifest_templates};
use apigen::spec::ProjectSpec;

/// Secrets are random in real runs; snapshots show this fixed stand-in.
fn fixed_secrets() -> Secrets {
    Secrets {
        jwt_secret: "0".repeat(64),
    }
}

/// Snapshots every file of `spec`'s project under the given preset name, plus
/// the list of files (so that an added or dropped file shows up too).
fn snapshot_project(preset: &str, spec: &ProjectSpec) {
    let files = project_files(spec, &fixed_secrets()).unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
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
