//! The event-loop client's new part: `--connections N --messages M` drives
//! N connections from one thread, with a readiness loop like the server's,
//! checks every echo byte for byte, and prints a one-line summary. Without
//! those flags the client is lesson 3's interactive one, unchanged
//! (`threaded_echo::client`): the protocol is the same.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use mio::{Events, Interest, Poll, Token, net::TcpStream};
use socket2::{Domain, Protocol, Socket, Type};

/// How long the load mode waits for any reply before it gives up.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// `socket()` + `connect()`, then O_NONBLOCK for the readiness loop. The
/// connect itself blocks: on one machine it takes a few microseconds.
pub fn connect(addr: SocketAddr) -> Result<TcpStream> {
    // ANCHOR: connect
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    let failed = || format!("could not connect to {addr}");
    socket.connect(&addr.into()).with_context(failed)?;
    socket.set_nonblocking(true).with_context(failed)?;
    // ANCHOR_END: connect
    Ok(TcpStream::from_std(socket.into()))
}

/// One connection of the load mode.
struct Load {
    stream: TcpStream,
    message: Vec<u8>, // the message whose echo we wait for
    echoed: usize,    // how much of it came back
    trips: usize,     // round trips completed
}

/// `--connections N --messages M`: N connections, each sending M messages,
/// one after the other, all from this one thread. Returns the summary line
/// and the number of errors.
pub fn load(
    addr: SocketAddr,
    n: usize,
    messages: usize,
    ctrl_c: &common::Shutdown,
) -> Result<(String, usize)> {
    let (mut poll, mut events) = (Poll::new()?, Events::with_capacity(1024));
    let mut all = Vec::with_capacity(n);
    for i in 0..n {
        let mut stream = connect(addr)?;
        poll.registry()
            .register(&mut stream, Token(i), Interest::READABLE)?;
        all.push(Load {
            stream,
            message: message(i, 0),
            echoed: 0,
            trips: 0,
        });
    }
    let (started, mut heard, mut open, mut errors) = (Instant::now(), Instant::now(), n, 0);
    for (i, conn) in all.iter_mut().enumerate() {
        // The first message of each: a fresh send buffer takes it whole.
        if let Err(e) = (&conn.stream).write_all(&conn.message) {
            log::warn!("connection {i}: {e}");
            (open, errors) = (open - 1, errors + 1);
            poll.registry().deregister(&mut conn.stream)?;
        }
    }
    // ANCHOR: load
    while open > 0 && heard.elapsed() < REPLY_TIMEOUT && !ctrl_c.is_requested() {
        // A short timeout, to notice Ctrl-C and a server gone quiet.
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_millis(100))) {
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e).context("poll() failed");
            }
        }
        for event in &events {
            let (i, conn) = (event.token().0, &mut all[event.token().0]);
            heard = Instant::now();
            match step(conn, i, messages) {
                Ok(false) => continue, // more to come
                Ok(true) => {}         // all M round trips done
                Err(e) => {
                    log::warn!("connection {i}: {e:#}");
                    errors += 1;
                }
            }
            open -= 1;
            poll.registry().deregister(&mut conn.stream)?;
        }
    }
    // ANCHOR_END: load
    let (secs, trips) = (
        started.elapsed().as_secs_f64(),
        all.iter().map(|c| c.trips).sum::<usize>(),
    );
    let errors = errors + open; // those that never finished
    let rate = trips as f64 / secs;
    Ok((
        format!(
            "{n} connections, {trips} round trips in {secs:.2} s ({rate:.0}/s), {errors} errors"
        ),
        errors,
    ))
}

/// Message `k` of connection `i`: different on every connection, Korean included.
fn message(i: usize, k: usize) -> Vec<u8> {
    format!("connection {i} message {k} 안녕\n").into_bytes()
}

/// Reads what came until WouldBlock, each byte compared with what was sent;
/// after each complete echo sends the next message. True when all are done.
// ANCHOR: step
fn step(conn: &mut Load, i: usize, messages: usize) -> Result<bool> {
    let mut buffer = [0u8; 1024];
    loop {
        let expected = &conn.message[conn.echoed..];
        match (&conn.stream).read(&mut buffer[..expected.len().min(1024)]) {
            Ok(0) => bail!("the server closed the connection"),
            Ok(n) if buffer[..n] != expected[..n] => bail!("a wrong echo"),
            Ok(n) => conn.echoed += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
        if conn.echoed == conn.message.len() {
            conn.trips += 1;
            if conn.trips == messages {
                conn.stream.shutdown(Shutdown::Write)?;
                return Ok(true);
            }
            (conn.message, conn.echoed) = (message(i, conn.trips), 0);
            (&conn.stream).write_all(&conn.message)?; // our send buffer is empty
        }
    }
}
// ANCHOR_END: step
