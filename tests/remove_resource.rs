//! `apigen remove resource` as users run it: the resource's files, lines
//! and table go, the user's edits stay; and every refusal leaving the
//! project byte for byte as it was.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use support::{apigen, contents};
use tempfile::TempDir;

/// A default project with two resources.
fn project() -> (TempDir, PathBuf) {
    let (dir, root) = support::project(&[]);
    for (name, fields) in [
        ("products", "title:string,price:decimal"),
        ("notes", "body:text"),
    ] {
        apigen(&root)
            .args(["add", "resource", name, "--fields", fields])
            .assert()
            .success();
    }
    (dir, root)
}

fn read(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join(path)).unwrap()
}

fn migrations(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_resource_goes_and_the_users_edits_stay() {
    let (_dir, root) = project();
    let notes_before = read(&root, "src/routers/notes.rs");
    // The user changed one of its files and a shared one.
    let mine = read(&root, "tests/products.rs") + "\n// ours\n";
    fs::write(root.join("tests/products.rs"), &mine).unwrap();
    let lib = read(&root, "src/lib.rs").replacen("//!", "//! Our service.\n//!", 1);
    fs::write(root.join("src/lib.rs"), &lib).unwrap();

    apigen(&root)
        .args(["remove", "resource", "products"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Removed src/routers/products.rs"))
        .stdout(predicate::str::contains("Updated src/routers/mod.rs"))
        .stdout(predicate::str::contains(
            "Kept (edited, no longer generated) tests/products.rs",
        ))
        .stdout(
            predicate::str::is_match("Created migrations/[0-9]{14}_drop_products.sql").unwrap(),
        );

    for gone in [
        "src/routers/products.rs",
        "src/services/products.rs",
        "src/models/product.rs",
    ] {
        assert!(!root.join(gone).exists(), "{gone} is still there");
    }
    assert_eq!(read(&root, "tests/products.rs"), mine);
    for shared in [
        "src/routers/mod.rs",
        "src/services/mod.rs",
        "apigen.toml",
        "Cargo.toml",
    ] {
        assert!(!read(&root, shared).contains("product"), "{shared}");
    }
    assert!(read(&root, "src/routers/mod.rs").contains("notes"));
    assert!(read(&root, "src/lib.rs").starts_with("//! Our service."));
    assert_eq!(read(&root, "src/routers/notes.rs"), notes_before);
    let migrations = migrations(&root);
    assert!(
        migrations
            .iter()
            .any(|m| m.ends_with("_create_products.sql")),
        "{migrations:?}"
    );
    let dropped = migrations
        .iter()
        .find(|m| m.ends_with("_drop_products.sql"))
        .unwrap();
    assert!(
        read(&root, &format!("migrations/{dropped}")).contains("DROP TABLE IF EXISTS products;")
    );

    // The record follows: an update afterwards has nothing to do.
    apigen(&root)
        .arg("update")
        .assert()
        .success()
        .stdout(predicate::str::contains("Updated").not())
        .stdout(predicate::str::contains("Created").not());
}

#[test]
fn a_dry_run_shows_the_plan_and_writes_nothing() {
    let (_dir, root) = project();
    let before = contents(&root);
    apigen(&root)
        .args(["remove", "resource", "products", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Would remove src/routers/products.rs",
        ))
        .stdout(predicate::str::contains("-mod products;"));
    assert!(contents(&root) == before, "--dry-run wrote something");
}

#[test]
fn an_unknown_resource_is_refused_and_writes_nothing() {
    let (_dir, root) = project();
    let before = contents(&root);
    apigen(&root)
        .args(["remove", "resource", "orders"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "this project has no resource orders (apigen.toml lists: products, notes); nothing was changed",
        ));
    assert!(contents(&root) == before, "a refusal changed the project");
}
