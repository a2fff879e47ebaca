//! `apigen update`: brings a project made by `apigen new` to what this
//! apigen generates for its recorded answers (or new ones given as flags),
//! resources and versions, keeping the user's edits: a three-way merge from
//! the base record (`project/rebase.rs`), planned in full before any write.

mod answers;

use crate::cli::UpdateArgs;
use crate::error::{Error, Result};
use crate::project::generate::{Steps, replay};
use crate::project::{self, rebase};
use crate::project_file::ProjectFile;
use crate::report;

pub fn run(args: &UpdateArgs, steps: &Steps) -> Result<()> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let root = project::find_root(&cwd)?;
    let recorded = project::read(&root)?;
    if !args.allow_dirty {
        rebase::refuse_uncommitted(&root)?;
    }
    let target = ProjectFile {
        apigen_version: env!("CARGO_PKG_VERSION").to_owned(),
        project: answers::answered(&recorded.project, &args.choices)?,
        ..rebase::with_migrations(&root, &recorded)?
    };
    let (base, without_base) = rebase::base_or_replay(&root, &recorded, steps)?;
    let other = replay(&target, steps)?;
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
    Ok(())
}
