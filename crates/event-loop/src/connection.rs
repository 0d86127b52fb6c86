//! One client ([`Connection`]) and all of them ([`Clients`]): where a client is
//! in the conversation is a value, picked up when its socket is ready.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Instant;

use common::text::{bytes, plural, show};
use mio::{Interest, Registry, Token, net::TcpStream};
use threaded_echo::lines::LineWatch;

use crate::{Options, PENDING_MAX, idle_message};

/// One client: its socket, and what it takes to pick up where it left off.
pub struct Connection {
    socket: TcpStream,
    peer: SocketAddr,
    lines: LineWatch,  // where the current line is: for `/end`, and its length
    pending: Vec<u8>,  // echo the kernel would not take yet (often: none)
    deadline: Instant, // the idle timeout: say goodbye, or give up on one
    goodbye: bool,     // said: what comes is dropped; FIN once `pending` is out
    eof: bool,         // the client sent its FIN: recv() returned 0
    interest: Interest,
}

impl Connection {
    fn read_until_blocked(&mut self, buffer: &mut [u8], options: &Options) -> io::Result<()> {
        // ANCHOR: read
        // Until WouldBlock: mio reports a socket when it *becomes* ready
        // (edge-triggered); bytes left behind are not reported again.
        while !self.eof {
            // Never read more than we could keep if none of its echo goes out.
            let room = PENDING_MAX.saturating_sub(self.pending.len());
            if room == 0 {
                break; // backpressure: see watch()
            }
            let want = room.min(buffer.len());
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
                self.deadline = Instant::now() + options.idle_timeout;
                log::info!("received {} from {peer}: {}", bytes(n), show(data));
                let (echo, last_words) =
                    crate::answer(&mut self.lines, data, peer, options.max_line);
                self.send(echo)?;
                // `/end` or a line too long: last words, then FIN once all is out.
                self.goodbye = last_words.is_some();
                self.send(last_words.unwrap_or_default().as_bytes())?;
            }
            if n < want {
                break; // a short read emptied the kernel's buffer: WouldBlock next
            }
        }
        // ANCHOR_END: read
        Ok(())
    }

    // ANCHOR: send
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        self.flush()
    }

    /// send() what is pending until the kernel's buffer is full (WouldBlock).
    fn flush(&mut self) -> io::Result<()> {
        let mut sent = 0;
        while sent < self.pending.len() {
            match self.socket.write(&self.pending[sent..]) {
                Ok(n) if n > 0 => sent += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(e),
                _ => break, // WouldBlock: the rest waits for WRITABLE
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

    /// What the poll watches for (`epoll_ctl(MOD)` when it changes): WRITABLE
    /// only while echo waits. Backpressure: with `pending` full, no READABLE.
    /// The client's bytes wait in the kernel, then its send() blocks.
    fn watch(&mut self, token: Token, registry: &Registry) -> io::Result<()> {
        let interest = match self.pending.len() {
            0 => Interest::READABLE,
            n if n < PENDING_MAX => Interest::READABLE | Interest::WRITABLE,
            _ => Interest::WRITABLE, // backpressure: no more reading
        };
        if interest != self.interest {
            registry.reregister(&mut self.socket, token, interest)?;
            self.interest = interest;
        }
        Ok(())
    }
    // ANCHOR_END: send
}

/// Every client by token, their deadlines, and what serving them needs.
pub struct Clients {
    /// The clients, by a token never reused (0, 1: listener, waker).
    pub by_token: HashMap<Token, Connection>,
    /// (deadline, token), soonest first; deadlines only move later, so an
    /// entry is checked against the client's when it comes up.
    pub timers: BinaryHeap<Reverse<(Instant, Token)>>,
    pub(crate) options: Options, // the flags the server runs with
    registry: Registry,
    buffer: Vec<u8>, // ONE read buffer for all: an idle client holds none
    last: usize,
}

impl Clients {
    /// No clients yet; their sockets will be registered with `registry`.
    pub fn new(registry: Registry, options: &Options) -> Clients {
        Clients {
            by_token: HashMap::new(),
            timers: BinaryHeap::new(),
            options: options.clone(),
            registry,
            buffer: vec![0; options.buffer],
            last: 1,
        }
    }

    /// A new client: `epoll_ctl(ADD)` under a new token, for READABLE: an
    /// event then means "something changed", and `ready()` tries both ways.
    pub fn add(&mut self, mut socket: TcpStream, peer: SocketAddr) -> io::Result<()> {
        self.last += 1;
        let (token, interest) = (Token(self.last), Interest::READABLE);
        self.registry.register(&mut socket, token, interest)?;
        let deadline = Instant::now() + self.options.idle_timeout;
        self.timers.push(Reverse((deadline, token)));
        let (lines, pending) = (LineWatch::new(self.options.max_line), Vec::new());
        let conn = Connection {
            socket,
            peer,
            lines,
            pending,
            deadline,
            goodbye: false,
            eof: false,
            interest,
        };
        self.by_token.insert(token, conn);
        Ok(())
    }

    /// An event for `token`: write, read, watch; close the connection if over.
    pub fn ready(&mut self, token: Token) {
        // None: closed earlier in this turn; its event came late.
        if let Some(conn) = self.by_token.get_mut(&token) {
            let result = (conn.flush())
                .and_then(|()| conn.read_until_blocked(&mut self.buffer, &self.options))
                .and_then(|()| conn.watch(token, &self.registry));
            if let Err(e) = &result {
                log::warn!("lost {}: {e}", conn.peer);
            }
            if result.is_err() || (conn.eof && conn.pending.is_empty()) {
                self.close(token);
            }
        }
    }

    /// Deadlines that passed: a silent client gets a goodbye, an unanswered goodbye a close().
    pub fn expire(&mut self) {
        // ANCHOR: timers
        let (now, idle) = (Instant::now(), self.options.idle_timeout);
        while let Some(&Reverse((_, token))) = self.timers.peek().filter(|t| t.0.0 <= now) {
            self.timers.pop();
            match self.by_token.get_mut(&token) {
                Some(conn) if conn.deadline > now => {
                    self.timers.push(Reverse((conn.deadline, token)))
                }
                Some(conn) if conn.goodbye => self.close(token),
                Some(conn) => {
                    let (peer, said) = (conn.peer, common::duration::show(idle));
                    log::info!("{peer} sent nothing for {said}: closing");
                    conn.goodbye = true;
                    let _ = conn.send(idle_message(idle).as_bytes());
                    let _ = conn.watch(token, &self.registry);
                    conn.deadline = now + idle;
                    self.timers.push(Reverse((conn.deadline, token)));
                }
                None => {} // closed already
            }
        }
        // ANCHOR_END: timers
    }

    /// Ctrl-C: a FIN to every client now, whatever it is still owed.
    pub fn stop_all(&mut self) {
        for conn in self.by_token.values_mut() {
            (conn.goodbye, conn.pending) = (true, Vec::new());
            let _ = conn.flush(); // sends the FIN
        }
    }

    /// close(), which also takes the socket out of the poll. Bytes that came
    /// and were never read would turn it into a reset: read and drop them.
    pub fn close(&mut self, token: Token) {
        if let Some(mut conn) = self.by_token.remove(&token) {
            let _ = conn.socket.read(&mut self.buffer);
            let (peer, left) = (conn.peer, plural(self.by_token.len(), "client"));
            log::info!("closed {peer}; {left} still connected");
        }
    }
}
