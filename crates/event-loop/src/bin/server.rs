//! The event-loop server: lesson 3's echo, every client served from one
//! thread, until Ctrl-C.
//!
//! ```text
//! terminal 1:  cargo run -p event-loop --bin server
//! terminal 2:  cargo run -p event-loop --bin client
//! terminal 3:  cargo run -p event-loop --bin client -- --connections 1000 --messages 10
//! ```
//!
//! Watch for: a thousand clients at once, and `grep Threads /proc/PID/status`
//! still says 2 (the loop, and the Ctrl-C handler's thread). The socket
//! calls are in `src/server.rs` and `src/connection.rs`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::error::{Hints, report};
use common::{ListenArgs, Verbosity};
use event_loop::{
    DEFAULT_IDLE_TIMEOUT_TEXT, DEFAULT_MAX_CLIENTS, DEFAULT_PORT, LESSON, MAX_MAX_CLIENTS, Options,
};
use threaded_echo::lines::MAX_LINE;

/// Echoes every client at once, from one thread, until Ctrl-C.
#[derive(Parser, Debug)]
#[command(name = "server", version = common::version!())]
struct Args {
    #[command(flatten)]
    listen: ListenArgs<DEFAULT_PORT>,

    /// Close a client that has sent nothing for this long, with a message
    /// saying why. A number and a unit: 30s, 500ms, 1.5s, 5m.
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_IDLE_TIMEOUT_TEXT,
          value_parser = common::duration::positive)]
    idle_timeout: Duration,

    /// Serve at most this many clients at once. One more is told that the
    /// server is busy, and closed. Each costs a file descriptor.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CLIENTS,
          value_parser = common::cli::count_up_to::<MAX_MAX_CLIENTS>)]
    max_clients: usize,

    /// Bytes taken by each recv(). One buffer serves every client, so a
    /// large one costs nothing per client.
    #[arg(long, value_name = "BYTES", default_value_t = event_loop::BUFFER,
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
    let options = Options {
        idle_timeout: args.idle_timeout,
        max_clients: args.max_clients,
        max_line: MAX_LINE,
        buffer: args.buffer,
    };
    event_loop::server::run(args.listen.addr()?, &options)
}
