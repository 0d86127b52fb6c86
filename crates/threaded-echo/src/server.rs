//! Step 1's bare server plus an idle timeout, bounds on lines and clients, a clean Ctrl-C.
//! Read [`listen`], [`serve`] (accept loop), `serve_client` (a thread that owns one client).

use std::io::{ErrorKind, Read, Write};
use std::sync::{Arc, atomic::AtomicUsize, atomic::Ordering::SeqCst};
use std::{net::SocketAddr, thread, time::Duration};

use anyhow::{Context, Result};
use common::error::{hint_line, is_out_of_files, is_transient};
use common::text::{bytes, plural, show};
use common::{Shutdown, duration, hints::Hint, shutdown::goodbye};
use socket2::{Domain, Socket, Type};

use crate::lines::{LineWatch, answer, busy_message, idle_message};
use crate::{BACKLOG, GOODBYE_WAIT, Options};

/// The listening socket: `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    let failed = || format!("could not listen on {addr}");
    // socket(): a TCP socket (a stream; protocol `None` is TCP), IPv4 or IPv6 as the address.
    let listener =
        Socket::new(Domain::for_address(addr), Type::STREAM, None).with_context(failed)?;
    // SO_REUSEADDR: restart at once despite old connections in TIME_WAIT (Unix only).
    #[cfg(unix)]
    listener.set_reuse_address(true)?;
    // bind() claims the address and port; listen() lets the kernel queue up
    // to BACKLOG connected clients that accept() has not taken yet.
    listener.bind(&addr.into()).with_context(failed)?;
    listener.listen(BACKLOG).with_context(failed)?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// The accept loop: a thread for every client, until Ctrl-C; then it joins them.
pub fn serve(listener: &Socket, options: Options, shutdown: &Shutdown) -> Result<()> {
    // Ctrl-C wakes accept() (common::Shutdown connects to our own port); dropping
    // `_queue` sends clients still queued a FIN. Named, not `_`: `let _ =` drops at once.
    let _queue = shutdown.guard_listener(listener)?;
    // How many clients have a thread now. An AtomicUsize is an integer that
    // threads can change without a Mutex; SeqCst, the simplest, strictest order.
    let connected = Arc::new(AtomicUsize::new(0));
    let (max, mut threads) = (options.max_clients, Vec::new());
    // ANCHOR: accept_loop
    loop {
        // accept(): wait for the next client; a NEW socket for it alone.
        let (conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // A client that gave up while queued, or a signal: next one.
            Err(e) if is_transient(&e) => continue,
            // No file descriptor (the number a process knows a socket by) left: wait.
            Err(e) if is_out_of_files(&e) => {
                log::warn!("accept() failed: {e}; {}", hint_line(&Hint::OutOfFiles));
                shutdown.wait_timeout(Duration::from_millis(100));
                continue;
            }
            Err(e) => return Err(e).context("accept() failed"),
        };
        if shutdown.is_requested() {
            // Ctrl-C: usually our own wake-up call (see `_queue`), but maybe a client
            // that came at that moment: goodbye() reads what the client sent, so a FIN, no reset.
            goodbye(&conn, b"", Duration::ZERO);
            break;
        }
        let peer = peer.as_socket().context("accept() gave no IP address")?;
        // ANCHOR: busy
        if connected.load(SeqCst) >= max {
            let serving = plural(max, "client");
            log::warn!("{peer} turned away: already serving {serving}");
            goodbye(&conn, busy_message(max).as_bytes(), Duration::ZERO);
            continue;
        }
        // ANCHOR_END: busy
        let now = connected.fetch_add(1, SeqCst) + 1;
        log::info!("{peer} connected ({now} of at most {max} clients)");
        // A thread per client, given the socket by `move`: only it uses this connection.
        // Builder::spawn, unlike thread::spawn, returns an error, not a panic, if none can start.
        let (shutdown, counter) = (shutdown.clone(), Arc::clone(&connected));
        let thread = thread::Builder::new().spawn(move || {
            if let Err(e) = serve_client(conn, peer, options, &shutdown) {
                log::warn!("lost {peer}: {e}");
            }
            let left = plural(counter.fetch_sub(1, SeqCst) - 1, "client"); // returns the old count
            log::info!("{peer} disconnected; {left} still connected");
        });
        match thread {
            Ok(thread) => threads.push(thread),
            // No thread: the closure, and `conn` in it, is dropped (close()). Serve the others.
            Err(e) => {
                connected.fetch_sub(1, SeqCst);
                log::warn!("{peer} closed: the system refused a new thread: {e}");
            }
        }
        threads.retain(|thread| !thread.is_finished()); // forget those that ended
    }
    // ANCHOR_END: accept_loop
    // ANCHOR: stop
    // Ctrl-C half-closed every client's socket, so every thread ends; join() waits for each.
    let joined = threads.into_iter().filter_map(|t| t.join().ok()).count();
    log::info!("server stopped: {} joined", plural(joined, "client thread"));
    // ANCHOR_END: stop
    Ok(())
}

/// One client's thread: echo until it leaves, `/end`, silence, a long line or Ctrl-C.
/// The thread owns `conn`: dropped when this returns, which closes it.
fn serve_client(conn: Socket, peer: SocketAddr, options: Options, stop: &Shutdown) -> Result<()> {
    // Ctrl-C: shutdown(Write) via `watch`'s duplicate, a FIN to the client; its close, or
    // after 300 ms common::Shutdown's shutdown(Both), makes our recv() return 0.
    let _watch = stop.watch(&conn)?;
    // ANCHOR: idle_timeout
    // SO_RCVTIMEO, SO_SNDTIMEO: a recv() or send() that waits longer than this fails
    // instead of waiting forever, with WouldBlock ("try again later") on Unix, TimedOut on Windows.
    conn.set_read_timeout(Some(options.idle_timeout))?;
    conn.set_write_timeout(Some(options.idle_timeout))?;
    // ANCHOR_END: idle_timeout
    // This buffer and a LineWatch are all the memory a client costs.
    let mut buffer = vec![0u8; options.buffer];
    let mut lines = LineWatch::new(options.max_line);
    // ANCHOR: echo_loop
    let last_words = loop {
        // recv(): wait for bytes from this client only. (`&conn`: see lesson 1.)
        let n = match (&conn).read(&mut buffer) {
            Ok(0) => return Ok(()), // the client closed its side (or Ctrl-C did)
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                let idle = duration::show(options.idle_timeout);
                log::info!("{peer} sent nothing for {idle}: closing");
                break idle_message(options.idle_timeout);
            }
            Err(e) => return Err(e.into()),
        };
        let data = &buffer[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));
        // Lines are followed only to spot the end (`/end`, or a line too long).
        let (echo, last_words) = answer(&mut lines, data, peer, options.max_line);
        // send(): echo at once, line or no line: all the bytes, or up to and
        // including the `/end` line, or those that fit the bound on a line.
        (&conn).write_all(echo)?;
        if let Some(words) = last_words {
            break words;
        }
    };
    // ANCHOR_END: echo_loop
    // Last words, a FIN, then drop what the client still sends (no reset).
    goodbye(&conn, last_words.as_bytes(), GOODBYE_WAIT);
    Ok(())
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
