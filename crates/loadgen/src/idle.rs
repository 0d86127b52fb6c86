//! `--idle N`: connections that are opened before the run, say nothing during
//! it, and must still work afterwards.
//!
//! A server that gives each client a thread keeps serving the active clients
//! while hundreds of idle ones sit there; a server that serves one client at
//! a time is stuck on the first idle one. After the run, every idle
//! connection sends one message and must get its echo.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Instant;

use crate::clients::Ctx;
use crate::payload::{Message, mismatch};
use crate::tally::{Failure, Tally};
use common::duration::show as short;

/// Client numbers for idle connections start here, so that their messages
/// differ from every active client's.
const FIRST_IDLE_ID: usize = 1_000_000;

/// Opens `n` connections at once, a thread each, so that a server with a full
/// `listen()` queue costs one timeout in total, not one per connection.
pub(crate) fn open(ctx: &Ctx<'_>, n: usize) -> (Vec<TcpStream>, Tally) {
    let mut errors = Tally::default();
    let mut open = Vec::with_capacity(n);
    thread::scope(|s| {
        let mut connecting = Vec::with_capacity(n);
        for i in 0..n {
            match thread::Builder::new()
                .name(format!("idle {i}"))
                // The Ctrl-C watch (a duplicate descriptor) ends with the
                // thread: nothing blocks on an idle connection, and thousands
                // of them must not cost two descriptors each.
                .spawn_scoped(s, || ctx.connect().map(|(conn, _watch)| conn))
            {
                Ok(handle) => connecting.push(handle),
                Err(e) => errors.record(Failure::Io, || {
                    format!("idle {i}: could not start a thread: {e}")
                }),
            }
        }
        for (i, handle) in connecting.into_iter().enumerate() {
            match handle.join() {
                // Nothing blocks on an idle connection during the run, and
                // the check after it has a deadline of its own.
                Ok(Ok(conn)) => open.push(conn),
                Ok(Err(e)) => errors.record(Failure::of_connect(&e), || {
                    format!("idle {i}: could not connect to {}: {e}", ctx.plan.addr)
                }),
                Err(_) => errors.record(Failure::Io, || format!("idle {i}: the thread panicked")),
            }
        }
    });
    (open, errors)
}

/// Sends one message on every idle connection, then reads every echo, all
/// within one `--timeout`. Returns how many answered right.
pub(crate) fn check(ctx: &Ctx<'_>, conns: &[TcpStream]) -> (usize, Tally) {
    let mut errors = Tally::default();
    let framing = ctx.plan.mode.framing();
    let timeout = ctx.plan.timeout;
    // All messages go out first: a server that is slow to answer one
    // connection must not eat the time of the others.
    let mut waiting = Vec::with_capacity(conns.len());
    for (i, mut conn) in conns.iter().enumerate() {
        let message = Message::new(framing, ctx.plan.size, FIRST_IDLE_ID + i);
        match conn.write_all(message.bytes()) {
            Ok(()) => waiting.push((i, conn, message)),
            Err(e) => errors.record(Failure::of_io(&e), || {
                format!("idle {i}, after the run: send failed: {e}")
            }),
        }
    }
    let deadline = Instant::now() + timeout;
    let mut answered = 0;
    let mut reply = vec![0u8; ctx.plan.size];
    for (i, mut conn, message) in waiting {
        let left = deadline.saturating_duration_since(Instant::now());
        let result = conn
            .set_read_timeout(Some(left.max(std::time::Duration::from_millis(1))))
            .and_then(|()| conn.read_exact(&mut reply));
        match result {
            Ok(()) => match mismatch(message.bytes(), &reply) {
                None => answered += 1,
                Some(how) => {
                    errors.record(Failure::Wrong, || format!("idle {i}, after the run: {how}"))
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => errors
                .record(Failure::Short, || {
                    format!("idle {i}, after the run: the server closed the connection")
                }),
            Err(e) => {
                let failure = Failure::of_io(&e);
                errors.record(failure, || {
                    if failure == Failure::Timeout {
                        format!(
                            "idle {i}, after the run: no reply within {}",
                            short(timeout)
                        )
                    } else {
                        format!("idle {i}, after the run: {e}")
                    }
                });
            }
        }
    }
    (answered, errors)
}
