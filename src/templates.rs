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
use crate::embedded;
use crate::error::{Error, Result};
use crate::overrides::{self, Overrides};
use crate::presets::{self, Snapshot};
use crate::project;
use crate::render::RenderedFile;
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
    let chosen = resolve(&args.paths, &embedded::all_templates())?;
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
            contents: embedded::text(path)
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
    let all = embedded::all_templates();
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

/// What `check` writes in the overrides folder, by path relative to it.
#[derive(Default)]
struct Writes {
    new_files: Vec<RenderedFile>,
    edits: Vec<FileEdit>,
    removed: Vec<PathBuf>,
}

impl Writes {
    /// `contents` as the snapshot file `path` (new, or replacing it).
    fn snapshot(&mut self, folder: &Path, path: PathBuf, contents: &str) -> Result<()> {
        let after = snapshot_file(contents);
        match fs::read_to_string(folder.join(&path)) {
            Ok(before) => self.edits.push(FileEdit {
                path,
                before,
                after,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.new_files.push(RenderedFile {
                    path,
                    contents: after,
                })
            }
            Err(e) => return Err(Error::io(folder.join(path))(e)),
        }
        Ok(())
    }

    /// All of it, or nothing.
    fn apply(&self, folder: &Path) -> Result<()> {
        writer::apply_changes(folder, &self.new_files, &self.edits, &self.removed)
    }
}

fn check(args: &TemplatesCheckArgs) -> Result<()> {
    let (folder, overrides) = read_overrides(args.templates.as_deref())?;
    let presets = match &args.preset {
        Some(name) => vec![presets::find(name).ok_or_else(|| Error::UnknownPreset {
            name: name.clone(),
            presets: presets::all().iter().map(|p| p.name.to_owned()).collect(),
        })?],
        None => presets::all(),
    };
    let expected = changed_outputs(&presets, &overrides)?;
    let mut writes = Writes::default();
    let mut failing = compare(&folder, &expected, args.accept, &mut writes)?;
    // Snapshots of the presets checked (of any, with no --preset) that no
    // override changes any more.
    let left_over = |name: &str| {
        (args.preset.is_none() || presets.iter().any(|p| p.writes(name)))
            && !expected.contains_key(name)
    };
    failing.extend(leftovers(&folder, left_over, args.accept, &mut writes)?);
    writes.apply(&folder)?;
    report::snapshot_check(&folder, expected.len(), &failing, args.accept);
    if failing.is_empty() || args.accept {
        return Ok(());
    }
    Err(Error::SnapshotsDiffer {
        folder: folder.join(overrides::SNAPSHOTS),
        files: failing,
    })
}

/// Compares each `expected` output with its snapshot in `folder`; plans a
/// `.snap.new` beside each new or different one (with `accept`, the `.snap`
/// itself) and the removal of pending files no longer needed. Returns the
/// snapshots that did not match, each with what was found.
fn compare(
    folder: &Path,
    expected: &BTreeMap<String, String>,
    accept: bool,
    writes: &mut Writes,
) -> Result<Vec<String>> {
    let mut failing = Vec::new();
    for (name, contents) in expected {
        let path = Path::new(overrides::SNAPSHOTS).join(format!("{name}.snap"));
        let pending = path.with_extension("snap.new");
        let finding = match read_snapshot(&folder.join(&path))? {
            None => Finding::New,
            Some(stored) if normalize(&stored) == normalize(contents) => Finding::Matches,
            Some(_) => Finding::Differs,
        };
        if folder.join(&pending).exists() && (finding == Finding::Matches || accept) {
            writes.removed.push(pending.clone());
        }
        let what = match finding {
            Finding::Matches => continue,
            _ if accept => "accepted",
            Finding::New => "new",
            Finding::Differs => "differs",
        };
        failing.push(format!("{name}.snap ({what})"));
        writes.snapshot(folder, if accept { path } else { pending }, contents)?;
    }
    Ok(failing)
}

/// The stored snapshots `left_over` picks: each is obsolete (deleted with
/// `accept`); a pending `.snap.new` of one is stale and always removed.
fn leftovers(
    folder: &Path,
    left_over: impl Fn(&str) -> bool,
    accept: bool,
    writes: &mut Writes,
) -> Result<Vec<String>> {
    let snapshots = Path::new(overrides::SNAPSHOTS);
    let mut obsolete = Vec::new();
    for stored in stored_snapshots(&folder.join(snapshots), ".snap")? {
        if left_over(&stored) {
            obsolete.push(format!("{stored}.snap (obsolete: no override changes it)"));
            if accept {
                writes
                    .removed
                    .push(snapshots.join(format!("{stored}.snap")));
            }
        }
    }
    for stale in stored_snapshots(&folder.join(snapshots), ".snap.new")? {
        if left_over(&stale) {
            writes
                .removed
                .push(snapshots.join(format!("{stale}.snap.new")));
        }
    }
    Ok(obsolete)
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
