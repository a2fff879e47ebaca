//! `apigen update` as users run it: a project made by an older apigen
//! (its base record and files rewritten as older templates produced them),
//! edited by its user, brought up to today's templates; and every refusal
//! leaving the project byte for byte as it was.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use apigen::project::{Files, base};
use predicates::prelude::*;
use support::{apigen, contents};
use tempfile::TempDir;

/// A default project with one resource, as `apigen new` and `add resource` made it.
fn project() -> (TempDir, PathBuf) {
    let (dir, root) = support::project(&[]);
    apigen(&root)
        .args([
            "add",
            "resource",
            "products",
            "--fields",
            "title:string,price:decimal",
        ])
        .assert()
        .success();
    (dir, root)
}

fn read(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join(path)).unwrap()
}

fn record(root: &Path) -> Files {
    base::parse(&read(root, base::PATH)).unwrap()
}

fn set_record(root: &Path, files: &Files) {
    fs::write(root.join(base::PATH), base::to_file(files).contents).unwrap();
}

/// Makes `path` look as an older template made it: `today` (text today's
/// templates write) becomes `older`, in the base record and on disk.
fn age(root: &Path, path: &str, today: &str, older: &str) {
    let mut files = record(root);
    let text = files.get_mut(Path::new(path)).unwrap();
    assert!(text.contains(today), "{path} has no {today:?}");
    *text = text.replacen(today, older, 1);
    let aged = text.clone();
    set_record(root, &files);
    fs::write(root.join(path), aged).unwrap();
}

/// Edits `path` on disk as its user would.
fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let text = read(root, path);
    assert!(text.contains(from), "{path} has no {from:?}");
    fs::write(root.join(path), text.replacen(from, to, 1)).unwrap();
}

fn migration(root: &Path) -> String {
    fs::read_dir(root.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with("_create_products.sql"))
        .map(|name| format!("migrations/{name}"))
        .unwrap()
}

/// The project of [`project`], made older and edited; returns the paths of
/// the migration it aged.
fn older_and_edited(root: &Path) -> String {
    // Untouched by the user, changed by the templates since.
    age(
        root,
        "src/routers/health.rs",
        "//!",
        "//! (older wording)\n//!",
    );
    // A handler the user changed, in a file the templates changed elsewhere.
    age(
        root,
        "src/routers/products.rs",
        "//! `/v1/products`",
        "//! Old: `/v1/products`",
    );
    edit(
        root,
        "src/routers/products.rs",
        "StatusCode::CREATED,",
        "StatusCode::CREATED, // ours",
    );
    // A line added to a shared file.
    age(root, "README.md", "A REST API in Rust", "An API in Rust");
    fs::write(
        root.join("README.md"),
        read(root, "README.md") + "\n## Team notes\n",
    )
    .unwrap();
    // The same line changed by both: the planted conflict.
    age(
        root,
        "src/main.rs",
        "//! Entry point:",
        "//! Old entry point:",
    );
    edit(
        root,
        "src/main.rs",
        "//! Old entry point:",
        "//! Our entry point:",
    );
    // A file the user added, one they deleted.
    fs::write(root.join("src/team.rs"), "// ours\n").unwrap();
    age(root, "tests/health.rs", "//", "// older\n//");
    fs::remove_file(root.join("tests/health.rs")).unwrap();
    // A migration an older template wrote differently.
    let migration = migration(root);
    age(root, &migration, "CREATE TABLE", "-- older\nCREATE TABLE");
    // Files no longer generated: one untouched, one edited.
    let mut files = record(root);
    for gone in ["docs/OLD.md", "docs/OLD_EDITED.md"] {
        files.insert(gone.into(), "old\n".into());
        fs::write(root.join(gone), "old\n").unwrap();
    }
    set_record(root, &files);
    fs::write(root.join("docs/OLD_EDITED.md"), "old\nours\n").unwrap();
    // A file generated today, not then.
    let mut files = record(root);
    files.remove(Path::new("tests/limits.rs"));
    set_record(root, &files);
    fs::remove_file(root.join("tests/limits.rs")).unwrap();
    migration
}

