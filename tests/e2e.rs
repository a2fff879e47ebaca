//! End to end: generate a project with the real binary, then prove it is
//! ready to run — rustfmt-clean, clippy-clean with `-D warnings`, its own
//! tests green, and serving `/health`.
//!
//! Slow the first time (the generated project's dependencies compile once);
//! all runs share one target folder outside the checkout, set by
//! `APIGEN_E2E_TARGET_DIR` (default: `~/.cache/apigen/e2e-target`).
//!
//! The PostgreSQL and MySQL projects run their tests against real servers:
//! `APIGEN_E2E_POSTGRES_URL` and `APIGEN_E2E_MYSQL_URL` (defaults: the local
//! servers at 127.0.0.1), passed to them as `TEST_DATABASE_URL`. Without a
//! server those tests fail, saying which URL they tried.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

fn shared_target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("APIGEN_E2E_TARGET_DIR") {
        return dir.into();
    }
    let home = std::env::var_os("HOME").expect("HOME or APIGEN_E2E_TARGET_DIR must be set");
    Path::new(&home).join(".cache/apigen/e2e-target")
}

/// Runs `apigen` with `args` in `dir`, without a terminal.
fn apigen(dir: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_apigen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "apigen {args:?} failed");
}

/// Runs `cargo` with `args` inside the generated project and fails the test
/// with cargo's own output when it fails.
fn cargo(project: &Path, args: &[&str]) {
    cargo_with(project, args, &[]);
}

