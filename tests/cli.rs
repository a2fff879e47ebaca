//! The `apigen` command as a user (or a script) runs it.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

/// `apigen` in `dir`, never attached to a terminal, colours off.
fn apigen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("apigen").unwrap();
    cmd.current_dir(dir)
        .env_remove("CI")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

/// Every entry below `dir`, sorted, as relative paths.
fn tree(dir: &Path) -> Vec<String> {
    let mut entries: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(dir)
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn help_lists_every_question_with_its_values() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--protocol"))
        .stdout(predicate::str::contains("--auth"))
        .stdout(predicate::str::contains("--db"))
        .stdout(predicate::str::contains("--versioning"))
        .stdout(predicate::str::contains("api-key"))
        .stdout(predicate::str::contains("--dry-run"));
}

#[test]
fn version_is_printed() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn new_without_terminal_uses_defaults_and_never_prompts() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "shop"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cd shop && cargo run"));
    let recorded = fs::read_to_string(dir.path().join("shop/apigen.toml")).unwrap();
    for line in [
        "name = \"shop\"",
        "protocols = [\"rest\"]",
        "auth = \"jwt\"",
        "db = \"sqlite\"",
        "versioning = \"url\"",
    ] {
        assert!(recorded.contains(line), "{line} missing from:\n{recorded}");
    }
    assert!(dir.path().join("shop/Cargo.toml").is_file());
    assert!(
        dir.path().join("shop/.git").is_dir(),
        "a git repository is initialised"
    );
    assert_eq!(
        tree(dir.path())
            .iter()
            .filter(|e| !e.starts_with("shop"))
            .count(),
        0
    );
}

#[test]
fn flags_are_recorded_and_name_overrides_the_folder() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "services/billing", "--name", "billing-api"])
        .args(["--protocol", "rest", "--auth", "jwt", "--db", "sqlite"])
        .args(["--versioning", "url", "--yes"])
        .current_dir(dir.path())
        .assert()
        .success();
    let cargo = fs::read_to_string(dir.path().join("services/billing/Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"billing-api\""), "{cargo}");
}

#[test]
fn a_grpc_project_gets_its_contract_and_says_where_grpc_answers() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "billing", "--protocol", "grpc"])
        .args(["--yes", "--vcs", "none"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "grpcurl -plaintext 127.0.0.1:8080 list",
        ));
    let project = dir.path().join("billing");
    let proto = fs::read_to_string(project.join("proto/billing/v1/api.proto")).unwrap();
    assert!(proto.contains("package billing.v1;"), "{proto}");
    assert!(project.join("build.rs").exists());
    assert!(!project.join("tests/graphql.rs").exists());
}

#[test]
fn db_none_is_an_in_memory_project_that_says_its_data_is_lost() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "mock", "--db", "none", "--yes", "--vcs", "none"])
        .assert()
        .success();
    let project = dir.path().join("mock");
    let readme = fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        readme.contains("Data is lost when the server stops"),
        "{readme}"
    );
    let cargo = fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(!cargo.contains("\nsqlx = "), "no sqlx dependency: {cargo}");
    assert!(!project.join("migrations").exists());
    let recorded = fs::read_to_string(project.join("apigen.toml")).unwrap();
    assert!(recorded.contains("db = \"none\""), "{recorded}");
}

#[test]
fn dry_run_lists_files_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Would write"))
        .stdout(predicate::str::contains("Cargo.toml"))
        .stdout(predicate::str::contains("apigen.toml"));
    assert!(tree(dir.path()).is_empty());
}

#[test]
fn invalid_names_are_refused_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    for (args, reason) in [
        (vec!["new", "1api"], "cannot start with a digit"),
        (vec!["new", "my api"], "' ' is not allowed"),
        (vec!["new", "fn"], "Rust keyword"),
        (vec!["new", "ok", "--name", ""], "empty"),
        (vec!["new", "ok", "--name", "self"], "Rust keyword"),
        (vec!["new", "axum"], "depends on a crate of that name"),
    ] {
        apigen(dir.path())
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("invalid project name"))
            .stderr(predicate::str::contains(reason));
        assert!(tree(dir.path()).is_empty(), "{args:?} wrote something");
    }
}

#[test]
fn unknown_flag_values_are_refused_by_name() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--db", "oracle"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'oracle' for '--db <DB>'",
        ))
        .stderr(predicate::str::contains("sqlite"));
    assert!(tree(dir.path()).is_empty());
}

#[test]
fn soap_is_refused_with_the_reason_and_what_to_do_instead() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--protocol", "rest,soap", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--protocol soap is not generated"))
        .stderr(predicate::str::contains("legacy enterprise integrations"))
        .stderr(predicate::str::contains("Generate REST"))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(tree(dir.path()).is_empty(), "soap wrote something");
    let help = apigen(dir.path()).args(["new", "--help"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&help.stdout).contains("soap"),
        "soap is not offered"
    );
}

