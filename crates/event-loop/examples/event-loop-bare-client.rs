//! A bare client for the event-loop server: each line typed is sent, its
//! echo printed; `/end` or the end of input finishes. It blocks in recv()
//! like lesson 3's; only the server has to serve many at once.
//!
//! ```text
//! terminal 1:  cargo run -p event-loop --example event-loop-bare-server
//! terminal 2:  cargo run -p event-loop --example event-loop-bare-client
//! ```
//!
//! Watch for: the echo of each line; then run two of them at once.

use std::io::{BufRead, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};

use socket2::{Domain, Socket, Type};

// ANCHOR: bare
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().map_or(Ok(3334), |p| p.parse())?;
    let addr = (host.as_str(), port)
        .to_socket_addrs()?
        .next()
        .ok_or("no address")?;
    // socket() and connect(): the server's accept() returns. (None: the
    // kernel's protocol for a STREAM socket, TCP.)
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.connect(&addr.into())?;
    eprintln!("connected to {addr}; type a line, /end or Ctrl-D to finish");
    let mut conn = TcpStream::from(socket);
    let mut stdout = std::io::stdout();
    for line in std::io::stdin().lock().split(b'\n') {
        let mut line = line?;
        line.push(b'\n');
        // send() the line, then recv() until its whole echo is back.
        conn.write_all(&line)?;
        let mut echo = vec![0u8; line.len()];
        conn.read_exact(&mut echo)?;
        stdout.write_all(&echo)?;
        if line == b"/end\n" {
            break;
        }
    }
    // shutdown(Write): "no more from me"; print what comes until it closes.
    conn.shutdown(Shutdown::Write)?;
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest)?;
    stdout.write_all(&rest)?;
    Ok(())
}
// ANCHOR_END: bare
