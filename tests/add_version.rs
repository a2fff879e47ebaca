//! `apigen add version` and `apigen add resource --version` as users run
//! them, in projects made with `--versioning url` and `--versioning header`:
//! what they write, and every refusal leaving the project byte for byte as
//! it was.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use apigen::date::Date;
use predicates::prelude::*;
use support::{apigen, contents, refused};
use tempfile::TempDir;

const ROUTERS: &str = "src/routers/mod.rs";
const VERSIONING: &str = "src/versioning.rs";
const VERSIONED: [&str; 2] = ["url", "header"];

/// A fresh project `shop` made with `--versioning <versioning>`.
fn project(versioning: &str) -> (TempDir, PathBuf) {
    support::project(&["--versioning", versioning])
}

/// The files that differ between two states of a project.
fn changed(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut paths: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| before.get(p) != after.get(p))
        .collect()
}

fn read(root: &Path, file: &str) -> String {
    fs::read_to_string(root.join(file)).unwrap()
}

/// The lines strictly between `fn <version>()`'s `at.resources([` and `marker`.
fn routes_of(routers: &str, version: &str, marker: &str) -> String {
    let signature =
        format!("fn {version}(at: Prefix) -> OpenApiRouter<AppState> {{\n    at.resources([\n");
    let start = routers.find(&signature).expect("the version's function") + signature.len();
    let end = start + routers[start..].find(marker).expect("its marker");
    // Up to the marker's own line.
    routers[start..end].trim_end_matches(' ').to_owned()
}

/// rustfmt over `files`: formats them, or with `check` only says whether it would.
fn rustfmt(files: &[PathBuf], check: bool) -> std::process::Output {
    let mut cmd = std::process::Command::new("rustfmt");
    cmd.args(["--edition", "2024"]).args(files);
    if check {
        cmd.arg("--check");
    }
    cmd.output().expect("rustfmt is installed")
}

fn today() -> Date {
    Date::today()
}

