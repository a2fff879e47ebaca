//! apigen's errors: each names the problem and, where there is one, the fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid project name {name:?}: {reason}")]
    InvalidName { name: String, reason: String },

    #[error("{flag} {value} is not supported yet (available: {available}); nothing was written")]
    NotSupported {
        flag: &'static str,
        value: String,
        available: String,
    },

    #[error("{flag} {value} is not generated, by design: {reason}; nothing was written")]
    Declined {
        flag: &'static str,
        value: String,
        reason: &'static str,
    },

    #[error(
        "{} already exists and is not empty; choose another path, or pass --force to add the project's files to it (apigen never overwrites a file)",
        path.display()
    )]
    TargetNotEmpty { path: PathBuf },

    #[error("{} exists and is not a folder", path.display())]
    TargetNotADirectory { path: PathBuf },

    #[error(
        "--force will not overwrite your files; these already exist in {}: {}",
        path.display(),
        files.join(", ")
    )]
    WouldOverwrite { path: PathBuf, files: Vec<String> },

    #[error(
        "cannot create the project in {}: {} exists and is not a folder",
        target.display(),
        path.display()
    )]
    ParentNotAFolder { target: PathBuf, path: PathBuf },

    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("template {template}: {message}")]
    Template { template: String, message: String },

    #[error(
        "template override {}{}: {problem}; nothing was written",
        file.display(),
        line.map(|line| format!(":{line}")).unwrap_or_default()
    )]
    Override {
        file: PathBuf,
        line: Option<usize>,
        problem: String,
    },

    #[error("apigen has no template {path:?} ({hint}); nothing was written")]
    UnknownTemplate { path: String, hint: String },

    #[error("apigen has no preset {name:?}; its presets are {}", presets.join(", "))]
    UnknownPreset { name: String, presets: Vec<String> },

    #[error(
        "no folder of template overrides: pass --templates DIR, run it in a project \
         (its .apigen/templates), or set APIGEN_TEMPLATES"
    )]
    NoOverrideFolder,

    #[error(
        "{} already exists in {}: eject writes only new files (delete it first to start again \
         from apigen's); nothing was written",
        files.join(", "),
        folder.display()
    )]
    EjectWouldOverwrite { folder: PathBuf, files: Vec<String> },

    #[error(
        "{} snapshot(s) in {} differ from what the overrides render: {}. Review the .snap.new \
         files (`cargo insta review --include-hidden` in a project, or diff them), then accept them with \
         `apigen templates check --accept`",
        files.len(),
        folder.display(),
        files.join(", ")
    )]
    SnapshotsDiffer { folder: PathBuf, files: Vec<String> },

    #[error("{0}")]
    Prompt(String),

    #[error("interrupted; nothing was written")]
    Interrupted,

    #[error("cannot get random bytes for secrets: {0}")]
    Randomness(getrandom::Error),

    #[error(
        "no apigen.toml in {} or any folder above it: run `apigen add` or `apigen update` inside a project made by `apigen new`",
        dir.display()
    )]
    NotInProject { dir: PathBuf },

    #[error("cannot read {}: {message}; nothing was changed", path.display())]
    ProjectFile { path: PathBuf, message: String },

    #[error("invalid resource name {name:?}: {reason}; nothing was changed")]
    InvalidResourceName { name: String, reason: String },

    #[error("invalid --fields {spec:?}: {reason}; nothing was changed")]
    InvalidFields { spec: String, reason: String },

    #[error(
        "--fields is required when apigen cannot ask (no terminal, --yes or CI set), e.g. --fields \"title:string,price:decimal\"; nothing was changed"
    )]
    FieldsRequired,

    #[error("resource {name} already exists ({}); nothing was changed", file.display())]
    ResourceExists { name: String, file: PathBuf },

    #[error("cannot add resource {name} with --owned: {reason}; nothing was changed")]
    OwnedRefused { name: String, reason: &'static str },

    #[error("cannot add resource {name} with --step-up: {reason}; nothing was changed")]
    StepUpRefused { name: String, reason: &'static str },

    #[error("cannot add resource {name} with --writes {writes}: {reason}; nothing was changed")]
    WritesRefused {
        name: String,
        writes: &'static str,
        reason: &'static str,
    },

    #[error(
        "a project with --versioning none has no versions: its routes (`fn api()` in src/routers/mod.rs) change in place, for clients deployed with it. To version an API, generate the project with --versioning url or --versioning header; nothing was changed"
    )]
    Unversioned,

    #[error(
        "--version {name}: a project with --versioning none has no versions; drop --version; nothing was changed"
    )]
    VersionFlagUnversioned { name: String },

    #[error("invalid version name {name:?}: {reason}; nothing was changed")]
    InvalidVersionName { name: String, reason: String },

    #[error(
        "version {name} already exists ({}); the next is {next}: `apigen add version {next}`; nothing was changed",
        file.display()
    )]
    VersionExists {
        name: String,
        file: PathBuf,
        next: String,
    },

    #[error(
        "{name} cannot come next: this project's newest version is {newest}, so the next is {next}: `apigen add version {next}`; nothing was changed"
    )]
    VersionNotNext {
        name: String,
        newest: String,
        next: String,
    },

    #[error("invalid --sunset {value:?}: {reason}; nothing was changed")]
    InvalidSunset { value: String, reason: String },

    #[error(
        "this project has no {name}; its versions are {}; pass one of them to --version (a new one comes from `apigen add version`); nothing was changed",
        versions.join(", ")
    )]
    UnknownVersion { name: String, versions: Vec<String> },

    #[error(
        "{}: {problem}; restore it (see docs/templates.md) and run again; nothing was changed",
        file.display()
    )]
    CannotEdit { file: PathBuf, problem: String },

    #[error(
        "the project has uncommitted changes ({}): commit or stash them first, so that the \
         update can be reviewed and undone on its own, or pass --allow-dirty; nothing was changed",
        changes.join(", ")
    )]
    UncommittedChanges { changes: Vec<String> },

    #[error(
        "this project has no resource {name} ({}); nothing was changed",
        if resources.is_empty() {
            "apigen.toml lists no resources: `apigen add resource` adds one".to_owned()
        } else {
            format!("apigen.toml lists: {}", resources.join(", "))
        }
    )]
    UnknownResource {
        name: String,
        resources: Vec<String>,
    },

    #[error("cannot update to {flag} {to} (the project has {from}): {reason}; nothing was changed")]
    AnswerChangeRefused {
        flag: &'static str,
        from: String,
        to: String,
        reason: &'static str,
    },

    #[error("the new answers cannot carry what apigen.toml records: {0}")]
    AnswersRefusedByRecord(Box<Error>),
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error's message followed by its causes', `: `-separated (Tera puts the
/// useful part of a message in the error's sources).
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
