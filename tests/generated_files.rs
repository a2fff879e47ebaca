//! Checks on generated files that the generated project cannot check itself:
//! the Dockerfile (no Docker engine is needed) and the maps
//! `docs/BEST_PRACTICES.md` and `docs/SECURITY.md`, whose every file and test must exist.

use std::collections::BTreeMap;

use apigen::matrix::protocol_sets;
use apigen::new::project_files;
use apigen::render::Secrets;
use apigen::spec::{Auth, Cache, Choice, Database, ProjectSpec, Protocol, Versioning};

/// A name that differs from the default folder name, so a hard-coded binary shows.
const NAME: &str = "billing-api";

/// The generated project as path → contents.
fn project(name: &str) -> BTreeMap<String, String> {
    project_of(&ProjectSpec::with_defaults(name))
}

/// The project generated from `spec` as path → contents.
fn project_of(spec: &ProjectSpec) -> BTreeMap<String, String> {
    let secrets = Secrets {
        jwt_secret: "0".repeat(64),
        metrics_token: "0".repeat(64),
    };
    project_files(spec, &secrets, &apigen::overrides::Overrides::none())
        .unwrap()
        .into_iter()
        .map(|file| (file.path.display().to_string(), file.contents))
        .collect()
}

/// The Dockerfile's instructions (continuation lines joined, comments dropped).
fn instructions(dockerfile: &str) -> Vec<(String, String)> {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in dockerfile.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
        .into_iter()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
            (keyword.to_ascii_uppercase(), rest.trim().to_owned())
        })
        .collect()
}

fn env_value<'a>(instructions: &'a [(String, String)], name: &str) -> Option<&'a str> {
    instructions
        .iter()
        .filter(|(keyword, _)| keyword == "ENV")
        .flat_map(|(_, rest)| rest.split_whitespace())
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

