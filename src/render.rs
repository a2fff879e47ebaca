//! Turns a [`ProjectSpec`] into the generated project's files, in memory.
//!
//! `templates/manifest.toml` lists every file apigen can write, once, with the
//! condition that brings it in; the templates themselves live beside it under
//! `templates/project/` and are embedded in the binary.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use heck::{ToKebabCase, ToPascalCase, ToShoutySnakeCase, ToSnakeCase};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tera::{Context, Tera, Value};

use crate::embedded;
use crate::error::{Error, Result, chain};
use crate::overrides::Overrides;
use crate::project_vars::ProjectVars;
use crate::resource::dialect;
use crate::spec::{Database, ProjectSpec};

/// Where the project templates live inside `templates/`.
const PROJECT_DIR: &str = "project";
/// The list of project files, beside that folder.
const PROJECT_MANIFEST: &str = "manifest.toml";
/// Each auth method's fragments: `templates/auth/<module>/` (`none` for a
/// project without callers), imported by shared templates as `auth/<file>`.
const AUTH_FRAGMENTS: &str = "auth";
/// Each protocol's fragments: `templates/protocol/<name>/`, loaded for every
/// protocol the project speaks.
const PROTOCOL_FRAGMENTS: &str = "protocol";
/// What shared templates import instead: `protocols/<file>`, whose every macro
/// is the same macro of each of the project's protocols, in `protocols` order.
const ALL_PROTOCOLS: &str = "protocols";

/// One file of the generated project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedFile {
    /// Relative to the project root.
    pub path: PathBuf,
    pub contents: String,
}

/// Values that differ between runs; tests pass fixed ones so that snapshots
/// stay stable.
#[derive(Clone, Debug)]
pub struct Secrets {
    /// Signs the generated project's JWTs; written to its `.env` only.
    pub jwt_secret: String,
    /// Guards the generated project's `/metrics` (`METRICS_TOKEN`); written to its
    /// `.env` only.
    pub metrics_token: String,
}

impl Secrets {
    /// Fresh random secrets from the operating system.
    pub fn generate() -> Result<Self> {
        Ok(Self {
            jwt_secret: random_hex()?,
            metrics_token: random_hex()?,
        })
    }

    /// Stand-ins for what is generated to compare, not to run: the only
    /// file holding secrets (`.env`) is never compared.
    pub fn placeholder() -> Self {
        Self {
            jwt_secret: "0".repeat(64),
            metrics_token: "0".repeat(64),
        }
    }
}

/// 32 random bytes from the operating system, as 64 hex digits.
fn random_hex() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(Error::Randomness)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, Deserialize)]
struct Manifest {
    file: Vec<ManifestEntry>,
}

/// One line of `templates/manifest.toml` (and of other folders' manifests).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManifestEntry {
    /// Output path in the generated project; may use template variables.
    pub(crate) path: String,
    /// Template under the manifest's folder; defaults to `<path>.tera`.
    pub(crate) template: Option<String>,
    /// A Tera expression over the template variables; the file is written
    /// only when it is true. Absent means always.
    pub(crate) when: Option<String>,
    /// The template is literal text with whole-line conditions only
    /// (`Cargo.lock`): rendered by [`render_literal`], without a Tera parse.
    #[serde(default)]
    pub(crate) literal: bool,
}

impl ManifestEntry {
    pub(crate) fn template(&self) -> String {
        self.template
            .clone()
            .unwrap_or_else(|| format!("{}.tera", self.path))
    }
}

/// The variables every project template sees.
#[derive(Serialize)]
struct TemplateVars<'a> {
    #[serde(flatten)]
    project: ProjectVars<'a>,
    apigen_version: &'static str,
    jwt_secret: &'a str,
    metrics_token: &'a str,
    /// `DATABASE_URL` of a fresh project.
    database_url: String,
}

/// Renders every file that the manifest selects for `spec`, each from its
/// override in `overrides` where there is one.
pub fn render_project(
    spec: &ProjectSpec,
    secrets: &Secrets,
    overrides: &Overrides,
) -> Result<Vec<RenderedFile>> {
    let manifest: Manifest = load_manifest(PROJECT_MANIFEST)?;
    let context = project_context(spec, secrets)?;
    render_entries(PROJECT_DIR, spec.db, &manifest.file, &context, overrides)
}

