//! Helpers the `apigen add …` tests share: the binary as users run it, a fresh
//! project, and the whole state of a project to prove a refusal changed nothing.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

/// `apigen` in `dir`, never attached to a terminal, colours off, no
/// template overrides from the environment.
pub fn apigen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("apigen").unwrap();
    cmd.current_dir(dir)
        .env_remove("CI")
        // An organisation's folder of template overrides set in the shell
        // must not change what the tests generate.
        .env_remove("APIGEN_TEMPLATES")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

/// A fresh project `shop` made with `apigen new shop --yes --vcs none` and `flags`.
pub fn project(flags: &[&str]) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    apigen(dir.path())
        .args(["new", "shop", "--yes", "--vcs", "none"])
        .args(flags)
        .assert()
        .success();
    let root = dir.path().join("shop");
    (dir, root)
}

/// Every file below `dir` with its contents: the whole state of a project.
pub fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let path = e.path().strip_prefix(dir).unwrap().display().to_string();
            (path, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Runs `apigen add <args>` in `root`, expects it to fail with `message`,
/// and proves that no file was added, removed or changed.
pub fn refused(root: &Path, args: &[&str], message: &str) {
    refused_saying(
        root,
        &[&["add"], args].concat(),
        message,
        "nothing was changed",
    );
}

/// Runs `apigen <args>` in `root`, expects it to fail with `message` and
/// `nothing` (how the error says it changed nothing), and proves that no file
/// was added, removed or changed.
pub fn refused_saying(root: &Path, args: &[&str], message: &str, nothing: &str) {
    let before = contents(root);
    apigen(root)
        .args(args)
        .assert()
        .failure()
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains(nothing));
    assert!(contents(root) == before, "{args:?} changed the project");
}