#[test]
fn dockerfile_builds_and_runs_the_crate_binary_as_non_root() {
    let files = project(NAME);
    let dockerfile = &files["Dockerfile"];
    let steps = instructions(dockerfile);

    let froms = steps.iter().filter(|(k, _)| k == "FROM").count();
    assert!(froms >= 2, "not a multi-stage build:\n{dockerfile}");

    let binary = format!("/usr/local/bin/{NAME}");
    assert!(
        dockerfile.contains(&format!("target/release/{NAME} ")),
        "the build stage must copy the `{NAME}` binary:\n{dockerfile}"
    );
    let entrypoint = steps
        .iter()
        .rev()
        .find(|(k, _)| k == "ENTRYPOINT" || k == "CMD")
        .expect("ENTRYPOINT or CMD");
    assert!(entrypoint.1.contains(&binary), "{entrypoint:?}");

    // The last USER wins; it must not be root.
    let user = steps
        .iter()
        .rev()
        .find(|(k, _)| k == "USER")
        .map(|(_, user)| user.as_str())
        .expect("a USER instruction");
    let account = user.split(':').next().unwrap();
    assert!(
        !["root", "0"].contains(&account),
        "runs as root: USER {user}"
    );

    // The server listens where the image says it does, on all interfaces.
    let port = env_value(&steps, "PORT").expect("ENV PORT");
    let exposed: Vec<&str> = steps
        .iter()
        .filter(|(k, _)| k == "EXPOSE")
        .map(|(_, port)| port.as_str())
        .collect();
    assert_eq!(exposed, [port], "EXPOSE and ENV PORT disagree");
    assert_eq!(env_value(&steps, "HOST"), Some("0.0.0.0"));
    // The same default port as the server's own configuration.
    assert!(
        files["src/config/mod.rs"].contains(&format!(r#"parse_or(&lookup, "PORT", {port})"#)),
        "the image's port {port} is not the server's default"
    );
}

/// Every `COPY` of the build stage names something the project has, for every
/// database (`--db none` has no `migrations/`), so `docker build` finds it.
#[test]
fn dockerfile_copies_only_what_the_project_has() {
    for db in Database::supported() {
        let files = project_of(&ProjectSpec {
            db,
            ..ProjectSpec::with_defaults(NAME)
        });
        let copied: Vec<String> = instructions(&files["Dockerfile"])
            .into_iter()
            .filter(|(keyword, rest)| keyword == "COPY" && !rest.starts_with("--from"))
            .flat_map(|(_, rest)| {
                let mut sources: Vec<String> = rest.split_whitespace().map(String::from).collect();
                sources.pop(); // the destination
                sources
            })
            .collect();
        assert!(copied.contains(&"src".to_owned()), "{db:?}: {copied:?}");
        for source in copied {
            let exists = files
                .keys()
                .any(|path| path == &source || path.starts_with(&format!("{source}/")));
            assert!(
                exists,
                "--db {}: COPY {source}, which the project does not have",
                db.name()
            );
        }
    }
}

#[test]
fn dockerignore_keeps_secrets_and_build_output_out() {
    let files = project(NAME);
    let ignored: Vec<&str> = files[".dockerignore"].lines().collect();
    for entry in [".env", "target/", "*.db", ".apigen/"] {
        assert!(ignored.contains(&entry), "{entry} not in .dockerignore");
    }
}

#[test]
fn ci_workflow_checks_fmt_clippy_and_tests() {
    let files = project(NAME);
    let workflow = &files[".github/workflows/ci.yml"];
    for step in [
        "cargo fmt --check",
        "cargo clippy --all-targets --locked -- -D warnings",
        "cargo test --locked",
    ] {
        assert!(workflow.contains(step), "CI does not run `{step}`");
    }
    assert!(
        workflow.contains("${{ github.workflow }}"),
        "GitHub expressions must survive rendering"
    );
    // Least privilege: the token of every job reads the code, nothing more.
    assert!(
        workflow.contains("\npermissions:\n  contents: read\n"),
        "the workflow's token is not read-only:\n{workflow}"
    );
    assert!(
        workflow.contains("command: check advisories"),
        "CI does not check dependency advisories"
    );
}

/// Every backticked `path` and `path::test_name` of the guide map, checked
/// against the generated files. Returns one line per broken reference.
fn broken_references(map: &str, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut broken = Vec::new();
    let rows = map
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| §"));
    for row in rows {
        for reference in row.split('`').skip(1).step_by(2) {
            let (path, test) = match reference.split_once("::") {
                Some((path, test)) => (path, Some(test)),
                None => (reference, None),
            };
            // Only file paths are references; other code spans (`/v1`, `429`, `http://`) are prose.
            let is_path = path.contains('/') && !path.starts_with('/') && !path.contains("://")
                || files.contains_key(path);
            if !is_path {
                continue;
            }
            let Some(contents) = files.get(path) else {
                broken.push(format!("{reference}: no such file"));
                continue;
            };
            if let Some(test) = test {
                let defined = [format!("async fn {test}()"), format!("fn {test}()")]
                    .iter()
                    .any(|signature| contents.contains(signature.as_str()));
                if !defined {
                    broken.push(format!("{reference}: no test `{test}` in {path}"));
                }
            }
        }
    }
    broken
}

#[test]
fn best_practices_map_names_only_existing_files_and_tests() {
    for protocols in protocol_sets(&Protocol::supported()) {
        // Every database with REST; the other protocols' rows do not depend on it.
        let databases = match protocols[..] {
            [Protocol::Rest] => Database::supported(),
            _ => vec![Database::Sqlite],
        };
        for (auth, db, versioning) in Auth::supported().into_iter().flat_map(|auth| {
            databases.clone().into_iter().flat_map(move |db| {
                Versioning::supported()
                    .into_iter()
                    .map(move |v| (auth, db, v))
            })
        }) {
            let spec = ProjectSpec {
                protocols: protocols.clone(),
                auth,
                db,
                versioning,
                ..ProjectSpec::with_defaults(NAME)
            };
            let files = project_of(&spec);
            for map in ["docs/BEST_PRACTICES.md", "docs/SECURITY.md"] {
                let broken = broken_references(&files[map], &files);
                assert!(
                    broken.is_empty(),
                    "{map} of {} is out of date:\n{}",
                    spec.summary(),
                    broken.join("\n")
                );
            }
        }
    }
    // Sockets on a server database fan out across instances (PostgreSQL's own
    // engine, or Redis): rows of their own.
    for auth in Auth::supported() {
        for (db, cache) in [
            (Database::Postgres, Cache::None),
            (Database::Mysql, Cache::Redis),
        ] {
            let spec = ProjectSpec {
                protocols: vec![Protocol::Rest, Protocol::Graphql],
                auth,
                db,
                cache,
                ..ProjectSpec::with_defaults(NAME)
            };
            let files = project_of(&spec);
            assert!(
                files.contains_key("tests/instances.rs"),
                "{}",
                spec.summary()
            );
            let broken = broken_references(&files["docs/BEST_PRACTICES.md"], &files);
            assert!(
                broken.is_empty(),
                "{}:\n{}",
                spec.summary(),
                broken.join("\n")
            );
        }
    }
    let files = project(NAME);
    // The security document answers every item of the OWASP API Security Top 10 (2023).
    let security = &files["docs/SECURITY.md"];
    for item in 1..=10 {
        assert!(
            security.contains(&format!("\n| API{item} ")),
            "docs/SECURITY.md has no row for OWASP API{item}"
        );
    }
    assert!(files["docs/BEST_PRACTICES.md"].contains("(SECURITY.md)"));
    let map = &files["docs/BEST_PRACTICES.md"];

    // The map covers every guide section the issue names, and proves each with tests.
    for section in ["1", "2", "3", "4", "12", "14", "15", "16", "17"] {
        assert!(
            map.lines()
                .any(|line| line.starts_with(&format!("| {section} |"))),
            "no practice of guide section {section} in the map"
        );
    }
    let tests = map.matches("::").count();
    assert!(tests >= 30, "only {tests} tests referenced");
}

#[test]
fn best_practices_check_catches_a_missing_file_or_test() {
    let files = project(NAME);
    let map = "| § | practice | implemented in | proven by |\n\
               | 2 | CORS | `src/middleware/cors_gone.rs` | `tests/security.rs::no_such_test` |\n\
               | 2 | CORS | `src/middleware/headers.rs` | `tests/security.rs::cors_rejects_unknown_origin` |\n";
    let broken = broken_references(map, &files);
    assert_eq!(
        broken,
        [
            "src/middleware/cors_gone.rs: no such file",
            "tests/security.rs::no_such_test: no test `no_such_test` in tests/security.rs",
        ]
    );
}

#[test]
fn cache_presets_map_caching_document_its_variables_and_run_redis_in_ci() {
    for cache in [Cache::Memory, Cache::Redis] {
        let spec = ProjectSpec {
            cache,
            ..ProjectSpec::with_defaults(NAME)
        };
        let files = project_of(&spec);
        let map = &files["docs/BEST_PRACTICES.md"];
        let broken = broken_references(map, &files);
        assert!(broken.is_empty(), "{cache:?}: {}", broken.join("\n"));
        assert!(map.contains("| Caching"), "{cache:?}: no Caching row");
        assert!(files["src/cache/mod.rs"].contains("pub async fn get_or_load"));
        for doc in [".env.example", "README.md"] {
            assert!(files[doc].contains("CACHE_TTL_SECONDS"), "{cache:?}: {doc}");
            assert_eq!(
                files[doc].contains("REDIS_URL"),
                cache == Cache::Redis,
                "{cache:?}: {doc}"
            );
        }
        let workflow = &files[".github/workflows/ci.yml"];
        assert_eq!(
            workflow.contains("image: redis:"),
            cache == Cache::Redis,
            "{cache:?}: a Redis service in CI exactly when the cache is Redis"
        );
    }
    let plain = project(NAME);
    assert!(!plain.contains_key("src/cache/mod.rs") && !plain.contains_key("tests/cache.rs"));
    assert!(!plain["Cargo.toml"].contains("moka") && !plain["Cargo.toml"].contains("redis"));
    assert!(!plain["docs/BEST_PRACTICES.md"].contains("Caching"));
}

/// Every generated Rust file is already rustfmt-clean whatever the name's
/// length (rustfmt's layout depends on it), for every auth method and database,
/// with every cache (URL versioning) and with every versioning (no cache): paths
/// differ in length between versioning modes too.
/// Runs the toolchain's `rustfmt`; it fails, never skips, without one.
#[test]
fn rust_files_are_rustfmt_clean_with_a_long_name() {
    // As long as a crate name may be (64 characters).
    let name = "a-rather-long-billing-and-invoicing-service-name-of-64-character";
    assert_eq!(name.len(), 64);
    let every = Auth::supported().into_iter().flat_map(|auth| {
        Database::supported().into_iter().flat_map(move |db| {
            let caches = Cache::supported()
                .into_iter()
                .map(move |cache| (auth, db, cache, Versioning::Url));
            let versionings = Versioning::supported()
                .into_iter()
                .filter(|v| *v != Versioning::Url)
                .map(move |versioning| (auth, db, Cache::None, versioning));
            caches.chain(versionings)
        })
    });
    let rest = vec![Protocol::Rest];
    let every = every.map(|choices| (rest.clone(), choices));
    // Every other protocol set, with each auth method and versioning, on SQLite.
    let others = protocol_sets(&Protocol::supported())
        .into_iter()
        .filter(|protocols| *protocols != rest)
        .flat_map(|protocols| {
            Auth::supported().into_iter().flat_map(move |auth| {
                let protocols = protocols.clone();
                Versioning::supported().into_iter().map(move |versioning| {
                    let choices = (auth, Database::Sqlite, Cache::None, versioning);
                    (protocols.clone(), choices)
                })
            })
        });
    for (protocols, (auth, db, cache, versioning)) in every.chain(others) {
        {
            let spec = ProjectSpec {
                protocols,
                auth,
                db,
                cache,
                versioning,
                ..ProjectSpec::with_defaults(name)
            };
            let dir = tempfile::tempdir().unwrap();
            let mut rust_files = Vec::new();
            for (path, contents) in project_of(&spec) {
                let file = dir.path().join(&path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, contents).unwrap();
                if path.ends_with(".rs") {
                    rust_files.push(file);
                }
            }
            let output = std::process::Command::new("rustfmt")
                .args(["--check", "--edition", "2024"])
                .args(&rust_files)
                .output()
                .expect("rustfmt runs (rustup component add rustfmt)");
            assert!(
                output.status.success(),
                "{}: not rustfmt-clean:\n{}{}",
                spec.summary(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
