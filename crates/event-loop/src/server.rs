//! The event-loop server: one thread serves every client. Read [`listen`],
//! then [`run`]; each client's bytes are in [`crate::connection`].

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::Instant;

use anyhow::{Context, Result};
use common::error::{hint_line, is_out_of_files, is_transient};
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};
use socket2::{Domain, Protocol, Socket, Type};

use crate::{BACKLOG, Options, STOP_GRACE, connection::Clients, refuse_busy};

// A token is a number we give a socket at register(); poll()'s events name it.
const LISTENER: Token = Token(0); // the listening socket
const WAKER: Token = Token(1); // the Waker: Ctrl-C's thread wakes poll() with it; clients: 2 up

/// `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`, then this lesson's new step:
/// non-blocking mode. Fails when the address is in use, not this machine's, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    #[cfg(unix)] // restart at once after Ctrl-C, as in lesson 3
    listener.set_reuse_address(true).context("SO_REUSEADDR")?;
    let failed = || format!("could not listen on {addr}");
    listener.bind(&addr.into()).with_context(failed)?;
    listener.listen(BACKLOG).with_context(failed)?;
    // O_NONBLOCK, so the one thread never sleeps in accept(): with nobody queued it returns
    // WouldBlock ("nothing now, ask poll()") at once. mio's accept() makes clients non-blocking.
    listener.set_nonblocking(true).context("O_NONBLOCK")?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// Accepts every queued client. `out_of_files`: accept() found no free file descriptor (the
/// number that names an open socket or file; a process has only so many): logged once, retried.
fn accept_clients(listener: &TcpListener, clients: &mut Clients, out_of_files: &mut bool) {
    let max = clients.options.max_clients;
    // ANCHOR: accept
    loop {
        // accept() until WouldBlock: mio reports only *new* readiness, so
        // a client left in the queue would wait for the next one to come.
        let (socket, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if is_transient(&e) => continue, // a client gave up in the queue, or a signal
            Err(e) if is_out_of_files(&e) => {
                if !*out_of_files {
                    log::error!("accept() failed: {e}; trying again as clients leave");
                    log::error!("{}", hint_line(&common::hints::Hint::OutOfFiles));
                }
                *out_of_files = true;
                return;
            }
            Err(e) => {
                log::error!("accept() failed: {e}");
                return; // rare: the rest of the queue waits for the next client
            }
        };
        if clients.count() >= max {
            refuse_busy(&socket, peer, max);
        } else if let Err(e) = clients.add(socket, peer) {
            log::warn!("could not watch {peer}: {e}");
        } else {
            let n = clients.count();
            log::info!("{peer} connected ({n} of at most {max} clients)");
        }
    }
    *out_of_files = false; // the queue is empty: all accepted
    // ANCHOR_END: accept
}

/// Runs the lesson: listen on `addr`, serve every client from this one
/// thread until Ctrl-C, then close every connection with a FIN.
pub fn run(addr: SocketAddr, options: &Options) -> Result<()> {
    crate::raise_open_file_limit(); // each client is a file descriptor: allow thousands
    let socket = listen(addr)?;
    let local = common::addr::local_addr(&socket)?;
    let mut listener = TcpListener::from_std(socket.into()); // mio's, left non-blocking
    // ANCHOR: poll
    // epoll_create(): the kernel's list of the sockets we wait on.
    let mut poll = Poll::new().context("could not create the poll")?;
    // `Clients` keeps its own Registry handle (a clone): one borrowed from `poll`
    // would forbid the `poll.poll(&mut events, ...)` in the loop.
    let registry = poll.registry().try_clone()?;
    // epoll_ctl(ADD): wake us when clients wait in the listen() queue.
    registry.register(&mut listener, LISTENER, Interest::READABLE)?;
    // Ctrl-C and SIGTERM are signals; ctrlc runs our handler on its own thread. It
    // only wakes poll(): the loop owns the sockets (why not common::Shutdown: lib.rs).
    let waker = Waker::new(&registry, WAKER)?;
    ctrlc::set_handler(move || {
        let _ = waker.wake();
    })
    .context("could not handle Ctrl-C")?;
    // ANCHOR_END: poll
    common::logging::listening(local);
    let (max, idle) = (options.max_clients, options.idle_timeout);
    let idle = common::duration::show(idle);
    log::info!("serving up to {max} clients; closing any silent for {idle}");
    let (mut clients, mut events) = (Clients::new(registry, options), Events::with_capacity(1024));
    // stopping: after Ctrl-C, when we stop waiting for clients' FINs.
    let (mut stopping, mut out_of_files): (Option<Instant>, _) = (None, false);
    // ANCHOR: loop
    loop {
        // epoll_wait(): sleep until a socket is ready or the soonest deadline: a client's timer
        // or the end of the Ctrl-C grace, whichever exists and comes first (none: no timeout).
        let next_deadline = stopping.into_iter().chain(clients.next_deadline()).min();
        let timeout = next_deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if let Err(e) = poll.poll(&mut events, timeout) {
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e).context("poll() failed"); // (Interrupted: a signal came)
            }
        }
        // The token says which socket is ready (the bare server just tried
        // accept() every turn). A client's recv() and send(): connection.rs.
        for event in &events {
            match event.token() {
                LISTENER => accept_clients(&listener, &mut clients, &mut out_of_files),
                WAKER if stopping.is_none() => {
                    log::info!("Ctrl-C or SIGTERM received: shutting down");
                    poll.registry().deregister(&mut listener)?; // no new clients
                    clients.stop_all(); // our FIN to each; ready() closes each on its FIN
                    stopping = Some(Instant::now() + STOP_GRACE);
                }
                WAKER => {} // a second Ctrl-C: we are stopping already
                token => clients.ready(token),
            }
        }
        clients.expire(); // after the events: a client that just spoke has a later deadline
        if out_of_files {
            // The queued clients bring no new event: retry every turn.
            accept_clients(&listener, &mut clients, &mut out_of_files);
        }
        if stopping.is_some_and(|end| clients.count() == 0 || Instant::now() >= end) {
            break;
        }
    }
    // ANCHOR_END: loop
    let n = clients.close_all();
    // Clients still in the listen() queue: closing the listener would reset them; a FIN instead.
    while let Ok((late, _)) = listener.accept() {
        let _ = late.shutdown(Shutdown::Write);
    }
    log::info!("server stopped; clients still open at the end: {n}");
    Ok(())
}
