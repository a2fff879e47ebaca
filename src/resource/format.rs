//! rustfmt for the new Rust files, so the project stays `cargo fmt --check`
//! clean whatever the length of the resource's names.
//!
//! rustfmt comes with cargo in the default toolchain. When it is missing the
//! files keep the templates' own layout (they still build) and apigen says
//! to run `cargo fmt`. Only new files are formatted: the user's own files
//! are edited at anchors and never reformatted.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::render::RenderedFile;

/// The edition generated projects use.
const EDITION: &str = "2024";

/// Formats every `.rs` file in place; `false` if rustfmt could not run.
/// Runs in `root`, so a `rustfmt.toml` of the project applies.
pub fn format_rust_files(root: &Path, files: &mut [RenderedFile]) -> bool {
    files
        .iter_mut()
        .filter(|f| f.path.extension().is_some_and(|e| e == "rs"))
        .all(|file| match rustfmt(root, &file.contents) {
            Some(formatted) => {
                file.contents = formatted;
                true
            }
            None => false,
        })
}

fn rustfmt(root: &Path, source: &str) -> Option<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", EDITION, "--emit", "stdout", "--quiet"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(source.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.is_empty()).then_some(text)
}