#[test]
fn a_non_empty_folder_is_refused_without_force() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    fs::write(dir.path().join("shop/notes.txt"), "mine").unwrap();
    apigen(dir.path())
        .args(["new", "shop"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists and is not empty"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(tree(dir.path()), ["shop", "shop/notes.txt"]);
}

#[test]
fn force_adds_files_beside_the_users_own() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    fs::write(dir.path().join("shop/notes.txt"), "mine").unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--force"])
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(dir.path().join("shop/notes.txt")).unwrap(),
        "mine"
    );
    assert!(dir.path().join("shop/apigen.toml").is_file());
    let leftovers: Vec<_> = tree(dir.path())
        .into_iter()
        .filter(|e| e.contains(".apigen-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn force_never_overwrites_a_file() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    fs::write(dir.path().join("shop/Cargo.toml"), "# mine").unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--force"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("will not overwrite"))
        .stderr(predicate::str::contains("Cargo.toml"));
    assert_eq!(tree(dir.path()), ["shop", "shop/Cargo.toml"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("shop/Cargo.toml")).unwrap(),
        "# mine"
    );
}

#[test]
fn an_empty_folder_is_filled() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    apigen(dir.path()).args(["new", "shop"]).assert().success();
    assert!(dir.path().join("shop/apigen.toml").is_file());
    assert!(tree(dir.path()).iter().all(|e| e.starts_with("shop")));
}

#[test]
fn missing_parent_folders_are_created() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "some/dir/here", "--vcs", "none"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cd some/dir/here && cargo run"));
    assert!(dir.path().join("some/dir/here/apigen.toml").is_file());
    // A dry run creates nothing, parents included.
    apigen(dir.path())
        .args(["new", "other/dir/here", "--dry-run"])
        .assert()
        .success();
    assert!(!dir.path().join("other").exists());
}

