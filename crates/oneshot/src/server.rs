//! The oneshot server: accept one client, read one message, answer, close.
//!
//! Read [`run`] from top to bottom: each socket call comes in the order the
//! operating system needs them, with a comment on why it is there.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use common::addr::local_addr;
use common::text::{bytes, show};
use socket2::{Domain, Protocol, Socket, Type};

/// What the server says and how much it reads.
#[derive(Debug, Clone)]
pub struct Options {
    /// The most bytes the single `recv()` takes (`--buffer`).
    pub buffer: usize,
    /// The bytes sent back (`--reply`).
    pub reply: Vec<u8>,
}

/// What happened with the one client, for the caller (and the tests).
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A client sent this message (perhaps empty) and got the reply.
    Served {
        /// Who connected.
        peer: SocketAddr,
        /// What its one `recv()` returned.
        message: Vec<u8>,
    },
    /// Ctrl-C came before a client did.
    Interrupted,
}

/// Creates the listening socket: `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`.
///
/// # Errors
///
/// When the address is in use, not on this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): ask the kernel for a TCP socket. `Domain::for_address` picks
    // IPv4 (AF_INET) or IPv6 (AF_INET6) to match the address; STREAM + TCP is
    // a reliable byte stream, what Python calls SOCK_STREAM.
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;

    // SO_REUSEADDR: after a server stops, its old connections linger for a
    // minute in TIME_WAIT. Without this option, starting the server again at
    // once fails with "address in use". (On Windows the option means
    // something more dangerous, so it is set on Unix only.)
    #[cfg(unix)]
    listener
        .set_reuse_address(true)
        .context("could not set SO_REUSEADDR")?;

    // bind(): claim the address and port. Port 0 lets the kernel choose.
    listener
        .bind(&addr.into())
        .with_context(|| format!("could not listen on {addr}"))?;

    // listen(1): from now on the kernel accepts connections for us and keeps
    // them in a queue until we call accept(). 1 is the tutorial's queue size:
    // this server takes a single client anyway.
    listener
        .listen(1)
        .with_context(|| format!("could not listen on {addr}"))?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// Runs the whole lesson: listen on `addr`, serve one client, close.
///
/// # Errors
///
/// When the socket cannot be set up, or the one exchange fails.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<Outcome> {
    let listener = listen(addr)?;
    let local = local_addr(&listener)?;
    common::logging::listening(local);
    // Ctrl-C must be able to wake the accept() below (see common::shutdown).
    shutdown.wake_listener(local);
    let outcome = serve_one(&listener, options, shutdown);
    // Clients that connected while we served the first one are still in the
    // listen() queue: give them a normal close rather than the reset the
    // kernel sends when a listener closes with clients waiting.
    common::shutdown::close_queued(&listener);
    outcome
}

