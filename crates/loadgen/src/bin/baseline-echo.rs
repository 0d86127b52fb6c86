//! `baseline-echo`: the smallest reasonable echo server, to compare the
//! lessons with. Plain `std`, one thread per connection, a fixed buffer,
//! no logging per message. If a lesson's server is much slower than this
//! one, the difference is something the lesson does, not the network.
//!
//! ```text
//! terminal 1:  cargo run --release -p loadgen --bin baseline-echo
//! terminal 2:  cargo run --release -p loadgen -- --port 9000 --clients 16
//! ```
//!
//! `--udp` makes it a UDP echo instead (one thread, `recv_from`/`send_to`).
//! It is deliberately minimal: no `--max-clients`, no idle timeout; Ctrl-C
//! stops it without waiting for its connections.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::thread;

use anyhow::{Context, Result};
use clap::Parser;
use common::error::{Hints, report};
use common::{ListenArgs, Shutdown, Verbosity};

/// The baseline's port: no lesson uses it.
const DEFAULT_PORT: u16 = 9000;

/// A minimal echo server (std, one thread per connection) to compare the
/// lesson servers with.
#[derive(Parser, Debug)]
#[command(name = "baseline-echo", version = common::version!())]
struct Args {
    #[command(flatten)]
    listen: ListenArgs<DEFAULT_PORT>,

    /// Bytes per read.
    #[arg(long, value_name = "BYTES", default_value_t = 1024,
          value_parser = common::cli::buffer_size)]
    buffer: usize,

    /// Echo UDP datagrams instead of TCP connections.
    #[arg(long)]
    udp: bool,

    #[command(flatten)]
    verbosity: Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    report(run(&args), &Hints::server("loadgen"))
}

fn run(args: &Args) -> Result<()> {
    let shutdown = Shutdown::install()?;
    let addr = args.listen.addr()?;
    if args.udp {
        return udp(addr, args.buffer, &shutdown);
    }
    let listener =
        TcpListener::bind(addr).with_context(|| format!("could not listen on {addr}"))?;
    let local = listener
        .local_addr()
        .context("could not read the bound address")?;
    common::logging::listening(local);
    shutdown.wake_listener(local);
    for conn in listener.incoming() {
        if shutdown.is_requested() {
            break;
        }
        let Ok(conn) = conn else { continue };
        let buffer = args.buffer;
        // A failed spawn drops the connection: the client sees it closed.
        let _ = thread::Builder::new().spawn(move || echo(conn, buffer));
    }
    Ok(())
}

// ANCHOR: echo
/// Reads and writes back until the peer closes or an error.
fn echo(mut conn: TcpStream, buffer: usize) {
    let _ = conn.set_nodelay(true);
    let mut buf = vec![0u8; buffer];
    loop {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if conn.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}
// ANCHOR_END: echo

/// One thread: each datagram goes back to whoever sent it.
fn udp(addr: SocketAddr, buffer: usize, shutdown: &Shutdown) -> Result<()> {
    let socket = UdpSocket::bind(addr).with_context(|| format!("could not listen on {addr}"))?;
    let local = socket
        .local_addr()
        .context("could not read the bound address")?;
    common::logging::listening(local);
    shutdown.wake_udp(local);
    let mut buf = vec![0u8; buffer.max(65_536)];
    loop {
        let Ok((n, peer)) = socket.recv_from(&mut buf) else {
            continue;
        };
        // Ctrl-C wakes us with an empty datagram (see common::shutdown).
        if n == 0 && shutdown.is_requested() {
            return Ok(());
        }
        let _ = socket.send_to(&buf[..n], peer);
    }
}
