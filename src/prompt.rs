//! Interactive questions, asked only for what flags did not answer.

use std::io::IsTerminal;

use console::Term;
use dialoguer::{
    MultiSelect, Select,
    theme::{ColorfulTheme, Theme},
};

use crate::error::{Error, Result};
use crate::spec::Choice;

/// Prompts only when a person can answer: stdin is a terminal, `--yes` was
/// not given and `CI` is not set.
pub fn can_prompt(yes: bool) -> bool {
    !yes && std::env::var_os("CI").is_none() && std::io::stdin().is_terminal()
}

/// Asks for one value among the supported ones, `default` preselected.
pub fn select<C: Choice>(default: C) -> Result<C> {
    let options = C::supported();
    let items: Vec<String> = options.iter().map(|c| item(*c)).collect();
    let preselected = options.iter().position(|c| *c == default).unwrap_or(0);
    let picked = Select::with_theme(&ColorfulTheme::default())
        .with_prompt(C::QUESTION)
        .items(&items)
        .default(preselected)
        .report(false)
        .interact()
        .map_err(prompt_error)?;
    confirm::<C>(&[options[picked]]);
    Ok(options[picked])
}

/// Asks for one or more values among the supported ones, `defaults` checked.
pub fn multi_select<C: Choice>(defaults: &[C]) -> Result<Vec<C>> {
    let options = C::supported();
    let items: Vec<String> = options.iter().map(|c| item(*c)).collect();
    let checked: Vec<bool> = options.iter().map(|c| defaults.contains(c)).collect();
    let picked = MultiSelect::with_theme(&ColorfulTheme::default())
        .with_prompt(format!("{} (space toggles, enter accepts)", C::QUESTION))
        .items(&items)
        .defaults(&checked)
        .report(false)
        .interact()
        .map_err(prompt_error)?;
    if picked.is_empty() {
        return Err(Error::Prompt(format!(
            "pick at least one value for {}",
            C::FLAG
        )));
    }
    let picked: Vec<C> = picked.into_iter().map(|i| options[i]).collect();
    confirm(&picked);
    Ok(picked)
}

/// The answer to a question, as dialoguer would report it but by name only
/// (`✔ Protocols to serve · rest, graphql`): the help text was read in the list.
fn confirm<C: Choice>(picked: &[C]) {
    let names: Vec<String> = picked.iter().map(|choice| choice.name()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut line = String::new();
    let written = ColorfulTheme::default().format_multi_select_prompt_selection(
        &mut line,
        C::QUESTION,
        &names,
    );
    if written.is_ok() {
        // The prompt itself wrote to standard error; a failed echo loses nothing.
        let _ = Term::stderr().write_line(&line);
    }
}

fn item<C: Choice>(choice: C) -> String {
    format!("{:<8} {}", choice.name(), choice.help())
}

/// A failed prompt as apigen reports it; Ctrl-C is [`Error::Interrupted`].
pub fn prompt_error(e: dialoguer::Error) -> Error {
    let dialoguer::Error::IO(io) = &e;
    // Ctrl-C at a line prompt interrupts the read (see `interrupt`).
    if io.kind() == std::io::ErrorKind::Interrupted {
        return Error::Interrupted;
    }
    Error::Prompt(format!("prompt failed: {e}"))
}
