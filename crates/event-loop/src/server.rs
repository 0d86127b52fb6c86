//! The event-loop server: one thread serves every client. Read [`listen`],
//! then [`run`]; each client's bytes are in [`crate::connection`].

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Instant;

use anyhow::{Context, Result};
use common::error::{hint_line, is_out_of_files, is_transient};
use common::text::plural;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use socket2::{Domain, Protocol, Socket, Type};

use crate::{BACKLOG, Options, STOP_GRACE, busy_message, connection::Clients};

const LISTENER: Token = Token(0); // the listening socket's token
const WAKER: Token = Token(1); // the Waker's, which Ctrl-C pulls; clients: 2 up

/// `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`, and what this lesson
/// is about: non-blocking mode. Fails when the address is in use, not on
/// this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    #[cfg(unix)] // restart at once after Ctrl-C, as in lesson 3
    listener.set_reuse_address(true).context("SO_REUSEADDR")?;
    let failed = || format!("could not listen on {addr}");
    listener.bind(&addr.into()).with_context(failed)?;
    listener.listen(BACKLOG).with_context(failed)?;
    // O_NONBLOCK: accept(), recv() and send() never wait. Each returns at
    // once, with a result or with WouldBlock: "nothing now, ask poll()".
    listener.set_nonblocking(true).context("O_NONBLOCK")?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// Accepts every client waiting in the queue. `out_of_files`: the process
/// had no file descriptor left for one (logged once), so retry later.
fn accept_clients(listener: &TcpListener, clients: &mut Clients, out_of_files: &mut bool) {
    let max = clients.options.max_clients;
    // ANCHOR: accept
    loop {
        // accept() until WouldBlock: mio reports only *new* readiness, so
        // a client left in the queue would wait for the next one to come.
        let (socket, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if is_transient(&e) => continue,
            Err(e) if is_out_of_files(&e) => {
                if !*out_of_files {
                    log::error!("accept() failed: {e}; trying again as clients leave");
                    log::error!("{}", hint_line(&common::hints::Hint::OutOfFiles));
                }
                *out_of_files = true;
                return;
            }
            Err(e) => return log::error!("accept() failed: {e}"),
        };
        if clients.by_token.len() >= max {
            refuse_busy(&socket, peer, max);
        } else if let Err(e) = clients.add(socket, peer) {
            log::warn!("could not watch {peer}: {e}");
        } else {
            let n = clients.by_token.len();
            log::info!("{peer} connected ({n} of at most {max} clients)");
        }
    }
    *out_of_files = false; // the queue is empty: all accepted
    // ANCHOR_END: accept
}

/// Runs the lesson: listen on `addr`, serve every client from this one
/// thread until Ctrl-C, then close every connection with a FIN. Fails when
/// the listening socket or the poll cannot be set up.
pub fn run(addr: SocketAddr, options: &Options) -> Result<()> {
    crate::raise_open_file_limit();
    let socket = listen(addr)?;
    let local = common::addr::local_addr(&socket)?;
    let mut listener = TcpListener::from_std(socket.into());
    // ANCHOR: poll
    // epoll_create(): the kernel's list of the sockets we wait on.
    let mut poll = Poll::new().context("could not create the poll")?;
    // epoll_ctl(ADD): wake us when clients wait in the listen() queue.
    let registry = poll.registry().try_clone()?;
    registry.register(&mut listener, LISTENER, Interest::READABLE)?;
    // Ctrl-C runs on the ctrlc crate's thread. The sockets belong to the
    // loop, so the handler touches none: it only wakes poll() up.
    let waker = Waker::new(&registry, WAKER)?;
    ctrlc::set_handler(move || drop(waker.wake())).context("could not handle Ctrl-C")?;
    // ANCHOR_END: poll
    common::logging::listening(local);
    let (max, idle) = (options.max_clients, options.idle_timeout);
    let idle = common::duration::show(idle);
    log::info!("serving up to {max} clients; closing any silent for {idle}");
    let (mut clients, mut events) = (Clients::new(registry, options), Events::with_capacity(1024));
    let (mut stopping, mut out_of_files): (Option<Instant>, _) = (None, false);
    // ANCHOR: loop
    loop {
        // epoll_wait(): sleep until a socket is ready or a deadline comes.
        let next = clients.timers.peek().map(|t| t.0.0);
        let next = next.into_iter().chain(stopping).min();
        let timeout = next.map(|t| t - t.min(Instant::now()));
        if let Err(e) = poll.poll(&mut events, timeout) {
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e).context("poll() failed"); // (Interrupted: a signal came)
            }
        }
        for event in &events {
            match event.token() {
                LISTENER => accept_clients(&listener, &mut clients, &mut out_of_files),
                WAKER => {
                    log::info!("Ctrl-C or SIGTERM received: shutting down");
                    poll.registry().deregister(&mut listener)?; // no new clients
                    clients.stop_all(); // a FIN to each; ready() sees theirs
                    stopping = Some(Instant::now() + STOP_GRACE);
                }
                token => clients.ready(token),
            }
        }
        clients.expire();
        if out_of_files {
            // The queued clients bring no new event: retry every turn.
            accept_clients(&listener, &mut clients, &mut out_of_files);
        }
        if stopping.is_some_and(|end| clients.by_token.is_empty() || Instant::now() >= end) {
            break;
        }
    }
    // ANCHOR_END: loop
    let left: Vec<Token> = clients.by_token.keys().copied().collect();
    left.iter().for_each(|token| clients.close(*token));
    // Clients that came after Ctrl-C wait in the queue: a FIN for them too.
    while let Ok((late, _)) = listener.accept() {
        let _ = late.shutdown(Shutdown::Write);
    }
    let n = left.len();
    log::info!("server stopped; clients still open at the end: {n}");
    Ok(())
}

/// One over `--max-clients`: say so and close, without waiting for it. A
/// fresh connection's send buffer is empty, so one short send() fits.
fn refuse_busy(mut socket: &TcpStream, peer: SocketAddr, max: usize) {
    log::warn!("{peer} refused: already serving {}", plural(max, "client"));
    let _ = socket.write(busy_message(max).as_bytes());
    let _ = socket.shutdown(Shutdown::Write);
    let _ = socket.read(&mut [0u8; 1024]); // what it sent, or close() resets
}
