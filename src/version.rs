//! `apigen add version vN`: a new API version that starts as a copy of the
//! newest one's routes, which it deprecates (with a sunset date). Planned in
//! full in memory, like `add resource`, before anything is written.

use std::path::Path;

mod protocols;

use crate::cli::VersionArgs;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::project::inject::{InjectError, Placement, inject, insert_verbatim};
use crate::project::{self, ApiVersion, Change, Edits, base};
use crate::project_file::{self, VersionRecord};
use crate::spec::Versioning;
use crate::{report, writer};

/// How long a deprecated version answers when `--sunset` is not given.
pub const DEFAULT_SUNSET_DAYS: i64 = 180;

/// The generated file holding each version's routes (`fn v1()`, …) and the
/// match from a version's name to them, at [`VERSIONS_ANCHOR`].
const ROUTERS: &str = "src/routers/mod.rs";
/// The generated file holding the list of versions (`VERSIONS`, at
/// [`VERSIONS_ANCHOR`]) and their deprecations.
const VERSIONING: &str = "src/versioning.rs";
const VERSIONS_ANCHOR: &str = "// apigen:versions";
const VERSIONS_ROUTES_ANCHOR: &str = "// apigen:versions-routes";
const DEPRECATIONS_ANCHOR: &str = "// apigen:deprecations";

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct VersionRequest {
    /// `v2`, as typed.
    pub name: String,
    /// `--sunset`, as typed.
    pub sunset: Option<String>,
}

/// Everything one `add version` changes, and what it decided.
#[derive(Clone, Debug)]
pub struct VersionChange {
    pub change: Change,
    /// The new version (`v2`) and the one it replaces (`v1`).
    pub version: ApiVersion,
    pub previous: ApiVersion,
    /// The day `previous` is deprecated (today) and its sunset.
    pub deprecated: Date,
    pub sunset: Date,
}

pub fn run(args: &VersionArgs) -> Result<()> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let root = project::find_root(&cwd)?;
    let request = VersionRequest {
        name: args.name.clone(),
        sunset: args.sunset.clone(),
    };
    let today = Date::today();
    let mut planned = plan_version(&root, &request, today)?;
    if args.dry_run {
        report::change(&planned.change, true);
        return Ok(());
    }
    let followed = base::follow(&root, |copy| {
        plan_version(copy, &request, today).map(|planned| planned.change)
    })?;
    planned.change.edits.extend(followed);
    writer::apply_files(&root, &planned.change.new_files, &planned.change.edits)?;
    report::change(&planned.change, false);
    report::version_next_steps(
        &root,
        &planned.change,
        planned.version,
        planned.previous,
        planned.sunset,
    );
    Ok(())
}

/// Plans adding `next` after `previous` on the day `previous` records as
/// its deprecation, with its recorded sunset, for `apigen update`.
pub fn replay(root: &Path, previous: &VersionRecord, next: &VersionRecord) -> Result<Change> {
    let deprecated = previous.deprecated.as_deref().unwrap_or_default();
    let today = Date::parse(deprecated).map_err(|reason| Error::ProjectFile {
        path: project_file::FILE_NAME.into(),
        message: format!(
            "version {} has no valid `deprecated` date: {reason}",
            previous.name
        ),
    })?;
    let request = VersionRequest {
        name: next.name.clone(),
        sunset: previous.sunset.clone(),
    };
    Ok(plan_version(root, &request, today)?.change)
}