/// The variables project templates see, for `spec`.
fn project_context(spec: &ProjectSpec, secrets: &Secrets) -> Result<Context> {
    let vars = TemplateVars {
        project: ProjectVars::new(spec),
        apigen_version: env!("CARGO_PKG_VERSION"),
        jwt_secret: &secrets.jwt_secret,
        metrics_token: &secrets.metrics_token,
        database_url: database_url(spec),
    };
    Context::from_serialize(&vars).map_err(|e| template_error("(context)", &e))
}

/// The `DATABASE_URL` a fresh project starts with (empty for `db = none`).
fn database_url(spec: &ProjectSpec) -> String {
    dialect::Sql::of(spec.db)
        .map(|sql| sql.default_url.replace("{name}", &spec.crate_ident()))
        .unwrap_or_default()
}

/// The template files named by the manifest, relative to `templates/project/`
/// (for tests that keep manifest and folder in step).
pub fn manifest_templates() -> Result<Vec<String>> {
    let manifest: Manifest = load_manifest(PROJECT_MANIFEST)?;
    Ok(manifest.file.iter().map(ManifestEntry::template).collect())
}

/// Every template file embedded under `templates/project/`.
pub fn embedded_templates() -> Vec<String> {
    embedded::templates_in(PROJECT_DIR)
}

/// Renders every entry of `entries` (a manifest of `templates/<folder>/`)
/// whose `when` holds in `context`, at its rendered `path`. Only the templates
/// of those entries are parsed, so a template may `include` only templates
/// that are selected with it.
pub(crate) fn render_entries(
    folder: &str,
    db: Database,
    entries: &[ManifestEntry],
    context: &Context,
    overrides: &Overrides,
) -> Result<Vec<RenderedFile>> {
    let mut selected = Vec::new();
    for entry in entries {
        if condition_holds(entry.when.as_deref(), &entry.path, context)? {
            selected.push(entry);
        }
    }
    let mut fragments = auth_fragments(context, overrides)?;
    fragments.extend(protocol_fragments(context, overrides)?);
    let templates = TemplateSet::load(folder, db, &selected, fragments, overrides)?;
    selected
        .iter()
        .map(|entry| {
            Ok(RenderedFile {
                path: PathBuf::from(render_str(&entry.path, context)?),
                contents: templates.render(&entry.template(), context)?,
            })
        })
        .collect()
}

/// One template's name for Tera, its text, and where that text comes from.
struct Source {
    name: String,
    text: Cow<'static, str>,
    /// The override's file on disk; `None` for apigen's own template.
    overridden: Option<PathBuf>,
}

impl Source {
    /// The template at `path` under `templates/`, known to Tera as `name`:
    /// its override where there is one, else apigen's.
    fn of(name: String, path: &str, overrides: &Overrides) -> Option<Self> {
        if let Some(text) = overrides.get(path) {
            return Some(Self {
                name,
                text: Cow::Owned(text.to_owned()),
                overridden: Some(overrides.origin(path)),
            });
        }
        Some(Self {
            name,
            text: Cow::Borrowed(embedded::text(path)?),
            overridden: None,
        })
    }
}

