//! The echo-loop server: accept clients one after another and echo each one's
//! bytes back until it closes.
//!
//! Read [`listen`], then [`serve`], then [`echo_until_closed`]: the socket
//! calls come in that order.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use anyhow::{Context, Result};
use common::Shutdown;
use common::addr::local_addr;
use common::text::{bytes, show};
use socket2::{Domain, Protocol, Socket, Type};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Bytes per `recv()` (`--buffer`).
    pub buffer: usize,
    /// Serve one client, then exit (`--once`), as tutorial 003 does.
    pub once: bool,
}

/// How many connections may wait in the queue while we serve another one.
/// Tutorial 004 uses 5; the kernel may round it up.
pub const BACKLOG: i32 = 5;

/// Creates the listening socket: `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`.
///
/// # Errors
///
/// When the address is in use, not on this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): a TCP socket of the address's family (IPv4 or IPv6).
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;

    // SO_REUSEADDR: so that restarting the server right after Ctrl-C works
    // even while old connections sit in TIME_WAIT (Unix meaning; Windows
    // gives the option a riskier one, so we leave it off there).
    #[cfg(unix)]
    listener
        .set_reuse_address(true)
        .context("could not set SO_REUSEADDR")?;

    // bind(): claim the address and port.
    listener
        .bind(&addr.into())
        .with_context(|| format!("could not listen on {addr}"))?;

    // listen(): the kernel now completes handshakes for us, and keeps up to
    // BACKLOG clients queued until accept() takes them. A client in the queue
    // is connected already: it just is not being served yet.
    listener
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {addr}"))?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// Runs the lesson: listen on `addr` and serve clients until Ctrl-C.
///
/// # Errors
///
/// When the listening socket cannot be set up or `accept()` fails for good.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<()> {
    let listener = listen(addr)?;
    let local = local_addr(&listener)?;
    common::logging::listening(local);
    // Ctrl-C wakes the blocked accept() by connecting to us (common::shutdown).
    shutdown.wake_listener(local);
    serve(&listener, options, shutdown)
}

/// The accept loop: one client at a time, until Ctrl-C (or one client, with `once`).
///
/// # Errors
///
/// When `accept()` fails in a way that retrying cannot fix.
pub fn serve(listener: &Socket, options: &Options, shutdown: &Shutdown) -> Result<()> {
    // One buffer for the whole server, reused for every client and every
    // recv(): no allocation per message.
    let mut buffer = vec![0u8; options.buffer];
    let mut served = 0u64;
    // ANCHOR: accept_loop
    loop {
        // accept(): wait for the next client. Others that connect meanwhile
        // wait in the listen() queue until we come back here.
        let (conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // A client that gave up while queued, or a signal: try again.
            Err(e) if is_transient(&e) => continue,
            Err(e) => return Err(e).context("accept() failed"),
        };
        if shutdown.is_requested() {
            break; // that was our own wake-up call; see common::shutdown
        }
        let peer = peer.as_socket().context("the client has no IP address")?;
        log::info!("{peer} connected");
        // Ctrl-C during this client: shut the connection down cleanly (FIN).
        let _watch = shutdown.watch(&conn)?;

        match echo_until_closed(&conn, peer, &mut buffer) {
            Ok(total) => log::info!("{peer} closed the connection after {}", bytes(total)),
            Err(_) if shutdown.is_requested() => {}
            // One client's failure (a reset, say) must not stop the server.
            Err(e) => log::warn!("lost {peer}: {e}"),
        }
        // close(): dropping `conn` closes this client's socket. The listener
        // stays open for the next client.
        drop(conn);
        served += 1;
        if options.once || shutdown.is_requested() {
            break;
        }
    }
    // ANCHOR_END: accept_loop
    // Clients still queued in listen() would get a reset when we exit; give
    // them a proper close instead (see common::shutdown::close_queued).
    let queued = common::shutdown::close_queued(listener);
    // After a Ctrl-C during a client, one of them is our own wake-up call.
    let waiting = if shutdown.is_requested() {
        queued.saturating_sub(1)
    } else {
        queued
    };
    if waiting > 0 {
        log::info!("closed {waiting} queued connection(s)");
    }
    log::info!("server stopped after {served} client(s)");
    Ok(())
}

