//! What apigen tells the user, styled with console (plain under NO_COLOR).

/// `println!` that ignores a closed stdout (`apigen … | head`) instead of
/// panicking: what apigen reports never changes what it does.
/// Every line apigen prints goes through `out!` or `err!`: a plain `print!`
/// would panic with "failed printing to stdout: Broken pipe".
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed stderr (`apigen … 2>&-`), as `out!` does.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Text that already ends its own lines (a diff), to stdout; a closed stdout is ignored.
fn out_text(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(text.as_bytes());
}

use std::path::Path;

use console::style;

use similar::TextDiff;

use crate::date::Date;
use crate::project::merge::{Outcome, Plan};
use crate::project::{ApiVersion, Change};
use crate::project_vars::ProtocolVars;
use crate::render::RenderedFile;
use crate::spec::{ProjectSpec, Writes};
use crate::vcs::VcsOutcome;

/// Turns colours off when `NO_COLOR` is set to anything non-empty.
pub fn respect_no_color() {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
}

/// Prints an error the way every apigen failure is shown.
pub fn error(message: &str) {
    err!("{} {message}", style("error:").red().bold());
}

/// Prints a warning: something the user should know, not a failure.
pub fn warning(message: &str) {
    err!("{} {message}", style("warning:").yellow().bold());
}

/// A plain line of information.
pub fn note(message: &str) {
    out!("{message}");
}

/// What `apigen templates eject` copied.
pub fn ejected(folder: &Path, paths: &[String]) {
    out!(
        "{} {} template(s) to {}",
        style("Ejected").green().bold(),
        paths.len(),
        folder.display()
    );
    for path in paths {
        out!("  {path}");
    }
    out!("Edit them there: apigen renders with them instead of its own (docs/templates.md).");
}

/// `apigen templates list`: `(overridden, path)` rows, of `total` templates.
pub fn template_list(folder: &Path, rows: &[(bool, &str)], total: usize) {
    let overridden = rows.iter().filter(|(o, _)| *o).count();
    out!(
        "{} of {total} templates overridden in {}",
        overridden,
        folder.display()
    );
    for (is_overridden, path) in rows {
        match is_overridden {
            true => out!("{} {path}", style("overridden").cyan()),
            false => out!("{} {path}", style("apigen    ").dim()),
        }
    }
}

/// `apigen templates check`: `compared` outputs the overrides change, and
/// those whose snapshot is new, different or obsolete.
pub fn snapshot_check(folder: &Path, compared: usize, failing: &[String], accepted: bool) {
    if failing.is_empty() {
        out!(
            "{} the overrides in {} change {compared} output(s) of apigen's presets; every snapshot matches",
            style("ok:").green().bold(),
            folder.display()
        );
        return;
    }
    if accepted {
        out!(
            "{} {} snapshot(s) in {}:",
            style("Accepted").green().bold(),
            failing.len(),
            folder.join(crate::overrides::SNAPSHOTS).display()
        );
        for name in failing {
            out!("  {name}");
        }
    }
}

/// The choices, one per line.
pub fn choices(spec: &ProjectSpec) {
    out!(
        "{} {}",
        style("Project").bold(),
        style(&spec.name).cyan().bold()
    );
    for answer in spec.named() {
        out!(
            "  {:<11}{}",
            style(answer.label).dim(),
            answer.shown.join(", ")
        );
    }
}

/// The files, as written or (dry run) as they would be.
pub fn files(target: &Path, files: &[RenderedFile], dry_run: bool) {
    let verb = if dry_run { "Would write" } else { "Wrote" };
    out!(
        "{} {} files to {}",
        style(verb).green().bold(),
        files.len(),
        target.display()
    );
    for file in files {
        out!("  {}", file.path.display());
    }
}

/// What to do next.
pub fn next_steps(target: &Path, spec: &ProjectSpec) {
    out!("{}", style("Next:").bold());
    out!("  cd {} && cargo run", target.display());
    out!("  then open http://127.0.0.1:8080/docs");
    for protocol in &spec.protocols {
        if let Some(line) = ProtocolVars::of(*protocol).next_step(spec.api_prefix()) {
            out!("  {line}");
        }
    }
}

/// Whether the project got a git repository.
pub fn vcs(outcome: &VcsOutcome) {
    match outcome {
        VcsOutcome::Initialised => out!("Initialised a git repository"),
        VcsOutcome::InsideExistingRepository | VcsOutcome::NotRequested => {}
        VcsOutcome::Failed(why) => err!(
            "{} no git repository was created ({why}); the project is complete",
            style("warning:").yellow().bold()
        ),
    }
}

/// What `add resource` or `add version` writes. A dry run shows each new file and a unified
/// diff of each edited one.
pub fn change(change: &Change, dry_run: bool) {
    let (create, edit) = if dry_run {
        ("Would create", "Would change")
    } else {
        ("Created", "Changed")
    };
    for file in &change.new_files {
        out!("{} {}", style(create).green().bold(), file.path.display());
        if dry_run {
            out_text(&unified_diff(
                &file.path.display().to_string(),
                "",
                &file.contents,
            ));
        }
    }
    for file in &change.edits {
        out!("{} {}", style(edit).yellow().bold(), file.path.display());
        if dry_run {
            out_text(&unified_diff(
                &file.path.display().to_string(),
                &file.before,
                &file.after,
            ));
        }
    }
}

