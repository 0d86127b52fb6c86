//! Step 1, the bare server: tutorial 001's TCP server, call for call, in
//! Rust. It accepts a client, starts a thread that prints what the client
//! sends, and meanwhile sends `hello client` every second until that thread
//! ends; then it waits for the next client.
//!
//! ```text
//! terminal 1:  cargo run -p periodic-hello --example periodic-hello-bare-server
//! terminal 2:  cargo run -p periodic-hello --example periodic-hello-bare-client
//! ```
//!
//! Optional arguments: `[HOST] [PORT]` (default `127.0.0.1 12345`; port 0
//! lets the system pick one). Watch for: both terminals print at the same
//! time. Stop the client with Ctrl-C: the server says so, then waits for the
//! next client. The tutorial's bugs are fixed where the comments say so;
//! what this program still lacks is the chapter's Step 2.

// ANCHOR: bare
use std::io::{Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

// Everything this program prints is a log line, so it goes to standard
// error (eprintln!), as the tutorial's `logging` does. An error ends main
// with `Error: ...` and exit status 1.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    // [HOST] [PORT] from the command line: the tutorial's _HOST and _PORT.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds.
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().unwrap_or_else(|| "12345".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().ok_or("no address for that host")?;

    // socket(): a TCP socket (SOCK_STREAM), IPv4 or IPv6 like the address.
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // SO_REUSEADDR: a restarted server may bind the port at once, even while
    // connections of its last run still linger in TIME_WAIT. (Windows gives
    // the option a riskier meaning, so it is set on Unix only.)
    #[cfg(unix)]
    listener.set_reuse_address(true)?;
    // bind(): claim the address and port.
    listener.bind(&addr.into())?;
    // listen(): from now on the kernel completes the handshake with each
    // client for us and queues the connections until we call accept()
    // (5: about how many may wait; the kernel may keep a few more).
    listener.listen(5)?;
    // The real address, with the port the system picked if we asked for 0.
    let local = listener.local_addr()?.as_socket();
    eprintln!("listening on {}", local.ok_or("not an IP socket")?);
    // The tutorial installs a Ctrl-C handler here (close, sleep, exit). We
    // keep the default: Ctrl-C ends the process, and the kernel closes its
    // sockets. Step 2 shows what that costs (clients waiting in the queue
    // get a reset).

    loop {
        eprintln!("waiting for a client");
        // accept(): wait for a client; it gets a connected socket of its own.
        let (conn, peer) = listener.accept()?;
        // as_socket(): socket2's raw address as a std SocketAddr (IP, port).
        let peer = peer.as_socket().ok_or("not an IP socket")?;
        eprintln!("{peer} connected");
        // try_clone() is dup(): a second handle to the same socket, for the
        // receiving thread to own while this thread sends. With two handles,
        // the socket is really closed only when the LAST of them goes.
        let reader = conn.try_clone()?;
        let receiving = std::thread::spawn(move || receive(reader, peer));
        // The sending loop, as in the tutorial: while the thread lives, send,
        // then sleep a second.
        while !receiving.is_finished() {
            // send(): write_all() repeats send() until every byte is out (the
            // tutorial's send() may send only part of it: use sendall()).
            // A failed send means the client is gone: stop sending.
            // (`(&conn)`: lesson 1's bare server says why.)
            if (&conn).write_all(b"hello client\n").is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        // close(): `conn` is dropped here. The receiving thread has dropped
        // its handle too (or will, now that the connection is broken): the
        // last handle gone, this client's socket is closed. The tutorial kept
        // it open until the next client came.
    }
}

/// The receiving thread: prints what arrives until the client closes.
fn receive(reader: Socket, peer: SocketAddr) {
    let mut buf = [0u8; 1024];
    loop {
        // recv(): up to 1024 bytes, as they come; 0 bytes means the client
        // closed its side (the tutorial checks for b'' too).
        match (&reader).read(&mut buf) {
            Ok(0) => break,
            Ok(n) => eprintln!("received {:?}", String::from_utf8_lossy(&buf[..n])),
            Err(e) => {
                // A reset, for instance. The tutorial's bare `except:` hid it.
                eprintln!("lost the connection to {peer}: {e}");
                return;
            }
        }
    }
    eprintln!("{peer} closed the connection");
}
// ANCHOR_END: bare
