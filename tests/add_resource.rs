//! `apigen add resource` as users run it: what it writes, and every refusal
//! leaving the project byte for byte as it was.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use apigen::spec::{Auth, Choice, owned_refusal};
use predicates::prelude::*;
use support::{apigen, contents};
use tempfile::TempDir;

const FIELDS: &str = "title:string,price:decimal,sku:string:unique";

/// A fresh default project `shop` in a temporary folder.
fn project() -> (TempDir, PathBuf) {
    support::project(&[])
}

/// `apigen add resource <args>`, refused with `message`, changing nothing.
fn refused(root: &Path, args: &[&str], message: &str) {
    support::refused(root, &[&["resource"], args].concat(), message);
}

fn add(root: &Path, name: &str, fields: &str) -> assert_cmd::assert::Assert {
    apigen(root)
        .args(["add", "resource", name, "--fields", fields])
        .assert()
}

#[test]
fn a_resource_is_added_wired_in_and_recorded() {
    let (_dir, root) = project();
    add(&root, "products", FIELDS)
        .success()
        .stdout(predicate::str::contains("Created src/routers/products.rs"))
        .stdout(predicate::str::contains("Changed src/routers/mod.rs"));
    for file in [
        "src/routers/products.rs",
        "src/models/product.rs",
        "src/db/products.rs",
        "tests/products.rs",
    ] {
        assert!(root.join(file).is_file(), "{file} missing");
    }
    let migrations: Vec<String> = fs::read_dir(root.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with("_create_products.sql"))
        .collect();
    assert_eq!(migrations.len(), 1, "{migrations:?}");
    let routers = fs::read_to_string(root.join("src/routers/mod.rs")).unwrap();
    assert!(routers.contains("mod products;\nmod users;"), "{routers}");
    assert!(routers.contains("products::router(at),\n        // apigen:routes"));
    let recorded = fs::read_to_string(root.join("apigen.toml")).unwrap();
    assert!(
        recorded.contains("[[resource]]\nname = \"products\""),
        "{recorded}"
    );
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("rust_decimal = \"1\""), "{manifest}");
    assert!(
        contents(&root).keys().all(|path| !path.ends_with(".tmp")),
        "temporary files left behind"
    );
}

#[test]
fn a_second_run_is_refused_without_duplicating_anything() {
    let (_dir, root) = project();
    add(&root, "products", FIELDS).success();
    refused(
        &root,
        &["products", "--fields", FIELDS],
        "resource products already exists",
    );
}

#[test]
fn resources_of_the_default_project_are_refused() {
    let (_dir, root) = project();
    refused(
        &root,
        &["users", "--fields", "nickname:string"],
        "resource users already exists (src/db/users.rs)",
    );
    refused(
        &root,
        &["refresh_tokens", "--fields", "note:string"],
        "resource refresh_tokens already exists",
    );
}

#[test]
fn bad_resource_names_are_refused() {
    let (_dir, root) = project();
    for (name, message) in [
        ("Products", "must start with a letter a-z"),
        ("order-items", "'-' is not allowed"),
        ("../evil", "must start with a letter"),
        ("book", "plural noun: type `books` instead"),
        ("box", "plural noun: type `boxes` instead"),
        ("values", "it is an SQL keyword"),
    ] {
        refused(&root, &[name, "--fields", "title:string"], message);
    }
}

