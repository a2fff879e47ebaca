//! Ctrl-C never leaves half a project behind.
//!
//! While [`writer`](crate::writer) puts files on disk (a few milliseconds), an
//! interrupt waits until the write is complete or rolled back, then apigen exits.
//! At any other moment, a prompt included, Ctrl-C exits at once, silently and with
//! status 130, as a process killed by SIGINT does.

use std::sync::{Mutex, PoisonError};

/// Held while files are written; the Ctrl-C handler waits for it.
static WRITING: Mutex<()> = Mutex::new(());

/// The exit status shells report for a process stopped by SIGINT (128 + 2).
pub const EXIT_STATUS: u8 = 130;

/// Installs the Ctrl-C handler. Call once, at start-up; without it (tests
/// calling the library) Ctrl-C keeps its default behaviour.
pub fn install() {
    // If no handler can be installed, Ctrl-C keeps its default behaviour too.
    let _ = ctrlc::set_handler(|| {
        let _writing = WRITING.lock();
        // A prompt may have hidden the cursor.
        let _ = console::Term::stderr().show_cursor();
        std::process::exit(EXIT_STATUS.into());
    });
}

/// Runs `write` to its end even if Ctrl-C is pressed meanwhile.
pub fn uninterrupted<T>(write: impl FnOnce() -> T) -> T {
    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    write()
}
