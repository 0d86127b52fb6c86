//! Step 1 of the udp-echo lesson: tutorial 002's UDP server, call for call,
//! in Rust. `socket()`, `bind()`, then `recvfrom()` and `sendto()`: no
//! `listen()`, no `accept()`, no connection.
//!
//! ```text
//! terminal 1:  cargo run -p udp-echo --example udp-echo-bare-server
//! terminal 2:  cargo run -p udp-echo --example udp-echo-bare-client
//! ```
//!
//! Optional arguments: `[HOST] [PORT]` (default `127.0.0.1 7001`; port 0
//! picks a free one). Watch for: each line names the sender, and every
//! client comes from another port, with no connection to any of them.
//!
//! What it fixes in the tutorial: the tutorial receives at most 200 bytes,
//! and a longer datagram is cut without a word; this buffer holds any
//! datagram. The tutorial answers once and exits; this one goes on until
//! Ctrl-C, which simply ends the process: with no connection, no client
//! needs to be told. (`src/server.rs` still catches Ctrl-C, for its own
//! sake: to end its log with the number of datagrams, and exit with status
//! 0.) A failed receive or send is reported, and the next datagram is
//! served.

use std::error::Error;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::process::ExitCode;

use socket2::{Domain, Protocol, Socket, Type};

/// 64 KiB: more than the largest UDP datagram there is (65,507 bytes of
/// data over IPv4, 65,527 over IPv6), so recvfrom() never has to cut one.
const BUFFER: usize = 65_536;

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
    let addr: SocketAddr = (host.as_str(), port)
        .to_socket_addrs()?
        .next()
        .ok_or("that host has no address")?;

    // ANCHOR: calls
    // socket(): a UDP socket (DGRAM: whole messages, no connection) of the
    // address's family, IPv4 or IPv6. Python's socket(AF_INET, SOCK_DGRAM).
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    // bind(): claim the address and port. That is the whole setup of a UDP
    // server: from now on the kernel queues every datagram sent to the port.
    socket
        .bind(&addr.into())
        .map_err(|e| format!("could not bind to {addr}: {e}"))?;
    // The same socket, handed to std, whose recv_from() fills a plain byte
    // buffer. socket2's recv_from() takes `[MaybeUninit<u8>]`, memory not
    // yet written, which safe code cannot read back. (The TCP lessons read
    // through socket2's `read`, which takes a plain buffer.)
    let socket = UdpSocket::from(socket);
    // getsockname(): the real address, with the real port when PORT was 0.
    // Messages go to standard error, like a log; standard output is for data.
    eprintln!("listening on {}", socket.local_addr()?);

    let mut buffer = [0u8; BUFFER];
    loop {
        // recvfrom(): wait for one datagram, and learn who sent it. Each call
        // returns exactly one whole datagram: UDP keeps message boundaries.
        let (n, peer) = match socket.recv_from(&mut buffer) {
            Ok(received) => received,
            // A failed receive concerns one datagram (on Windows, it can be
            // the news that an earlier answer bounced): serve the next one.
            Err(e) => {
                eprintln!("could not receive: {e}");
                continue;
            }
        };
        // The bytes as text, for people: a byte that is not UTF-8 shows as
        // `�`, and {text:?} puts quotes around it and escapes a newline.
        let text = String::from_utf8_lossy(&buffer[..n]);
        eprintln!("received {n} bytes from {peer}: {text:?}");
        // sendto(): the same bytes back to the sender's address, as one
        // datagram. No connection remembers the client: the address is all.
        if let Err(e) = socket.send_to(&buffer[..n], peer) {
            eprintln!("could not send back to {peer}: {e}");
        }
    }
    // The loop never ends (Ctrl-C ends the process), so run() needs no
    // Ok(()) after it: the compiler knows this point is never reached.
    // ANCHOR_END: calls
}
