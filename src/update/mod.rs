//! `apigen update`: brings a project made by `apigen new` to what this
//! apigen generates for its recorded answers (or new ones given as flags),
//! resources and versions, keeping the user's edits: a three-way merge from
//! the base record (`project/rebase.rs`), planned in full before any write.

mod answers;

use std::path::Path;

use crate::cli::UpdateArgs;
use crate::error::{Error, Result};
use crate::overrides::Overrides;
use crate::project::generate::{Steps, replay};
use crate::project::merge::Plan;
use crate::project::{self, rebase};
use crate::project_file::ProjectFile;
use crate::report;

pub fn run(args: &UpdateArgs, steps: &Steps) -> Result<()> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let root = project::find_root(&cwd)?;
    let recorded = project::read(&root)?;
    // The project's own overrides (`.apigen/templates`), so a house style
    // survives the update; checked before anything else is done.
    let overrides = Overrides::of_project(&root)?;
    if !args.allow_dirty {
        rebase::refuse_uncommitted(&root)?;
    }
    let target = ProjectFile {
        apigen_version: env!("CARGO_PKG_VERSION").to_owned(),
        project: answers::answered(&recorded.project, &args.choices)?,
        ..rebase::with_migrations(&root, &recorded)?
    };
    let (base, without_base) = rebase::base_or_replay(&root, &recorded, steps, &overrides)?;
    let other = replay(&target, steps, &overrides).map_err(|error| {
        // A recorded resource or version the new answers refuse (a resource
        // written by admins under `--auth none`): say why the update stopped.
        if target.project == recorded.project {
            error
        } else {
            Error::AnswersRefusedByRecord(Box::new(error))
        }
    })?;
    let planned = rebase::plan(&root, &base, &other, &target)?;
    if without_base {
        report::warning(
            "this project has no .apigen/base (it was made before apigen kept one): \
             only changed answers are merged; template changes since it was made are \
             not told apart from your edits",
        );
    }
    report::update_plan(&planned.plan, args.dry_run);
    if args.dry_run {
        return Ok(());
    }
    planned.write(&root)?;
    report::update_done(&planned.plan);
    let missing = missing_env_variables(&root, &planned.plan);
    if !missing.is_empty() {
        report::warning(&format!(
            ".env lacks {} from the updated .env.example: add them (apigen never writes \
             .env, which holds your secrets)",
            missing.join(", ")
        ));
    }
    Ok(())
}

/// The variables the updated `.env.example` names that the project's `.env`
/// does not set; none when there is no `.env` or `.env.example` did not change.
fn missing_env_variables(root: &Path, plan: &Plan) -> Vec<String> {
    let Some(example) = plan
        .files
        .iter()
        .find(|file| file.path == Path::new(".env.example"))
        .and_then(|file| file.after.as_deref())
    else {
        return Vec::new();
    };
    let Ok(env) = std::fs::read_to_string(root.join(".env")) else {
        return Vec::new();
    };
    let set = variables(&env);
    variables(example)
        .into_iter()
        .filter(|name| !set.contains(name))
        .collect()
}

/// The names of `NAME=value` lines, in order (comments and blank lines skipped).
fn variables(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(name, _)| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn variables_are_the_names_of_assignments_only() {
        let text = "# REDIS_URL=commented\nHOST=127.0.0.1\n\nREDIS_URL=redis://x\n";
        assert_eq!(variables(text), ["HOST", "REDIS_URL"]);
    }
}