/// Errors of `accept()` that concern one client only, or nobody.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
    )
}

/// The receive loop: echo every byte back until the peer closes.
///
/// Returns how many bytes were echoed.
///
/// # Errors
///
/// When `recv()` or `send()` fails, for example when the peer resets.
pub fn echo_until_closed(conn: &Socket, peer: SocketAddr, buffer: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    // ANCHOR: echo
    loop {
        // recv(): wait for bytes and take up to buffer.len() of them. `read`
        // on a socket is recv(). Its three outcomes need three different
        // answers:
        let n = match (&*conn).read(buffer) {
            // 0 bytes: the peer closed its sending side (FIN). Nothing more
            // will ever come, so the echo is complete.
            Ok(0) => return Ok(total),
            // n bytes: whatever piece of the stream arrived. Not a "message":
            // TCP keeps no boundaries, so this may be half of what the peer
            // sent, or several sends glued together.
            Ok(n) => n,
            // A signal interrupted the wait; nothing was lost.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A real error (a reset peer, say): give up on this client.
            Err(e) => return Err(e),
        };
        let data = &buffer[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));

        // send(): write_all() repeats send() until all n bytes are out, like
        // Python's sendall(). The bytes go back unchanged: we never decode
        // them, so invalid UTF-8 or a character cut in two is echoed intact.
        (&*conn).write_all(data)?;
        total += n;
    }
    // ANCHOR_END: echo
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;
    use std::thread;

    fn start(once: bool) -> (SocketAddr, Shutdown, thread::JoinHandle<Result<()>>) {
        let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        let addr = local_addr(&listener).expect("addr");
        let shutdown = Shutdown::new();
        shutdown.wake_listener(addr);
        let options = Options { buffer: 7, once };
        let handle = {
            let shutdown = shutdown.clone();
            thread::spawn(move || serve(&listener, &options, &shutdown))
        };
        (addr, shutdown, handle)
    }

    fn echo(addr: SocketAddr, data: &[u8]) -> Vec<u8> {
        let mut conn = TcpStream::connect(addr).expect("connect");
        conn.write_all(data).expect("send");
        conn.shutdown(std::net::Shutdown::Write)
            .expect("half-close");
        let mut back = Vec::new();
        conn.read_to_end(&mut back).expect("read");
        back
    }

    /// Data far larger than the 7-byte buffer comes back whole, byte for byte.
    #[test]
    fn echoes_more_than_the_buffer() {
        let (addr, shutdown, handle) = start(false);
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        assert_eq!(echo(addr, &data), data);
        assert_eq!(echo(addr, b""), b"");
        shutdown.trigger();
        handle.join().expect("no panic").expect("clean stop");
    }

    /// With `once`, the server returns after the first client.
    #[test]
    fn once_serves_one_client() {
        let (addr, _shutdown, handle) = start(true);
        assert_eq!(echo(addr, b"only me"), b"only me");
        handle.join().expect("no panic").expect("clean stop");
    }

    /// Ctrl-C while a client is connected closes it cleanly: it reads 0, not an error.
    #[test]
    fn ctrl_c_closes_a_connected_client_cleanly() {
        let (addr, shutdown, handle) = start(false);
        let mut conn = TcpStream::connect(addr).expect("connect");
        conn.write_all(b"ping").expect("send");
        let mut four = [0u8; 4];
        conn.read_exact(&mut four).expect("echo");
        shutdown.trigger();
        let mut rest = Vec::new();
        assert_eq!(conn.read_to_end(&mut rest).map_err(|e| e.kind()), Ok(0));
        handle.join().expect("no panic").expect("clean stop");
    }
}