/// Plans adding the version `request` names to the project at `root`, on
/// `today` (UTC).
pub fn plan_version(root: &Path, request: &VersionRequest, today: Date) -> Result<VersionChange> {
    let mut project = project::read(root)?;
    if project.project.versioning == Versioning::None {
        return Err(Error::Unversioned);
    }
    let name = ApiVersion::parse(&request.name)?;
    let newest = project.newest_version();
    let previous = check_next(&project.versions(), newest, name)?;
    let sunset = sunset(request.sunset.as_deref(), today)?;

    let mut edits = Edits::new(root);
    let routers = Path::new(ROUTERS);
    let text = edits.current(routers)?;
    let existing = format!("fn {name}(");
    if text.lines().any(|l| l.trim_start().starts_with(&existing)) {
        return Err(Error::CannotEdit {
            file: routers.into(),
            problem: format!(
                "it already defines `fn {name}`, which {} does not record",
                project_file::FILE_NAME
            ),
        });
    }
    let routed = format!("\"{name}\" => {name}(at),");
    let text = inject_at(routers, &text, VERSIONS_ANCHOR, &routed, newest)?;
    let function = new_version_fn(&text, previous, name).map_err(|problem| Error::CannotEdit {
        file: routers.into(),
        problem,
    })?;
    let text = insert_verbatim(&text, VERSIONS_ROUTES_ANCHOR, &function)
        .map_err(|_| anchor_missing(routers, VERSIONS_ROUTES_ANCHOR))?;
    edits.set(routers, text)?;

    let versioning = Path::new(VERSIONING);
    let text = edits.current(versioning)?;
    let listed = format!("Version::new(\"{name}\"),");
    let text = inject_at(versioning, &text, VERSIONS_ANCHOR, &listed, newest)?;
    let deprecation = deprecation_lines(previous, name, today, sunset);
    let text = inject_at(versioning, &text, DEPRECATIONS_ANCHOR, &deprecation, newest)?;
    edits.set(versioning, text)?;

    let step = protocols::Step {
        root,
        project: &project.project,
        previous,
        version: name,
    };
    let new_files = protocols::plan(&step, &mut edits)?;

    record(&mut project.versions, previous, name, today, sunset);
    edits.set(
        Path::new(project_file::FILE_NAME),
        project.to_file().contents,
    )?;
    Ok(VersionChange {
        change: Change {
            new_files,
            edits: edits.finish(),
            formatted: true,
        },
        version: name,
        previous,
        deprecated: today,
        sunset,
    })
}

/// Checks that `version` is the one after `newest`, of `versions` (the
/// project's, oldest first); returns the version it follows.
pub fn check_next(
    versions: &[ApiVersion],
    newest: ApiVersion,
    version: ApiVersion,
) -> Result<ApiVersion> {
    let next = newest.next().to_string();
    if versions.contains(&version) {
        return Err(Error::VersionExists {
            name: version.to_string(),
            file: project_file::FILE_NAME.into(),
            next,
        });
    }
    if version != newest.next() {
        return Err(Error::VersionNotNext {
            name: version.to_string(),
            newest: newest.to_string(),
            next,
        });
    }
    Ok(newest)
}

/// `--sunset`, or [`DEFAULT_SUNSET_DAYS`] after `today`; it must be later
/// than `today`.
pub fn sunset(given: Option<&str>, today: Date) -> Result<Date> {
    let Some(given) = given else {
        return Ok(today.plus_days(DEFAULT_SUNSET_DAYS));
    };
    let invalid = |reason: String| Error::InvalidSunset {
        value: given.to_owned(),
        reason,
    };
    let date = Date::parse(given).map_err(invalid)?;
    if date <= today {
        return Err(invalid(format!(
            "a sunset must be after today ({today}, UTC), so that clients have time to move; \
             leave --sunset out for {} ({DEFAULT_SUNSET_DAYS} days from today)",
            today.plus_days(DEFAULT_SUNSET_DAYS)
        )));
    }
    Ok(date)
}

/// [`inject`] at `anchor` of `file`, with the errors of `add version`.
fn inject_at(
    file: &Path,
    text: &str,
    anchor: &str,
    snippet: &str,
    newest: ApiVersion,
) -> Result<String> {
    inject(text, anchor, snippet, Placement::Before).map_err(|e| match e {
        InjectError::AnchorMissing => anchor_missing(file, anchor),
        InjectError::AlreadyPresent => Error::CannotEdit {
            file: file.into(),
            problem: format!(
                "it already has `{}`, though {} says the newest version is {newest}",
                snippet.lines().last().unwrap_or_default().trim(),
                project_file::FILE_NAME
            ),
        },
    })
}

fn anchor_missing(file: &Path, anchor: &str) -> Error {
    Error::CannotEdit {
        file: file.into(),
        problem: format!("the anchor line `{anchor}` is missing"),
    }
}

