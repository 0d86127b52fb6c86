//! One client ([`Connection`]) and all of them ([`Clients`]): its state, picked up when it is ready.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Instant;

use common::text::{bytes, plural, show};
use mio::{Interest, Registry, Token, net::TcpStream};
use threaded_echo::lines::{LineWatch, answer};

use crate::{FIRST_CLIENT, Options, PENDING_MAX, Timers, idle_message};

// ANCHOR: state
/// One client: its socket, and what it takes to pick up where it left off.
pub struct Connection {
    socket: TcpStream,
    peer: SocketAddr,
    lines: LineWatch,   // where the current line is: for `/end`, and its length
    pending: Vec<u8>,   // echo the kernel would not take yet (often: none)
    deadline: Instant,  // silent until then: goodbye; a goodbye unanswered by then: close()
    goodbye: bool,      // last words queued: ignore its input; FIN once `pending` is sent
    eof: bool,          // the client sent its FIN: recv() returned 0
    interest: Interest, // what the poll watches for now (see watch())
}

/// Every client by token, their deadlines, and what serving them needs.
pub struct Clients {
    by_token: HashMap<Token, Connection>, // never reused: a late event can't reach a new client
    timers: Timers,                       // every client's deadline, soonest first (lib.rs)
    pub(crate) options: Options,          // the flags the server runs with
    registry: Registry,                   // our own handle on the poll, to register clients
    buffer: Vec<u8>,                      // ONE read buffer for all: an idle client holds none
    last_token: usize,                    // the last token given; the next client's is one more
}
// ANCHOR_END: state

impl Connection {
    fn read_until_blocked(&mut self, buffer: &mut [u8], options: &Options) -> io::Result<()> {
        // ANCHOR: read
        // Until WouldBlock (or backpressure, below): mio reports a socket when it *becomes* ready
        // (edge-triggered), and promises a new event only after a WouldBlock.
        while !self.eof {
            if self.pending.len() >= PENDING_MAX {
                self.flush()?; // full: send() first; still full is backpressure (lib.rs)
                if self.pending.len() >= PENDING_MAX {
                    break; // backpressure: flush()'s WRITABLE event brings us back
                }
            }
            let want = (PENDING_MAX - self.pending.len()).min(buffer.len()); // its echo fits
            let n = match self.socket.read(&mut buffer[..want]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.eof = n == 0; // the client's FIN
            if n > 0 && !self.goodbye {
                // Echo it, as lesson 3's protocol says (after a goodbye: drop it).
                let (data, peer) = (&buffer[..n], self.peer);
                self.deadline = Instant::now() + options.idle_timeout; // expire() sees it moved
                log::info!("received {} from {peer}: {}", bytes(n), show(data));
                let (echo, last_words) = answer(&mut self.lines, data, peer, options.max_line);
                self.pending.extend_from_slice(echo);
                // `/end` or a line too long: last words, then FIN once all is out.
                if let Some(words) = last_words {
                    self.goodbye = true;
                    self.pending.extend_from_slice(words.as_bytes());
                }
            }
        }
        self.flush() // after reading, not per read: a client answering at once would keep us here
        // ANCHOR_END: read
    }
    // ANCHOR: send
    /// send() `pending` until WouldBlock (the kernel's buffer is full); after a goodbye: FIN.
    fn flush(&mut self) -> io::Result<()> {
        let mut sent = 0;
        while sent < self.pending.len() {
            match self.socket.write(&self.pending[sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()), // never on TCP; no spinning
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break, // the rest: WRITABLE
                Err(e) => return Err(e),
            }
        }
        self.pending.drain(..sent);
        if self.pending.is_empty() {
            self.pending = Vec::new(); // give the memory back
        }
        if self.pending.is_empty() && self.goodbye {
            let _ = self.socket.shutdown(Shutdown::Write); // FIN (again is harmless)
        }
        Ok(())
    }
    /// What the poll watches for ([`crate::interest`]), and `epoll_ctl(MOD)` when it changes.
    fn watch(&mut self, token: Token, registry: &Registry) -> io::Result<()> {
        let interest = crate::interest(self.pending.len());
        if interest != self.interest {
            registry.reregister(&mut self.socket, token, interest)?;
            self.interest = interest;
        }
        Ok(())
    }
    // ANCHOR_END: send
}

impl Clients {
    /// No clients yet; their sockets will be registered with `registry`.
    pub fn new(registry: Registry, options: &Options) -> Clients {
        Clients {
            by_token: HashMap::new(),
            timers: Timers::default(),
            options: options.clone(),
            registry,
            buffer: vec![0; options.buffer],
            last_token: FIRST_CLIENT.0 - 1,
        }
    }
    /// How many clients are connected.
    pub fn count(&self) -> usize {
        self.by_token.len()
    }
    /// The soonest deadline of a client, if any: poll() must wake by then.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.next()
    }
    /// A new client: `epoll_ctl(ADD)` under a new token, for READABLE (it is owed nothing yet).
    pub fn add(&mut self, mut socket: TcpStream, peer: SocketAddr) -> io::Result<()> {
        self.last_token += 1;
        let (token, interest) = (Token(self.last_token), Interest::READABLE);
        self.registry.register(&mut socket, token, interest)?;
        let deadline = Instant::now() + self.options.idle_timeout;
        self.timers.push(deadline, token);
        let conn = Connection {
            socket,
            peer,
            lines: LineWatch::new(self.options.max_line),
            pending: Vec::new(),
            deadline,
            goodbye: false,
            eof: false,
            interest,
        };
        self.by_token.insert(token, conn);
        Ok(())
    }
    // ANCHOR: ready
    /// An event for `token`: send, read, watch (in a closure, so that an error still reaches the
    /// close below). No client: it was closed earlier in this turn, and its event came late.
    pub fn ready(&mut self, token: Token) {
        if let Some(conn) = self.by_token.get_mut(&token) {
            let mut serve = || -> io::Result<()> {
                conn.flush()?; // the echo it is owed, first: room in `pending` to read more
                conn.read_until_blocked(&mut self.buffer, &self.options)?;
                conn.watch(token, &self.registry) // what to wait for next
            };
            let result = serve();
            if let Err(e) = &result {
                log::warn!("lost {}: {e}", conn.peer);
            }
            if result.is_err() || (conn.eof && conn.pending.is_empty()) {
                self.close(token);
            }
        }
    }
    // ANCHOR_END: ready

