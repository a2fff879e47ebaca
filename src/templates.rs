//! `apigen templates eject|list|check`: a team's template overrides
//! (`overrides.rs`), started from apigen's, listed, and snapshot-tested on
//! apigen's own presets (`presets.rs`).
//!
//! The team's snapshots live in `snapshots/` inside the overrides folder,
//! in insta's file format (a `---` YAML header, then the text), so
//! `cargo insta review` reads the `.snap.new` files `check` writes. The
//! format is written here rather than through the `insta` crate: insta is
//! a test-time library whose assertions panic and read `INSTA_*` and CI
//! settings, and its API for saving a snapshot is internal; the format
//! itself is four lines of header (a test reads what is written back with
//! insta's own reader).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cli::{TemplatesCheckArgs, TemplatesCommand, TemplatesEjectArgs, TemplatesListArgs};
use crate::error::{Error, Result};
use crate::overrides::{self, Overrides};
use crate::presets::{self, Snapshot};
use crate::project;
use crate::render::{self, RenderedFile};
use crate::report;
use crate::writer::{self, FileEdit};

/// What a `.snap` header says made it.
const SOURCE: &str = "apigen templates check";

pub fn run(command: &TemplatesCommand) -> Result<()> {
    match command {
        TemplatesCommand::Eject(args) => eject(args),
        TemplatesCommand::List(args) => list(args),
        TemplatesCommand::Check(args) => check(args),
    }
}

/// The folder the `templates` commands work on: `--templates DIR`, else the
/// project's `.apigen/templates` when run in a project (what its commands
/// render with), else `APIGEN_TEMPLATES`; and whether it is the project's.
fn folder(flag: Option<&Path>) -> Result<(PathBuf, bool)> {
    if let Some(folder) = flag {
        return Ok((folder.to_path_buf(), false));
    }
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    if let Ok(root) = project::find_root(&cwd) {
        return Ok((root.join(overrides::PROJECT_FOLDER), true));
    }
    let named = overrides::named_folder(None).ok_or(Error::NoOverrideFolder)?;
    Ok((named, false))
}

/// The overrides `list` and `check` read: a project's folder may not exist
/// (the project has none), a folder named by flag or environment must (a
/// typo must not read as "no overrides").
fn read_overrides(flag: Option<&Path>) -> Result<(PathBuf, Overrides)> {
    let (folder, projects) = folder(flag)?;
    let overrides = match projects {
        true => Overrides::load(&folder)?,
        false => Overrides::load_existing(&folder)?,
    };
    Ok((folder, overrides))
}