#[test]
fn an_older_edited_project_takes_todays_templates_and_keeps_its_edits() {
    let (_dir, root) = project();
    let migration = older_and_edited(&root);
    let aged_migration = read(&root, &migration);
    apigen(&root)
        .arg("update")
        .assert()
        .success()
        .stdout(predicate::str::contains("Updated src/routers/health.rs"))
        .stdout(predicate::str::contains("Merged src/routers/products.rs"))
        .stdout(predicate::str::contains("Merged README.md"))
        .stdout(predicate::str::contains("Conflict src/main.rs"))
        .stdout(predicate::str::contains("Kept deleted tests/health.rs"))
        .stdout(predicate::str::contains(format!(
            "Kept (migrations are never rewritten) {migration}"
        )))
        .stdout(predicate::str::contains("Removed docs/OLD.md"))
        .stdout(predicate::str::contains(
            "Kept (edited, no longer generated) docs/OLD_EDITED.md",
        ))
        .stdout(predicate::str::contains("Created tests/limits.rs"))
        .stderr(predicate::str::contains("conflicts in src/main.rs, marked"));

    // The record is now what today's apigen generates.
    let today = record(&root);
    let generated = |path: &str| today[Path::new(path)].clone();
    for current in ["src/routers/health.rs", "tests/limits.rs"] {
        assert_eq!(read(&root, current), generated(current), "{current}");
    }
    let products = read(&root, "src/routers/products.rs");
    assert!(products.starts_with("//! `/v1/products`"), "{products}");
    assert!(
        products.contains("StatusCode::CREATED, // ours"),
        "{products}"
    );
    let readme = read(&root, "README.md");
    assert!(readme.contains("A REST API in Rust") && readme.ends_with("## Team notes\n"));
    let main = read(&root, "src/main.rs");
    assert!(
        main.contains("<<<<<<< ours\n//! Our entry point:")
            && main.contains("=======\n//! Entry point:")
            && main.contains(">>>>>>> theirs"),
        "{main}"
    );
    assert_eq!(read(&root, "src/team.rs"), "// ours\n");
    assert!(!root.join("tests/health.rs").exists());
    assert_eq!(read(&root, &migration), aged_migration);
    assert!(!root.join("docs/OLD.md").exists());
    assert_eq!(read(&root, "docs/OLD_EDITED.md"), "old\nours\n");
    assert!(read(&root, "apigen.toml").contains("name = \"products\""));

    // Run again: nothing left to do (the conflict stays the user's).
    apigen(&root)
        .arg("update")
        .assert()
        .success()
        .stdout(predicate::str::contains("Updated").not())
        .stdout(predicate::str::contains("Merged").not());
}

/// A project's record replays to exactly what its commands wrote: resources
/// before and after a second version, in every protocol, change nothing.
#[test]
fn a_project_just_made_is_up_to_date() {
    let (_dir, root) = support::project(&["--protocol", "rest,graphql,grpc"]);
    let add = |args: &str| {
        let args: Vec<&str> = args.split(' ').collect();
        apigen(&root).arg("add").args(args).assert().success();
    };
    add("resource products --fields title:string");
    add("version v2");
    add("resource orders --fields total:decimal --owned");
    add("resource notes --fields body:text --version v1");
    let before = contents(&root);
    apigen(&root)
        .arg("update")
        .assert()
        .success()
        .stdout(predicate::str::is_match("^Kept [0-9]+ files unchanged\nDone").unwrap());
    let after = contents(&root);
    let changed: Vec<&String> = after
        .keys()
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    assert!(changed.is_empty(), "{changed:?}");
}

#[test]
fn a_dry_run_shows_the_plan_and_writes_nothing() {
    let (_dir, root) = project();
    older_and_edited(&root);
    let before = contents(&root);
    apigen(&root)
        .args(["update", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Would update src/routers/health.rs",
        ))
        .stdout(predicate::str::contains("+//! `/v1/products`"))
        .stdout(predicate::str::contains("Conflict src/main.rs"))
        .stdout(predicate::str::contains("nothing was written"));
    assert!(contents(&root) == before, "--dry-run wrote something");
}

#[test]
fn a_new_answer_is_merged_into_the_edited_project() {
    let (_dir, root) = project();
    edit(
        &root,
        "README.md",
        "A REST API in Rust",
        "Our REST API in Rust",
    );
    apigen(&root)
        .args(["update", "--cache", "redis"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Created src/cache/mod.rs"))
        .stdout(predicate::str::contains("Merged README.md"))
        // .env holds secrets and is never written: the user is told what to add.
        .stderr(predicate::str::contains(".env lacks "))
        .stderr(predicate::str::contains("REDIS_URL"));
    assert!(!read(&root, ".env").contains("REDIS_URL"));
    assert!(read(&root, "apigen.toml").contains("cache = \"redis\""));
    assert!(read(&root, "Cargo.toml").contains("redis"));
    assert!(read(&root, ".env.example").contains("REDIS_URL"));
    assert!(read(&root, "README.md").contains("Our REST API in Rust"));
    assert!(read(&root, "src/services/products.rs").contains("cache"));
}

#[test]
fn a_database_change_is_refused_and_writes_nothing() {
    let (_dir, root) = project();
    refused(
        &root,
        &["--db", "postgres"],
        "cannot update to --db postgres (the project has sqlite)",
    );
    refused(
        &root,
        &["--protocol", "soap"],
        "--protocol soap is not supported yet",
    );
    // `products` is written by admins (jwt's default), which `--auth none` cannot enforce.
    refused(
        &root,
        &["--auth", "none"],
        "the new answers cannot carry what apigen.toml records: cannot add resource products",
    );
}

#[test]
fn uncommitted_changes_are_refused_unless_allowed() {
    let (_dir, root) = project();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&root)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&["commit", "--quiet", "-m", "generated"]);
    edit(
        &root,
        "README.md",
        "A REST API in Rust",
        "Our REST API in Rust",
    );
    refused(&root, &[], "uncommitted changes (M README.md)");
    apigen(&root)
        .args(["update", "--allow-dirty"])
        .assert()
        .success();
}

#[test]
fn outside_a_project_update_is_refused() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .arg("update")
        .assert()
        .failure()
        .stderr(predicate::str::contains("no apigen.toml"));
    assert!(contents(dir.path()).is_empty());
}

/// `apigen update <args>`, refused with `message`, changing nothing.
fn refused(root: &Path, args: &[&str], message: &str) {
    support::refused_saying(root, &[&["update"], args].concat(), message, "nothing was");
}