/// The templates of some manifest entries, ready to render.
struct TemplateSet {
    tera: Tera,
    /// `literal` templates by name: their text, unparsed.
    literals: HashMap<String, Cow<'static, str>>,
    /// Overridden templates by name: the file on disk and its text, to
    /// name the file and line of an error.
    overridden: HashMap<String, (PathBuf, Cow<'static, str>)>,
}

impl TemplateSet {
    /// Parses the templates of `entries` under `templates/<folder>/` and the
    /// auth method's and protocols' `fragments`, with the SQL placeholder
    /// functions of `db`; `literal` ones are kept as text.
    fn load(
        folder: &str,
        db: Database,
        entries: &[&ManifestEntry],
        fragments: Vec<Source>,
        overrides: &Overrides,
    ) -> Result<Self> {
        let mut sources = fragments;
        let mut literals = HashMap::new();
        let mut overridden = HashMap::new();
        for entry in entries {
            let name = entry.template();
            let path = format!("{folder}/{name}");
            let source =
                Source::of(name.clone(), &path, overrides).ok_or_else(|| Error::Template {
                    template: path.clone(),
                    message: format!(
                        "no such template (named by `{}` in the manifest)",
                        entry.path
                    ),
                })?;
            if entry.literal {
                if let Some(origin) = source.overridden {
                    overridden.insert(name.clone(), (origin, source.text.clone()));
                }
                literals.insert(name, source.text);
            } else if !sources.iter().any(|known| known.name == name) {
                sources.push(source);
            }
        }
        let mut parsed = Vec::new();
        for source in sources {
            if let Some(origin) = source.overridden {
                overridden.insert(source.name.clone(), (origin, source.text.clone()));
            }
            parsed.push((source.name, source.text));
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![]);
        tera.add_raw_templates(parsed)
            .map_err(|e| template_error("(loading)", &e))?;
        register_filters(&mut tera);
        dialect::register(&mut tera, db);
        Ok(Self {
            tera,
            literals,
            overridden,
        })
    }

    fn render(&self, template: &str, context: &Context) -> Result<String> {
        if let Some(text) = self.literals.get(template) {
            return render_literal(template, text, context).map_err(|error| {
                match (self.overridden.get(template), error) {
                    (Some((origin, _)), Error::Template { message, .. }) => Error::Override {
                        file: origin.clone(),
                        line: None,
                        problem: message,
                    },
                    (_, error) => error,
                }
            });
        }
        self.tera
            .render(template, context)
            .map_err(|e| self.error(template, &e, context))
    }

    /// A render error; where an override made it (the template being
    /// rendered, or a fragment it imports, as Tera says), one naming the
    /// override's file and, for a variable templates do not have, its line.
    fn error(&self, template: &str, error: &tera::Error, context: &Context) -> Error {
        let message = chain(error);
        let active = message
            .split_once("while rendering '")
            .and_then(|(_, rest)| rest.split_once('\''))
            .map_or(template, |(name, _)| name);
        let Some((origin, text)) = self
            .overridden
            .get(active)
            .or_else(|| self.overridden.get(template))
        else {
            return template_error(template, error);
        };
        match unknown_variable(&message) {
            Some(variable) => Error::Override {
                file: origin.clone(),
                line: line_of(text, variable),
                problem: format!(
                    "unknown variable `{variable}` (templates see: {}; docs/templates.md says what each holds)",
                    variable_names(context)
                ),
            },
            None => Error::Override {
                file: origin.clone(),
                line: None,
                problem: message,
            },
        }
    }
}

/// The variable of Tera's "Variable `x` not found in context" error.
fn unknown_variable(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("Variable `")?;
    let (variable, rest) = rest.split_once('`')?;
    rest.trim_start()
        .starts_with("not found")
        .then_some(variable)
}

/// The first line (from 1) of `text` naming `variable` as a whole word.
fn line_of(text: &str, variable: &str) -> Option<usize> {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    text.lines()
        .position(|line| {
            line.match_indices(variable).any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + variable.len()..].chars().next();
                !before.is_some_and(word) && !after.is_some_and(|c| word(c) && c != '.')
            })
        })
        .map(|index| index + 1)
}