/// The function of `version`, to go before `// apigen:versions-routes`: a
/// blank line, then a copy of `previous`'s `at.resources([` list (every line
/// between `at.resources([` and its routes marker, verbatim) ending in the new
/// version's own marker. `Err` says what is missing from `text`.
pub fn new_version_fn(
    text: &str,
    previous: ApiVersion,
    version: ApiVersion,
) -> Result<String, String> {
    let signature = format!("fn {previous}(at: Prefix) -> OpenApiRouter<AppState> {{");
    let anchor = previous.routes_anchor();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == signature)
        .ok_or_else(|| format!("the line `{signature}` is missing"))?;
    let body = &lines[start + 1..];
    // The function ends at the first `}` in column 0.
    let body = &body[..body
        .iter()
        .position(|l| l.trim_end() == "}")
        .unwrap_or(body.len())];
    let open = body
        .iter()
        .position(|l| l.trim() == "at.resources([")
        .ok_or_else(|| format!("`fn {previous}()` has no `at.resources([` list"))?;
    let marker = body[open + 1..]
        .iter()
        .position(|l| l.trim() == anchor)
        .map(|i| open + 1 + i)
        .ok_or_else(|| format!("the anchor line `{anchor}` is missing from `fn {previous}()`"))?;
    let indent = &body[marker][..body[marker].len() - body[marker].trim_start().len()];

    let number = version.number();
    let mut out = format!(
        "\n/// Version {number} of the API. It started as {previous}'s routes (`apigen add version {version}`); change\n\
         /// it freely: {previous} keeps answering as before.\n\
         fn {version}(at: Prefix) -> OpenApiRouter<AppState> {{\n"
    );
    for line in &body[open..marker] {
        out.push_str(line);
    }
    out.push_str(&format!(
        "{indent}{}\n    ])\n}}\n",
        version.routes_anchor()
    ));
    Ok(out)
}

/// The two lines `src/versioning.rs` lists `previous`'s deprecation with.
pub fn deprecation_lines(
    previous: ApiVersion,
    name: ApiVersion,
    today: Date,
    sunset: Date,
) -> String {
    format!(
        "// {previous}: replaced by {name} on {today}; answers until its sunset, {sunset}.\n\
         Deprecation::new(\"{previous}\", \"{name}\", \"{today}\", \"{sunset}\"),"
    )
}

/// Records `name` in `apigen.toml`'s versions, and `previous` as deprecated
/// `today` with `sunset` (v1 is recorded too, the first time).
fn record(
    versions: &mut Vec<VersionRecord>,
    previous: ApiVersion,
    name: ApiVersion,
    today: Date,
    sunset: Date,
) {
    let blank = |name: ApiVersion| VersionRecord {
        name: name.to_string(),
        deprecated: None,
        sunset: None,
    };
    let first = ApiVersion::FIRST.to_string();
    if !versions.iter().any(|v| v.name == first) {
        versions.insert(0, blank(ApiVersion::FIRST));
    }
    let previous = previous.to_string();
    if let Some(record) = versions.iter_mut().find(|v| v.name == previous) {
        record.deprecated = Some(today.to_string());
        record.sunset = Some(sunset.to_string());
    }
    versions.push(blank(name));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn v(name: &str) -> ApiVersion {
        ApiVersion::parse(name).unwrap()
    }

    const ROUTERS_V1: &str = "\
fn routes(at: Prefix) -> OpenApiRouter<AppState> {
    match at.0.name {
        \"v1\" => v1(at),
        // apigen:versions
        name => unreachable!(),
    }
}

/// Version 1 of the API: each resource contributes its own router.
fn v1(at: Prefix) -> OpenApiRouter<AppState> {
    at.resources([
        auth::router(at),
        users::router(at),
        // apigen:routes
    ])
}
// apigen:versions-routes

