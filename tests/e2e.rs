//! End to end: for every combination of the matrix (`apigen::matrix`,
//! pairwise over every supported choice), generate a project with the real
//! binary and prove it is ready to run: its fresh `Cargo.lock` complete,
//! rustfmt-clean, clippy-clean with `-D warnings`, built, its own tests green
//! against the real servers it uses, and, served, answering `/health` and one
//! authenticated request on a resource route with its auth method.
//!
//! Each combination is one test named by its choices:
//! `cargo test --test e2e -- --list` shows the matrix, and
//! `cargo test --test e2e -- rest-jwt-postgres-url-redis-resources` runs one.
//! A failure names the combination and the step, and keeps the project on
//! disk, printing its path.
//!
//! Slow the first time (the generated projects' dependencies compile once);
//! all runs share one target folder outside the checkout, set by
//! `APIGEN_E2E_TARGET_DIR` (default: `~/.cache/apigen/e2e-target`).
//!
//! The PostgreSQL and MySQL projects run their tests against real servers
//! (passed to them as `TEST_DATABASE_URL`), and the Redis ones against a real
//! Redis (`REDIS_URL`): the servers that `APIGEN_E2E_POSTGRES_URL`,
//! `APIGEN_E2E_MYSQL_URL` and `REDIS_URL` name, or, where one is not set,
//! a throwaway server the run starts and stops itself ([`servers`]).

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use apigen::matrix::{self, Combination, Resources};
use apigen::project_vars::AuthVars;
use apigen::spec::{Auth, Cache, Choice, Database, ProjectSpec, Protocol, Versioning, Writes};
use libtest_mimic::{Arguments, Failed, Trial};
use outcome::succeeded;
use servers::{Service, free_port};
use tungstenite::client::IntoClientRequest;

#[path = "e2e/outcome.rs"]
mod outcome;
#[path = "e2e/provider.rs"]
mod provider;
#[path = "e2e/servers.rs"]
mod servers;

