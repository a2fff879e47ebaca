//! Template overrides: a folder of files that replace apigen's embedded
//! templates by path, so a team's house style is what apigen generates.
//!
//! A file's path in the folder is its template's path under apigen's
//! `templates/` (`project/README.md.tera`, `resource/src/models/resource.rs.tera`,
//! `auth/jwt/readme.tera`); `snapshots/` beside them holds the team's
//! snapshots (`apigen templates check`). Which folder a command reads:
//!
//! - `apigen new`: `--templates DIR`, else `APIGEN_TEMPLATES`, else none; the
//!   overrides it used are copied into the new project's `.apigen/templates/`;
//! - every command in a project (`add`, `update`, `remove`): the project's
//!   `.apigen/templates/` only, so it renders the same on every machine
//!   whatever the shell sets;
//! - `apigen templates …`: `--templates DIR`, else the project's folder when
//!   run in one, else `APIGEN_TEMPLATES`.
//!
//! One folder at a time: folders never combine, so a generated line comes
//! from that folder's file or from apigen's.
//!
//! The set is checked when it is loaded, before anything is rendered: every
//! file must replace a template apigen has and must parse; a variable a
//! template does not have is refused when it renders, naming the file and
//! line (`render.rs`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::embedded;
use crate::error::{Error, Result, chain};

/// A project's own overrides, relative to its root.
pub const PROJECT_FOLDER: &str = ".apigen/templates";
/// The environment variable naming an organisation-wide folder.
pub const ENV: &str = "APIGEN_TEMPLATES";
/// The folder, inside an overrides folder, of the team's snapshots.
pub const SNAPSHOTS: &str = "snapshots";

/// A set of overrides (possibly empty: apigen's own templates).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Where they were read from; `None` for no folder.
    folder: Option<PathBuf>,
    /// Template path under `templates/` → its text.
    files: BTreeMap<String, String>,
}

impl Overrides {
    /// No overrides: apigen's embedded templates.
    pub fn none() -> Self {
        Self::default()
    }

    /// The overrides in `folder`, checked: each file replaces an embedded
    /// template and parses. A folder that does not exist holds none.
    pub fn load(folder: &Path) -> Result<Self> {
        let mut overrides = Self {
            folder: Some(folder.to_path_buf()),
            files: BTreeMap::new(),
        };
        if !folder.exists() {
            return Ok(overrides);
        }
        if !folder.is_dir() {
            return Err(Error::TargetNotADirectory {
                path: folder.to_path_buf(),
            });
        }
        let embedded = embedded::all_templates();
        for entry in walkdir::WalkDir::new(folder).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::io(folder)(e.into()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(folder)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            if relative.starts_with(&format!("{SNAPSHOTS}/")) {
                continue;
            }
            let origin = entry.path().to_path_buf();
            if !embedded.contains(&relative) {
                return Err(Error::Override {
                    file: origin,
                    line: None,
                    problem: format!(
                        "apigen has no template `{relative}` to override ({})",
                        suggest(&relative, &embedded)
                    ),
                });
            }
            let text = fs::read_to_string(&origin).map_err(|e| Error::Override {
                file: origin.clone(),
                line: None,
                problem: format!("cannot read it as UTF-8 text ({e})"),
            })?;
            check_syntax(&origin, &text)?;
            overrides.files.insert(relative, text);
        }
        Ok(overrides)
    }

    /// The project's own overrides (`.apigen/templates/` under `root`).
    pub fn of_project(root: &Path) -> Result<Self> {
        Self::load(&root.join(PROJECT_FOLDER))
    }

    /// For `apigen new`: `--templates DIR`, else `APIGEN_TEMPLATES`, else none.
    /// A folder named but missing is an error (a typo must not pass silently).
    pub fn for_new(flag: Option<&Path>) -> Result<Self> {
        match named_folder(flag) {
            Some(folder) => Self::load_existing(&folder),
            None => Ok(Self::none()),
        }
    }

    /// [`Self::load`], refusing a folder that does not exist.
    pub fn load_existing(folder: &Path) -> Result<Self> {
        if !folder.is_dir() {
            return Err(Error::Override {
                file: folder.to_path_buf(),
                line: None,
                problem: "no such folder of template overrides".into(),
            });
        }
        Self::load(folder)
    }

    /// The text overriding `template` (a path under `templates/`), if any.
    pub fn get(&self, template: &str) -> Option<&str> {
        self.files.get(template).map(String::as_str)
    }

    /// Where the override of `template` is on disk.
    pub fn origin(&self, template: &str) -> PathBuf {
        match &self.folder {
            Some(folder) => folder.join(template),
            None => PathBuf::from(template),
        }
    }

    /// The folder they were read from.
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// The overridden templates' paths and texts, in path order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, t)| (p.as_str(), t.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// `--templates DIR`, else `APIGEN_TEMPLATES` when set and not empty.
pub fn named_folder(flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(ENV)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    })
}

/// Refuses a template that does not parse, naming the file and line.
fn check_syntax(origin: &Path, text: &str) -> Result<()> {
    let Err(error) = tera::Template::new("override", None, text) else {
        return Ok(());
    };
    let message = chain(&error);
    Err(Error::Override {
        file: origin.to_path_buf(),
        line: parse_error_line(&message),
        problem: parse_error_problem(&message),
    })
}

/// The line of a Tera (pest) parse error: its ` --> LINE:COLUMN`.
fn parse_error_line(message: &str) -> Option<usize> {
    let at = message.find("--> ")? + 4;
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The useful sentence of a Tera parse error: pest's `= expected …`, with
/// the offending line quoted.
fn parse_error_problem(message: &str) -> String {
    let expected = message
        .lines()
        .find_map(|line| line.trim().strip_prefix("= "))
        .unwrap_or("it does not parse");
    let quoted = message
        .lines()
        .find_map(|line| {
            let (number, code) = line.split_once(" | ")?;
            number.trim().parse::<usize>().ok()?;
            Some(code.trim())
        })
        .map(|code| format!(" in `{code}`"))
        .unwrap_or_default();
    format!("syntax error{quoted}: {expected}")
}

/// Up to three of `known` that look like `wanted` (sharing its file name,
/// or containing it), or where to see them all.
pub fn suggest(wanted: &str, known: &[String]) -> String {
    let file_name = wanted.rsplit('/').next().unwrap_or(wanted);
    let close: Vec<&str> = known
        .iter()
        .filter(|k| k.ends_with(&format!("/{file_name}")) || k.contains(wanted))
        .map(String::as_str)
        .take(3)
        .collect();
    if close.is_empty() {
        "`apigen templates list` lists them".to_owned()
    } else {
        format!("did you mean {}?", close.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_names_its_line_and_what_was_expected() {
        let err = check_syntax(Path::new("x.tera"), "one\ntwo {% if %}\nthree\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("x.tera:2"), "{text}");
        assert!(text.contains("syntax error"), "{text}");
        assert!(check_syntax(Path::new("x.tera"), "ok {{ name }}\n").is_ok());
    }

    #[test]
    fn suggestions_share_the_file_name() {
        let known = vec![
            "project/src/main.rs.tera".to_owned(),
            "project/x".to_owned(),
        ];
        assert_eq!(
            suggest("src/main.rs.tera", &known),
            "did you mean project/src/main.rs.tera?"
        );
        assert!(suggest("nothing", &known).contains("apigen templates list"));
    }
}
