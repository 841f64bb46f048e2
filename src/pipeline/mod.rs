//! The commands' work as library functions: each pipeline resolves its inputs, compiles,
//! evaluates and writes its outputs, and returns what it found as values. The command line
//! (`crate::cli`) parses arguments, calls one pipeline and prints; the explorer
//! (`crate::serve`) loads its inputs through the same functions.

pub mod discover;
pub mod inputs;
pub mod run;
pub mod sensitivity;
