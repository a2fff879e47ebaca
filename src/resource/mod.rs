//! `apigen add resource`: a complete, tested CRUD resource added to an
//! existing project, planned in full before anything is written.

pub mod api;
pub mod cargo_toml;
pub mod dialect;
pub mod fields;
pub mod format;
pub mod grpc;
pub mod naming;
pub mod plan;
pub mod vars;

use dialoguer::Input;
use dialoguer::theme::ColorfulTheme;

use crate::cli::ResourceArgs;
use crate::error::{Error, Result};
use crate::overrides::Overrides;
use crate::project::generate::project_files;
use crate::project::{self, ApiVersion, Change, base};
use crate::project_file::{ProjectFile, ResourceRecord};
use crate::render::Secrets;
use crate::resource::fields::{Field, parse_field};
use crate::{prompt, report, writer};

pub use plan::{ResourceRequest, plan_resource, plan_resource_in, utc_timestamp};

pub fn run(args: &ResourceArgs) -> Result<()> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let root = project::find_root(&cwd)?;
    // Refused before asking for fields, so nobody types them in vain.
    let project = project::read(&root)?;
    let overrides = checked_overrides(&root, &project)?;
    plan::check_owned(&project.project, &args.name, args.owned)?;
    let writes = plan::write_policy(&project.project, &args.name, args.owned, args.writes)?;
    plan::check_step_up(&project.project, &args.name, writes, args.step_up)?;
    project::resolve_version(&project, args.version.as_deref())?;
    let request = ResourceRequest {
        name: args.name.clone(),
        fields: fields_from(args)?,
        owned: args.owned,
        writes: args.writes,
        step_up: args.step_up,
    };
    let mut change = plan_resource_in(
        &root,
        &request,
        args.version.as_deref(),
        &utc_timestamp(std::time::SystemTime::now()),
        &overrides,
    )?;
    if args.dry_run {
        report::change(&change, true);
        return Ok(());
    }
    // The same resource, under the same migration name, in the base record.
    let migration = migration_of(&change);
    let followed = base::follow(&root, |copy| {
        plan_resource_in(
            copy,
            &request,
            args.version.as_deref(),
            &migration,
            &overrides,
        )
    })?;
    change.edits.extend(followed);
    writer::apply_files(&root, &change.new_files, &change.edits)?;
    report::change(&change, false);
    report::write_policy(&args.name, writes);
    if !change.formatted {
        report::warning(
            "rustfmt did not run; run `cargo fmt` in the project to format the new files",
        );
    }
    // The schema that grew: `src/graphql/v2.rs` is checked in as `schema.v2.graphql`.
    let graphql_schema = change.edits.iter().find_map(|edit| {
        let module = edit.path.strip_prefix("src/graphql").ok()?;
        let version = module
            .file_stem()?
            .to_str()
            .and_then(ApiVersion::from_name)?;
        Some(version.sdl_file())
    });
    report::resource_next_steps(&root, graphql_schema.as_deref());
    Ok(())
}

/// The project's template overrides, each of its project templates rendered
/// once for the recorded answers: an override that no longer renders (a
/// variable templates do not have) is refused now, naming its file and line,
/// rather than at the next `apigen update`.
fn checked_overrides(root: &std::path::Path, project: &ProjectFile) -> Result<Overrides> {
    let overrides = Overrides::of_project(root)?;
    if !overrides.is_empty() {
        project_files(&project.project, &Secrets::placeholder(), &overrides)?;
    }
    Ok(overrides)
}

/// The `YYYYMMDDHHMMSS` naming the migration `change` writes (the time of
/// day where the project has none).
fn migration_of(change: &Change) -> String {
    change
        .new_files
        .iter()
        .filter(|f| f.path.starts_with("migrations"))
        .find_map(|f| {
            f.path
                .file_name()?
                .to_str()?
                .split('_')
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| utc_timestamp(std::time::SystemTime::now()))
}

/// Plans a resource as `record` says it was added, for `apigen update`,
/// with the project's template `overrides`.
pub fn replay(
    root: &std::path::Path,
    record: &ResourceRecord,
    overrides: &Overrides,
) -> Result<Change> {
    let request = ResourceRequest {
        name: record.name.clone(),
        fields: fields::parse_fields(&record.fields)?,
        owned: record.owned,
        writes: record.writes,
        step_up: record.step_up,
    };
    let migration = record.migration.as_deref().unwrap_or(REPLAY_MIGRATION);
    plan_resource_in(
        root,
        &request,
        record.version.as_deref(),
        migration,
        overrides,
    )
}

/// The migration time of a recorded resource whose migration is not on
/// disk either (a project without a database has none).
const REPLAY_MIGRATION: &str = "20000101000000";

/// `--fields`, or the answers to prompts when a person is there.
fn fields_from(args: &ResourceArgs) -> Result<Vec<Field>> {
    match &args.fields {
        Some(spec) => fields::parse_fields(spec),
        None if prompt::can_prompt(args.yes) => ask_fields(),
        None => Err(Error::FieldsRequired),
    }
}

/// Asks for a resource's fields one at a time until an empty answer.
fn ask_fields() -> Result<Vec<Field>> {
    let mut fields: Vec<Field> = Vec::new();
    loop {
        let answer: String = Input::with_theme(&ColorfulTheme::default())
            .with_prompt("Field as name:type[?][:unique][:index] (empty to finish)")
            .allow_empty(true)
            .validate_with(|text: &String| -> Result<(), String> {
                if text.trim().is_empty() {
                    return Ok(());
                }
                let field = parse_field(text.trim())?;
                match fields.iter().any(|f| f.name == field.name) {
                    true => Err(format!("field {:?} is already there", field.name)),
                    false => Ok(()),
                }
            })
            .interact_text()
            .map_err(prompt::prompt_error)?;
        if answer.trim().is_empty() {
            break;
        }
        fields.push(parse_field(answer.trim()).map_err(Error::Prompt)?);
    }
    if fields.is_empty() {
        return Err(Error::Prompt("a resource needs at least one field".into()));
    }
    Ok(fields)
}