/// The top-level variables of `context`, sorted, comma-separated.
fn variable_names(context: &Context) -> String {
    let json = context.clone().into_json();
    let mut names: Vec<&str> = json
        .as_object()
        .map(|map| map.keys().map(String::as_str).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names.join(", ")
}

/// The project's auth method's fragments, under the names shared templates
/// import: `templates/auth/jwt/readme.tera` is `auth/readme.tera` in a `jwt`
/// project. Tera's `import` takes only a literal name, so the method is chosen
/// here, by `auth.module` (`none` without one); every method's folder defines
/// the same macros (a unit test checks), and a shared template calls them,
/// e.g. `{% import "auth/readme.tera" as method %}` … `{{ method::intro() }}`.
fn auth_fragments(context: &Context, overrides: &Overrides) -> Result<Vec<Source>> {
    let module = context
        .get("auth")
        .and_then(|auth| auth.get("module"))
        .and_then(Value::as_str)
        .unwrap_or("none");
    let folder = format!("{AUTH_FRAGMENTS}/{module}");
    let files = embedded::files_in(&folder).ok_or_else(|| Error::Template {
        template: format!("{folder}/"),
        message: "no fragments for this auth method".into(),
    })?;
    Ok(files
        .into_iter()
        .filter_map(|(name, _)| {
            Source::of(
                format!("{AUTH_FRAGMENTS}/{name}"),
                &format!("{folder}/{name}"),
                overrides,
            )
        })
        .collect())
}

/// The fragments of every protocol the project speaks, and what shared
/// templates import: `templates/protocol/graphql/readme.tera` is
/// `protocol/graphql/readme.tera`, and `protocols/readme.tera` is made here,
/// each of its macros calling that macro of each protocol in `protocols` order.
/// A shared template says `{% import "protocols/readme.tera" as protocol %}` …
/// `{{ protocol::section() }}` and names no protocol. Every protocol's folder
/// defines the same files and macros (a unit test checks), so the macros of the
/// first one stand for all.
fn protocol_fragments(context: &Context, overrides: &Overrides) -> Result<Vec<Source>> {
    let names: Vec<&str> = context
        .get("protocols")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fragments = Vec::new();
    // The first protocol's fragment files: `(file, its source's index)`.
    let mut files_of_first: Vec<(String, usize)> = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let folder = format!("{PROTOCOL_FRAGMENTS}/{name}");
        let files = embedded::files_in(&folder).ok_or_else(|| Error::Template {
            template: format!("{folder}/"),
            message: "no fragments for this protocol".into(),
        })?;
        for (file, _) in files {
            let path = format!("{folder}/{file}");
            if index == 0 {
                files_of_first.push((file, fragments.len()));
            }
            fragments.extend(Source::of(path.clone(), &path, overrides));
        }
    }
    for (file, at) in files_of_first {
        let signatures = macro_signatures(&fragments[at].text);
        fragments.push(Source {
            name: format!("{ALL_PROTOCOLS}/{file}"),
            text: Cow::Owned(every_protocol(&file, &names, &signatures)),
            overridden: None,
        });
    }
    Ok(fragments)
}

/// `protocols/<file>`: each macro of `signatures` as the concatenation of that
/// macro of each protocol of `names`, arguments passed on by name.
fn every_protocol(file: &str, names: &[&str], signatures: &[MacroSignature]) -> String {
    let mut text = String::new();
    for name in names {
        let _ = writeln!(
            text,
            "{{% import \"{PROTOCOL_FRAGMENTS}/{name}/{file}\" as {name} %}}"
        );
    }
    for signature in signatures {
        let arguments: Vec<String> = signature
            .parameters
            .iter()
            .map(|parameter| format!("{parameter}={parameter}"))
            .collect();
        let arguments = arguments.join(", ");
        let _ = write!(text, "{{% macro {} %}}", signature.declaration);
        for name in names {
            let _ = write!(text, "{{{{ {name}::{}({arguments}) }}}}", signature.name);
        }
        let _ = writeln!(text, "{{% endmacro {} %}}", signature.name);
    }
    text
}

/// One `{% macro name(a, b=1) %}` of a fragment file.
#[derive(Debug, PartialEq, Eq)]
struct MacroSignature {
    /// `name(a, b=1)`, as written.
    declaration: String,
    name: String,
    /// `a`, `b`: default values are the fragment's own business.
    parameters: Vec<String>,
}