    /// Deadlines that passed: a silent client gets a goodbye, an unanswered goodbye a close().
    pub fn expire(&mut self) {
        // ANCHOR: timers
        let (now, idle) = (Instant::now(), self.options.idle_timeout);
        while let Some(token) = self.timers.pop_due(now) {
            match self.by_token.get_mut(&token) {
                Some(c) if c.deadline > now => self.timers.push(c.deadline, token), // spoke since
                Some(conn) if conn.goodbye => self.close(token),
                Some(conn) => {
                    let (peer, said) = (conn.peer, common::duration::show(idle));
                    let full = conn.pending.len() >= PENDING_MAX; // backpressure held it
                    let what = if full { "read no echo" } else { "sent nothing" };
                    log::info!("{peer} {what} for {said}: closing");
                    conn.goodbye = true;
                    conn.pending.extend(idle_message(idle).bytes());
                    let _ = conn.flush();
                    let _ = conn.watch(token, &self.registry);
                    conn.deadline = now + idle;
                    self.timers.push(conn.deadline, token);
                }
                None => {} // closed already
            }
        }
        // ANCHOR_END: timers
    }
    /// After Ctrl-C: close() every client still open; returns how many.
    pub fn close_all(&mut self) -> usize {
        let left = self.by_token.len();
        while let Some(&token) = self.by_token.keys().next() {
            self.close(token); // (not a `for` over the map: close() changes it)
        }
        left
    }
    /// Ctrl-C: a FIN to every client now, whatever it is still owed.
    pub fn stop_all(&mut self) {
        for conn in self.by_token.values_mut() {
            (conn.goodbye, conn.pending) = (true, Vec::new());
            let _ = conn.flush(); // sends the FIN
        }
    }
    /// Forget the client: dropping its socket is close(), which also takes it out of the poll.
    pub fn close(&mut self, token: Token) {
        if let Some(mut conn) = self.by_token.remove(&token) {
            // Unread bytes make close() send a reset, which can wipe echo the client has not
            // read. One read usually empties them (not all of a client held back by backpressure).
            let _ = conn.socket.read(&mut self.buffer);
            let (peer, left) = (conn.peer, plural(self.by_token.len(), "client"));
            log::info!("closed {peer}; {left} still connected");
        }
    }
}
