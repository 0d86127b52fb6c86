//! Step 1 of the udp-echo lesson: tutorial 002's UDP client, call for call,
//! in Rust. `socket()`, `sendto()`, `recvfrom()`: one datagram out, one
//! back, printed with the address it came from.
//!
//! ```text
//! terminal 1:  cargo run -p udp-echo --example udp-echo-bare-server
//! terminal 2:  cargo run -p udp-echo --example udp-echo-bare-client
//! ```
//!
//! Optional arguments: `[HOST] [PORT]` (default `127.0.0.1 7001`). Watch for:
//! run it with no server. Usually nothing tells a UDP sender that its
//! datagram was lost, so it waits one second, then gives up with an error
//! (exit status 1). Sometimes the other machine's kernel does answer, "port
//! unreachable" (ICMP, the network's own error reports), but a socket that
//! is not connected, as this one, does not hear of it on Linux;
//! `src/client.rs` connects its socket, and does.
//!
//! What it fixes in the tutorial: the tutorial waits in recvfrom() with no
//! time limit, forever when a datagram is lost; and it takes the first
//! datagram that comes, from anyone, as the answer. This one checks the
//! sender: a datagram from any other address is not the server's answer.

use std::error::Error;
use std::io::ErrorKind::{TimedOut, WouldBlock};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

/// How long to wait for the answer before giving up.
const TIMEOUT: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    // Errors are printed as one line (`error: ...`), with exit status 1.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The program. Any error ends it: `?` hands it to `main`, which prints it.
/// (`Box<dyn Error>` holds an error of any type, an I/O error or our text.)
fn run() -> Result<(), Box<dyn Error>> {
    // [HOST] [PORT], both optional; args() starts with the program's name.
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port = args.next().unwrap_or_else(|| "7001".into());
    let port: u16 = port.parse().map_err(|_| "PORT is a number, 0 to 65535")?;
    // One socket address from HOST and PORT. A name such as localhost is
    // looked up; an address such as 127.0.0.1 or ::1 is taken as it is.
    let server: SocketAddr = (host.as_str(), port)
        .to_socket_addrs()?
        .next()
        .ok_or("that host has no address")?;

    // ANCHOR: calls
    // socket(): a UDP socket of the server's family. No bind(): the kernel
    // picks a free local port for us at the first send.
    let domain = Domain::for_address(server);
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    // SO_RCVTIMEO: recv_from() gives up after TIMEOUT instead of waiting
    // forever. Silence is the only sign of a lost datagram UDP ever gives.
    socket.set_read_timeout(Some(TIMEOUT))?;
    // Handed to std for a recv_from() that fills a plain byte buffer.
    let socket = UdpSocket::from(socket);

    // sendto(): one datagram, to the server's address. It returns once the
    // kernel has it; it says nothing about whether it arrives.
    socket.send_to("Hello!".as_bytes(), server)?;

    // recvfrom(): the next datagram that reaches our port, and its sender.
    // When TIMEOUT passes first, it fails with "would block" (Linux, macOS)
    // or "timed out" (Windows).
    let mut buffer = [0u8; 65_536];
    let (n, from) = socket.recv_from(&mut buffer).map_err(|e| match e.kind() {
        WouldBlock | TimedOut => format!("no reply from {server} within {TIMEOUT:?}"),
        _ => format!("could not receive from {server}: {e}"),
    })?;
    // Anyone can send to our port. Only a datagram from the server's own
    // address can be its answer.
    if from != server {
        return Err(format!("a datagram from {from}, not from the server {server}").into());
    }
    // The answer as text (lossily, never failing), and who sent it.
    println!("{} {from}", String::from_utf8_lossy(&buffer[..n]));
    // ANCHOR_END: calls
    Ok(())
}