fn resources() {}
";

    #[test]
    fn only_the_version_after_the_newest_can_come_next() {
        let versions = [v("v1")];
        assert_eq!(check_next(&versions, v("v1"), v("v2")).unwrap(), v("v1"));
        let err = check_next(&versions, v("v1"), v("v3"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "v3 cannot come next: this project's newest version is v1, so the next is v2"
            ),
            "{err}"
        );
        let err = check_next(&versions, v("v1"), v("v1"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("version v1 already exists (apigen.toml); the next is v2"),
            "{err}"
        );
        let versions = [v("v1"), v("v2")];
        assert_eq!(check_next(&versions, v("v2"), v("v3")).unwrap(), v("v2"));
        assert!(
            check_next(&versions, v("v2"), v("v2"))
                .unwrap_err()
                .to_string()
                .contains("exists")
        );
    }

    #[test]
    fn the_sunset_defaults_to_180_days_and_must_be_after_today() {
        let today = date("2026-03-01");
        assert_eq!(sunset(None, today).unwrap(), date("2026-08-28"));
        assert_eq!(
            sunset(Some("2026-03-02"), today).unwrap(),
            date("2026-03-02")
        );
        for (given, message) in [
            (
                "2026-03-01",
                "a sunset must be after today (2026-03-01, UTC)",
            ),
            ("2025-12-31", "leave --sunset out for 2026-08-28"),
            ("2026-02-30", "2026-02 has 28 days"),
            ("tomorrow", "expected a date YYYY-MM-DD"),
        ] {
            let err = sunset(Some(given), today).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid --sunset \"{given}\"")),
                "{err}"
            );
            assert!(err.contains(message), "{given}: {err}");
        }
    }

    #[test]
    fn a_new_version_copies_the_previous_list_verbatim() {
        let function = new_version_fn(ROUTERS_V1, v("v1"), v("v2")).unwrap();
        assert_eq!(
            function,
            "
/// Version 2 of the API. It started as v1's routes (`apigen add version v2`); change
/// it freely: v1 keeps answering as before.
fn v2(at: Prefix) -> OpenApiRouter<AppState> {
    at.resources([
        auth::router(at),
        users::router(at),
        // apigen:routes:v2
    ])
}
"
        );
        let text = insert_verbatim(ROUTERS_V1, VERSIONS_ROUTES_ANCHOR, &function).unwrap();
        let text = text.replace(
            "        // apigen:routes:v2",
            "        reviews::router(at),\n        // apigen:routes:v2",
        );
        let third = new_version_fn(&text, v("v2"), v("v3")).unwrap();
        assert!(
            third.contains(
                "fn v3(at: Prefix) -> OpenApiRouter<AppState> {\n    at.resources([\n        auth::router(at),\n        users::router(at),\n        reviews::router(at),\n        // apigen:routes:v3\n    ])\n}\n"
            ),
            "{third}"
        );
        assert!(third.contains("It started as v2's routes (`apigen add version v3`)"));
    }

    #[test]
    fn a_list_without_its_marker_is_named() {
        let no_marker = ROUTERS_V1.replace("        // apigen:routes\n", "");
        assert_eq!(
            new_version_fn(&no_marker, v("v1"), v("v2")).unwrap_err(),
            "the anchor line `// apigen:routes` is missing from `fn v1()`"
        );
        // A marker of another function is not v1's.
        let elsewhere = format!("{no_marker}fn other() {{\n    // apigen:routes\n}}\n");
        assert!(new_version_fn(&elsewhere, v("v1"), v("v2")).is_err());
        assert_eq!(
            new_version_fn(ROUTERS_V1, v("v2"), v("v3")).unwrap_err(),
            "the line `fn v2(at: Prefix) -> OpenApiRouter<AppState> {` is missing"
        );
    }

    #[test]
    fn deprecations_name_both_versions_and_dates() {
        let lines = deprecation_lines(v("v1"), v("v2"), date("2026-03-01"), date("2026-08-28"));
        assert_eq!(
            lines,
            "// v1: replaced by v2 on 2026-03-01; answers until its sunset, 2026-08-28.\n\
             Deprecation::new(\"v1\", \"v2\", \"2026-03-01\", \"2026-08-28\"),"
        );
    }

    #[test]
    fn versions_are_recorded_with_the_dates_of_the_one_replaced() {
        let mut versions = Vec::new();
        let (today, sunset) = (date("2026-03-01"), date("2026-08-28"));
        record(&mut versions, v("v1"), v("v2"), today, sunset);
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].name, "v1");
        assert_eq!(versions[0].deprecated.as_deref(), Some("2026-03-01"));
        assert_eq!(versions[0].sunset.as_deref(), Some("2026-08-28"));
        assert_eq!(
            (versions[1].name.as_str(), &versions[1].sunset),
            ("v2", &None)
        );
        record(
            &mut versions,
            v("v2"),
            v("v3"),
            date("2026-04-01"),
            date("2026-10-01"),
        );
        assert_eq!(versions[0].sunset.as_deref(), Some("2026-08-28"));
        assert_eq!(versions[1].sunset.as_deref(), Some("2026-10-01"));
        assert_eq!(versions[2].name, "v3");
    }
}
