//! Template overrides as users run them: `apigen templates eject`, `list`
//! and `check`, a folder of overrides applied by `new` (`--templates`,
//! `APIGEN_TEMPLATES`), the project's copy applied by `add`, `update` and
//! `remove`, and every broken override refused, naming its file and line,
//! with nothing written.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use apigen::project::base;
use predicates::prelude::*;
use support::{apigen, contents, refused_saying};
use tempfile::TempDir;

/// apigen's own text of `template` (a path under `templates/`).
fn embedded(template: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates")
            .join(template),
    )
    .unwrap()
}

/// A folder `org` in a fresh temporary folder holding `files`.
fn org(files: &[(&str, &str)]) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let org = dir.path().join("org");
    for (path, text) in files {
        let target = org.join(path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, text).unwrap();
    }
    (dir, org)
}

const README: &str = "project/README.md.tera";
const ROUTER: &str = "resource/src/routers/rest/resource.rs.tera";
const MARK: &str = "<!-- house style -->";

/// apigen's README template with the house-style line at its end.
fn house_readme() -> String {
    format!("{}{MARK}\n", embedded(README))
}

/// `apigen new shop` in `dir` with `args`, succeeding.
fn new_project(dir: &Path, args: &[&str]) -> PathBuf {
    apigen(dir)
        .args(["new", "shop", "--yes", "--vcs", "none"])
        .args(args)
        .assert()
        .success();
    dir.join("shop")
}

fn read(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join(path)).unwrap()
}

#[test]
fn eject_copies_apigens_templates_and_never_overwrites() {
    let (dir, org) = org(&[]);
    apigen(dir.path())
        .args(["templates", "eject", README, "auth/jwt", "--templates"])
        .arg(&org)
        .assert()
        .success()
        .stdout(predicate::str::contains(README));
    assert_eq!(
        fs::read_to_string(org.join(README)).unwrap(),
        embedded(README)
    );
    assert_eq!(
        fs::read_to_string(org.join("auth/jwt/readme.tera")).unwrap(),
        embedded("auth/jwt/readme.tera")
    );

    fs::write(org.join(README), "mine\n").unwrap();
    let before = contents(&org);
    apigen(dir.path())
        .args([
            "templates",
            "eject",
            "project/Dockerfile.tera",
            README,
            "--templates",
        ])
        .arg(&org)
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!("{README} already exists")))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(
        contents(&org) == before,
        "a refused eject changed the folder"
    );
}

#[test]
fn eject_of_an_unknown_path_names_it_and_writes_nothing() {
    let (dir, org) = org(&[]);
    apigen(dir.path())
        .args([
            "templates",
            "eject",
            README,
            "src/main.rs.tera",
            "--templates",
        ])
        .arg(&org)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "apigen has no template \"src/main.rs.tera\" (did you mean project/src/main.rs.tera?)",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!org.exists(), "the folder was created");
}

#[test]
fn list_shows_which_templates_are_overridden() {
    let (dir, org) = org(&[(README, "x\n")]);
    let out = apigen(dir.path())
        .args(["templates", "list", "--templates"])
        .arg(&org)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains(&format!("overridden {README}")), "{out}");
    assert!(out.contains("apigen     project/src/main.rs.tera"), "{out}");
    assert!(out.starts_with("1 of "), "{out}");
    // A folder named but missing is a typo, not "no overrides".
    for command in ["list", "check"] {
        apigen(dir.path())
            .args(["templates", command, "--templates", "nope"])
            .assert()
            .failure()
            .stderr(predicate::str::contains(
                "nope: no such folder of template overrides",
            ));
    }
    // In a project, the folder is the project's own.
    let root = new_project(dir.path(), &["--templates", org.to_str().unwrap()]);
    apigen(&root)
        .args(["templates", "list", "--overridden"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("overridden {README}")))
        .stdout(predicate::str::contains("project/src/main.rs.tera").not());
}

#[test]
fn new_renders_with_the_folder_and_the_project_keeps_a_copy_out_of_its_record() {
    let (dir, org) = org(&[(README, &house_readme())]);
    let root = new_project(dir.path(), &["--templates", org.to_str().unwrap()]);
    assert!(read(&root, "README.md").ends_with(&format!("{MARK}\n")));
    assert_eq!(
        read(&root, ".apigen/templates/project/README.md.tera"),
        house_readme()
    );
    let record = base::parse(&read(&root, base::PATH)).unwrap();
    assert!(record.keys().all(|path| !path.starts_with(".apigen")));
    assert!(record[Path::new("README.md")].contains(MARK));
    // Not in the Docker image's build context.
    assert!(
        read(&root, ".dockerignore")
            .lines()
            .any(|l| l == ".apigen/")
    );
}

