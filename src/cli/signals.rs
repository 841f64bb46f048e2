//! Ctrl-C and SIGTERM: set a flag that long work polls, so it can stop and leave no partial files.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

struct Flags {
    int: Arc<AtomicBool>,
    term: Arc<AtomicBool>,
    any: Arc<AtomicBool>,
}

static FLAGS: OnceLock<Flags> = OnceLock::new();

/// Installs the handlers (once). Without them a signal kills the process at once, which the
/// atomic writes also survive; with them long batches stop at the next chunk.
pub fn install() {
    FLAGS.get_or_init(|| {
        let flags = Flags {
            int: Arc::new(AtomicBool::new(false)),
            term: Arc::new(AtomicBool::new(false)),
            any: Arc::new(AtomicBool::new(false)),
        };
        use signal_hook::consts::{SIGINT, SIGTERM};
        let _ = signal_hook::flag::register(SIGINT, flags.int.clone());
        let _ = signal_hook::flag::register(SIGINT, flags.any.clone());
        let _ = signal_hook::flag::register(SIGTERM, flags.term.clone());
        let _ = signal_hook::flag::register(SIGTERM, flags.any.clone());
        flags
    });
}

/// The flag that any handled signal sets.
pub fn cancel_flag() -> &'static AtomicBool {
    static NEVER: AtomicBool = AtomicBool::new(false);
    FLAGS.get().map_or(&NEVER, |f| &f.any)
}

/// Whether a signal arrived.
pub fn interrupted() -> bool {
    cancel_flag().load(Ordering::Relaxed)
}

/// The exit code for the signal that arrived: 143 for SIGTERM, 130 for SIGINT.
pub fn exit_code() -> i32 {
    match FLAGS.get() {
        Some(f) if f.term.load(Ordering::Relaxed) => 143,
        _ => 130,
    }
}
