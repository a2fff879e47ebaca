//! `apigen remove resource NAME`: the project as if the resource had never
//! been added, through the same three-way merge as `apigen update`: its
//! files removed unless edited (then kept and listed), its injected lines
//! taken out, and a new migration dropping its table.

use std::path::PathBuf;

use crate::cli::RemoveResourceArgs;
use crate::error::{Error, Result};
use crate::overrides::Overrides;
use crate::project::Files;
use crate::project::generate::{Steps, replay};
use crate::project::merge::{FilePlan, Outcome};
use crate::project::{self, migration, rebase};
use crate::report;
use crate::spec::Database;

pub fn run(args: &RemoveResourceArgs, steps: &Steps) -> Result<()> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let root = project::find_root(&cwd)?;
    let recorded = rebase::with_migrations(&root, &project::read(&root)?)?;
    let Some(at) = recorded.resources.iter().position(|r| r.name == args.name) else {
        return Err(Error::UnknownResource {
            name: args.name.clone(),
            resources: recorded.resources.iter().map(|r| r.name.clone()).collect(),
        });
    };
    let overrides = Overrides::of_project(&root)?;
    if !args.allow_dirty {
        rebase::refuse_uncommitted(&root)?;
    }
    let mut target = recorded.clone();
    target.resources.remove(at);
    let (base, _) = rebase::base_or_replay(&root, &recorded, steps, &overrides)?;
    let (other, kept) = without(
        &base,
        &replay(&recorded, steps, &overrides)?,
        &replay(&target, steps, &overrides)?,
    );
    let mut planned = rebase::plan(&root, &base, &other, &target)?;
    if recorded.project.db != Database::None {
        planned.plan.files.push(drop_migration(&root, &args.name)?);
        planned.recompute(&root, &target, &other)?;
    }
    report::update_plan(&planned.plan, args.dry_run);
    if !kept.is_empty() {
        report::warning(&format!(
            "the lines {} added to {} could not be told apart from the text around them; \
             take them out by hand",
            args.name,
            kept.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if args.dry_run {
        return Ok(());
    }
    planned.write(&root)?;
    report::update_done(&planned.plan);
    Ok(())
}

/// `base` less what a resource added: `with` and `without` are what this
/// apigen generates with and without it. A file only `with` has is gone;
/// elsewhere the lines it added are taken out of `base`'s text where they
/// can be. The paths where they cannot (the recorded text is too different
/// from today's around them) keep them, and are returned to be named.
fn without(base: &Files, with: &Files, without: &Files) -> (Files, Vec<PathBuf>) {
    let mut kept = Vec::new();
    let files = base
        .iter()
        .filter(|(path, _)| without.contains_key(*path) || !with.contains_key(*path))
        .map(|(path, text)| {
            let edited = match (with.get(path), without.get(path)) {
                (Some(with), Some(without)) if with != without => diffy::merge(with, text, without)
                    .unwrap_or_else(|_| {
                        kept.push(path.clone());
                        text.clone()
                    }),
                _ => text.clone(),
            };
            (path.clone(), edited)
        })
        .collect();
    (files, kept)
}

/// A new migration that drops the resource's table (its creating migration
/// stays: migrations are never rewritten).
fn drop_migration(root: &std::path::Path, table: &str) -> Result<FilePlan> {
    let now = migration::utc_timestamp(std::time::SystemTime::now());
    let version = migration::next_migration_version(&root.join(migration::DIR), &now)?;
    let path = PathBuf::from(format!("{}/{version}_drop_{table}.sql", migration::DIR));
    let sql = format!(
        "-- Drops {table}, removed by `apigen remove resource {table}`: its rows are gone\n\
         -- once this runs (back them up first if they matter).\n\
         DROP TABLE IF EXISTS {table};\n"
    );
    Ok(FilePlan {
        path,
        outcome: Outcome::Created,
        ours: None,
        after: Some(sql),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(path, text)| (PathBuf::from(path), (*text).to_owned()))
            .collect()
    }

    #[test]
    fn a_resources_files_and_lines_go_and_the_rest_stays() {
        let with = files(&[("mod.rs", "a\nmod notes;\nz\n"), ("notes.rs", "n\n")]);
        let without_notes = files(&[("mod.rs", "a\nz\n")]);
        let base = files(&[
            ("mod.rs", "a\nmod notes;\nz\nours\n"),
            ("notes.rs", "n\n"),
            ("other.rs", "o\n"),
        ]);
        let (left, kept) = without(&base, &with, &without_notes);
        assert_eq!(
            left,
            files(&[("mod.rs", "a\nz\nours\n"), ("other.rs", "o\n")])
        );
        assert!(kept.is_empty());

        // Recorded text that changed right beside the lines keeps them, named.
        let base = files(&[("mod.rs", "A\nmod notes;\nZ\n")]);
        let (left, kept) = without(&base, &with, &without_notes);
        assert_eq!(left, base);
        assert_eq!(kept, [PathBuf::from("mod.rs")]);
    }
}
