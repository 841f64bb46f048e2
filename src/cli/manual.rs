//! `kymsim completions SHELL` and `kymsim man`: shell completion scripts (clap_complete) and
//! manual pages (clap_mangen), both made from the same command-line definition as `--help`.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;
use crate::error::{Error, IoKind, Result};
use crate::output::OutputSet;

/// Arguments of `kymsim completions`.
#[derive(Debug, Args)]
#[command(after_help = "\
Install, for example:
  bash:       kymsim completions bash > ~/.local/share/bash-completion/completions/kymsim
  zsh:        kymsim completions zsh > ~/.zfunc/_kymsim   (with fpath+=~/.zfunc in ~/.zshrc)
  fish:       kymsim completions fish > ~/.config/fish/completions/kymsim.fish
  powershell: kymsim completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Arguments of `kymsim man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write kymsim.1 and one kymsim-<command>.1 per command into DIR (default: print
    /// kymsim.1 to stdout, e.g. `kymsim man | man -l -`)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// Prints the completion script of `args.shell`.
pub fn completions(args: CompletionsArgs) -> Result<i32> {
    let mut cmd = Cli::command();
    let mut text = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "kymsim", &mut text);
    write_stdout(&text)?;
    Ok(0)
}

/// Renders one manual page.
fn page(cmd: clap::Command) -> Vec<u8> {
    let mut bytes = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut bytes)
        .expect("rendering into memory cannot fail");
    bytes
}

/// The manual pages: `kymsim.1`, then `kymsim-<command>.1` for each command, by name.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = vec![("kymsim.1".to_string(), page(cmd.clone()))];
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        // after `build`, a subcommand's display name is `kymsim-<command>`, the page's title
        out.push((format!("kymsim-{}.1", sub.get_name()), page(sub.clone())));
    }
    out
}

/// Prints `kymsim.1` or writes every page into `--out`.
pub fn man(args: ManArgs) -> Result<i32> {
    let pages = pages();
    match &args.out {
        None => write_stdout(&pages[0].1)?,
        Some(dir) => {
            let mut set = OutputSet::new(dir)?;
            for (name, bytes) in &pages {
                set.stage(name, bytes)?;
            }
            set.commit()?;
            if !args.quiet {
                println!("wrote {} manual pages to {}", pages.len(), dir.display());
            }
        }
    }
    Ok(0)
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io(IoKind::Write, "stdout", e)),
    }
}