#[test]
fn new_takes_the_environments_folder_and_the_flag_wins_over_it() {
    let (dir, org) = org(&[(README, &house_readme())]);
    let other = dir.path().join("other");
    fs::create_dir_all(other.join("project")).unwrap();
    fs::write(
        other.join(README),
        format!("{}<!-- other -->\n", embedded(README)),
    )
    .unwrap();

    apigen(dir.path())
        .env("APIGEN_TEMPLATES", &org)
        .args(["new", "env", "--yes", "--vcs", "none"])
        .assert()
        .success();
    assert!(read(&dir.path().join("env"), "README.md").contains(MARK));

    apigen(dir.path())
        .env("APIGEN_TEMPLATES", &org)
        .args(["new", "flag", "--yes", "--vcs", "none", "--templates"])
        .arg(&other)
        .assert()
        .success();
    let readme = read(&dir.path().join("flag"), "README.md");
    assert!(readme.contains("<!-- other -->") && !readme.contains(MARK));

    // A folder named but missing is a typo, not "no overrides".
    apigen(dir.path())
        .args([
            "new",
            "typo",
            "--yes",
            "--vcs",
            "none",
            "--templates",
            "nope",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "nope: no such folder of template overrides",
        ));
    assert!(!dir.path().join("typo").exists());
}

#[test]
fn add_resource_renders_with_the_projects_overrides() {
    let router = format!("{}// House router style.\n", embedded(ROUTER));
    let (dir, org) = org(&[(ROUTER, &router)]);
    let root = new_project(dir.path(), &["--templates", org.to_str().unwrap()]);
    apigen(&root).args(ADD).assert().success();
    assert!(read(&root, "src/routers/products.rs").ends_with("// House router style.\n"));
    let record = base::parse(&read(&root, base::PATH)).unwrap();
    assert!(record[Path::new("src/routers/products.rs")].ends_with("// House router style.\n"));
}

#[test]
fn update_and_remove_keep_the_house_style_and_never_touch_the_overrides() {
    let router = format!("{}// House router style.\n", embedded(ROUTER));
    let (dir, org) = org(&[(README, &house_readme()), (ROUTER, &router)]);
    let root = new_project(dir.path(), &["--templates", org.to_str().unwrap()]);
    apigen(&root).args(ADD).assert().success();
    apigen(&root)
        .args(["add", "resource", "notes", "--fields", "body:text"])
        .assert()
        .success();
    let overrides = contents(&root.join(".apigen/templates"));

    // Just made: the update has nothing to do (it renders with the overrides).
    apigen(&root)
        .args(["update", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Would update").not());

    // The house style changes; the user's own README line stays.
    let readme = read(&root, "README.md").replace("# shop", "# shop\n\nOur notes.");
    fs::write(root.join("README.md"), readme).unwrap();
    let newer = house_readme().replace(MARK, "<!-- house style v2 -->");
    fs::write(root.join(".apigen/templates").join(README), &newer).unwrap();
    let overrides_v2 = contents(&root.join(".apigen/templates"));
    apigen(&root).arg("update").assert().success();
    let readme = read(&root, "README.md");
    assert!(
        readme.contains("<!-- house style v2 -->") && !readme.contains(MARK),
        "{readme}"
    );
    assert!(readme.contains("Our notes."), "{readme}");
    assert!(read(&root, "src/routers/products.rs").ends_with("// House router style.\n"));
    assert!(contents(&root.join(".apigen/templates")) == overrides_v2);
    assert!(overrides != overrides_v2);

    apigen(&root)
        .args(["remove", "resource", "notes"])
        .assert()
        .success();
    assert!(!root.join("src/routers/notes.rs").exists());
    assert!(read(&root, "src/routers/products.rs").ends_with("// House router style.\n"));
    assert!(read(&root, "README.md").contains("<!-- house style v2 -->"));
    assert!(contents(&root.join(".apigen/templates")) == overrides_v2);
}

#[test]
fn a_syntax_error_is_refused_naming_file_and_line_and_nothing_is_written() {
    let broken = format!("{}{{% if db %}}\nunclosed\n", embedded(README));
    let line = embedded(README).lines().count() + 1;
    let (dir, org) = org(&[(README, &broken)]);
    apigen(dir.path())
        .args(["new", "shop", "--yes", "--vcs", "none", "--templates"])
        .arg(&org)
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "template override {}:{}",
            org.join(README).display(),
            line + 2
        )))
        .stderr(predicate::str::contains("syntax error"))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!dir.path().join("shop").exists());

    // The same in a project's own overrides: add and update refuse it.
    let root = new_project(dir.path(), &[]);
    write_override(&root, README, &broken);
    refused_by_add_and_update(&root, &format!(".apigen/templates/{README}:{}", line + 2));
}