/// [`cargo`] with extra environment variables.
fn cargo_with(project: &Path, args: &[&str], envs: &[(&str, &str)]) {
    eprintln!("e2e: cargo {}", args.join(" "));
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .env_remove("RUSTFLAGS")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo {args:?} failed in the generated project:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Generates a project named `name` with `args`; returns its folder (and the
/// temporary folder that holds it, removed on drop).
fn generate(name: &str, args: &[&str]) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let mut full = vec!["new", name, "--yes"];
    full.extend_from_slice(args);
    apigen(dir.path(), &full);
    let project = dir.path().join(name);
    (dir, project)
}

/// rustfmt-clean, clippy-clean with `-D warnings`, and its own tests green
/// (with `envs`, e.g. the database server the tests use).
fn lint_and_test(project: &Path, envs: &[(&str, &str)]) {
    cargo(project, &["fmt", "--check"]);
    cargo(
        project,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
    );
    cargo_with(project, &["test"], envs);
}

/// Proves the quality bar for a project generated with `args`.
fn generate_and_check(name: &str, args: &[&str]) {
    let (_dir, project) = generate(name, args);
    lint_and_test(&project, &[]);
    // The generated Cargo.lock is complete: nothing to resolve.
    cargo(&project, &["build", "--locked"]);
    serves_health(&project, name, &[]);
}

/// The two resources the end-to-end tests add: every field type, modifier
/// and `--owned` between them.
fn add_resources(project: &Path) {
    apigen(
        project,
        &[
            "add",
            "resource",
            "products",
            "--fields",
            "title:string,body:text?,price:decimal,in_stock:bool,sku:string:unique,released_on:date,quantity:int:index",
        ],
    );
    apigen(
        project,
        &[
            "add",
            "resource",
            "order_items",
            "--owned",
            "--fields",
            "reference:uuid:unique,count:bigint,weight:float?,placed_at:datetime,metadata:json?,note:string?",
        ],
    );
}

/// A database server the generated tests run against.
struct Server {
    /// `--db` value.
    db: &'static str,
    /// An existing database on the server (`TEST_DATABASE_URL`).
    url: String,
}

impl Server {
    fn new(db: &'static str, variable: &str, default: &str) -> Self {
        let url = std::env::var(variable).unwrap_or_else(|_| default.to_owned());
        Self { db, url }
    }

    /// The URL of database `name` on this server.
    fn database_url(&self, name: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").expect("a URL");
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        format!("{scheme}://{authority}/{name}")
    }

    /// Drops database `name` with the server's command-line client, when it
    /// is installed (the server binary created it on start).
    fn drop_database(&self, name: &str) {
        let sql = format!("DROP DATABASE IF EXISTS {name}");
        let status = match self.db {
            "postgres" => Command::new("psql")
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

/// A project for `server`'s database (and `--cache cache`) with both
/// resources: fmt, clippy, its own tests against the real server, and serving
/// `/health` on a fresh database of its own.
fn server_project_is_ready_to_run(name: &str, server: &Server, cache: &str) {
    let args = ["--db", server.db, "--cache", cache, "--vcs", "none"];
    let (_dir, project) = generate(name, &args);
    // The generated Cargo.lock is complete for this database too.
    cargo(&project, &["metadata", "--locked", "--format-version", "1"]);
    add_resources(&project);
    lint_and_test(&project, &[("TEST_DATABASE_URL", &server.url)]);
    cargo(&project, &["build"]);
    let database = format!("{name}_{}", std::process::id());
    let url = server.database_url(&database);
    serves_health(&project, name, &[("DATABASE_URL", &url)]);
    server.drop_database(&database);
}

/// Starts the built binary on a free port and expects 200 from `/health`.
fn serves_health(project: &Path, name: &str, envs: &[(&str, &str)]) {
    let port = free_port();
    let binary = shared_target_dir().join("debug").join(name);
    let server = Command::new(binary)
        .current_dir(project)
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let server = KillOnDrop(server);
    let response = get_when_up(port, "/health", Duration::from_secs(30));
    drop(server);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET, retried until the server accepts connections.
fn get_when_up(port: u16, path: &str, patience: Duration) -> String {
    let start = Instant::now();
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            return response;
        }
        assert!(
            start.elapsed() < patience,
            "server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn default_project_is_ready_to_run() {
    generate_and_check("e2e_default", &[]);
}

/// `apigen add resource` twice on the default project, covering every field
/// type, modifier and `--owned` between them; the result still meets the bar,
/// including the generated tests of both resources.
#[test]
fn added_resources_are_ready_to_run() {
    let (_dir, project) = generate("e2e_resources", &["--vcs", "none"]);
    add_resources(&project);
    lint_and_test(&project, &[]);
}

/// `--db none`: the in-memory store, with both resources. No database server
/// and no sqlx: its lock is its own, so it is checked `--locked` too.
#[test]
fn in_memory_project_with_resources_is_ready_to_run() {
    let name = "e2e_memory_store";
    let (_dir, project) = generate(name, &["--db", "none", "--vcs", "none"]);
    cargo(&project, &["metadata", "--locked", "--format-version", "1"]);
    add_resources(&project);
    lint_and_test(&project, &[]);
    cargo(&project, &["build"]);
    serves_health(&project, name, &[]);
}

/// `--auth api-key` with both resources: keys instead of accounts (the owned
/// resource belongs to the key's client), checked `--locked` like the others.
#[test]
fn api_key_project_with_resources_is_ready_to_run() {
    let (_dir, project) = generate("e2e_api_key", &["--auth", "api-key", "--vcs", "none"]);
    cargo(&project, &["metadata", "--locked", "--format-version", "1"]);
    add_resources(&project);
    lint_and_test(&project, &[]);
}

/// The PostgreSQL server of the end-to-end tests.
fn postgres() -> Server {
    Server::new(
        "postgres",
        "APIGEN_E2E_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    )
}

#[test]
fn postgres_project_with_resources_is_ready_to_run() {
    server_project_is_ready_to_run("e2e_postgres", &postgres(), "none");
}

/// One pair of choices beyond the single-choice projects: a server database
/// with the shared cache (both resources, their tests against the real
/// PostgreSQL and Redis).
#[test]
fn postgres_project_with_redis_cache_is_ready_to_run() {
    server_project_is_ready_to_run("e2e_postgres_redis", &postgres(), "redis");
}

#[test]
fn mysql_project_with_resources_is_ready_to_run() {
    let server = Server::new(
        "mysql",
        "APIGEN_E2E_MYSQL_URL",
        "mysql://root@127.0.0.1:3306/mysql",
    );
    server_project_is_ready_to_run("e2e_mysql", &server, "none");
}

/// `--cache memory` and `--cache redis`: a plain and an owned resource each, so
/// the cached reads, their invalidation and the per-owner keys are built,
/// linted and tested (the Redis ones against the real Redis at `REDIS_URL`,
/// default `redis://127.0.0.1:6379`), and the server starts.
fn cached_project_is_ready_to_run(name: &str, cache: &str) {
    let (_dir, project) = generate(name, &["--cache", cache, "--vcs", "none"]);
    apigen(
        &project,
        &[
            "add",
            "resource",
            "products",
            "--fields",
            "title:string,body:text?,price:decimal,sku:string:unique",
        ],
    );
    apigen(
        &project,
        &[
            "add",
            "resource",
            "order_items",
            "--owned",
            "--fields",
            "reference:uuid:unique,count:bigint,metadata:json?",
        ],
    );
    lint_and_test(&project, &[]);
    cargo(&project, &["build"]);
    serves_health(&project, name, &[]);
}

#[test]
fn memory_cache_project_is_ready_to_run() {
    cached_project_is_ready_to_run("e2e_cache_memory", "memory");
}

#[test]
fn redis_cache_project_is_ready_to_run() {
    cached_project_is_ready_to_run("e2e_cache_redis", "redis");
}