/// One trial per combination, run by libtest-mimic with the usual
/// `test result:` line (which `.ci/run` reads).
fn main() {
    let args = Arguments::from_args();
    let trials = matrix::combinations()
        .into_iter()
        .map(|combination| {
            Trial::test(combination.name(), move || {
                check(&combination).map_err(Failed::from)
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    // Before `exit`, which runs no destructor.
    servers::stop_all();
    if !args.list {
        prune_generated_artifacts(&shared_target_dir().join("debug"));
    }
    conclusion.exit();
}

/// Removes what the generated projects compiled into the shared target folder
/// (their libraries, binaries and test binaries): each lives in a new temporary
/// folder, so no later run reuses them, and a run leaves over a gigabyte of them.
/// Their dependencies, which every run reuses, stay. A generated crate is told by
/// its `.d` file ([`lists_local_sources`]). Run once the trials are
/// over: a second run beside this one (another checkout's) would lose its
/// products too.
fn prune_generated_artifacts(debug: &Path) {
    for folder in [debug.join("deps"), debug.to_path_buf()] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_generated = path.extension().is_some_and(|e| e == "d")
                && std::fs::read_to_string(&path).is_ok_and(|d| lists_local_sources(&d));
            if !is_generated {
                continue;
            }
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            for product in [
                stem.to_string(),
                format!("lib{stem}.rlib"),
                format!("lib{stem}.rmeta"),
            ] {
                let _ = std::fs::remove_file(folder.join(product));
            }
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Whether a `.d` file is a generated project's: rustc's in `deps/` names the
/// crate's root first and relatively (`src/main.rs`), cargo's copy in `debug/`
/// names sources in the temporary folder; a dependency's are absolute paths in
/// the registry.
fn lists_local_sources(dep_info: &str) -> bool {
    let first = dep_info.lines().next().unwrap_or_default();
    let sources: Vec<&str> = first
        .split_once(": ")
        .map(|(_, sources)| sources.split_whitespace().collect())
        .unwrap_or_default();
    let temp = std::env::temp_dir();
    sources.first().is_some_and(|root| !root.starts_with('/'))
        || sources
            .iter()
            .any(|source| Path::new(source).starts_with(&temp))
}

/// Proves the quality bar for `combination` in a temporary folder, removed
/// on success and kept, with its path in the message, on failure.
fn check(combination: &Combination) -> Result<(), String> {
    // The servers first: a missing one fails at once, before any work.
    let servers = Servers::of(combination).map_err(|e| format!("{}: {e}", combination.name()))?;
    let work = tempfile::Builder::new()
        .prefix(&format!("apigen-e2e-{}-", combination.name()))
        .tempdir()
        .map_err(|e| {
            format!(
                "{}: cannot create a temporary folder: {e}",
                combination.name()
            )
        })?;
    ready_to_run(combination, &servers, work.path()).map_err(|failure| {
        let kept = work.keep();
        format!(
            "{}: {failure}\nthe project is kept in {} for inspection",
            combination.name(),
            kept.display()
        )
    })
}

/// Every step, in order, on a project generated inside `dir`.
fn ready_to_run(combination: &Combination, servers: &Servers, dir: &Path) -> Result<(), String> {
    let name = combination.project_name();
    let project = dir.join(&name);
    let start = Instant::now();
    let log = |step: &str| {
        let elapsed = start.elapsed().as_secs();
        eprintln!("e2e {} (at {elapsed}s): {step}", combination.name());
    };

    let step = |args: &[&str], envs: &[(&str, &str)]| {
        log(&format!("cargo {}", args.join(" ")));
        cargo(&project, args, envs)
    };

    let server = servers.database.as_ref();
    let redis_env = servers.redis_env();
    log("apigen new");
    apigen(dir, &new_args(combination, &name))?;
    // The generated Cargo.lock is complete for these choices: nothing to resolve.
    step(&["metadata", "--locked", "--format-version", "1"], &[])?;
    if combination.resources != Resources::Fresh {
        log("apigen add resource");
        add_resources(&project, combination.owned())?;
    }
    if combination.resources == Resources::SecondVersion {
        log("apigen add version v2");
        apigen(&project, &["add", "version", "v2"])?;
    }
    if combination.resources == Resources::Updated {
        live(combination, &project, &log)?;
    }
    let test_envs: Vec<(&str, &str)> = server
        .iter()
        .map(|s| ("TEST_DATABASE_URL", s.url.as_str()))
        .chain(redis_env.iter().copied())
        .collect();
    step(&["fmt", "--check"], &[])?;
    // Type-checks the tests too, so there is no separate `cargo check`.
    step(&["clippy", "--all-targets", "--", "-D", "warnings"], &[])?;
    step(build_args(combination), &[])?;
    // Reuses the build's artifacts but for crates whose features the
    // project's dev-dependencies change.
    step(&["test"], &test_envs)?;
    if combination.resources == Resources::SecondVersion {
        // The first run recorded v1's contract; a resource in v2 must leave it as it is.
        let contract = project.join("tests/contracts/v1.json");
        if !contract.is_file() {
            return Err(format!("the tests did not record {}", contract.display()));
        }
        // v1's GraphQL schema, where there is one, must not change either.
        let v1_schema = std::fs::read_to_string(project.join("schema.graphql")).ok();
        log("apigen add resource comments (v2 only)");
        apigen(
            &project,
            &["add", "resource", "comments", "--fields", COMMENTS],
        )?;
        step(&["fmt", "--check"], &[])?;
        step(&["clippy", "--all-targets", "--", "-D", "warnings"], &[])?;
        // As `add resource` tells users: v2's checked-in GraphQL schema grew.
        let update_schemas = [test_envs.clone(), vec![("UPDATE_GRAPHQL_SCHEMA", "1")]].concat();
        step(&["test"], &update_schemas)?;
        if std::fs::read_to_string(project.join("schema.graphql")).ok() != v1_schema {
            return Err("adding a resource to v2 changed v1's schema.graphql".into());
        }
    }
    log("serve");
    serve(combination, &project, server, &redis_env)
}

/// The fields of the resource added to v2 only, `comments`: its model
/// (`comment`) sorts between `auth` and the test-only `contract` of
/// `src/models/mod.rs`, where an injection once split `#[cfg(test)]` from its item.
const COMMENTS: &str = "votes:int,body:text?";

/// A third resource added and taken out again, and the cache turned on
/// after creation: [`Resources::Updated`].
fn live(combination: &Combination, project: &Path, log: &dyn Fn(&str)) -> Result<(), String> {
    log(
        "apigen add resource notes; a team's edits; apigen update --cache; apigen remove resource notes",
    );
    apigen(
        project,
        &["add", "resource", "notes", "--fields", "text:string"],
    )?;
    for edit in TEAM_EDITS {
        edit.make(project)?;
    }
    let cache = combination.choices.cache.name();
    apigen(project, &["update", "--cache", &cache])?;
    apigen(project, &["remove", "resource", "notes"])?;
    if project.join("src/routers/notes.rs").exists() {
        return Err("apigen remove resource notes left src/routers/notes.rs".into());
    }
    for edit in TEAM_EDITS {
        edit.kept(project)?;
    }
    Ok(())
}

/// A line a team writes into its project before `apigen update`: after `anchor`
/// (or at the end), in `path`. The update must keep it, and the project is then
/// linted, tested and served like any other.
struct TeamEdit {
    path: &'static str,
    anchor: Option<&'static str>,
    line: &'static str,
}

/// A file the update changes too (`src/state.rs` gains the cache, the README its
/// row), a handler it does not change, and a test of the team's own, which the
/// project's `cargo test` then runs.
const TEAM_EDITS: [TeamEdit; 4] = [
    TeamEdit {
        path: "src/state.rs",
        anchor: Some("//! Shared application state"),
        line: "//! Team note: keep every field cheap to clone.",
    },
    TeamEdit {
        path: "src/routers/health.rs",
        anchor: Some("#[utoipa::path("),
        line: "// Team note: the load balancer probes this every 5 s.",
    },
    TeamEdit {
        path: "README.md",
        anchor: None,
        line: "Team note: the platform team is on call for this service.",
    },
    TeamEdit {
        path: "tests/team.rs",
        anchor: None,
        line: "#[test]\nfn the_team_note_is_in_the_readme() {\n    \
               assert!(include_str!(\"../README.md\").contains(\"platform team\"));\n}",
    },
];

impl TeamEdit {
    fn make(&self, project: &Path) -> Result<(), String> {
        let path = project.join(self.path);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let edited = match self.anchor {
            Some(anchor) => {
                let at = text
                    .find(anchor)
                    .ok_or_else(|| format!("{} has no `{anchor}` to edit at", self.path))?;
                format!("{}{}\n{}", &text[..at], self.line, &text[at..])
            }
            None if text.is_empty() => format!("{}\n", self.line),
            None => format!("{text}\n{}\n", self.line),
        };
        std::fs::write(&path, edited).map_err(|err| format!("{}: {err}", self.path))
    }

    fn kept(&self, project: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(project.join(self.path)).unwrap_or_default();
        if !text.contains(self.line) {
            return Err(format!(
                "apigen update lost the team's edit of {}",
                self.path
            ));
        }
        if text.contains("<<<<<<<") {
            return Err(format!(
                "apigen update left conflict markers in {}",
                self.path
            ));
        }
        Ok(())
    }
}

/// `apigen new NAME --yes` and the combination's flags (a lived project's
/// without its cache, which `apigen update` turns on later); every project but
/// the default one (generated exactly as users first run it) skips git.
fn new_args(combination: &Combination, name: &str) -> Vec<String> {
    let mut args: Vec<String> = ["new", name, "--yes"].map(String::from).to_vec();
    if combination.resources == Resources::Updated {
        let before = Combination {
            choices: ProjectSpec {
                cache: Cache::None,
                ..combination.choices.clone()
            },
            ..combination.clone()
        };
        args.extend(before.new_args());
    } else {
        args.extend(combination.new_args());
    }
    if *combination != Combination::default_project() {
        args.extend(["--vcs", "none"].map(String::from));
    }
    args
}

/// `cargo build --locked` while the lock is apigen's; after `add resource`
/// (decimal and json fields add dependencies) cargo may update it.
fn build_args(combination: &Combination) -> &'static [&'static str] {
    match combination.resources {
        Resources::Fresh => &["build", "--locked"],
        Resources::Added | Resources::SecondVersion | Resources::Updated => &["build"],
    }
}

fn shared_target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("APIGEN_E2E_TARGET_DIR") {
        return dir.into();
    }
    let home = std::env::var_os("HOME").expect("HOME or APIGEN_E2E_TARGET_DIR must be set");
    Path::new(&home).join(".cache/apigen/e2e-target")
}

/// Runs `apigen` with `args` in `dir`, without a terminal.
fn apigen<S: AsRef<str>>(dir: &Path, args: &[S]) -> Result<(), String> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let output = Command::new(env!("CARGO_BIN_EXE_apigen"))
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("step 'apigen {}' could not start: {e}", args.join(" ")))?;
    succeeded(&format!("apigen {}", args.join(" ")), &output)
}

/// Runs `cargo` with `args` (and `envs`) inside the generated project, on
/// the shared target folder. Debug info is kept to line tables: it changes
/// no check, and each project's many test binaries build and link faster
/// without full DWARF.
fn cargo(project: &Path, args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    let step = format!("cargo {}", args.join(" "));
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        // Each project is built once, in a new folder: incremental state is never reused.
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .envs(envs.iter().copied())
        .output()
        .map_err(|e| format!("step '{step}' could not start: {e}"))?;
    succeeded(&step, &output)
}

/// The two resources the end-to-end tests add: every field type and
/// modifier between them; `order_items` is `--owned` when `owned`.
fn add_resources(project: &Path, owned: bool) -> Result<(), String> {
    apigen(
        project,
        &[
            "add",
            "resource",
            "products",
            "--fields",
            "title:string,body:text?,price:decimal,in_stock:bool,sku:string:unique,released_on:date,quantity:int:index",
        ],
    )?;
    let mut args = vec!["add", "resource", "order_items"];
    if owned {
        args.push("--owned");
    }
    args.extend([
        "--fields",
        "reference:uuid:unique,count:bigint,weight:float?,placed_at:datetime,metadata:json?,note:string?",
    ]);
    apigen(project, &args)
}

/// The servers a combination's project uses, in its tests and served.
struct Servers {
    /// The database server of `--db postgres` or `--db mysql`.
    database: Option<Server>,
    /// The Redis of `--cache redis`.
    redis_url: Option<String>,
}

impl Servers {
    fn of(combination: &Combination) -> Result<Self, String> {
        let redis_url = match combination.choices.cache {
            Cache::Redis => Some(servers::url(Service::Redis)?),
            Cache::None | Cache::Memory => None,
        };
        Ok(Self {
            database: Server::of(combination.choices.db)?,
            redis_url,
        })
    }

    /// `REDIS_URL`, where the project uses Redis.
    fn redis_env(&self) -> Vec<(&str, &str)> {
        let url = self.redis_url.as_deref();
        url.map(|url| ("REDIS_URL", url)).into_iter().collect()
    }
}

/// A database server the generated tests run against.
struct Server {
    db: Database,
    /// An existing database on the server (`TEST_DATABASE_URL`).
    url: String,
}

impl Server {
    /// The server a `--db` value uses, if any (SQLite and the in-memory
    /// store need none).
    fn of(db: Database) -> Result<Option<Self>, String> {
        let service = match db {
            Database::Postgres => Service::Postgres,
            Database::Mysql => Service::Mysql,
            Database::Sqlite | Database::None => return Ok(None),
        };
        let url = servers::url(service)?;
        Ok(Some(Self { db, url }))
    }

    /// The URL of database `name` on this server.
    fn database_url(&self, name: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").expect("a URL");
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        format!("{scheme}://{authority}/{name}")
    }

    /// Drops database `name` with the server's command-line client, when it
    /// is installed (the served binary created it on start).
    fn drop_database(&self, name: &str) {
        let sql = format!("DROP DATABASE IF EXISTS {name}");
        let status = match self.db {
            Database::Postgres => Command::new("psql")
                .args([self.url.as_str(), "-qc", &sql])
                .status(),
            _ => {
                let (_, rest) = self.url.split_once("://").unwrap();
                let (user, rest) = rest.split_once('@').unwrap_or(("root", rest));
                let address = rest.split(['/', '?']).next().unwrap_or(rest);
                let (host, port) = address.split_once(':').unwrap_or((address, "3306"));
                let (user, password) = user.split_once(':').unwrap_or((user, ""));
                Command::new("mysql")
                    .args(["-h", host, "-P", port, "-u", user, "-e", &sql])
                    .env("MYSQL_PWD", password)
                    .status()
            }
        };
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("e2e: could not drop database {name}; drop it by hand");
        }
    }
}

