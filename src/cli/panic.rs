//! What happens when kymsim panics. Inputs never reach a panic (errors are values all the way
//! to `main`), so a panic is a bug: the hook prints what to put in a bug report — version,
//! command line, the panic message and where it happened — and exits with code 3
//! ([`EXIT_BUG`]), like other internal errors, instead of Rust's 101.
//!
//! Printing into a closed pipe (`kymsim list measures | head -1`) panics inside `println!`; that
//! is not a bug, and ends quietly with [`super::EXIT_BROKEN_PIPE`].
//!
//! Debug builds (the test builds) panic on purpose when `KYMSIM_DEBUG_PANIC` is set, so that the
//! hook is tested through the real binary; release builds ignore the variable.

use std::panic::PanicHookInfo;

/// Exit code after a panic: the one of internal errors.
pub const EXIT_BUG: i32 = 3;

/// The variable that makes a debug build panic (see the module documentation).
pub const DEBUG_PANIC_VAR: &str = "KYMSIM_DEBUG_PANIC";

/// The text of a panic payload (`panic!` with a literal or a formatted message).
fn payload_text<'a>(info: &'a PanicHookInfo<'_>) -> &'a str {
    let payload = info.payload();
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
}

/// The report printed on stderr after a panic.
pub fn bug_report(version: &str, command: &[String], message: &str, location: &str) -> String {
    format!(
        "error: internal error: kymsim {version} stopped at a bug: {message}\n  \
         --> {location}\n  \
         = please report it at the project's issue tracker, with:\n    \
         - the version: kymsim {version}\n    \
         - the command line: {}\n    \
         - this message and where it happened ({location})\n    \
         - the input files, or a small set that shows it\n  \
         nothing partial was kept: outputs are renamed into place only when complete\n",
        command.join(" ")
    )
}

/// Installs the hook (see the module documentation).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = payload_text(info);
        if message.starts_with("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(super::EXIT_BROKEN_PIPE);
        }
        let location = info
            .location()
            .map_or_else(|| "unknown place".to_string(), |l| l.to_string());
        let command: Vec<String> = std::env::args().collect();
        eprint!(
            "{}",
            bug_report(env!("CARGO_PKG_VERSION"), &command, message, &location)
        );
        std::process::exit(EXIT_BUG);
    }));
}

/// In debug builds, panics when [`DEBUG_PANIC_VAR`] is set; does nothing in release builds.
pub fn debug_trigger() {
    if cfg!(debug_assertions) && std::env::var_os(DEBUG_PANIC_VAR).is_some() {
        panic!("{DEBUG_PANIC_VAR} is set: a panic on purpose, to test the bug report");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bug_report_names_version_command_message_and_place() {
        let r = bug_report(
            "0.1.0",
            &["kymsim".into(), "run".into(), "programme".into()],
            "index out of bounds",
            "src/engine/kernel.rs:12:5",
        );
        assert!(r.starts_with(
            "error: internal error: kymsim 0.1.0 stopped at a bug: index out of bounds\n"
        ));
        assert!(r.contains("  --> src/engine/kernel.rs:12:5\n"));
        assert!(r.contains("- the version: kymsim 0.1.0\n"));
        assert!(r.contains("- the command line: kymsim run programme\n"));
    }
}
