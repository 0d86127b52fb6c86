//! Unit tests of `client.rs`: sessions against a threaded-echo server in
//! this process.

use super::*;
use crate::lines::too_long_message;
use crate::{Options, server};
use std::sync::{Arc, Mutex};

/// A `Write` whose bytes the test can read afterwards.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().expect("lock").clone()
    }
}

/// Runs a session against an in-process threaded-echo server; returns
/// what was printed as the echo and as prompts.
fn talk(input: &[u8]) -> (Vec<u8>, String) {
    let listener = server::listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let addr = common::addr::local_addr(&listener).expect("addr");
    let stop = Shutdown::new();
    let options = Options {
        idle_timeout: Duration::from_secs(20),
        max_clients: 2,
        max_line: 64,
        buffer: crate::BUFFER,
    };
    let server = {
        let stop = stop.clone();
        thread::spawn(move || server::serve(&listener, options, &stop))
    };
    let output = Shared::default();
    let prompt = Shared::default();
    session(
        connect(addr).expect("connect"),
        io::Cursor::new(input.to_vec()),
        output.clone(),
        Some(Box::new(prompt.clone())),
        &Shutdown::new(),
    )
    .expect("session");
    stop.trigger();
    server.join().expect("no panic").expect("server");
    let prompts = String::from_utf8_lossy(&prompt.bytes()).into_owned();
    (output.bytes(), prompts)
}

/// Each line is echoed after its own prompt; `/end` ends the session and
/// what follows it is never sent.
#[test]
fn lines_until_end() {
    let (out, prompts) = talk(b"one\n\xed\x95\x9c\xff\n/end\nnever sent\n");
    assert_eq!(out, b"one\n\xed\x95\x9c\xff\n/end\n");
    assert_eq!(prompts, PROMPT.repeat(3));
}

/// The end of input closes the session after the last echo.
#[test]
fn end_of_input_closes() {
    let (out, prompts) = talk(b"a\nno newline");
    assert_eq!(out, b"a\nno newline");
    // Ctrl-D prints no newline on a terminal, so the client ends the
    // prompt's line itself.
    assert_eq!(prompts, format!("{}\n", PROMPT.repeat(3)));
}

/// A line longer than a piece goes out in pieces; the server refuses it
/// once it passes its bound, and the session ends without an error.
#[test]
fn server_refusal_ends_the_session() {
    let long = vec![b'z'; MAX_PIECE + 10];
    let (out, _) = talk(&long);
    assert!(out.starts_with(&[b'z'; 64]), "the echo before the refusal");
    assert!(out.ends_with(too_long_message(64).as_bytes()));
}