/// Tells apart the databases the served binaries create in one run.
static SERVED: AtomicUsize = AtomicUsize::new(0);

/// Starts the built binary (on a fresh database of its own on `server`, if
/// any: dropped afterwards; with `envs`) and probes it.
fn serve(
    combination: &Combination,
    project: &Path,
    server: Option<&Server>,
    envs: &[(&str, &str)],
) -> Result<(), String> {
    // An OAuth2 project trusts the harness's identity provider.
    let provided = if combination.choices.auth == Auth::Oauth2 {
        provider::envs(&provider::serve_jwks()?)
    } else {
        Vec::new()
    };
    let provided: Vec<(&str, &str)> = provided.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let envs: &[(&str, &str)] = &[envs, &provided].concat();
    let Some(server) = server else {
        return serve_and_probe(combination, project, envs);
    };
    let database = format!(
        "e2e_serve_{}_{}",
        std::process::id(),
        SERVED.fetch_add(1, Ordering::Relaxed)
    );
    let url = server.database_url(&database);
    let envs = [envs, &[("DATABASE_URL", url.as_str())]].concat();
    let result = serve_and_probe(combination, project, &envs);
    server.drop_database(&database);
    result
}

/// Runs the binary on a free port, its log in `e2e-server.log` in the
/// project; expects 200 from `/health`, then an authenticated request.
fn serve_and_probe(
    combination: &Combination,
    project: &Path,
    envs: &[(&str, &str)],
) -> Result<(), String> {
    let binary = shared_target_dir()
        .join("debug")
        .join(combination.project_name());
    let served = Served {
        port: free_port(),
        prefix: combination.spec("e2e").api_prefix(),
        project,
        binary: &binary,
        envs,
        stdout: project.join("e2e-server.out"),
    };
    let log_path = project.join("e2e-server.log");
    let log = File::create(&log_path).map_err(|e| format!("cannot create {log_path:?}: {e}"))?;
    let out = File::create(&served.stdout).map_err(|e| format!("cannot create stdout: {e}"))?;
    let child = Command::new(served.binary)
        .args(serve_args(combination))
        .current_dir(served.project)
        .env("PORT", served.port.to_string())
        .env("HOST", "127.0.0.1")
        .envs(served.envs.iter().copied())
        .stdout(out)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("step 'serve' could not start {}: {e}", binary.display()))?;
    let server = KillOnDrop(child);
    let probed = probe(combination, &served);
    drop(server);
    probed.map_err(|problem| {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        format!("step 'serve' failed: {problem}\nthe server's log:\n{log}")
    })
}