/// The plan of `apigen update`: one line per file that changes or that
/// apigen leaves alone on purpose, with diffs on a dry run.
pub fn update_plan(plan: &Plan, dry_run: bool) {
    for file in &plan.files {
        let Some(label) = outcome_label(file.outcome, dry_run) else {
            continue;
        };
        out!("{label} {}", file.path.display());
        let path = file.path.display().to_string();
        let before = file.ours.as_deref().unwrap_or_default();
        match (&file.after, file.outcome) {
            (Some(after), _) if dry_run => out_text(&unified_diff(&path, before, after)),
            (None, Outcome::Removed) if dry_run => out_text(&unified_diff(&path, before, "")),
            _ => {}
        }
    }
    let unchanged = plan.with(Outcome::Unchanged).count();
    out!("{} {unchanged} files unchanged", style("Kept").dim());
    if dry_run {
        out!(
            "{} apigen.toml and .apigen/base (what apigen generates now); nothing was written",
            style("Would record").green().bold()
        );
    }
}

/// After an update: the conflicts to resolve, if any.
pub fn update_done(plan: &Plan) {
    let conflicts: Vec<String> = plan
        .with(Outcome::Conflict)
        .map(|f| f.path.display().to_string())
        .collect();
    if conflicts.is_empty() {
        out!(
            "{} the project is up to date",
            style("Done:").green().bold()
        );
        return;
    }
    warning(&format!(
        "conflicts in {}, marked with <<<<<<< ours / >>>>>>> theirs (your text, then \
         apigen's): resolve them and remove the markers",
        conflicts.join(", ")
    ));
}

/// How the plan names an outcome; `None` for files left as they are.
fn outcome_label(outcome: Outcome, dry_run: bool) -> Option<String> {
    let (done, would, label) = match outcome {
        Outcome::Created => ("Created", "Would create", console::Style::new().green()),
        Outcome::Updated => ("Updated", "Would update", console::Style::new().green()),
        Outcome::Merged => ("Merged", "Would merge", console::Style::new().yellow()),
        Outcome::Conflict => ("Conflict", "Conflict", console::Style::new().red()),
        Outcome::Removed => ("Removed", "Would remove", console::Style::new().yellow()),
        Outcome::KeptDeleted => ("Kept deleted", "Kept deleted", console::Style::new().dim()),
        Outcome::KeptEdited => (
            "Kept (edited, no longer generated)",
            "Kept (edited, no longer generated)",
            console::Style::new().dim(),
        ),
        Outcome::KeptMigration => (
            "Kept (migrations are never rewritten)",
            "Kept (migrations are never rewritten)",
            console::Style::new().dim(),
        ),
        Outcome::Unchanged => return None,
    };
    let text = if dry_run { would } else { done };
    Some(label.apply_to(text).bold().to_string())
}

/// A unified diff of one file (`before` empty: a new file).
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let old = if before.is_empty() {
        "/dev/null".to_owned()
    } else {
        format!("a/{path}")
    };
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&old, &format!("b/{path}"))
        .to_string()
}

/// What to do after adding a resource; `graphql_schema`: the SDL file of the
/// GraphQL schema that grew.
pub fn resource_next_steps(root: &Path, graphql_schema: Option<&str>) {
    out!("{}", style("Next:").bold());
    if let Some(file) = graphql_schema {
        out!(
            "  cd {} && UPDATE_GRAPHQL_SCHEMA=1 cargo test, then review and commit {file}",
            root.display()
        );
    } else {
        out!("  cd {} && cargo test", root.display());
    }
}

/// Who may write the shared resource `name` just added (`--writes`), where
/// there is a policy: the default is worth saying, since it refuses callers.
pub fn write_policy(name: &str, writes: Option<Writes>) {
    match writes {
        Some(Writes::Admin) => out!(
            "Writes: only admins create, change or delete {name}; others are refused \
             (`--writes any` lets every signed-in caller write)"
        ),
        Some(Writes::Any) => out!(
            "Writes: every signed-in caller may create, change or delete {name} \
             (`--writes admin` keeps it to admins)"
        ),
        None => {}
    }
}

/// What to do after adding `version` (with `change`), which replaces
/// `previous` from `sunset` on.
pub fn version_next_steps(
    root: &Path,
    change: &Change,
    version: ApiVersion,
    previous: ApiVersion,
    sunset: Date,
) {
    let added_file = |path: String| {
        change
            .new_files
            .iter()
            .any(|file| file.path == Path::new(&path))
    };
    let graphql = added_file(format!("src/graphql/{version}.rs"));
    out!("{}", style("Next:").bold());
    out!(
        "  {previous} now answers with Deprecation/Sunset headers (sunset {sunset}); tell its clients to move to {version}"
    );
    let sdl = if graphql {
        format!(" and {}", version.sdl_file())
    } else {
        String::new()
    };
    out!(
        "  cd {} && cargo test, then commit tests/contracts/{previous}.json, which freezes {previous}'s contract{sdl}",
        root.display()
    );
    out!(
        "  change {version} in `fn {version}()` of src/routers/mod.rs; `apigen add resource` now adds to {version} (`--version {previous}` to {previous})"
    );
    if graphql {
        out!("  {version}'s GraphQL schema is src/graphql/{version}.rs, a copy of {previous}'s");
    }
    let package = change.new_files.iter().find_map(|file| {
        file.path
            .starts_with("proto")
            .then(|| file.path.parent())
            .flatten()
    });
    if let Some(package) = package {
        out!(
            "  {version}'s gRPC package is {}/ (served by src/grpc/{version}.rs), a copy of {previous}'s",
            package.display()
        );
    }
}