#[test]
fn a_version_copies_the_newest_routes_deprecates_it_and_is_recorded() {
    for versioning in VERSIONED {
        let (_dir, root) = project(versioning);
        let before = contents(&root);
        let v1_routes = routes_of(&read(&root, ROUTERS), "v1", "// apigen:routes\n");
        assert!(v1_routes.contains("users::router(at),\n"), "{v1_routes}");
        apigen(&root)
            .args(["add", "version", "v2"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Changed apigen.toml"))
            .stdout(predicate::str::contains("Changed src/routers/mod.rs"))
            .stdout(predicate::str::contains("Changed src/versioning.rs"))
            .stdout(predicate::str::contains(
                "v1 now answers with Deprecation/Sunset headers",
            ))
            .stdout(predicate::str::contains("commit tests/contracts/v1.json"));
        let after = contents(&root);
        assert_eq!(
            changed(&before, &after),
            [".apigen/base", "apigen.toml", ROUTERS, VERSIONING],
            "{versioning}"
        );

        let (today, sunset) = (today(), today().plus_days(180));
        let routers = read(&root, ROUTERS);
        assert!(
            routers.contains(
                "        \"v1\" => v1(at),\n        \"v2\" => v2(at),\n        // apigen:versions\n"
            ),
            "{routers}"
        );
        let function = format!(
            "    ])\n}}\n\n\
             /// Version 2 of the API. It started as v1's routes (`apigen add version v2`); change\n\
             /// it freely: v1 keeps answering as before.\n\
             fn v2(at: Prefix) -> OpenApiRouter<AppState> {{\n    at.resources([\n\
             {v1_routes}        // apigen:routes:v2\n    ])\n}}\n// apigen:versions-routes\n"
        );
        assert!(routers.contains(&function), "{versioning}:\n{routers}");
        // v1 is as it was.
        assert_eq!(routes_of(&routers, "v1", "// apigen:routes\n"), v1_routes);

        let deprecations = read(&root, VERSIONING);
        assert!(
            deprecations.contains(
                "    Version::new(\"v1\"),\n    Version::new(\"v2\"),\n    // apigen:versions\n"
            ),
            "{deprecations}"
        );
        let listed = format!(
            "pub const DEPRECATIONS: &[Deprecation] = &[\n    \
             // v1: replaced by v2 on {today}; answers until its sunset, {sunset}.\n    \
             Deprecation::new(\"v1\", \"v2\", \"{today}\", \"{sunset}\"),\n    \
             // apigen:deprecations\n];"
        );
        assert!(deprecations.contains(&listed), "{deprecations}");

        let recorded = read(&root, "apigen.toml");
        let versions = format!(
            "[[version]]\nname = \"v1\"\ndeprecated = \"{today}\"\nsunset = \"{sunset}\"\n\n\
             [[version]]\nname = \"v2\"\n"
        );
        assert!(recorded.contains(&versions), "{recorded}");
        assert!(
            after.keys().all(|path| !path.ends_with(".tmp")),
            "temporary files left behind"
        );
    }
}

#[test]
fn a_third_version_starts_from_the_second_and_keeps_its_sunset() {
    let (_dir, root) = project("url");
    apigen(&root)
        .args(["add", "version", "v2", "--sunset", "2999-01-31"])
        .assert()
        .success();
    apigen(&root)
        .args(["add", "resource", "reviews", "--fields", "stars:int"])
        .assert()
        .success();
    apigen(&root)
        .args(["add", "version", "v3", "--sunset", "2999-12-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains("v2 now answers"));
    let routers = read(&root, ROUTERS);
    let v2 = routes_of(&routers, "v2", "// apigen:routes:v2\n");
    assert!(v2.contains("reviews::router(at),"), "{routers}");
    assert_eq!(routes_of(&routers, "v3", "// apigen:routes:v3\n"), v2);
    assert!(!routes_of(&routers, "v1", "// apigen:routes\n").contains("reviews"));
    assert!(routers.contains("It started as v2's routes (`apigen add version v3`)"));
    assert!(routers.contains("        \"v2\" => v2(at),\n        \"v3\" => v3(at),\n"));
    let deprecations = read(&root, VERSIONING);
    assert!(deprecations.contains("    Version::new(\"v2\"),\n    Version::new(\"v3\"),\n"));
    assert!(deprecations.contains("Deprecation::new(\"v1\", \"v2\", "));
    assert!(deprecations.contains(&format!(
        "Deprecation::new(\"v2\", \"v3\", \"{}\", \"2999-12-31\"),\n    // apigen:deprecations",
        today()
    )));
    let recorded = read(&root, "apigen.toml");
    assert!(
        recorded.contains("sunset = \"2999-01-31\"\n\n[[version]]\nname = \"v2\"\ndeprecated = "),
        "{recorded}"
    );
    assert!(
        recorded.contains("sunset = \"2999-12-31\"\n\n[[version]]\nname = \"v3\"\n"),
        "{recorded}"
    );
}

/// The inserted text is what rustfmt would write: starting from files
/// rustfmt leaves alone, `add version` (twice) keeps them so.
#[test]
fn the_edited_files_stay_rustfmt_clean() {
    for versioning in VERSIONED {
        let (_dir, root) = project(versioning);
        let files = [root.join(ROUTERS), root.join(VERSIONING)];
        let rustfmt = |check: bool| rustfmt(&files, check);
        // Whatever the templates leave, the edits alone are checked.
        assert!(rustfmt(false).status.success());
        for version in ["v2", "v3"] {
            apigen(&root)
                .args(["add", "version", version])
                .assert()
                .success();
            let output = rustfmt(true);
            assert!(
                output.status.success(),
                "{versioning} {version}:\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        apigen(&root)
            .args(["add", "resource", "reviews", "--fields", "stars:int"])
            .args(["--version", "v2"])
            .assert()
            .success();
        assert!(rustfmt(true).status.success(), "{versioning} --version v2");
    }
}

#[test]
fn dry_run_shows_the_diffs_and_writes_nothing() {
    let (_dir, root) = project("header");
    let before = contents(&root);
    apigen(&root)
        .args(["add", "version", "v2", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Would change src/routers/mod.rs"))
        .stdout(predicate::str::contains("--- a/src/routers/mod.rs"))
        .stdout(predicate::str::contains("+        \"v2\" => v2(at),"))
        .stdout(predicate::str::contains("+    Version::new(\"v2\"),"))
        .stdout(predicate::str::contains(
            "+fn v2(at: Prefix) -> OpenApiRouter<AppState> {",
        ))
        .stdout(predicate::str::contains("+        // apigen:routes:v2"))
        .stdout(predicate::str::contains("--- a/src/versioning.rs"))
        .stdout(predicate::str::contains(
            "+    Deprecation::new(\"v1\", \"v2\", ",
        ))
        .stdout(predicate::str::contains("+name = \"v2\""))
        .stdout(predicate::str::contains("Next:").not());
    assert!(contents(&root) == before, "--dry-run wrote something");
}

#[test]
fn a_version_that_exists_or_is_not_next_is_refused() {
    let (_dir, root) = project("url");
    refused(
        &root,
        &["version", "v3"],
        "v3 cannot come next: this project's newest version is v1, so the next is v2",
    );
    refused(
        &root,
        &["version", "v1"],
        "version v1 already exists (apigen.toml); the next is v2",
    );
    apigen(&root)
        .args(["add", "version", "v2"])
        .assert()
        .success();
    refused(
        &root,
        &["version", "v2"],
        "version v2 already exists (apigen.toml); the next is v3",
    );
    refused(
        &root,
        &["version", "v4"],
        "v4 cannot come next: this project's newest version is v2, so the next is v3",
    );
}

#[test]
fn bad_names_are_refused() {
    let (_dir, root) = project("header");
    for (name, message) in [
        ("2", "invalid version name \"2\": write it as v2"),
        ("V2", "write it as v2"),
        ("v02", "write it as v2"),
        ("v0", "versions count from v1"),
        ("v2.0", "a version is `v` and a number, e.g. v2"),
        ("beta", "a version is `v` and a number"),
    ] {
        refused(&root, &["version", name], message);
    }
}

#[test]
fn a_sunset_that_is_no_date_or_not_after_today_is_refused() {
    let (_dir, root) = project("url");
    let today = today().to_string();
    let yesterday = Date::today().plus_days(-1).to_string();
    for (sunset, message) in [
        (
            "2027-02-30",
            "invalid --sunset \"2027-02-30\": 2027-02-30 is not a day",
        ),
        ("30/06/2027", "expected a date YYYY-MM-DD"),
        ("soon", "expected a date YYYY-MM-DD"),
        (&today, "a sunset must be after today"),
        (&yesterday, "a sunset must be after today"),
        ("2001-01-01", "leave --sunset out for"),
    ] {
        refused(&root, &["version", "v2", "--sunset", sunset], message);
    }
    let tomorrow = Date::today().plus_days(1).to_string();
    apigen(&root)
        .args(["add", "version", "v2", "--sunset", &tomorrow])
        .assert()
        .success();
    assert!(read(&root, VERSIONING).contains(&format!("\"{today}\", \"{tomorrow}\"),")));
}

#[test]
fn a_project_without_versioning_refuses_versions() {
    let (_dir, root) = project("none");
    refused(
        &root,
        &["version", "v2"],
        "a project with --versioning none has no versions",
    );
    refused(
        &root,
        &[
            "resource",
            "reviews",
            "--fields",
            "stars:int",
            "--version",
            "v1",
        ],
        "--version v1: a project with --versioning none has no versions; drop --version",
    );
    // Without --version, resources go where they always went.
    apigen(&root)
        .args(["add", "resource", "reviews", "--fields", "stars:int"])
        .assert()
        .success();
    assert!(read(&root, ROUTERS).contains("reviews::router(at),\n        // apigen:routes\n"));
    assert!(!read(&root, "apigen.toml").contains("\nversion ="));
}

#[test]
fn a_missing_marker_is_named_and_nothing_changes() {
    let (_dir, root) = project("url");
    for (file, line, message) in [
        (
            ROUTERS,
            "        // apigen:versions\n",
            "src/routers/mod.rs: the anchor line `// apigen:versions` is missing",
        ),
        (
            ROUTERS,
            "// apigen:versions-routes\n",
            "src/routers/mod.rs: the anchor line `// apigen:versions-routes` is missing",
        ),
        (
            ROUTERS,
            "        // apigen:routes\n",
            "the anchor line `// apigen:routes` is missing from `fn v1()`",
        ),
        (
            VERSIONING,
            "    // apigen:versions\n",
            "src/versioning.rs: the anchor line `// apigen:versions` is missing",
        ),
        (
            VERSIONING,
            "    // apigen:deprecations\n",
            "src/versioning.rs: the anchor line `// apigen:deprecations` is missing",
        ),
    ] {
        let path = root.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(line), "{file} has no {line:?}");
        fs::write(&path, text.replace(line, "")).unwrap();
        refused(&root, &["version", "v2"], message);
        fs::write(&path, text).unwrap();
    }
    // A v2 written by hand, which apigen.toml does not know of.
    let path = root.join(ROUTERS);
    let text = fs::read_to_string(&path).unwrap();
    let by_hand = "fn v2(at: Prefix) -> OpenApiRouter<AppState> {\n    at.resources([])\n}\n";
    fs::write(
        &path,
        text.replace(
            "// apigen:versions-routes\n",
            &format!("{by_hand}// apigen:versions-routes\n"),
        ),
    )
    .unwrap();
    refused(
        &root,
        &["version", "v2"],
        "src/routers/mod.rs: it already defines `fn v2`, which apigen.toml does not record",
    );
    fs::write(&path, text).unwrap();
    // A hand-edited apigen.toml naming no version.
    let recorded = root.join("apigen.toml");
    let text = fs::read_to_string(&recorded).unwrap();
    fs::write(&recorded, format!("{text}\n[[version]]\nname = \"2\"\n")).unwrap();
    refused(
        &root,
        &["version", "v2"],
        "its [[version]] name \"2\" is not a version",
    );
}

#[test]
fn a_resource_goes_to_the_version_asked_for_only() {
    for versioning in VERSIONED {
        let (_dir, root) = project(versioning);
        apigen(&root)
            .args(["add", "version", "v2"])
            .assert()
            .success();
        let v1_before = routes_of(&read(&root, ROUTERS), "v1", "// apigen:routes\n");
        apigen(&root)
            .args(["add", "resource", "reviews", "--fields", "stars:int"])
            .args(["--version", "v2"])
            .assert()
            .success();
        let routers = read(&root, ROUTERS);
        assert!(
            routers.contains("        reviews::router(at),\n        // apigen:routes:v2\n"),
            "{routers}"
        );
        assert_eq!(
            routes_of(&routers, "v1", "// apigen:routes\n"),
            v1_before,
            "{versioning}: v1 changed"
        );
        assert!(routers.contains("mod reviews;"));
        let recorded = read(&root, "apigen.toml");
        assert!(
            recorded.contains(
                "name = \"reviews\"\nfields = \"stars:int\"\nowned = false\nwrites = \"admin\"\nversion = \"v2\"\n"
            ),
            "{recorded}"
        );
        // Without --version: the newest; --version v1: v1 alone.
        apigen(&root)
            .args(["add", "resource", "tags", "--fields", "label:string"])
            .assert()
            .success();
        apigen(&root)
            .args(["add", "resource", "notes", "--fields", "body:text"])
            .args(["--version", "v1"])
            .assert()
            .success();
        let routers = read(&root, ROUTERS);
        let v1 = routes_of(&routers, "v1", "// apigen:routes\n");
        let v2 = routes_of(&routers, "v2", "// apigen:routes:v2\n");
        assert!(
            v1.contains("notes::router(at),") && !v1.contains("tags::"),
            "{v1}"
        );
        assert!(
            v2.contains("tags::router(at),") && !v2.contains("notes::"),
            "{v2}"
        );
        // The resource's own tests call it under its version's prefix.
        if versioning == "url" {
            let tests = read(&root, "tests/reviews.rs");
            assert!(tests.contains("\"/v2/reviews\""), "{tests}");
        }
    }
}

#[test]
fn an_unknown_version_is_refused_for_a_resource() {
    let (_dir, root) = project("url");
    refused(
        &root,
        &[
            "resource",
            "reviews",
            "--fields",
            "stars:int",
            "--version",
            "v2",
        ],
        "this project has no v2; its versions are v1",
    );
    apigen(&root)
        .args(["add", "version", "v2"])
        .assert()
        .success();
    refused(
        &root,
        &[
            "resource",
            "reviews",
            "--fields",
            "stars:int",
            "--version",
            "v9",
        ],
        "this project has no v9; its versions are v1, v2",
    );
    // Refused before apigen would ask for fields.
    refused(
        &root,
        &["resource", "reviews", "--version", "v9"],
        "this project has no v9",
    );
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let (_dir, root) = project("url");
    for args in [
        &["add", "version", "v2", "--dry-run"][..],
        &["add", "version", "v2"],
        &["add", "version", "--help"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_apigen"))
            .args(args)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .env_remove("CI")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}:\n{stderr}");
    }
    assert!(read(&root, ROUTERS).contains("fn v2(at: Prefix) -> OpenApiRouter<AppState> {"));
}

/// The text after a file's opening `//!` comment.
fn body(text: &str) -> String {
    text.split_inclusive('\n')
        .skip_while(|line| line.starts_with("//!"))
        .collect()
}

#[test]
fn graphql_and_grpc_versions_start_as_copies_of_the_newest() {
    for versioning in VERSIONED {
        let (_dir, root) = support::project(&[
            "--versioning",
            versioning,
            "--protocol",
            "rest,graphql,grpc",
        ]);
        apigen(&root)
            .args(["add", "resource", "products", "--fields", "name:string"])
            .assert()
            .success();
        let before = contents(&root);
        apigen(&root)
            .args(["add", "version", "v2"])
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "v2's gRPC package is proto/shop/v2/ (served by src/grpc/v2.rs)",
            ));
        let after = contents(&root);
        let new: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
        assert_eq!(
            new,
            [
                "proto/shop/v2/api.proto",
                "proto/shop/v2/products.proto",
                "src/graphql/v2.rs",
                "src/grpc/v2.rs",
                "src/grpc/v2/products.rs",
            ],
            "{versioning}"
        );
        // v1 is left as it was: only the lists of versions grew.
        let edited: Vec<String> = changed(&before, &after)
            .into_iter()
            .filter(|p| before.contains_key(p))
            .collect();
        assert_eq!(
            edited,
            [
                ".apigen/base",
                "apigen.toml",
                "src/graphql/mod.rs",
                "src/grpc/mod.rs",
                ROUTERS,
                VERSIONING,
                "tests/graphql.rs",
            ],
            "{versioning}"
        );

        // GraphQL: the schema is v1's, served at /v2/graphql, its SDL checked.
        let (v1, v2) = (
            read(&root, "src/graphql/v1.rs"),
            read(&root, "src/graphql/v2.rs"),
        );
        assert_eq!(body(&v2), body(&v1));
        assert!(
            v2.starts_with("//! Version 2 of the GraphQL schema, at "),
            "{v2}"
        );
        let graphql = read(&root, "src/graphql/mod.rs");
        assert!(graphql.contains("pub mod v1;\npub mod v2;\n// apigen:versions\n"));
        assert!(graphql.contains(
            "        .merge(endpoint(\"/v2/graphql\", v2::schema(introspection)))\n        // apigen:graphql-versions\n"
        ));
        let tests = read(&root, "tests/graphql.rs");
        assert!(tests.contains(
            "        (\"schema.v2.graphql\", graphql::v2::schema(true).sdl()),\n        // apigen:graphql-schemas\n"
        ));

        // gRPC: package shop.v2, a copy of shop.v1, among the routes.
        for file in ["api.proto", "products.proto"] {
            let v1 = read(&root, &format!("proto/shop/v1/{file}"));
            let v2 = read(&root, &format!("proto/shop/v2/{file}"));
            assert!(
                v2.contains("\npackage shop.v2;\n") && !v2.contains("shop.v1"),
                "{v2}"
            );
            assert_eq!(v2.replace("shop.v2", "shop.v1"), v1, "{file}");
        }
        let (v1, v2) = (
            read(&root, "src/grpc/v1/products.rs"),
            read(&root, "src/grpc/v2/products.rs"),
        );
        assert_eq!(v2.replace("proto/shop/v2/", "proto/shop/v1/"), v1);
        let module = read(&root, "src/grpc/v2.rs");
        assert!(
            module.contains("tonic::include_proto!(\"shop.v2\");"),
            "{module}"
        );
        assert!(
            module.contains("mod products;\n// apigen:modules\n"),
            "{module}"
        );
        let grpc = read(&root, "src/grpc/mod.rs");
        assert!(grpc.contains("pub mod v1;\npub mod v2;\n// apigen:versions\n"));
        assert!(grpc.contains(
            "    v1::services(state, &mut routes);\n    v2::services(state, &mut routes);\n    // apigen:grpc-versions\n"
        ));

        // A resource of v2 goes to v2's schema and package only.
        apigen(&root)
            .args(["add", "resource", "reviews", "--fields", "stars:int"])
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "review and commit schema.v2.graphql",
            ));
        assert!(read(&root, "src/graphql/v2.rs").contains("super::reviews::ReviewQuery,"));
        assert!(!read(&root, "src/graphql/v1.rs").contains("reviews"));
        assert!(read(&root, "src/grpc/v2.rs").contains("reviews::service(state.clone())"));
        assert!(!read(&root, "src/grpc/v1.rs").contains("reviews"));
        let proto = read(&root, "proto/shop/v2/reviews.proto");
        assert!(proto.contains("\npackage shop.v2;\n"), "{proto}");
        assert!(!root.join("proto/shop/v1/reviews.proto").exists());
        let tests = read(&root, "tests/reviews_grpc.rs");
        assert!(tests.contains("use shop::grpc::v2::proto::"), "{tests}");

        // Every edited and new Rust file is as rustfmt writes it.
        let rust: Vec<PathBuf> = contents(&root)
            .into_keys()
            .filter(|p| p.ends_with(".rs") && (p.contains("graphql") || p.contains("grpc")))
            .map(|p| root.join(p))
            .collect();
        let output = rustfmt(&rust, true);
        assert!(
            output.status.success(),
            "{versioning}:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn a_version_file_written_by_hand_is_not_overwritten() {
    let (_dir, root) = support::project(&["--protocol", "rest,grpc"]);
    fs::write(root.join("src/grpc/v2.rs"), "// mine\n").unwrap();
    refused(
        &root,
        &["version", "v2"],
        "src/grpc/v2.rs: it already exists, though apigen.toml says the newest version is v1",
    );
}
