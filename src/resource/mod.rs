//! `apigen add resource`: a complete, tested CRUD resource added to an
//! existing project, planned in full before anything is written.

pub mod api;
pub mod cargo_toml;
pub mod dialect;
pub mod fields;
pub mod format;
pub mod grpc;
pub mod inject;
pub mod naming;
pub mod plan;
pub mod vars;

use std::path::{Path, PathBuf};

use crate::cli::ResourceArgs;
use crate::error::{Error, Result};
use crate::project_file;
use crate::{prompt, report, writer};

pub use plan::{Change, ResourceRequest, plan_resource, plan_resource_in, utc_timestamp};

pub fn run(args: &ResourceArgs) -> Result<()> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let root = find_project_root(&cwd)?;
    // Refused before asking for fields, so nobody types them in vain.
    let project = plan::read_project(&root)?;
    plan::check_owned(&project.project, &args.name, args.owned)?;
    crate::version::resolve(&project, args.version.as_deref())?;
    let request = ResourceRequest {
        name: args.name.clone(),
        fields: fields_from(args)?,
        owned: args.owned,
    };
    let change = plan_resource_in(
        &root,
        &request,
        args.version.as_deref(),
        &utc_timestamp(std::time::SystemTime::now()),
    )?;
    if args.dry_run {
        report::change(&change, true);
        return Ok(());
    }
    writer::apply_files(&root, &change.new_files, &change.edits)?;
    report::change(&change, false);
    if !change.formatted {
        report::warning(
            "rustfmt did not run; run `cargo fmt` in the project to format the new files",
        );
    }
    // The schema that grew: `src/graphql/v2.rs` is checked in as `schema.v2.graphql`.
    let graphql_schema = change.edits.iter().find_map(|edit| {
        let module = edit.path.strip_prefix("src/graphql").ok()?;
        let number = module
            .file_stem()?
            .to_str()
            .and_then(project_file::version_number)?;
        Some(crate::version::sdl_file(number))
    });
    report::resource_next_steps(&root, graphql_schema.as_deref());
    Ok(())
}

/// `--fields`, or the answers to prompts when a person is there.
fn fields_from(args: &ResourceArgs) -> Result<Vec<fields::Field>> {
    match &args.fields {
        Some(spec) => fields::parse_fields(spec),
        None if prompt::can_prompt(args.yes) => prompt::fields(),
        None => Err(Error::FieldsRequired),
    }
}

/// The nearest folder, from `dir` up, that holds an `apigen.toml`.
pub(crate) fn find_project_root(dir: &Path) -> Result<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(project_file::FILE_NAME).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NotInProject { dir: dir.into() })
}
