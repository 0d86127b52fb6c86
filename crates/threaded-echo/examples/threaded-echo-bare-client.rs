//! Step 1 of threaded-echo: tutorial 000's client, call for call, in Rust.
//! Type a line, see its echo; `/end` or Ctrl-D ends the session.
//!
//! Start the server first, then the client, in two terminals:
//!
//! ```text
//! cargo run -p threaded-echo --example threaded-echo-bare-server
//! cargo run -p threaded-echo --example threaded-echo-bare-client
//! ```
//!
//! Watch for: Korean text and long lines come back whole. The tutorial's
//! bugs are fixed: it took one recv(100) for the whole echo (a long line
//! came back cut, sometimes inside a character, and the rest spilled into
//! the next echo), and it sent an empty line as zero bytes, then waited
//! forever for an answer. What the bare client lacks (it does not notice
//! the server closing while you type) is what `src/client.rs` adds.

use std::io::{self, BufRead, Read, Write};
use std::net::ToSocketAddrs;

use anyhow::{Context, bail};
use socket2::{Domain, Socket, Type};

fn main() -> anyhow::Result<()> {
    // [HOST] [PORT], by default the tutorial's server on this machine.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds.
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().unwrap_or_else(|| "3333".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().context("no address for that host")?;

    // ANCHOR: connect
    // socket(): a TCP socket (a stream; protocol `None` means TCP for a
    // stream) for IPv4 or IPv6, as the address is.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // connect(): the three-way handshake with the server's kernel.
    let refused = || format!("could not connect to {addr}: is the server running?");
    socket.connect(&addr.into()).with_context(refused)?;
    // ANCHOR_END: connect

    // ANCHOR: turns
    let mut stdin = io::stdin().lock();
    loop {
        eprint!("msg: "); // the prompt, as the tutorial's input('msg:'), on stderr
        let mut line = Vec::new();
        // 0 bytes: the end of the input (Ctrl-D). Stop.
        if stdin.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        // Send what was typed without its line ending, as the tutorial does.
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.is_empty() {
            continue; // zero bytes would send nothing, and no echo would come
        }
        // send(): write_all() repeats send() until every byte is out.
        // (`(&socket)`: lesson 1's bare server says why.)
        (&socket).write_all(text)?;
        // recv() until all of it is back: TCP may cut the echo in pieces.
        let mut echo = vec![0u8; text.len()];
        let mut got = 0;
        while got < echo.len() {
            match (&socket).read(&mut echo[got..])? {
                // 0 bytes: the server has closed the connection.
                0 => bail!("the server closed the connection"),
                n => got += n,
            }
        }
        // Decoded only to print, lossily: bytes that are not UTF-8 cannot crash it.
        println!("echo msg: {}", String::from_utf8_lossy(&echo));
        if text == b"/end" {
            break;
        }
    }
    // close(): dropping the socket sends a FIN; the server reads 0 bytes.
    drop(socket);
    // ANCHOR_END: turns
    Ok(())
}
