//! The echo-loop server: sends back every byte it receives, one client after
//! another, until Ctrl-C.
//!
//! ```text
//! terminal 1:  cargo run -p echo-loop --bin server
//! terminal 2:  cargo run -p echo-loop --bin client -- 안녕 세상
//! terminal 3:  cargo run -p echo-loop --bin client      (type lines; Ctrl-D ends)
//! ```
//!
//! Watch for: a second client gets no echo until the first one ends. The
//! socket calls are in `src/server.rs`.

use std::process::ExitCode;

use clap::Parser;
use common::error::{Hints, report};
use common::{ListenArgs, Shutdown, Verbosity};
use echo_loop::{DEFAULT_BUFFER, DEFAULT_PORT, LESSON};

/// Echoes every byte back, serving clients one after another, until Ctrl-C.
#[derive(Parser, Debug)]
#[command(name = "server", version = common::version!())]
struct Args {
    #[command(flatten)]
    listen: ListenArgs<DEFAULT_PORT>,

    /// Bytes taken by each recv(). Any size echoes correctly, because the
    /// server loops; larger buffers need fewer system calls.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BUFFER,
          value_parser = common::cli::buffer_size)]
    buffer: usize,

    /// Serve one client, then exit (as tutorial 003 does).
    #[arg(long)]
    once: bool,

    #[command(flatten)]
    verbosity: Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    report(run(&args), &Hints::server(LESSON))
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    let options = echo_loop::server::Options {
        buffer: args.buffer,
        once: args.once,
    };
    echo_loop::server::run(args.listen.addr()?, &options, &shutdown)
}
