//! The answers an update generates for: the recorded ones, each replaced by
//! its flag where one is given (`apigen update --cache redis`), and refused
//! where the project cannot follow a change.

use std::collections::VecDeque;

use crate::cli::ChoiceFlags;
use crate::error::{Error, Result};
use crate::spec::{Answers, Asker, Choice, Database, ProjectSpec};

/// `recorded` with the answers `flags` give instead.
pub fn answered(recorded: &ProjectSpec, flags: &ChoiceFlags) -> Result<ProjectSpec> {
    let mut names = Recorded(VecDeque::new());
    recorded.answers(&mut names);
    let mut asker = FlagsOrRecorded {
        flags,
        recorded: names.0,
    };
    let spec = ProjectSpec::ask(recorded.name.clone(), &mut asker)?;
    if let Some(unsupported) = spec.unsupported() {
        return Err(Error::NotSupported {
            flag: unsupported.flag,
            value: unsupported.value,
            available: unsupported.available,
        });
    }
    refuse_unsafe(recorded, &spec)?;
    Ok(spec)
}

/// Refuses a change the merge cannot carry safely: another database (the
/// migrations, queries and data are written for the one the project has).
fn refuse_unsafe(recorded: &ProjectSpec, spec: &ProjectSpec) -> Result<()> {
    if recorded.db == spec.db {
        return Ok(());
    }
    Err(Error::AnswerChangeRefused {
        flag: Database::FLAG,
        from: recorded.db.name(),
        to: spec.db.name(),
        reason: "the migrations already applied, the SQL of every resource and the data are \
                 written for the project's database, and no merge can move them; generate a \
                 new project with `apigen new --db …` and move your code over",
    })
}

/// Each recorded answer's values by name, in the order of
/// [`ProjectSpec::ask`].
struct Recorded(VecDeque<Vec<String>>);

impl Answers for Recorded {
    fn answer<C: Choice>(&mut self, values: &[C]) {
        self.0.push_back(values.iter().map(|v| v.name()).collect());
    }
}

/// A flag's values, else the recorded ones (asked in the order they were
/// recorded, so each question takes the next recorded answer).
struct FlagsOrRecorded<'a> {
    flags: &'a ChoiceFlags,
    recorded: VecDeque<Vec<String>>,
}

impl FlagsOrRecorded<'_> {
    fn recorded<C: Choice>(&mut self) -> Vec<C> {
        let names = self.recorded.pop_front().unwrap_or_default();
        names
            .iter()
            .filter_map(|name| C::from_str(name, false).ok())
            .collect()
    }
}

impl Asker for FlagsOrRecorded<'_> {
    type Error = Error;

    fn one<C: Choice>(&mut self, default: C) -> Result<C> {
        let recorded = self.recorded::<C>();
        let given = self.flags.values::<C>();
        Ok(given
            .last()
            .or(recorded.first())
            .copied()
            .unwrap_or(default))
    }

    fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>> {
        let recorded = self.recorded::<C>();
        let given = self.flags.values::<C>();
        Ok(match (given.is_empty(), recorded.is_empty()) {
            (false, _) => given,
            (true, false) => recorded,
            (true, true) => defaults.to_vec(),
        })
    }
}
