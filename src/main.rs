//! The `kymsim` binary: everything happens in [`kymsim::cli`].

fn main() {
    std::process::exit(kymsim::cli::main());
}