/// Writes `text` as the project's override of `template`.
fn write_override(root: &Path, template: &str, text: &str) {
    let path = root.join(".apigen/templates").join(template);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const ADD: [&str; 5] = ["add", "resource", "products", "--fields", "title:string"];

/// `add resource` and `update` refuse, saying `message`, and change nothing.
fn refused_by_add_and_update(root: &Path, message: &str) {
    refused_saying(root, &ADD, message, "nothing was written");
    let update = ["update", "--allow-dirty"];
    refused_saying(root, &update, message, "nothing was written");
}

#[test]
fn an_unknown_variable_is_refused_naming_file_and_line_and_nothing_is_written() {
    let root_dir = TempDir::new().unwrap();
    let root = new_project(root_dir.path(), &[]);
    let colour = format!("// {{{{ resource.colour }}}}\n{}", embedded(ROUTER));
    write_override(&root, ROUTER, &colour);
    let at = format!(".apigen/templates/{ROUTER}:1: unknown variable `resource.colour`");
    refused_saying(&root, &ADD, &at, "nothing was written");

    // A project template's unknown variable: refused by add too (every
    // project template is rendered once), not left for the next update.
    fs::remove_file(root.join(".apigen/templates").join(ROUTER)).unwrap();
    write_override(
        &root,
        README,
        &format!("{}\n{{{{ house }}}}\n", embedded(README)),
    );
    let line = embedded(README).lines().count() + 2;
    refused_by_add_and_update(
        &root,
        &format!(".apigen/templates/{README}:{line}: unknown variable `house`"),
    );
}

#[test]
fn an_override_of_a_file_apigen_has_no_template_for_is_refused() {
    let (dir, org) = org(&[("project/src/extra.rs.tera", "// extra\n")]);
    apigen(dir.path())
        .args(["new", "shop", "--yes", "--vcs", "none", "--templates"])
        .arg(&org)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "apigen has no template `project/src/extra.rs.tera` to override",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!dir.path().join("shop").exists());
}

/// `apigen templates check` of the default project's preset with `org`.
fn check(dir: &Path, org: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    apigen(dir)
        .args([
            "templates",
            "check",
            "--preset",
            "rest-jwt-sqlite-url",
            "--templates",
        ])
        .arg(org)
        .args(extra)
        .assert()
}

#[test]
fn check_writes_new_snapshots_for_review_accepts_them_and_then_passes() {
    let (dir, org) = org(&[(README, &house_readme())]);
    let snap = org.join("snapshots/rest-jwt-sqlite-url@README.md.snap");
    let pending = snap.with_extension("snap.new");

    // No snapshot yet: one to review, and a failure naming it.
    check(dir.path(), &org, &[])
        .failure()
        .stderr(predicate::str::contains(
            "rest-jwt-sqlite-url@README.md.snap (new)",
        ));
    assert!(!snap.exists());
    // insta's own reader reads it (so `cargo insta review` can).
    let written = insta::Snapshot::from_file(&pending).unwrap();
    let text = written.contents().as_text().unwrap().to_string();
    assert!(text.ends_with(MARK), "{text}");
    // Only what the override changes is snapshotted.
    let files: Vec<_> = fs::read_dir(org.join("snapshots")).unwrap().collect();
    assert_eq!(files.len(), 1, "{files:?}");

    check(dir.path(), &org, &["--accept"]).success();
    assert!(snap.exists() && !pending.exists());
    check(dir.path(), &org, &[])
        .success()
        .stdout(predicate::str::contains("every snapshot matches"));

    // A changed override differs from its snapshot.
    fs::write(
        org.join(README),
        house_readme().replace(MARK, "<!-- v2 -->"),
    )
    .unwrap();
    check(dir.path(), &org, &[])
        .failure()
        .stderr(predicate::str::contains(
            "rest-jwt-sqlite-url@README.md.snap (differs)",
        ));
    assert!(
        fs::read_to_string(&pending)
            .unwrap()
            .contains("<!-- v2 -->")
    );
    assert!(fs::read_to_string(&snap).unwrap().contains(MARK));

    // An override back to apigen's text leaves the snapshot obsolete.
    fs::write(org.join(README), embedded(README)).unwrap();
    check(dir.path(), &org, &[])
        .failure()
        .stderr(predicate::str::contains("README.md.snap (obsolete"));
    check(dir.path(), &org, &["--accept"]).success();
    assert!(!snap.exists() && !pending.exists());
}

#[test]
fn check_refuses_a_broken_override_naming_file_and_line() {
    let (dir, org) = org(&[(README, &format!("{}{{{{ colour }}}}\n", embedded(README)))]);
    let line = embedded(README).lines().count() + 1;
    check(dir.path(), &org, &[])
        .failure()
        .stderr(predicate::str::contains(format!(
            "{}:{line}: unknown variable `colour`",
            org.join(README).display()
        )));
    assert!(!org.join("snapshots").exists());
}

#[test]
fn help_tells_where_overrides_are_read_from() {
    let dir = TempDir::new().unwrap();
    let help = |args: &[&str]| {
        let out = apigen(dir.path()).args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let templates = help(&["templates", "--help"]);
    for command in ["eject", "list", "check"] {
        assert!(templates.contains(command), "{templates}");
    }
    let new = help(&["new", "--help"]);
    assert!(
        new.contains("--templates <DIR>") && new.contains("$APIGEN_TEMPLATES"),
        "{new}"
    );
    let check = help(&["templates", "check", "--help"]);
    assert!(
        check.contains(".apigen/templates") && check.contains("--accept"),
        "{check}"
    );
}