#[test]
fn a_failed_write_removes_the_parent_folders_it_created() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("mine")).unwrap();
    // A 250-byte folder name is valid, but its hidden staging folder beside it
    // (`.<name>.apigen-<pid>`) is longer than a file name may be: writing fails
    // after `new/deeper` was created.
    let target = format!("mine/new/deeper/{}", "a".repeat(250));
    apigen(dir.path())
        .args(["new", &target, "--name", "shop", "--vcs", "none"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write"));
    assert_eq!(tree(dir.path()), ["mine"]);
}

#[test]
fn unwritable_locations_are_reported() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("a-file"), "").unwrap();
    for target in ["a-file/shop", "a-file/x/shop"] {
        apigen(dir.path())
            .args(["new", target])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "cannot create the project in {target}: a-file exists and is not a folder"
            )));
    }
    apigen(dir.path())
        .args(["new", "a-file"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "a-file exists and is not a folder",
        ));
    // Even root cannot create folders in /proc.
    apigen(dir.path())
        .args(["new", "/proc/shop"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write /proc/shop"));
    assert_eq!(tree(dir.path()), ["a-file"]);
}

#[test]
fn no_color_turns_colours_off() {
    let dir = TempDir::new().unwrap();
    let coloured = apigen(dir.path())
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["new", "shop", "--dry-run"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains('\u{1b}'));
    let plain = apigen(dir.path())
        .env("CLICOLOR_FORCE", "1")
        .args(["new", "shop", "--dry-run"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
}

#[test]
fn vcs_none_skips_git() {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--vcs", "none"])
        .assert()
        .success();
    assert!(!dir.path().join("shop/.git").exists());
}

/// Runs apigen in `dir` with a stdout whose reader is gone before apigen
/// writes (like `apigen … | head -0`, or `| head -n1` on long output) and
/// returns its exit status and stderr.
fn run_with_closed_stdout(dir: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_apigen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let dir = TempDir::new().unwrap();
    let fields = "title:string,sku:string:unique";
    for args in [
        &["new", "shop", "--dry-run"][..],
        &["new", "--help"],
        &["new", "shop", "--yes", "--vcs", "none"],
        &["add", "resource", "boxes", "--fields", fields, "--dry-run"],
        &["add", "resource", "boxes", "--fields", fields],
    ] {
        // `add resource` runs inside the project the third run wrote.
        let cwd = if args[0] == "add" {
            dir.path().join("shop")
        } else {
            dir.path().to_path_buf()
        };
        let (status, stderr) = run_with_closed_stdout(&cwd, args);
        assert!(status.success(), "{args:?}: {status}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}:\n{stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}:\n{stderr}");
    }
    // Each write happened although nobody read what apigen said about it.
    assert!(dir.path().join("shop/apigen.toml").is_file());
    assert!(dir.path().join("shop/src/routers/boxes.rs").is_file());
}

#[test]
fn cache_values_are_accepted_and_recorded() {
    let dir = TempDir::new().unwrap();
    for cache in ["none", "memory", "redis"] {
        let name = format!("shop-{cache}");
        apigen(dir.path())
            .args(["new", &name, "--cache", cache, "--yes", "--vcs", "none"])
            .assert()
            .success()
            .stdout(predicate::str::contains(cache));
        let project = dir.path().join(&name);
        let recorded = fs::read_to_string(project.join("apigen.toml")).unwrap();
        assert!(
            recorded.contains(&format!("cache = \"{cache}\"")),
            "{recorded}"
        );
        assert_eq!(project.join("src/cache/mod.rs").is_file(), cache != "none");
    }
    apigen(dir.path())
        .args(["new", "shop-disk", "--cache", "disk", "--yes"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("memory"));
    assert!(!dir.path().join("shop-disk").exists());
}

/// Ctrl-C while `apigen new` writes (its hidden staging folder exists) still
/// ends with the whole project and no staging folder left behind.
#[test]
fn ctrl_c_while_writing_never_leaves_half_a_project() {
    let bin = assert_cmd::cargo::cargo_bin("apigen");
    let new = |dir: &Path| {
        std::process::Command::new(&bin)
            .current_dir(dir)
            .args(["new", "p", "--yes", "--vcs", "none"])
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let whole = TempDir::new().unwrap();
    assert!(new(whole.path()).wait().unwrap().success());
    let whole_tree = tree(&whole.path().join("p"));

    let mut caught_writing = 0;
    for _ in 0..5 {
        let dir = TempDir::new().unwrap();
        let mut child = new(dir.path());
        let staging = format!(".p.apigen-{}", child.id());
        // Interrupt the moment the staging folder appears.
        while child.try_wait().unwrap().is_none() {
            if dir.path().join(&staging).exists() {
                let kill = std::process::Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status()
                    .unwrap();
                caught_writing += usize::from(kill.success());
                break;
            }
        }
        child.wait().unwrap();
        let left = tree(dir.path());
        assert_eq!(left.len(), whole_tree.len() + 1, "{left:?}");
        assert_eq!(tree(&dir.path().join("p")), whole_tree);
    }
    assert!(caught_writing > 0, "no run was interrupted while writing");
}

/// `apigen <args>` in a terminal (`script`'s, logging what it shows to `log`) in
/// `dir`, as a person runs it: colours off, `CI` unset, keys from its stdin.
fn in_terminal(dir: &Path, args: &str, log: &Path) -> std::process::Child {
    let bin = assert_cmd::cargo::cargo_bin("apigen");
    std::process::Command::new("script")
        .current_dir(dir)
        .args(["-qfec", &format!("{} {args}", bin.display())])
        .arg(log)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until the terminal shows `text` (a question's list: then the prompt
/// reads keys).
fn wait_for(log: &Path, text: &str) {
    let asked = std::time::Instant::now();
    while !fs::read_to_string(log).unwrap_or_default().contains(text) {
        assert!(asked.elapsed().as_secs() < 60, "{text:?} was not shown");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
}

/// Ctrl-C at a question (in a terminal, here `script`'s) ends apigen quietly with
/// status 130, as for any interrupted command, and writes nothing.
#[test]
fn ctrl_c_at_a_prompt_exits_quietly_and_writes_nothing() {
    use std::io::Write;

    let dir = TempDir::new().unwrap();
    let log = dir.path().join("terminal.log");
    let mut terminal = in_terminal(dir.path(), "new p", &log);
    wait_for(&log, "REST over HTTP");
    terminal.stdin.take().unwrap().write_all(b"\x03").unwrap();
    let status = terminal.wait().unwrap();

    assert_eq!(status.code(), Some(130));
    assert_eq!(tree(dir.path()), ["terminal.log"]);
    let output = fs::read_to_string(&log).unwrap();
    assert!(!output.contains("error"), "{output}");
}

/// Accepting every default at the questions (Enter, in `script`'s terminal)
/// creates the default project, and each answer is confirmed by name alone: the
/// help text was read in the list.
#[test]
fn enter_at_each_question_takes_the_defaults_and_confirms_them_by_name() {
    use std::io::Write;

    use apigen::spec::{Auth, Cache, Choice, Database, Protocol, Versioning};

    let dir = TempDir::new().unwrap();
    let log = dir.path().join("terminal.log");
    let mut terminal = in_terminal(dir.path(), "new p --vcs none", &log);
    let mut keys = terminal.stdin.take().unwrap();
    let questions = [
        Protocol::QUESTION,
        Auth::QUESTION,
        Database::QUESTION,
        Versioning::QUESTION,
        Cache::QUESTION,
    ];
    for question in questions {
        wait_for(&log, question);
        keys.write_all(b"\r").unwrap();
    }
    let status = terminal.wait().unwrap();

    let output = fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(0), "{output}");
    assert!(dir.path().join("p/Cargo.toml").is_file());
    for (question, answer) in questions
        .into_iter()
        .zip(["rest", "jwt", "sqlite", "url", "none"])
    {
        let confirmed = format!("{question} · {answer}\r\n");
        assert!(output.contains(&confirmed), "no {confirmed:?} in {output}");
    }
}
