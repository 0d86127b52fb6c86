//! The threaded-echo server: echoes every client at the same time, one
//! thread per client, until Ctrl-C.
//!
//! ```text
//! terminal 1:  cargo run -p threaded-echo --bin server
//! terminal 2:  cargo run -p threaded-echo --bin client
//! terminal 3:  cargo run -p threaded-echo --bin client
//! ```
//!
//! Watch for: both clients are answered at once (in lesson 2 the second one
//! waited); `/end` closes only the client that typed it. The socket calls
//! are in `src/server.rs`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::duration::show;
use common::error::{Hints, report};
use common::text::plural;
use common::{ListenArgs, Shutdown, Verbosity};
use threaded_echo::lines::MAX_LINE;
use threaded_echo::{
    BUFFER, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CLIENTS, DEFAULT_PORT, LESSON, MAX_MAX_CLIENTS,
    Options, server,
};

/// Echoes every client at once, one thread per client, until Ctrl-C.
#[derive(Parser, Debug)]
#[command(name = "server", version = common::version!())]
struct Args {
    #[command(flatten)]
    listen: ListenArgs<DEFAULT_PORT>,

    /// Close a client that has sent nothing for this long, with a message
    /// saying why. A number and a unit: 30s, 500ms, 1.5s, 5m.
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_IDLE_TIMEOUT,
          value_parser = common::duration::positive)]
    idle_timeout: Duration,

    /// Serve at most this many clients at once. One more is told that the
    /// server is busy, and closed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CLIENTS,
          value_parser = common::cli::count_up_to::<MAX_MAX_CLIENTS>)]
    max_clients: usize,

    /// Bytes taken by each recv(). Any size echoes correctly; larger buffers
    /// need fewer system calls but cost more memory per client.
    #[arg(long, value_name = "BYTES", default_value_t = BUFFER,
          value_parser = common::cli::buffer_size)]
    buffer: usize,

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
    let options = Options {
        idle_timeout: args.idle_timeout,
        max_clients: args.max_clients,
        max_line: MAX_LINE,
        buffer: args.buffer,
    };
    let listener = server::listen(args.listen.addr()?)?;
    common::logging::listening(common::addr::local_addr(&listener)?);
    let (max, idle) = (plural(args.max_clients, "client"), show(args.idle_timeout));
    log::info!("serving up to {max} at once; a client silent for {idle} is closed");
    server::serve(&listener, options, &shutdown)
}