/// The templates `paths` name: a template's path under `templates/`, or a
/// folder of them (`auth/jwt`). Refuses a path that names none.
fn resolve(paths: &[String], known: &[String]) -> Result<Vec<String>> {
    let mut chosen = Vec::new();
    for path in paths {
        let path = path.trim_start_matches("templates/");
        let folder = format!("{}/", path.trim_end_matches('/'));
        let matched: Vec<&String> = known
            .iter()
            .filter(|k| *k == path || k.starts_with(&folder))
            .collect();
        if matched.is_empty() {
            return Err(Error::UnknownTemplate {
                path: path.to_owned(),
                hint: overrides::suggest(path, known),
            });
        }
        chosen.extend(matched.into_iter().cloned());
    }
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

fn eject(args: &TemplatesEjectArgs) -> Result<()> {
    let (folder, _) = folder(args.templates.as_deref())?;
    let chosen = resolve(&args.paths, &render::all_templates())?;
    let existing: Vec<String> = chosen
        .iter()
        .filter(|path| folder.join(path).exists())
        .cloned()
        .collect();
    if !existing.is_empty() {
        return Err(Error::EjectWouldOverwrite {
            folder,
            files: existing,
        });
    }
    let files: Vec<RenderedFile> = chosen
        .iter()
        .map(|path| RenderedFile {
            path: path.into(),
            contents: render::embedded_text(path)
                .expect("listed templates are embedded")
                .to_owned(),
        })
        .collect();
    writer::apply_files(&folder, &files, &[])?;
    report::ejected(&folder, &chosen);
    Ok(())
}

fn list(args: &TemplatesListArgs) -> Result<()> {
    let (folder, overrides) = read_overrides(args.templates.as_deref())?;
    let all = render::all_templates();
    let rows: Vec<(bool, &str)> = all
        .iter()
        .map(|path| (overrides.get(path).is_some(), path.as_str()))
        .filter(|(overridden, _)| *overridden || !args.overridden)
        .collect();
    report::template_list(&folder, &rows, all.len());
    Ok(())
}

/// What `check` found for one snapshot.
#[derive(Debug, PartialEq, Eq)]
enum Finding {
    Matches,
    /// No `.snap` yet.
    New,
    Differs,
}

fn check(args: &TemplatesCheckArgs) -> Result<()> {
    let (folder, overrides) = read_overrides(args.templates.as_deref())?;
    let presets: Vec<presets::Preset> = match &args.preset {
        Some(name) => vec![presets::find(name).ok_or_else(|| Error::UnknownTemplate {
            path: format!("preset {name}"),
            hint: format!(
                "the presets are {}",
                presets::all()
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?],
        None => presets::all(),
    };
    let expected = changed_outputs(&presets, &overrides)?;
    let snapshots = folder.join(overrides::SNAPSHOTS);
    let mut new_files = Vec::new();
    let mut edits = Vec::new();
    let mut removed = Vec::new();
    let mut failing = Vec::new();
    for (name, contents) in &expected {
        let path = snapshots.join(format!("{name}.snap"));
        let pending = path.with_extension("snap.new");
        let finding = match read_snapshot(&path)? {
            None => Finding::New,
            Some(stored) if normalize(&stored) == normalize(contents) => Finding::Matches,
            Some(_) => Finding::Differs,
        };
        if pending.exists() && (finding == Finding::Matches || args.accept) {
            removed.push(pending.clone());
        }
        if finding == Finding::Matches {
            continue;
        }
        let (target, what) = if args.accept {
            (path, "accepted")
        } else {
            (
                pending,
                if finding == Finding::New {
                    "new"
                } else {
                    "differs"
                },
            )
        };
        failing.push(format!("{name}.snap ({what})"));
        write_snapshot(&target, contents, &mut new_files, &mut edits)?;
    }
    // A snapshot of the presets checked (of any, with no --preset) that no
    // override changes any more: a stored one is obsolete, a pending one stale.
    let checked = |name: &str| {
        (args.preset.is_none() || presets.iter().any(|p| p.writes(name)))
            && !expected.contains_key(name)
    };
    for stored in stored_snapshots(&snapshots, ".snap")? {
        if checked(&stored) {
            failing.push(format!("{stored}.snap (obsolete: no override changes it)"));
            if args.accept {
                removed.push(snapshots.join(format!("{stored}.snap")));
            }
        }
    }
    for stale in stored_snapshots(&snapshots, ".snap.new")? {
        if checked(&stale) {
            removed.push(snapshots.join(format!("{stale}.snap.new")));
        }
    }
    let relative = |path: &PathBuf| path.strip_prefix(&folder).unwrap_or(path).to_path_buf();
    let removed: Vec<PathBuf> = removed.iter().map(relative).collect();
    for file in &mut new_files {
        file.path = relative(&file.path);
    }
    for edit in &mut edits {
        edit.path = relative(&edit.path);
    }
    writer::apply_changes(&folder, &new_files, &edits, &removed)?;
    report::snapshot_check(&folder, expected.len(), &failing, args.accept);
    if failing.is_empty() || args.accept {
        Ok(())
    } else {
        Err(Error::SnapshotsDiffer {
            folder: snapshots,
            files: failing,
        })
    }
}

/// The snapshots the overrides change: each preset rendered with them and
/// with apigen's own templates, kept where the two differ. (With no
/// overrides, none.)
fn changed_outputs(
    presets: &[presets::Preset],
    overrides: &Overrides,
) -> Result<BTreeMap<String, String>> {
    let mut changed = BTreeMap::new();
    if overrides.is_empty() {
        return Ok(changed);
    }
    for preset in presets {
        let apigens: BTreeMap<String, String> = presets::render(preset, &Overrides::none())?
            .into_iter()
            .map(|s| (s.name, s.contents))
            .collect();
        for Snapshot { name, contents } in presets::render(preset, overrides)? {
            if apigens.get(&name) != Some(&contents) {
                changed.insert(name, contents);
            }
        }
    }
    Ok(changed)
}

/// The text of the `.snap` at `path` (its header skipped); `None` where
/// there is none.
fn read_snapshot(path: &Path) -> Result<Option<String>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path)(e)),
    };
    Ok(Some(snapshot_body(&text).to_owned()))
}

/// A `.snap` file's text after its `---` … `---` header.
fn snapshot_body(text: &str) -> &str {
    text.strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(text, |(_, body)| body)
}

/// What insta compares: the text without trailing whitespace, `\n` lines.
fn normalize(text: &str) -> String {
    text.trim_end().replace("\r\n", "\n")
}

/// A snapshot file as insta writes one.
pub fn snapshot_file(contents: &str) -> String {
    format!("---\nsource: {SOURCE}\n---\n{}\n", normalize(contents))
}

/// Plans writing `contents` as the snapshot at `path` (new, or replacing).
fn write_snapshot(
    path: &Path,
    contents: &str,
    new_files: &mut Vec<RenderedFile>,
    edits: &mut Vec<FileEdit>,
) -> Result<()> {
    let after = snapshot_file(contents);
    match fs::read_to_string(path) {
        Ok(before) => edits.push(FileEdit {
            path: path.to_path_buf(),
            before,
            after,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => new_files.push(RenderedFile {
            path: path.to_path_buf(),
            contents: after,
        }),
        Err(e) => return Err(Error::io(path)(e)),
    }
    Ok(())
}

/// The names of the files in `folder` ending in `extension` (`.snap`,
/// `.snap.new`), without it; none when the folder is missing.
fn stored_snapshots(folder: &Path, extension: &str) -> Result<Vec<String>> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(folder)(e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(extension).map(str::to_owned)
        })
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_as_its_text() {
        let file = snapshot_file("a\nb\n\n");
        assert!(file.starts_with("---\nsource: apigen templates check\n---\n"));
        assert_eq!(normalize(snapshot_body(&file)), "a\nb");
    }

    #[test]
    fn paths_name_templates_or_folders_of_them() {
        let known = vec![
            "auth/jwt/readme.tera".to_owned(),
            "auth/jwt/routes.tera".to_owned(),
            "project/src/main.rs.tera".to_owned(),
        ];
        assert_eq!(resolve(&["auth/jwt".into()], &known).unwrap().len(), 2);
        assert_eq!(
            resolve(&["templates/project/src/main.rs.tera".into()], &known).unwrap(),
            ["project/src/main.rs.tera"]
        );
        let err = resolve(&["src/main.rs.tera".into()], &known)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("did you mean project/src/main.rs.tera"),
            "{err}"
        );
    }
}