/// The macros a fragment file defines (`{% macro …` tags), in order. Defaults
/// may not contain a comma or a parenthesis (fragments take plain names and
/// literals).
fn macro_signatures(text: &str) -> Vec<MacroSignature> {
    text.split("{% macro ")
        .skip(1)
        .filter_map(|rest| {
            let declaration = rest.split("%}").next()?.trim().trim_end_matches('-').trim();
            let (name, parameters) = declaration.split_once('(')?;
            let parameters = parameters.strip_suffix(')')?;
            Some(MacroSignature {
                declaration: declaration.to_owned(),
                name: name.trim().to_owned(),
                parameters: parameters
                    .split(',')
                    .map(|parameter| parameter.split('=').next().unwrap_or_default().trim())
                    .filter(|parameter| !parameter.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}

/// Renders a short template given inline (a path, a snippet).
pub(crate) fn render_str(text: &str, context: &Context) -> Result<String> {
    let mut tera = Tera::default();
    register_filters(&mut tera);
    tera.render_str(text, context)
        .map_err(|e| template_error(text, &e))
}

/// Reads a manifest embedded under `templates/`.
pub(crate) fn load_manifest<T: DeserializeOwned>(path: &str) -> Result<T> {
    let text = embedded::text(path).expect("manifests are embedded at build time");
    toml::from_str(text).map_err(|e| Error::Template {
        template: path.into(),
        message: e.to_string(),
    })
}

/// Whether a manifest `when` expression holds; `None` means always.
pub(crate) fn condition_holds(when: Option<&str>, what: &str, context: &Context) -> Result<bool> {
    let Some(when) = when else {
        return Ok(true);
    };
    let probe = format!("{{% if {when} %}}yes{{% endif %}}");
    let out = Tera::one_off(&probe, context, false).map_err(|e| Error::Template {
        template: format!("manifest ({what})"),
        message: format!("bad `when = {when:?}`: {}", chain(&e)),
    })?;
    Ok(out == "yes")
}

/// Renders a `literal` template line by line. Only two kinds of line are read:
/// a whole-line `{%- if EXPR %}` … `{%- endif %}` pair (nested freely) keeps or
/// drops the lines between, and `{{ name }}` is the crate name; every other line
/// is copied. The output is what Tera would render from the same text, without
/// parsing it all: `Cargo.lock.tera` is 80 KB of literal text, and parsing it
/// was most of the time `apigen new` took.
pub(crate) fn render_literal(template: &str, text: &str, context: &Context) -> Result<String> {
    let error = |line: usize, message: &str| Error::Template {
        template: template.to_owned(),
        message: format!("line {line}: {message}"),
    };
    let name = context
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| error(0, "the context has no `name`"))?;
    let mut holds: HashMap<&str, bool> = HashMap::new();
    // One entry per open `if`: whether its lines are kept.
    let mut open: Vec<bool> = Vec::new();
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let tag = line.trim();
        if let Some(when) = tag
            .strip_prefix("{%- if ")
            .and_then(|t| t.strip_suffix(" %}"))
        {
            let keep = match holds.get(when) {
                Some(&keep) => keep,
                None => {
                    let keep = condition_holds(Some(when), template, context)?;
                    *holds.entry(when).or_insert(keep)
                }
            };
            open.push(keep);
        } else if tag == "{%- endif %}" {
            open.pop()
                .ok_or_else(|| error(index + 1, "`endif` without `if`"))?;
        } else if line.contains("{%") || line.contains("{{") && !line.contains("{{ name }}") {
            return Err(error(
                index + 1,
                "only whole-line `{%- if … %}`, `{%- endif %}` and `{{ name }}` are read here",
            ));
        } else if open.iter().all(|&keep| keep) {
            out.push_str(&line.replace("{{ name }}", name));
        }
    }
    if open.is_empty() {
        Ok(out)
    } else {
        Err(error(0, "an `if` is not closed"))
    }
}

/// Case filters from heck: `{{ name | pascal_case }}` and friends.
fn register_filters(tera: &mut Tera) {
    fn filter(convert: fn(&str) -> String) -> impl tera::Filter {
        move |value: &Value, _: &HashMap<String, Value>| {
            let text = tera::try_get_value!("case", "value", String, value);
            Ok(Value::String(convert(&text)))
        }
    }
    tera.register_filter("snake_case", filter(|s| s.to_snake_case()));
    tera.register_filter("pascal_case", filter(|s| s.to_pascal_case()));
    tera.register_filter("kebab_case", filter(|s| s.to_kebab_case()));
    tera.register_filter("shouty_snake_case", filter(|s| s.to_shouty_snake_case()));
}

fn template_error(template: &str, error: &tera::Error) -> Error {
    Error::Template {
        template: template.to_owned(),
        message: chain(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project_vars::AuthVars;
    use crate::spec::{Auth, Cache, Choice, Protocol};

    fn names_and_texts(sources: Vec<Source>) -> Vec<(String, Cow<'static, str>)> {
        sources.into_iter().map(|s| (s.name, s.text)).collect()
    }

    fn secrets() -> Secrets {
        Secrets {
            jwt_secret: "0".repeat(64),
            metrics_token: "0".repeat(64),
        }
    }

    #[test]
    fn literal_rendering_is_what_tera_renders() {
        let manifest: Manifest = load_manifest(PROJECT_MANIFEST).unwrap();
        let literal: Vec<_> = manifest.file.iter().filter(|e| e.literal).collect();
        assert!(
            !literal.is_empty(),
            "Cargo.lock is rendered as literal text"
        );
        for entry in literal {
            let name = entry.template();
            let text = embedded::text(&format!("{PROJECT_DIR}/{name}")).unwrap();
            for auth in Auth::supported() {
                for db in Database::supported() {
                    for cache in Cache::supported() {
                        let spec = ProjectSpec {
                            auth,
                            db,
                            cache,
                            ..ProjectSpec::with_defaults("some-api")
                        };
                        let context = project_context(&spec, &secrets()).unwrap();
                        let fast = render_literal(&name, text, &context).unwrap();
                        let tera = Tera::one_off(text, &context, false).unwrap();
                        assert_eq!(fast, tera, "{name} for {}", spec.summary());
                        assert!(fast.contains("name = \"some-api\""));
                    }
                }
            }
        }
    }

    /// The macro names each fragment file of `templates/auth/<folder>/` defines.
    fn fragment_macros(folder: &str) -> Vec<(String, Vec<String>)> {
        let files = embedded::files_in(&format!("{AUTH_FRAGMENTS}/{folder}")).unwrap();
        let mut macros: Vec<_> = files
            .into_iter()
            .map(|(name, text)| {
                let mut names: Vec<String> = text
                    .split("{% macro ")
                    .skip(1)
                    .map(|rest| rest.split('(').next().unwrap().to_owned())
                    .collect();
                names.sort();
                (name, names)
            })
            .collect();
        macros.sort();
        macros
    }

    #[test]
    fn every_auth_method_defines_the_same_fragments() {
        let jwt = fragment_macros("jwt");
        assert!(
            jwt.iter()
                .any(|(file, names)| file == "readme.tera" && names.contains(&"intro".to_owned())),
            "{jwt:?}"
        );
        for method in Auth::supported() {
            let folder = AuthVars::of(method).module.unwrap_or("none");
            assert_eq!(
                fragment_macros(folder),
                jwt,
                "templates/auth/{folder}/ and templates/auth/jwt/"
            );
        }
    }

    #[test]
    fn shared_templates_import_the_project_methods_fragments() {
        let intro = |auth| {
            let spec = ProjectSpec {
                auth,
                ..ProjectSpec::with_defaults("x")
            };
            let context = project_context(&spec, &secrets()).unwrap();
            let mut tera = Tera::default();
            tera.add_raw_templates(names_and_texts(
                auth_fragments(&context, &Overrides::none()).unwrap(),
            ))
            .unwrap();
            tera.add_raw_template(
                "shared",
                "{% import \"auth/readme.tera\" as method %}{{ method::intro() }}",
            )
            .unwrap();
            tera.render("shared", &context).unwrap()
        };
        assert!(intro(Auth::Session).starts_with("cookie sessions"));
        assert!(intro(Auth::ApiKey).starts_with("API-key authentication"));
        assert!(intro(Auth::None).starts_with("no authentication"));
    }

    /// The macros each fragment file of `templates/protocol/<name>/` declares.
    fn protocol_macros(name: &str) -> Vec<(String, Vec<String>)> {
        let folder = format!("{PROTOCOL_FRAGMENTS}/{name}");
        let files = embedded::files_in(&folder).unwrap();
        let mut macros: Vec<_> = files
            .into_iter()
            .map(|(file, text)| {
                let declarations = macro_signatures(text)
                    .into_iter()
                    .map(|signature| signature.declaration)
                    .collect();
                (file, declarations)
            })
            .collect();
        macros.sort();
        macros
    }

    #[test]
    fn every_protocol_defines_the_same_fragments() {
        let rest = protocol_macros("rest");
        assert!(
            rest.iter().any(|(file, declarations)| file == "readme.tera"
                && declarations.contains(&"section()".to_owned())),
            "{rest:?}"
        );
        for protocol in Protocol::supported() {
            let name = tera::to_value(protocol).unwrap();
            let name = name.as_str().unwrap();
            assert_eq!(
                protocol_macros(name),
                rest,
                "templates/protocol/{name}/ and templates/protocol/rest/"
            );
        }
    }

    #[test]
    fn a_protocols_macro_says_each_protocols_text_in_order() {
        let render = |protocols: &[Protocol]| {
            let spec = ProjectSpec {
                protocols: protocols.to_vec(),
                ..ProjectSpec::with_defaults("x")
            };
            let context = project_context(&spec, &secrets()).unwrap();
            let mut tera = Tera::default();
            tera.add_raw_templates(names_and_texts(
                auth_fragments(&context, &Overrides::none()).unwrap(),
            ))
            .unwrap();
            tera.add_raw_templates(names_and_texts(
                protocol_fragments(&context, &Overrides::none()).unwrap(),
            ))
            .unwrap();
            tera.add_raw_template(
                "shared",
                "{% import \"protocols/readme.tera\" as protocol %}{{ protocol::section() }}",
            )
            .unwrap();
            tera.render("shared", &context).unwrap()
        };
        let both = render(&[Protocol::Rest, Protocol::Graphql, Protocol::Grpc]);
        let graphql = both.find("## GraphQL").expect(&both);
        let grpc = both.find("## gRPC").expect(&both);
        assert!(graphql < grpc, "{both}");
        assert!(render(&[Protocol::Rest]).is_empty());
        assert!(!render(&[Protocol::Grpc]).contains("## GraphQL"));
    }

    #[test]
    fn macro_signatures_keep_the_declaration_and_name_the_parameters() {
        let text = "{% macro a() %}x{% endmacro a %}\n{% macro b(env_file, quoted=true) %}{% endmacro b %}";
        let signatures = macro_signatures(text);
        assert_eq!(signatures.len(), 2);
        assert_eq!(signatures[0].name, "a");
        assert!(signatures[0].parameters.is_empty());
        assert_eq!(signatures[1].declaration, "b(env_file, quoted=true)");
        assert_eq!(signatures[1].parameters, ["env_file", "quoted"]);
    }

    /// A fragment override's error names the override, though the template
    /// rendering is a shared one importing it.
    #[test]
    fn an_unknown_variable_in_an_overridden_fragment_names_its_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth/jwt/readme.tera");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = embedded::text("auth/jwt/readme.tera").unwrap();
        let broken = text.replacen("{% macro intro() %}", "{% macro intro() %}{{ colour }}", 1);
        assert_ne!(broken, text, "the fragment defines intro()");
        std::fs::write(&path, &broken).unwrap();
        let overrides = Overrides::load(dir.path()).unwrap();
        let spec = ProjectSpec::with_defaults("x");
        let err = render_project(&spec, &secrets(), &overrides)
            .unwrap_err()
            .to_string();
        let line = broken
            .lines()
            .position(|l| l.contains("{{ colour }}"))
            .unwrap()
            + 1;
        assert!(
            err.contains(&format!(
                "{}:{line}: unknown variable `colour`",
                path.display()
            )),
            "{err}"
        );
        assert!(render_project(&spec, &secrets(), &Overrides::none()).is_ok());
    }

    #[test]
    fn literal_templates_refuse_what_they_cannot_render() {
        let context = project_context(&ProjectSpec::with_defaults("x"), &secrets()).unwrap();
        for (text, message) in [
            ("a = \"{{ db }}\"\n", "line 1: only whole-line"),
            ("ok\n{% if true %}x{% endif %}\n", "line 2: only whole-line"),
            ("{%- if db == 'sqlite' %}\nx\n", "an `if` is not closed"),
            ("x\n{%- endif %}\n", "line 2: `endif` without `if`"),
        ] {
            let err = render_literal("Cargo.lock.tera", text, &context)
                .unwrap_err()
                .to_string();
            assert!(err.contains(message), "{text:?}: {err}");
            assert!(err.contains("Cargo.lock.tera"), "{err}");
        }
    }
}