/// A running server of the matrix, and how it was started: enough for an
/// auth method whose credentials are made by the binary itself (a command
/// run against the same database) as well as over HTTP.
struct Served<'a> {
    port: u16,
    /// The path prefix of versioned routes (`/v1`).
    prefix: &'static str,
    /// The project folder the server runs in.
    project: &'a Path,
    binary: &'a Path,
    /// The environment it was started with beyond `PORT` and `HOST`
    /// (`DATABASE_URL` on a server database).
    envs: &'a [(&'a str, &'a str)],
    /// Where its standard output goes.
    stdout: PathBuf,
}

/// The server's arguments: none, but an API-key project on the in-memory
/// store (which no second process can reach) mints its first key at start-up.
fn serve_args(combination: &Combination) -> Vec<&'static str> {
    if combination.choices.auth == Auth::ApiKey && combination.choices.db == Database::None {
        vec!["serve", "--create-api-key", "e2e", "--role", "admin"]
    } else {
        Vec::new()
    }
}

/// `/health` answers 200, and the project's auth method lets one request
/// in on a resource route.
fn probe(combination: &Combination, served: &Served) -> Result<(), String> {
    let health = get_when_up(served.port, "/health", Duration::from_secs(60))?;
    expect(&health, 200, "GET /health")?;
    if !health.body.contains("\"status\":\"ok\"") {
        return Err(format!("GET /health: {}", health.body));
    }
    let credential = credential(combination, served)?;
    if combination.resources == Resources::SecondVersion {
        return probe_versions(combination, served, &credential);
    }
    if combination.choices.protocols.contains(&Protocol::Graphql) {
        probe_graphql(combination, served, &credential)?;
    }
    if combination.choices.protocols.contains(&Protocol::Grpc) {
        probe_grpc(combination, served, &credential)?;
    }
    if combination.choices.protocols.contains(&Protocol::Websocket) {
        probe_websocket(combination, served, &credential)?;
    }
    authenticated_get(
        served.port,
        &probe_path(combination, served.prefix),
        &[],
        &credential,
    )?;
    if matches!(combination.resources, Resources::Added | Resources::Updated) {
        probe_write_policy(combination, served, &credential)?;
    }
    Ok(())
}

/// What a write to the shared resource answers: refused by its write policy, or
/// let through to the service (which finds no row with [`NO_SUCH_ID`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriteAnswer {
    Refused,
    Reached,
}

/// An id no row has: a delete of it changes nothing, whoever sends it.
const NO_SUCH_ID: &str = "00000000-0000-4000-8000-000000000000";

/// The write policy of `products`, added without `--writes` (its default for the
/// auth method): a caller without the admin role is refused where the default is
/// `admin` (accounts register themselves) and let through where it is `any`
/// (API keys), over every protocol the project speaks; an admin is let through.
fn probe_write_policy(
    combination: &Combination,
    served: &Served,
    credential: &Credential,
) -> Result<(), String> {
    let auth = combination.choices.auth;
    let Some(policy) = Writes::default_for(auth) else {
        return Ok(()); // --auth none: no callers, nothing to enforce.
    };
    let plain = match policy {
        Writes::Admin => WriteAnswer::Refused,
        Writes::Any => WriteAnswer::Reached,
    };
    let vars = AuthVars::of(auth);
    if vars.users {
        // The e2e account registered itself, so it is a plain user.
        expect_writes(combination, served, credential, plain)?;
        // Only a database lets another process (`promote-admin`) grant the role.
        if combination.choices.db != Database::None {
            let admin = promoted_admin(combination, served)?;
            expect_writes(combination, served, &admin, WriteAnswer::Reached)?;
        }
    } else if vars.provider {
        // The provider signs an admin's token (the credential) and a plain user's.
        expect_writes(combination, served, credential, WriteAnswer::Reached)?;
        let user = bearer(&provider::user_token());
        expect_writes(combination, served, &user, plain)?;
    } else if vars.api_keys {
        // The e2e key is an admin key; it issues a user key.
        expect_writes(combination, served, credential, WriteAnswer::Reached)?;
        let user = user_key(served, credential)?;
        expect_writes(combination, served, &user, plain)?;
    }
    Ok(())
}

