//! A finished command's outcome, as the steps and the servers' set-up report it.

use std::process::Output;

/// `Ok` when the step exited successfully; otherwise its name and output.
pub fn succeeded(step: &str, output: &Output) -> Result<(), String> {
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "step '{step}' failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}
