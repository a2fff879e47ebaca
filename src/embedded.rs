//! apigen's own templates, built into the binary: `templates/` as it was when
//! apigen was compiled. [`render`](crate::render) renders them,
//! [`overrides`](crate::overrides) puts a team's own in place of some, and
//! `apigen templates` lists and ejects them.

use include_dir::{Dir, include_dir};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Every template apigen has, by its path under `templates/`
/// (`project/src/main.rs.tera`, `auth/jwt/readme.tera`): what an override
/// may replace. Manifests are not templates (they decide which files exist).
pub fn all_templates() -> Vec<String> {
    let mut names = Vec::new();
    collect_files(&TEMPLATES, "", &mut names);
    let mut names: Vec<String> = names
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !name.ends_with("manifest.toml"))
        .collect();
    names.sort();
    names
}

/// The embedded text of `path` (under `templates/`): a template or a manifest.
pub fn text(path: &str) -> Option<&'static str> {
    TEMPLATES
        .get_file(path)
        .and_then(|file| file.contents_utf8())
}

/// Every template file embedded under `templates/<folder>/`, relative to it
/// (the folder's own `manifest.toml` excluded).
pub fn templates_in(folder: &str) -> Vec<String> {
    files_in(folder)
        .expect("template folders are embedded at build time")
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// `(path relative to templates/<folder>, text)` for every file embedded under
/// `templates/<folder>/` but its `manifest.toml`; `None` when there is no such
/// folder.
pub(crate) fn files_in(folder: &str) -> Option<Vec<(String, &'static str)>> {
    let dir = TEMPLATES.get_dir(folder)?;
    let mut files = Vec::new();
    collect_files(dir, folder, &mut files);
    Some(files)
}

fn collect_files(dir: &'static Dir<'static>, folder: &str, out: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        let name = file
            .path()
            .strip_prefix(folder)
            .expect("embedded under its folder")
            .to_string_lossy()
            .replace('\\', "/");
        if name == "manifest.toml" {
            continue;
        }
        let text = file.contents_utf8().expect("templates are UTF-8 text");
        out.push((name, text));
    }
    for sub in dir.dirs() {
        collect_files(sub, folder, out);
    }
}
