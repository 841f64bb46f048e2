//! The `kymsim` binary: everything happens in [`kymsim::cli`]. A panic is a bug: the hook
//! installed first reports it and exits 3 (`kymsim::cli::panic`).

fn main() {
    kymsim::cli::panic::install();
    kymsim::cli::panic::debug_trigger();
    std::process::exit(kymsim::cli::main());
}
