//! `kymsim serve`: the interactive explorer on a local HTTP server (docs/serve.md).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{InputArgs, signals};
use crate::error::{Error, InputError, Result};
use crate::serve::http::{Server, serve};
use crate::serve::{Explorer, ExplorerOptions};

/// Arguments of `kymsim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Port to listen on (0: any free port; the URL printed names it)
    #[arg(long, short, value_name = "P", default_value_t = 8040)]
    pub port: u16,
    /// Address to listen on; anything but a loopback address lets other machines in
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Open the page in the default browser
    #[arg(long)]
    pub open: bool,
    /// Print nothing but errors and the URL
    #[arg(long, short)]
    pub quiet: bool,
    /// Seed of the sampled Shapley attribution and of uncertainty batches
    #[arg(long, short = 's', value_name = "S", default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
}

/// Runs `kymsim serve` until Ctrl-C or SIGTERM (then exit code 0).
pub fn serve_cmd(args: ServeArgs) -> Result<i32> {
    let region = args.input.region()?;
    let library = args.input.library()?;
    let models = args.input.models(&region, &[])?;
    args.input.announce(&region, args.quiet);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let explorer = Explorer::new(
        region,
        library,
        models,
        ExplorerOptions {
            seed: args.seed,
            // as `kymsim run`, so that the attribution equals its wedges.csv
            permutations: 2000,
            // one core stays free for slider moves while a batch or an attribution runs
            background_threads: cores.saturating_sub(1).max(1),
        },
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| InputError::new(format!("cannot start the server's threads: {e}")))?;
    let addr = SocketAddr::new(args.host, args.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| {
            InputError::new(format!("cannot listen on {addr}: {e}")).hint(
                "another program may use this port: pick another with --port P, or --port 0 for any free one",
            )
        })?;
    let bound = listener
        .local_addr()
        .map_err(|e| InputError::new(format!("cannot read the bound address: {e}")))?;
    let url = format!("http://{bound}/");
    // the URL is the command's output (with -q too): scripts and tests read it
    println!("kymsim serve: {url}");
    let _ = std::io::stdout().flush();
    if !args.quiet {
        eprintln!(
            "{} scenario(s) of {}; Ctrl-C stops the server",
            explorer.scenario_names().count(),
            explorer.region_name()
        );
    }
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {} — other machines that can reach it may use the explorer (it reads nothing but the dataset and scenarios, and writes nothing)",
            args.host
        );
    }
    if args.open {
        open_browser(&url, args.quiet);
    }
    let server = Arc::new(Server::new(explorer, bound, signals::cancel_flag()));
    let shutdown = async {
        while !signals::interrupted() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let served = runtime.block_on(serve(listener, server, shutdown));
    // a batch or attribution still running on a blocking thread is cancelled (the cancel flag
    // is set by the signal) and not waited for: the server stops within a second
    runtime.shutdown_timeout(Duration::from_millis(200));
    served.map_err(|e| Error::io(crate::error::IoKind::Listen, std::path::Path::new(&url), e))?;
    // Ctrl-C is how a server is meant to end: not an interruption of unfinished work
    if !args.quiet {
        eprintln!("kymsim serve: stopped");
    }
    Ok(0)
}

/// Starts the desktop's browser on `url`; a failure is only reported.
fn open_browser(url: &str, quiet: bool) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let started = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = started
        && !quiet
    {
        eprintln!("could not open a browser ({opener}: {e}); open {url} yourself");
    }
}
