//! `loadgen`: many clients at once against a lesson's echo server, every
//! reply checked, round trips per second and latency reported.
//!
//! ```text
//! terminal 1:  cargo run --release -p echo-loop --bin server -- -q
//! terminal 2:  cargo run --release -p loadgen -- --clients 16
//! ```
//!
//! Watch for: "fewest round trips 0". echo-loop serves one client at a time,
//! so fifteen of the sixteen wait and time out. Try the same against
//! threaded-echo (`--mode line`) and udp-echo (`--mode udp`). Build with
//! `--release`: a debug build measures the compiler's debug code.
//!
//! The report goes to standard output, its last line for scripts; progress
//! and logs go to standard error. Exit status 1 when any error was counted.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use common::error::{EXIT_FAILURE, Hints, hint_line, report};
use common::hints::Hint;
use common::{Host, Shutdown, Verbosity};
use loadgen::tally::Failure;
use loadgen::{Mode, Plan, Until, units};

/// What the server speaks.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ModeArg {
    /// TCP, any bytes echoed back (echo-loop; default port 9999).
    Tcp,
    /// TCP, one line of text per message (threaded-echo; default port 3333).
    Line,
    /// UDP datagrams (udp-echo; default port 7001).
    Udp,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Mode {
        match mode {
            ModeArg::Tcp => Mode::Tcp,
            ModeArg::Line => Mode::Line,
            ModeArg::Udp => Mode::Udp,
        }
    }
}

/// Measures an echo server: many clients at once, each reply checked byte for
/// byte; prints round trips per second, latency, and every error.
#[derive(Parser, Debug)]
#[command(name = "loadgen", version = common::version!())]
struct Args {
    /// What the server speaks: tcp (any bytes, for echo-loop), line (lines of
    /// text, for threaded-echo) or udp (datagrams, for udp-echo).
    #[arg(long, value_enum, default_value_t = ModeArg::Tcp)]
    mode: ModeArg,

    /// The server's address: an IPv4 or IPv6 address (::1 or [::1]) or a
    /// host name such as localhost.
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    host: Host,

    /// The server's port. By default the port of the lesson the mode is for:
    /// 9999 (tcp), 3333 (line), 7001 (udp).
    #[arg(short, long, value_name = "PORT")]
    port: Option<u16>,

    /// Clients at once. Each has its own connection and its own thread.
    #[arg(short, long, value_name = "N", default_value_t = 1)]
    clients: usize,

    /// How long to run: 5s, 500ms, 1m.
    #[arg(short, long, value_name = "DURATION", default_value = "5s",
          value_parser = common::duration::positive)]
    duration: Duration,

    /// Instead of a duration: this many round trips per client.
    #[arg(short = 'n', long, value_name = "N", conflicts_with = "duration")]
    count: Option<u64>,

    /// Bytes per message. Each round trip sends one message and waits for
    /// the same bytes back.
    #[arg(short, long, value_name = "BYTES", default_value = "64", value_parser = byte_count)]
    size: usize,

    /// Stream this much per client instead (200MB, 1GB), reading the echo
    /// while sending, and report MB/s. Every byte is checked.
    #[arg(long, value_name = "BYTES", value_parser = units::size, conflicts_with = "count")]
    stream: Option<u64>,

    /// Streaming: bytes per send() and per recv().
    #[arg(long, value_name = "BYTES", default_value = "65536", value_parser = byte_count)]
    chunk: usize,

    /// Also hold this many silent connections open during the run, and check
    /// afterwards that each one still gets its echo.
    #[arg(long, value_name = "N", default_value_t = 0)]
    idle: usize,

    /// How long a connect, or a reply, may take before it counts as a timeout.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = common::duration::positive)]
    timeout: Duration,

    #[command(flatten)]
    verbosity: Verbosity,
}

/// `--size` and `--chunk`: a size that fits in memory.
fn byte_count(text: &str) -> Result<usize, String> {
    let n = units::size(text)?;
    usize::try_from(n).map_err(|_| format!("`{text}` is too large"))
}

impl Args {
    fn mode(&self) -> Mode {
        self.mode.into()
    }

    fn port(&self) -> u16 {
        self.port.unwrap_or(self.mode().lesson().1)
    }

    /// Flags that start the lesson's server where we connect, for the hint.
    fn server_flags(&self) -> String {
        let mut flags = String::new();
        if self.host != Host::LOOPBACK {
            flags.push_str(&format!(" --host {}", self.host));
        }
        if self.port() != self.mode().lesson().1 {
            flags.push_str(&format!(" --port {}", self.port()));
        }
        if flags.is_empty() {
            flags
        } else {
            format!(" --{flags}")
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    let hints = Hints::client(args.mode().lesson().0, args.server_flags());
    match run(&args) {
        Ok(None) => ExitCode::SUCCESS,
        // The server's failures were counted and reported above; say so
        // once more at the end, with what to look at, and exit 1.
        Ok(Some((errors, hint))) => {
            eprintln!("error: {} error(s) were counted", units::thousands(errors));
            eprintln!("{}", hint_line(&hint));
            ExitCode::from(EXIT_FAILURE)
        }
        Err(e) => report(Err(e), &hints),
    }
}

/// Runs the measurement and prints the report. Returns the number of errors
/// counted and a hint about them, or `None` when there were none.
fn run(args: &Args) -> Result<Option<(u64, Hint)>> {
    let shutdown = Shutdown::install()?;
    let addr: SocketAddr = common::addr::resolve(&args.host, args.port())?;
    let plan = Plan {
        addr,
        mode: args.mode(),
        clients: args.clients,
        until: args
            .count
            .map_or(Until::Duration(args.duration), Until::Count),
        size: args.size,
        stream: args.stream,
        chunk: args.chunk,
        idle: args.idle,
        timeout: args.timeout,
        progress: true,
    };
    let outcome = loadgen::run(&plan, &shutdown)?;
    print!("{}", loadgen::report::human(&outcome));
    println!("{}", loadgen::report::machine(&outcome));

    let errors = outcome.errors.total();
    if errors == 0 {
        return Ok(None);
    }
    // Clients that waited while others were served: the sign of a server
    // that serves one client at a time.
    let starved = outcome.served() < plan.clients
        || outcome.fewest().saturating_mul(10) < outcome.most()
        || outcome.idle_answered < outcome.idle_opened;
    let hint = if outcome.errors.count(Failure::ConnectRefused) > 0 {
        Hint::LoadgenRefused {
            command: format!(
                "cargo run -p {} --bin server{}",
                args.mode().lesson().0,
                args.server_flags()
            ),
        }
    } else if starved && outcome.errors.count(Failure::Timeout) > 0 {
        Hint::LoadgenStarved {
            fewest: units::thousands(outcome.fewest()),
            most: units::thousands(outcome.most()),
        }
    } else if outcome.errors.count(Failure::Wrong) + outcome.errors.count(Failure::Short) > 0 {
        Hint::LoadgenWrongEcho
    } else {
        Hint::LoadgenErrors
    };
    Ok(Some((errors, hint)))
}