/// A delete of [`NO_SUCH_ID`] by `credential` answers `expected` on every protocol:
/// refused is 403, `FORBIDDEN` or `PERMISSION_DENIED` (7); reached is 404,
/// `NOT_FOUND` or `NOT_FOUND` (5).
fn expect_writes(
    combination: &Combination,
    served: &Served,
    credential: &Credential,
    expected: WriteAnswer,
) -> Result<(), String> {
    let refused = expected == WriteAnswer::Refused;
    let protocols = &combination.choices.protocols;
    if protocols.contains(&Protocol::Rest) {
        let path = format!("{}/products/{NO_SUCH_ID}", served.prefix);
        let answer = request(served.port, "DELETE", &path, &credential.headers, None)?;
        expect(
            &answer,
            if refused { 403 } else { 404 },
            &format!("DELETE {path} ({expected:?})"),
        )?;
    }
    if protocols.contains(&Protocol::Graphql) {
        let path = format!("{}/graphql", served.prefix);
        let query = format!(r#"{{"query": "mutation {{ deleteProduct(id: \"{NO_SUCH_ID}\") }}"}}"#);
        let answer = request(
            served.port,
            "POST",
            &path,
            &credential.headers,
            Some(&query),
        )?;
        let code = answer.json()?["errors"][0]["extensions"]["code"].clone();
        if code != if refused { "FORBIDDEN" } else { "NOT_FOUND" } {
            return Err(format!(
                "POST {path} deleteProduct ({expected:?}): {}",
                answer.body
            ));
        }
    }
    if protocols.contains(&Protocol::Grpc) {
        let method = format!(
            "/{}.v1.ProductService/DeleteProduct",
            combination.project_name()
        );
        // DeleteProductRequest { id = 1 }: field 1, length-delimited.
        let mut message = vec![0x0a, NO_SUCH_ID.len() as u8];
        message.extend_from_slice(NO_SUCH_ID.as_bytes());
        let answer = grpc_call_with(served, &method, &credential.headers, &message)?;
        if answer.status.as_deref() != Some(if refused { "7" } else { "5" }) {
            return Err(format!(
                "gRPC {method} ({expected:?}): {}",
                answer.describe()
            ));
        }
    }
    Ok(())
}

/// The e2e account made an admin by the binary's `promote-admin` (run against
/// the server's database, as its users do), then logged in again: the role is
/// fixed at login.
fn promoted_admin(combination: &Combination, served: &Served) -> Result<Credential, String> {
    let output = Command::new(served.binary)
        .args(["promote-admin", E2E_EMAIL])
        .current_dir(served.project)
        .envs(served.envs.iter().copied())
        .output()
        .map_err(|e| format!("step 'promote-admin' could not start: {e}"))?;
    succeeded("promote-admin", &output)?;
    let login = log_in(served.port, served.prefix)?;
    match combination.choices.auth {
        Auth::Session => session_of(&login),
        _ => jwt_of(&login),
    }
}

/// A `user` key, issued over HTTP by the admin key `admin`.
fn user_key(served: &Served, admin: &Credential) -> Result<Credential, String> {
    let path = format!("{}/api-keys", served.prefix);
    let body = r#"{"name":"e2e-user"}"#;
    let created = request(served.port, "POST", &path, &admin.headers, Some(body))?;
    expect(&created, 201, &format!("POST {path}"))?;
    let key = created.json()?["key"]
        .as_str()
        .ok_or_else(|| format!("POST {path}: no key in {}", created.body))?
        .to_owned();
    Ok(Credential {
        headers: vec![("X-API-Key", key)],
    })
}

/// The resource of v2 answers in v2; v1 answers as before, marked deprecated.
/// Where the project speaks GraphQL and gRPC, each version has its own schema
/// and package: v2's has the resource of v2 (and the copies of v1's), v1's has not.
fn probe_versions(
    combination: &Combination,
    served: &Served,
    credential: &Credential,
) -> Result<(), String> {
    let in_v2: Vec<(&str, String)> = match combination.choices.versioning {
        Versioning::Header => vec![("accept-version", "2".to_owned())],
        _ => Vec::new(),
    };
    let v2_prefix = match combination.choices.versioning {
        Versioning::Header => "",
        _ => "/v2",
    };
    authenticated_get(
        served.port,
        &format!("{v2_prefix}/comments"),
        &in_v2,
        credential,
    )?;
    let v1 = format!("{}/products", served.prefix);
    let old = request(served.port, "GET", &v1, &credential.headers, None)?;
    expect(&old, 200, &format!("GET {v1} (v1)"))?;
    if old.header("deprecation").is_none() || old.header("sunset").is_none() {
        return Err(format!(
            "GET {v1}: v1 is not marked deprecated:\n{}",
            old.head
        ));
    }
    if combination.choices.protocols.contains(&Protocol::Graphql) {
        let query = r#"{"query": "{ comments(limit: 1) { total } }"}"#;
        let v2 = format!("{v2_prefix}/graphql");
        let headers = [credential.headers.clone(), in_v2.clone()].concat();
        let answer = request(served.port, "POST", &v2, &headers, Some(query))?;
        let body = answer.json()?;
        if body.get("errors").is_some() || body["data"]["comments"].is_null() {
            return Err(format!("POST {v2} (v2): {}", answer.body));
        }
        let v1 = format!("{}/graphql", served.prefix);
        let answer = request(served.port, "POST", &v1, &credential.headers, Some(query))?;
        if answer.json()?.get("errors").is_none() {
            return Err(format!(
                "POST {v1}: v1's schema has v2's comments: {}",
                answer.body
            ));
        }
    }
    if combination.choices.protocols.contains(&Protocol::Grpc) {
        let package = combination.project_name();
        // (method, grpc-status, deprecated)
        for (method, code, deprecated) in [
            (
                format!("/{package}.v2.CommentService/ListComments"),
                "0",
                false,
            ),
            (
                format!("/{package}.v2.ProductService/ListProducts"),
                "0",
                false,
            ),
            (
                format!("/{package}.v1.ProductService/ListProducts"),
                "0",
                true,
            ),
            // UNIMPLEMENTED: the resource of v2 is not in v1's package.
            (
                format!("/{package}.v1.CommentService/ListComments"),
                "12",
                true,
            ),
        ] {
            let answer = grpc_call(served, &method, &credential.headers)?;
            let marked = answer.head.to_ascii_lowercase().contains("\ndeprecation:");
            if answer.status.as_deref() != Some(code) || marked != deprecated {
                return Err(format!(
                    "gRPC {method} (deprecated: {deprecated}): {}",
                    answer.describe()
                ));
            }
        }
    }
    Ok(())
}

/// The route the authenticated request reads: the first added resource, or
/// the signed-in user where no REST resource was added.
fn probe_path(combination: &Combination, prefix: &str) -> String {
    let rest_resources = combination.resources != Resources::Fresh
        && combination.choices.protocols.contains(&Protocol::Rest);
    let auth = AuthVars::of(combination.choices.auth);
    if rest_resources {
        format!("{prefix}/products")
    } else if auth.users {
        format!("{prefix}/users/me")
    } else if auth.api_keys {
        format!("{prefix}/api-keys")
    } else if auth.provider {
        format!("{prefix}/admin/audit-events")
    } else {
        // No route of its own yet: the document that says every route is public.
        "/openapi.json".to_owned()
    }
}

/// `POST {prefix}/graphql` answers a query with the credential (the first
/// resource's list, or the server's version where none was added); where the
/// method has credentials, the resource's field refuses a request without them.
fn probe_graphql(
    combination: &Combination,
    served: &Served,
    credential: &Credential,
) -> Result<(), String> {
    let path = format!("{}/graphql", served.prefix);
    let query = match combination.resources {
        Resources::Fresh => r#"{"query": "{ serverVersion }"}"#,
        _ => r#"{"query": "{ products(limit: 1) { total } }"}"#,
    };
    let answer = request(served.port, "POST", &path, &credential.headers, Some(query))?;
    expect(&answer, 200, &format!("POST {path} signed in"))?;
    let body = answer.json()?;
    if body.get("errors").is_some() || body["data"].is_null() {
        return Err(format!("POST {path} signed in: {}", answer.body));
    }
    if combination.resources != Resources::Fresh && !credential.headers.is_empty() {
        let anonymous = request(served.port, "POST", &path, &[], Some(query))?;
        let code = anonymous.json()?["errors"][0]["extensions"]["code"].clone();
        if code != "UNAUTHENTICATED" {
            return Err(format!(
                "POST {path} without credentials: {}",
                anonymous.body
            ));
        }
    }
    Ok(())
}

/// A real WebSocket client at `{prefix}/ws`: the caller proven as a browser does it
/// (the session cookie on the handshake, or the credentials in the first `auth`
/// message), then a request answered over the socket (where resources were added,
/// a subscription to `products` and a page of them; else the refusal naming the
/// missing resource). Where the method has credentials, a socket without them is
/// refused: the handshake (sessions), or the request with `UNAUTHENTICATED`.
fn probe_websocket(
    combination: &Combination,
    served: &Served,
    credential: &Credential,
) -> Result<(), String> {
    let url = format!("ws://127.0.0.1:{}{}/ws", served.port, served.prefix);
    let sessions = combination.choices.auth == Auth::Session;
    let open = |headers: &[(&'static str, String)]| {
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|error| format!("{url}: {error}"))?;
        for (name, value) in headers {
            let value = value.parse().map_err(|_| format!("header {name}"))?;
            request.headers_mut().insert(*name, value);
        }
        tungstenite::connect(request)
            .map(|(socket, _)| socket)
            .map_err(|error| format!("WebSocket {url}: {error}"))
    };
    let exchange = |socket: &mut WebSocket, message: serde_json::Value| {
        socket
            .send(tungstenite::Message::text(message.to_string()))
            .map_err(|error| format!("WebSocket send: {error}"))?;
        loop {
            match socket.read() {
                Ok(tungstenite::Message::Text(text)) => {
                    return serde_json::from_str::<serde_json::Value>(&text)
                        .map_err(|error| format!("WebSocket answer {text}: {error}"));
                }
                Ok(_) => continue,
                Err(error) => return Err(format!("WebSocket read: {error}")),
            }
        }
    };
    let cookie: Vec<_> = credential
        .headers
        .iter()
        .filter(|(name, _)| *name == "Cookie")
        .cloned()
        .collect();
    let mut socket = open(if sessions { &cookie } else { &[] })?;
    if !credential.headers.is_empty() && !sessions {
        let credentials: serde_json::Map<_, _> = credential
            .headers
            .iter()
            .map(|(name, value)| (name.to_lowercase(), value.clone().into()))
            .collect();
        let auth = serde_json::json!({ "v": 1, "type": "auth", "credentials": credentials });
        let proven = exchange(&mut socket, auth)?;
        if proven["type"] != "reply" {
            return Err(format!("WebSocket auth: {proven}"));
        }
    }
    let list = serde_json::json!({ "v": 1, "ref": "l", "type": "list", "resource": "products", "limit": 1 });
    if combination.resources == Resources::Fresh {
        let answer = exchange(&mut socket, list.clone())?;
        if answer["error"]["code"] != "NOT_FOUND" || answer["ref"] != "l" {
            return Err(format!("WebSocket list of no resource: {answer}"));
        }
    } else {
        let subscribe = serde_json::json!({ "v": 1, "type": "subscribe", "resource": "products" });
        let subscribed = exchange(&mut socket, subscribe)?;
        let page = exchange(&mut socket, list.clone())?;
        if subscribed["type"] != "reply" || page["data"]["total"].as_u64().is_none() {
            return Err(format!("WebSocket subscribe and list: {subscribed} {page}"));
        }
    }
    let _ = socket.close(None);
    if credential.headers.is_empty() {
        return Ok(());
    }
    if sessions {
        return match open(&[]) {
            Err(error) if error.contains("401") => Ok(()),
            other => Err(format!(
                "WebSocket without a session: {:?}",
                other.map(|_| ())
            )),
        };
    }
    // A subscription names its caller before its resource, so it is refused the
    // same way whether or not the project has resources yet.
    let mut anonymous = open(&[])?;
    let subscribe = serde_json::json!({ "v": 1, "type": "subscribe", "resource": "products" });
    let refused = exchange(&mut anonymous, subscribe)?;
    if refused["error"]["code"] != "UNAUTHENTICATED" {
        return Err(format!("WebSocket list without credentials: {refused}"));
    }
    Ok(())
}

/// A client's socket to the served app.
type WebSocket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

/// The HTTP port also speaks gRPC (cleartext HTTP/2, as `curl --http2-prior-knowledge`
/// sends it): the standard health check answers SERVING, and where resources
/// were added, `ListProducts` answers with the credential (`grpc-status: 0`) and,
/// where the method has credentials, is UNAUTHENTICATED (16) without them.
fn probe_grpc(
    combination: &Combination,
    served: &Served,
    credential: &Credential,
) -> Result<(), String> {
    let health = grpc_call(served, "/grpc.health.v1.Health/Check", &[])?;
    // HealthCheckResponse { status: SERVING }: a 2-byte message, field 1 = 1.
    if health.status.as_deref() != Some("0") || !health.message.ends_with(&[0x08, 0x01]) {
        return Err(format!("gRPC health check: {}", health.describe()));
    }
    if combination.resources == Resources::Fresh {
        return Ok(());
    }
    let list = format!(
        "/{}.v1.ProductService/ListProducts",
        combination.project_name()
    );
    let signed = grpc_call(served, &list, &credential.headers)?;
    if signed.status.as_deref() != Some("0") {
        return Err(format!("gRPC {list} signed in: {}", signed.describe()));
    }
    if !credential.headers.is_empty() {
        let anonymous = grpc_call(served, &list, &[])?;
        if anonymous.status.as_deref() != Some("16") {
            return Err(format!(
                "gRPC {list} without credentials: {}",
                anonymous.describe()
            ));
        }
    }
    Ok(())
}

/// A unary gRPC answer: its `grpc-status` (a header or a trailer), its headers and
/// trailers, and its message bytes.
struct GrpcAnswer {
    status: Option<String>,
    head: String,
    message: Vec<u8>,
}

impl GrpcAnswer {
    fn describe(&self) -> String {
        format!(
            "grpc-status {:?}, body {:?}\n{}",
            self.status, self.message, self.head
        )
    }
}

/// curl's exit status for a stream reset in the HTTP/2 framing layer.
const CURL_HTTP2_STREAM: i32 = 92;

/// Calls `method` with an empty request message over cleartext HTTP/2, with curl.
fn grpc_call(
    served: &Served,
    method: &str,
    headers: &[(&'static str, String)],
) -> Result<GrpcAnswer, String> {
    grpc_call_with(served, method, headers, &[])
}

/// Calls `method` with the encoded request `message` over cleartext HTTP/2, with curl.
fn grpc_call_with(
    served: &Served,
    method: &str,
    headers: &[(&'static str, String)],
    message: &[u8],
) -> Result<GrpcAnswer, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let (request, head, body) = (
        dir.path().join("request"),
        dir.path().join("head"),
        dir.path().join("body"),
    );
    // One length-prefixed frame: not compressed, then the message's length.
    let length = u32::try_from(message.len()).map_err(|e| format!("message: {e}"))?;
    let frame = [&[0u8][..], &length.to_be_bytes(), message].concat();
    std::fs::write(&request, frame).map_err(|e| format!("write request: {e}"))?;
    let mut curl = Command::new("curl");
    curl.args([
        "--silent",
        "--show-error",
        "--http2-prior-knowledge",
        "-X",
        "POST",
    ])
    .args(["-H", "content-type: application/grpc", "-H", "te: trailers"]);
    for (name, value) in headers {
        curl.args(["-H", &format!("{name}: {value}")]);
    }
    curl.arg("--data-binary")
        .arg(format!("@{}", request.display()))
        .arg("--dump-header")
        .arg(&head)
        .arg("--output")
        .arg(&body)
        .arg(format!("http://127.0.0.1:{}{method}", served.port));
    // A server may answer before it has read the request (an unknown service, a
    // refusal) and then reset the stream with NO_ERROR (RFC 9113 §8.1); curl
    // sometimes drops such an answer with exit status 92, which gRPC clients do
    // not. So that status alone is retried.
    let mut attempts = 0;
    let output = loop {
        let output = curl
            .output()
            .map_err(|e| format!("gRPC {method}: curl could not start: {e}"))?;
        attempts += 1;
        if output.status.code() != Some(CURL_HTTP2_STREAM) || attempts == 5 {
            break output;
        }
    };
    succeeded(&format!("curl gRPC {method}"), &output)?;
    let head = std::fs::read_to_string(&head).map_err(|e| format!("read head: {e}"))?;
    let message = std::fs::read(&body).map_err(|e| format!("read body: {e}"))?;
    // curl writes the trailers after the headers, in the same form.
    let status = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("grpc-status")
            .then(|| value.trim().to_owned())
    });
    Ok(GrpcAnswer {
        status,
        head,
        message,
    })
}

/// What an authenticated request carries with one auth method: the headers
/// to send. Empty means the method lets every request in (`--auth none`:
/// `Ok(Credential { headers: Vec::new() })`).
struct Credential {
    headers: Vec<(&'static str, String)>,
}

/// Signs in to `served` the way clients of `auth` do. An auth method made
/// supported gets its match arm here; [`authenticated_get`] then proves the
/// credential on a resource route ([`probe_path`]).
fn credential(combination: &Combination, served: &Served) -> Result<Credential, String> {
    let auth = combination.choices.auth;
    match auth {
        Auth::Jwt => jwt_credential(served.port, served.prefix),
        // The API trusts its network: a request carries nothing.
        Auth::None => Ok(Credential {
            headers: Vec::new(),
        }),
        Auth::ApiKey => api_key_credential(served, combination.choices.db == Database::None),
        Auth::Session => session_credential(served.port, served.prefix),
        // Signed in at the harness's identity provider: an admin's token.
        Auth::Oauth2 => Ok(bearer(&provider::admin_token())),
    }
}

/// A credential sent as `Authorization: Bearer <token>`.
fn bearer(token: &str) -> Credential {
    Credential {
        headers: vec![("authorization", format!("Bearer {token}"))],
    }
}

/// API keys: the first key comes from the binary, as its users get it: the
/// last line of `create-api-key` (run against the server's database), or,
/// on the in-memory store, the key `serve --create-api-key` printed.
fn api_key_credential(served: &Served, in_memory: bool) -> Result<Credential, String> {
    let printed = if in_memory {
        std::fs::read_to_string(&served.stdout).map_err(|e| format!("server stdout: {e}"))?
    } else {
        let output = Command::new(served.binary)
            .args(["create-api-key", "--name", "e2e", "--role", "admin"])
            .current_dir(served.project)
            .envs(served.envs.iter().copied())
            .output()
            .map_err(|e| format!("step 'create-api-key' could not start: {e}"))?;
        succeeded("create-api-key", &output)?;
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // The key is a line of its own; the server's JSON log lines share its stdout.
    let key = printed
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('{') && !line.contains(' '))
        .ok_or_else(|| format!("no key printed: {printed:?}"))?;
    Ok(Credential {
        headers: vec![("X-API-Key", key.to_owned())],
    })
}

/// The e2e account's email.
const E2E_EMAIL: &str = "e2e@example.com";

/// Registers the e2e account and logs it in, as a browser or app would; the
/// login's response.
fn register_and_log_in(port: u16, prefix: &str) -> Result<Response, String> {
    let account = r#"{"email":"e2e@example.com","password":"correct horse battery","name":"E2E"}"#;
    let registered = request(
        port,
        "POST",
        &format!("{prefix}/auth/register"),
        &[],
        Some(account),
    )?;
    expect(&registered, 201, "register")?;
    log_in(port, prefix)
}

/// Logs the registered e2e account in; the login's response.
fn log_in(port: u16, prefix: &str) -> Result<Response, String> {
    let login = r#"{"email":"e2e@example.com","password":"correct horse battery"}"#;
    let response = request(
        port,
        "POST",
        &format!("{prefix}/auth/login"),
        &[],
        Some(login),
    )?;
    expect(&response, 200, "login")?;
    Ok(response)
}

/// Cookie sessions: log in, then send the session cookie back, with the
/// session's CSRF token for unsafe methods (a GraphQL POST).
fn session_credential(port: u16, prefix: &str) -> Result<Credential, String> {
    session_of(&register_and_log_in(port, prefix)?)
}

/// The session a successful `login` made: its cookie and CSRF token.
fn session_of(login: &Response) -> Result<Credential, String> {
    let set_cookie = login
        .header("set-cookie")
        .ok_or_else(|| format!("login: no Set-Cookie in {}", login.head))?;
    let cookie = set_cookie.split(';').next().unwrap_or_default().trim();
    if !set_cookie.contains("HttpOnly") || cookie.is_empty() {
        return Err(format!(
            "login: not an HttpOnly session cookie: {set_cookie}"
        ));
    }
    let csrf = login.json()?["csrf_token"]
        .as_str()
        .ok_or_else(|| format!("login: no csrf_token in {}", login.body))?
        .to_owned();
    Ok(Credential {
        headers: vec![("Cookie", cookie.to_owned()), ("X-CSRF-Token", csrf)],
    })
}

/// JWT: register a user, log in, and send the access token as a bearer.
fn jwt_credential(port: u16, prefix: &str) -> Result<Credential, String> {
    jwt_of(&register_and_log_in(port, prefix)?)
}

/// The access token of a successful `tokens` login, as a bearer.
fn jwt_of(tokens: &Response) -> Result<Credential, String> {
    let token = tokens.json()?["access_token"]
        .as_str()
        .ok_or_else(|| format!("login: no access_token in {}", tokens.body))?
        .to_owned();
    Ok(Credential {
        headers: vec![("Authorization", format!("Bearer {token}"))],
    })
}

/// GET `path` with `headers` and `credential` answers 200 with JSON; when the
/// credential is something, the same GET without it answers 401.
fn authenticated_get(
    port: u16,
    path: &str,
    headers: &[(&'static str, String)],
    credential: &Credential,
) -> Result<(), String> {
    let signed: Vec<(&str, String)> = headers.iter().chain(&credential.headers).cloned().collect();
    let with = request(port, "GET", path, &signed, None)?;
    expect(&with, 200, &format!("GET {path} signed in"))?;
    with.json()?;
    if !credential.headers.is_empty() {
        let without = request(port, "GET", path, headers, None)?;
        expect(&without, 401, &format!("GET {path} without credentials"))?;
    }
    Ok(())
}

/// An HTTP response's status code, head (status line and headers) and body.
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    /// The value of the first header called `name` (case-insensitive).
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_str(&self.body).map_err(|e| format!("not JSON ({e}): {}", self.body))
    }
}

/// `Ok` when `response` has `status`; otherwise what answered instead.
fn expect(response: &Response, status: u16, what: &str) -> Result<(), String> {
    if response.status == status {
        return Ok(());
    }
    Err(format!(
        "{what}: expected {status}, got {}: {}",
        response.status, response.body
    ))
}

/// A plain HTTP/1.1 request (`Connection: close`), with a JSON `body` when
/// there is one.
fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> Result<Response, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("{method} {path}: cannot connect to port {port}: {e}"))?;
    send(&mut stream, method, path, headers, body).map_err(|e| format!("{method} {path}: {e}"))
}

/// Writes the request on `stream` and reads the whole response.
fn send(
    stream: &mut TcpStream,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> Result<Response, String> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(body.unwrap_or_default());
    stream
        .write_all(head.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    parse_response(&response)
}

/// The status code and body of a raw response.
fn parse_response(response: &str) -> Result<Response, String> {
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((response, ""));
    let status = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP/1.1 response: {response}"))?;
    Ok(Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

/// A GET retried until the server accepts connections, for `patience`.
fn get_when_up(port: u16, path: &str, patience: Duration) -> Result<Response, String> {
    let start = Instant::now();
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            return send(&mut stream, "GET", path, &[], None)
                .map_err(|e| format!("GET {path}: {e}"));
        }
        if start.elapsed() > patience {
            return Err(format!(
                "the server did not start on port {port} in {patience:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