/// Accepts one client, reads one message, answers it, closes.
///
/// # Errors
///
/// When `accept()`, `recv()` or `send()` fails.
pub fn serve_one(listener: &Socket, options: &Options, shutdown: &Shutdown) -> Result<Outcome> {
    log::info!("waiting for a client");
    // ANCHOR: accept
    // accept(): wait until a client connects. It returns a *new* socket for
    // that one client; `listener` keeps listening for others.
    let (conn, peer) = listener.accept().context("accept() failed")?;
    // ANCHOR_END: accept
    if shutdown.is_requested() {
        // That "client" was the wake-up call from our own Ctrl-C handler.
        log::info!("stopped before any client came");
        return Ok(Outcome::Interrupted);
    }
    let peer = peer.as_socket().context("the client has no IP address")?;
    log::info!("{peer} connected");
    // Ctrl-C while we wait for the message closes this connection cleanly.
    let _watch = shutdown.watch(&conn)?;

    // ANCHOR: recv
    // recv(): ONE receive of up to `buffer` bytes. It returns as soon as
    // *some* bytes have arrived, not when the whole message has. That is
    // enough for a short greeting on one machine; a long message may come
    // in several pieces, and the rest would be lost. Lesson 2 loops instead.
    let mut buffer = vec![0u8; options.buffer];
    let n = (&conn)
        .read(&mut buffer)
        .with_context(|| format!("could not receive from {peer}"))?;
    let message = &buffer[..n];
    // ANCHOR_END: recv
    if n == 0 && shutdown.is_requested() {
        log::info!("stopped while waiting for {peer}'s message");
        return Ok(Outcome::Interrupted);
    }
    log::info!("received {} from {peer}: {}", bytes(n), show(message));
    if n == options.buffer {
        log::warn!(
            "the message filled the whole {}-byte buffer: anything beyond it is not read \
             (try --buffer, or see the echo-loop lesson)",
            options.buffer
        );
    }

    // ANCHOR: send
    // send(): write_all() loops over send() until every byte is handed to the
    // kernel, like Python's sendall(). A single send() may take only part.
    (&conn)
        .write_all(&options.reply)
        .with_context(|| format!("could not send to {peer}"))?;
    log::info!(
        "sent {} to {peer}: {}",
        bytes(options.reply.len()),
        show(&options.reply)
    );

    // shutdown(Write): FIN after the reply, "I have nothing more to say".
    // The client's recv() returns 0 once it has the whole reply.
    conn.shutdown(std::net::Shutdown::Write)
        .with_context(|| format!("could not close the connection to {peer}"))?;
    // A message longer than our one recv() took is still partly waiting,
    // unread. Closing now would make the kernel send a reset (RST) instead of
    // a normal close, and the client could lose the reply. So read and drop
    // the rest, until the client closes (at most a second).
    let dropped = common::shutdown::drain(&conn, Duration::from_secs(1));
    if dropped > 0 {
        log::warn!(
            "dropped {} that the single recv() did not take",
            bytes(dropped)
        );
    }

    // close(): dropping the socket closes it.
    drop(conn);
    // ANCHOR_END: send
    log::info!("closed the connection; done");
    Ok(Outcome::Served {
        peer,
        message: message.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;
    use std::thread;

    fn options() -> Options {
        Options {
            buffer: 1024,
            reply: b"pong".to_vec(),
        }
    }

    /// One message in, the reply out, then the server closes (read returns 0).
    #[test]
    fn serves_exactly_one_client() {
        let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        let addr = local_addr(&listener).expect("addr");
        let server = thread::spawn(move || serve_one(&listener, &options(), &Shutdown::new()));
        let mut client = TcpStream::connect(addr).expect("connect");
        client.write_all("안녕".as_bytes()).expect("send");
        client
            .shutdown(std::net::Shutdown::Write)
            .expect("half-close");
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).expect("read");
        assert_eq!(reply, b"pong");
        match server.join().expect("no panic").expect("served") {
            Outcome::Served { message, .. } => assert_eq!(message, "안녕".as_bytes()),
            other => panic!("{other:?}"),
        }
    }

    /// Ctrl-C while waiting in accept() ends the server without a client.
    #[test]
    fn ctrl_c_before_a_client() {
        let shutdown = Shutdown::new();
        let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        shutdown.wake_listener(local_addr(&listener).expect("addr"));
        let server = {
            let shutdown = shutdown.clone();
            thread::spawn(move || serve_one(&listener, &options(), &shutdown))
        };
        shutdown.trigger();
        let outcome = server.join().expect("no panic").expect("clean");
        assert_eq!(outcome, Outcome::Interrupted);
    }

    /// A second bind to the same port fails with "address in use".
    #[test]
    fn port_in_use_is_an_error() {
        let first = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        let addr = local_addr(&first).expect("addr");
        let err = listen(addr).expect_err("second bind must fail");
        let io = err.downcast_ref::<std::io::Error>().expect("an io error");
        assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
        assert!(format!("{err:#}").contains(&addr.to_string()));
    }
}
