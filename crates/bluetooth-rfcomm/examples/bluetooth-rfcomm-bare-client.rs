//! Step 1 of the bluetooth-rfcomm lesson, the client: tutorial 001's
//! Bluetooth echo client, call for call, in Rust. It sends each line of
//! standard input to the server and prints the echo.
//!
//! It needs Linux with Bluetooth (BlueZ). On machine A, then on machine B:
//!
//! ```text
//! cargo run -p bluetooth-rfcomm --example bluetooth-rfcomm-bare-server
//! cargo run -p bluetooth-rfcomm --example bluetooth-rfcomm-bare-client -- <A's address>
//! ```
//!
//! Arguments: `ADDR [CHANNEL]`, the server's device address (on A,
//! `bluetoothctl list` shows it; the tutorial leaves it empty) and its
//! channel, 1 by default. Type lines; Ctrl-D ends. Watch for: each echo
//! comes back whole, however long the line (the tutorial reads once, and
//! cuts long ones). No Bluetooth here? Then `socket()` fails, exit 1.

// ANCHOR: all
use std::io::{self, BufRead, Read, Write};

use anyhow::Context;
use bluetooth_rfcomm::sockaddr::{self, AF_BLUETOOTH, BTPROTO_RFCOMM, BdAddr, rfcomm_addr};
use socket2::{Domain, Protocol, Socket, Type};

fn main() -> anyhow::Result<()> {
    // ADDR [CHANNEL]: the server's device address (the tutorial's is empty,
    // to be filled in) and its channel, 1 by default.
    let mut args = std::env::args().skip(1);
    let usage = "usage: bluetooth-rfcomm-bare-client ADDR [CHANNEL], e.g. 00:1A:7D:DA:71:13 1";
    let addr = args.next().context(usage)?;
    let channel = args.next().unwrap_or_else(|| "1".into());
    // (The parsers explain a bad value in a String; Error::msg wraps it.)
    let addr: BdAddr = addr.parse().map_err(anyhow::Error::msg)?;
    let channel = sockaddr::channel(&channel).map_err(anyhow::Error::msg)?;
    // The tutorial's Ctrl-C handler closes the sockets and exits. Here Ctrl-C
    // just ends the program, and the kernel closes its sockets.

    // socket(): the Bluetooth family, a byte stream, the RFCOMM protocol.
    let family = Domain::from(i32::from(AF_BLUETOOTH));
    let socket = Socket::new(family, Type::STREAM, Some(Protocol::from(BTPROTO_RFCOMM)))
        .context("could not create an RFCOMM socket (this needs Linux with Bluetooth)")?;
    // connect(): call the device by radio ("paging"), then open an RFCOMM
    // channel to the server's channel.
    socket
        .connect(&rfcomm_addr(addr, channel))
        .with_context(|| format!("could not connect to {addr} channel {channel}"))?;
    eprintln!("connected to {addr} channel {channel}");

    // Each line of standard input, with its newline, as bytes: any text
    // goes as it is, even text that is not UTF-8. (A long line is sent
    // whole before its echo is read: a line bigger than both kernels'
    // buffers makes both sides wait in send() forever, we for the server to
    // read, the server for us to read its echo. Step 2 of the chapter shows
    // it, and the fix.)
    let (mut input, mut line) = (io::stdin().lock(), Vec::new());
    while input.read_until(b'\n', &mut line)? > 0 {
        // send(): write_all() repeats send() until the whole line is out.
        // (`(&socket)`: writing through a reference, as in lesson 1.)
        (&socket).write_all(&line).context("send() failed")?;
        // recv() until the whole echo is back: one recv() may return only a
        // part of it, and read_exact() calls recv() until it has it all.
        let mut echo = vec![0u8; line.len()];
        (&socket)
            .read_exact(&mut echo)
            .context("the server closed before echoing everything")?;
        io::stdout().write_all(&echo)?;
        line.clear();
    }
    // close(): at the end of input the socket goes out of scope and closes;
    // the server's recv() sees the end of the stream.
    Ok(())
}
// ANCHOR_END: all