#[test]
fn keyword_singulars_and_invariant_plurals_are_added_as_asked() {
    let (_dir, root) = project();
    // `box` is a Rust keyword: the models module takes the plural. `news` is
    // its own singular: models, queries and routes are all `news`, in
    // different folders.
    add(&root, "boxes", "label:string").success();
    add(&root, "news", "headline:string").success();
    for file in [
        "src/models/boxes.rs",
        "src/db/boxes.rs",
        "src/routers/boxes.rs",
        "tests/boxes.rs",
        "src/models/news.rs",
        "src/db/news.rs",
        "src/routers/news.rs",
        "tests/news.rs",
    ] {
        assert!(root.join(file).is_file(), "{file} missing");
    }
    let models = fs::read_to_string(root.join("src/models/mod.rs")).unwrap();
    assert!(models.contains("pub mod boxes;") && models.contains("pub mod news;"));
    let boxes = fs::read_to_string(root.join("src/routers/boxes.rs")).unwrap();
    assert!(boxes.contains("async fn get_box("), "{boxes}");
    assert!(boxes.contains("boxes::{BoxInput"), "{boxes}");
    let news = fs::read_to_string(root.join("src/routers/news.rs")).unwrap();
    assert!(news.contains("async fn list_news(") && news.contains("async fn get_news("));
    let migrations: Vec<String> = fs::read_dir(root.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for table in ["_create_boxes.sql", "_create_news.sql"] {
        assert!(
            migrations.iter().any(|m| m.ends_with(table)),
            "{migrations:?}"
        );
    }
}

#[test]
fn bad_fields_are_refused() {
    let (_dir, root) = project();
    for (fields, message) in [
        ("title:varchar", "unknown type \"varchar\""),
        ("title:string,title:text", "field \"title\" is given twice"),
        ("Title:string", "field name \"Title\""),
        ("type:string", "Rust keyword"),
        ("order:int", "SQL keyword"),
        ("id:uuid", "a column apigen adds itself"),
        ("title:string:primary", "unknown modifier \"primary\""),
        (
            "sku:string:unique:unique",
            "repeats the modifier \"unique\"; give each modifier once: sku:string:unique",
        ),
        ("sku:string:index:index", "repeats the modifier \"index\""),
        ("title", "has no type"),
        ("", "an empty field"),
    ] {
        refused(&root, &["products", "--fields", fields], message);
    }
}

#[test]
fn without_a_terminal_fields_are_required() {
    let (_dir, root) = project();
    refused(&root, &["products"], "--fields is required");
    refused(&root, &["products", "--yes"], "--fields is required");
}

#[test]
fn a_missing_anchor_is_named_and_nothing_changes() {
    let (_dir, root) = project();
    let routers = root.join("src/routers/mod.rs");
    let text = fs::read_to_string(&routers).unwrap();
    fs::write(&routers, text.replace("        // apigen:routes\n", "")).unwrap();
    refused(
        &root,
        &["products", "--fields", FIELDS],
        "src/routers/mod.rs: the anchor line `// apigen:routes` is missing",
    );
}

/// `--owned` is refused, naming why and changing nothing, in a project of
/// every supported auth method that has no callers to own rows
/// ([`owned_refusal`]: `--auth none`).
#[test]
fn owned_resources_are_refused_where_there_are_no_users() {
    let refusing: Vec<_> = Auth::supported()
        .into_iter()
        .filter_map(|auth| owned_refusal(auth).map(|reason| (auth, reason)))
        .collect();
    assert!(!refusing.is_empty(), "--auth none refuses --owned");
    for (auth, reason) in refusing {
        let dir = TempDir::new().unwrap();
        apigen(dir.path())
            .args(["new", "shop", "--yes", "--vcs", "none", "--auth"])
            .arg(auth.name())
            .assert()
            .success();
        let root = dir.path().join("shop");
        refused(
            &root,
            &["notes", "--owned", "--fields", "title:string"],
            reason,
        );
    }
}

/// A shared resource's writes need the admin role by default where accounts
/// register themselves (jwt), `--writes any` opts out; each is recorded.
#[test]
fn the_write_policy_is_recorded_and_generated() {
    let (_dir, root) = project();
    add(&root, "products", FIELDS)
        .success()
        .stdout(predicate::str::contains(
            "Writes: only admins create, change or delete products",
        ));
    apigen(&root)
        .args(["add", "resource", "notes", "--writes", "any"])
        .args(["--fields", "title:string"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Writes: every signed-in caller"));
    apigen(&root)
        .args([
            "add",
            "resource",
            "orders",
            "--owned",
            "--fields",
            "total:int",
        ])
        .assert()
        .success();
    let recorded = fs::read_to_string(root.join("apigen.toml")).unwrap();
    let record = |name: &str| {
        let quoted = format!("name = \"{name}\"");
        let found = recorded.split("[[resource]]").find(|r| r.contains(&quoted));
        found.unwrap_or_else(|| panic!("{name} is not recorded: {recorded}"))
    };
    assert!(
        record("products").contains("\nowned = false\nwrites = \"admin\"\n"),
        "{recorded}"
    );
    assert!(
        record("notes").contains("\nowned = false\nwrites = \"any\"\n"),
        "{recorded}"
    );
    // An owned resource has no write policy to record.
    assert!(!record("orders").contains("writes"), "{recorded}");
    let products = fs::read_to_string(root.join("src/services/products.rs")).unwrap();
    assert!(products.contains("may_write("), "{products}");
    let notes = fs::read_to_string(root.join("src/services/notes.rs")).unwrap();
    assert!(!notes.contains("may_write("), "{notes}");
}

/// `--writes` is refused, naming why and changing nothing, with `--owned`
/// and in a project without callers (`--auth none`).
#[test]
fn writes_are_refused_where_they_mean_nothing() {
    let (_dir, root) = project();
    refused(
        &root,
        &[
            "notes",
            "--owned",
            "--writes",
            "any",
            "--fields",
            "title:string",
        ],
        "cannot add resource notes with --writes any: the rows of an --owned resource",
    );
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--yes", "--vcs", "none", "--auth", "none"])
        .assert()
        .success();
    refused(
        &dir.path().join("shop"),
        &["notes", "--writes", "admin", "--fields", "title:string"],
        "cannot add resource notes with --writes admin: a project with --auth none has no callers",
    );
}

#[test]
fn help_names_the_write_policies() {
    let (_dir, root) = project();
    apigen(&root)
        .args(["add", "resource", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--writes <WHO>"))
        .stdout(predicate::str::contains("admin"))
        .stdout(predicate::str::contains("any"))
        .stdout(predicate::str::contains("Only callers with the admin role"));
}

/// A hand-edited `apigen.toml` naming an auth method this apigen does not
/// know, or a protocol it cannot generate yet, is a clear error; nothing changes.
#[test]
fn a_recorded_choice_apigen_cannot_generate_is_refused() {
    let (_dir, root) = project();
    let recorded = root.join("apigen.toml");
    let text = fs::read_to_string(&recorded).unwrap();
    assert!(text.contains("auth = \"jwt\""), "{text}");
    assert!(text.contains("protocols = [\"rest\"]"), "{text}");
    for (from, to, message) in [
        (
            "auth = \"jwt\"",
            "auth = \"kerberos\"",
            "unknown variant `kerberos`",
        ),
        (
            "protocols = [\"rest\"]",
            "protocols = [\"soap\"]",
            "it names --protocol soap, which this apigen cannot generate",
        ),
    ] {
        fs::write(&recorded, text.replace(from, to)).unwrap();
        refused(&root, &["notes", "--fields", "title:string"], message);
    }
}

#[test]
fn outside_a_project_it_says_so() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["add", "resource", "products", "--fields", FIELDS])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no apigen.toml"));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn dry_run_shows_new_files_and_diffs_and_writes_nothing() {
    let (_dir, root) = project();
    let before = contents(&root);
    apigen(&root)
        .args([
            "add",
            "resource",
            "products",
            "--fields",
            FIELDS,
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Would create src/routers/products.rs",
        ))
        .stdout(predicate::str::contains("+++ b/src/routers/products.rs"))
        .stdout(predicate::str::contains("--- a/src/routers/mod.rs"))
        .stdout(predicate::str::contains("+        products::router(at),"));
    assert!(contents(&root) == before, "--dry-run wrote something");
}

#[test]
fn the_users_own_edits_survive_and_it_runs_from_a_subfolder() {
    let (_dir, root) = project();
    let routers = root.join("src/routers/mod.rs");
    let text = fs::read_to_string(&routers).unwrap();
    let edited = text.replace(
        "fn v1(at: Prefix) -> OpenApiRouter<AppState> {",
        "fn v1(at: Prefix) -> OpenApiRouter<AppState> {\n    // my own note\n",
    );
    fs::write(&routers, &edited).unwrap();
    apigen(&root.join("src"))
        .args([
            "add",
            "resource",
            "order_items",
            "--owned",
            "--fields",
            "quantity:int",
        ])
        .assert()
        .success();
    let after = fs::read_to_string(&routers).unwrap();
    assert!(after.contains("    // my own note\n"), "{after}");
    assert!(after.contains("order_items::router(at),"));
    assert!(root.join("tests/order_items.rs").is_file());
}

/// Each attribute or doc comment in a module list with the item it belongs to
/// (`#[cfg(test)]` → `pub mod contract;`).
fn attached_items(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.starts_with("#[") || line.starts_with("///"))
        .map(|(i, line)| {
            let item = lines[i + 1..]
                .iter()
                .find(|next| !next.starts_with("#[") && !next.starts_with("//"))
                .unwrap_or(&"");
            ((*line).to_owned(), (*item).to_owned())
        })
        .collect()
}

/// The names of the `mod` lines in the block just above `// apigen:modules`.
fn modules_above_anchor(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let anchor = lines.iter().position(|line| *line == "// apigen:modules");
    let block = &lines[..anchor.unwrap_or(0)];
    let start = block
        .iter()
        .rposition(|line| line.is_empty())
        .map_or(0, |i| i + 1);
    block[start..]
        .iter()
        .filter_map(|line| line.trim_start_matches("pub ").strip_prefix("mod "))
        .collect()
}

/// A resource's module lines go in alphabetical order, and never between an
/// attribute (`#[cfg(test)]`) or a doc comment and its item: `comments`
/// once landed between `#[cfg(test)]` and `pub mod contract;`, making the new
/// module test-only and the project uncompilable. Names sort before, between
/// and after every module the projects start with.
#[test]
fn resources_sorting_anywhere_leave_attributes_with_their_items() {
    const NAMES: [&str; 10] = [
        "accounts", "arcs", "authors", "badges", "comments", "coupons", "gadgets", "notes", "tags",
        "zones",
    ];
    let mod_lists = [
        "src/db/mod.rs",
        "src/models/mod.rs",
        "src/services/mod.rs",
        "src/routers/mod.rs",
        "src/graphql/mod.rs",
        "src/grpc/v1.rs",
    ];
    for flags in [
        &["--auth", "session", "--protocol", "rest,graphql,grpc"][..],
        &["--auth", "api-key", "--db", "none"][..],
    ] {
        let (_dir, root) = support::project(flags);
        let read = |path: &str| fs::read_to_string(root.join(path)).unwrap_or_default();
        let before: Vec<_> = mod_lists
            .iter()
            .map(|path| attached_items(&read(path)))
            .collect();
        for name in NAMES {
            add(&root, name, "label:string").success();
        }
        for (path, attached) in mod_lists.iter().zip(before) {
            let after = attached_items(&read(path));
            for pair in attached {
                assert!(
                    after.contains(&pair),
                    "{flags:?} {path}: {pair:?} separated:\n{}",
                    read(path)
                );
            }
            let text = read(path);
            let modules = modules_above_anchor(&text);
            assert!(modules.is_sorted(), "{flags:?} {path}: {modules:?}");
        }
        let models = read("src/models/mod.rs");
        assert!(
            models.contains("#[cfg(test)]\npub mod contract;"),
            "{models}"
        );
    }
}
