//! `apigen new`: from flags and answers to a project on disk.

use std::path::Path;

pub use crate::project::generate::project_files;

use crate::cli::{ChoiceFlags, NewArgs};
use crate::error::{Error, Result};
use crate::names::validate_crate_name;
use crate::overrides::{self, Overrides};
use crate::project::base;
use crate::prompt;
use crate::render::{RenderedFile, Secrets};
use crate::report;
use crate::spec::{Asker, Choice, ProjectSpec, Unsupported, first_unsupported};
use crate::vcs;
use crate::writer::{check_target, write_project};

pub fn run(args: &NewArgs) -> Result<()> {
    let name = crate_name(args)?;
    // Checked before any question, so nobody answers in vain.
    let overrides = Overrides::for_new(args.templates.as_deref())?;
    let spec = resolve_spec(args, name)?;
    let mut files = project_files(&spec, &Secrets::generate()?, &overrides)?;
    // What `apigen update` merges from later (`project/base.rs`).
    files.push(base::to_file(&base::from_rendered(&files)));
    // The project keeps the overrides it was made with, so that every later
    // command renders with them on any machine.
    files.extend(overrides.files().map(|(path, text)| RenderedFile {
        path: Path::new(overrides::PROJECT_FOLDER).join(path),
        contents: text.to_owned(),
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    check_target(&args.path, &files, args.force)?;

    if args.dry_run {
        report::choices(&spec);
        report::files(&args.path, &files, true);
        return Ok(());
    }
    write_project(&args.path, &files)?;
    let vcs = vcs::init(&args.path, args.vcs);
    report::choices(&spec);
    report::files(&args.path, &files, false);
    if let Some(folder) = overrides.folder().filter(|_| !overrides.is_empty()) {
        report::note(&format!(
            "rendered with the template overrides of {}, kept in {}",
            folder.display(),
            overrides::PROJECT_FOLDER
        ));
    }
    report::vcs(&vcs);
    report::next_steps(&args.path, &spec);
    Ok(())
}

/// `--name`, or the target folder's last component.
fn crate_name(args: &NewArgs) -> Result<String> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => std::path::absolute(&args.path)
            .map_err(Error::io(&args.path))?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    validate_crate_name(&name)?;
    Ok(name)
}

/// Flags first (an unsupported value is refused before any question), then
/// prompts for what is left when a person is there, else the defaults.
fn resolve_spec(args: &NewArgs, name: String) -> Result<ProjectSpec> {
    ProjectSpec::ask(name.clone(), &mut RefuseUnsupported(&args.choices))?;
    let mut answers = FlagsThenPrompts {
        flags: &args.choices,
        interactive: prompt::can_prompt(args.yes),
    };
    ProjectSpec::ask(name, &mut answers)
}

/// Refuses a flag's declined or unsupported value; answers with defaults.
struct RefuseUnsupported<'a>(&'a ChoiceFlags);

impl Asker for RefuseUnsupported<'_> {
    type Error = Error;

    fn one<C: Choice>(&mut self, default: C) -> Result<C> {
        refuse_unsupported(&self.0.values::<C>())?;
        Ok(default)
    }

    fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>> {
        refuse_unsupported(&self.0.values::<C>())?;
        Ok(defaults.to_vec())
    }
}

/// A flag's value, else the answer to a prompt when a person is there, else
/// the default.
struct FlagsThenPrompts<'a> {
    flags: &'a ChoiceFlags,
    interactive: bool,
}

impl Asker for FlagsThenPrompts<'_> {
    type Error = Error;

    fn one<C: Choice>(&mut self, default: C) -> Result<C> {
        match self.flags.values::<C>().last() {
            Some(value) => Ok(*value),
            None if self.interactive => prompt::select(default),
            None => Ok(default),
        }
    }

    fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>> {
        let values = self.flags.values::<C>();
        match values.is_empty() {
            false => Ok(values),
            true if self.interactive => prompt::multi_select(defaults),
            true => Ok(defaults.to_vec()),
        }
    }
}

fn refuse_unsupported<C: Choice>(values: &[C]) -> Result<()> {
    if let Some((value, reason)) = values.iter().find_map(|v| Some((v, v.declined()?))) {
        return Err(Error::Declined {
            flag: C::FLAG,
            value: value.name(),
            reason,
        });
    }
    match first_unsupported(values) {
        None => Ok(()),
        Some(Unsupported {
            flag,
            value,
            available,
        }) => Err(Error::NotSupported {
            flag,
            value,
            available,
        }),
    }
}
