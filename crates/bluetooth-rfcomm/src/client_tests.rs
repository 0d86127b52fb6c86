//! Unit tests of `client.rs`. `echo_line()` takes any connected stream
//! socket, so it is tested here over TCP on loopback (this machine has no
//! Bluetooth; the VM test, scripts/bt-vm/, runs it over RFCOMM).

use super::*;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

/// A peer that runs `serve` on the accepted connection; returns our end.
fn peer(serve: impl FnOnce(TcpStream) + Send + 'static) -> Socket {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    thread::spawn(move || {
        let (conn, _) = listener.accept().expect("accept");
        serve(conn);
    });
    Socket::from(TcpStream::connect(addr).expect("connect"))
}

/// A server that echoes one byte per send: the client still gets each
/// line whole, however the echo is cut up, because it reads until it has
/// as many bytes as it sent.
#[test]
fn a_line_comes_back_whole_however_it_is_cut() {
    let socket = peer(|mut conn| {
        let mut byte = [0u8; 1];
        while conn.read_exact(&mut byte).is_ok() {
            conn.write_all(&byte).expect("echo");
        }
    });
    let line: Vec<u8> = (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut out = Vec::new();
    echo_line(&socket, &line, &mut out, &Shutdown::new()).expect("echo");
    assert!(out == line);
}

/// A server that closes after half the echo: a clear error that says
/// how much came back, with a hint, not a hang and not a silent short
/// line.
#[test]
fn a_server_that_stops_early_is_an_error() {
    let socket = peer(|mut conn| {
        let mut two = [0u8; 2];
        conn.read_exact(&mut two).expect("read");
        conn.write_all(&two).expect("echo");
        // Read the rest, so that closing sends FIN, not a reset.
        let mut rest = [0u8; 2];
        conn.read_exact(&mut rest).expect("read");
    });
    let mut out = Vec::new();
    let err = echo_line(&socket, b"abcd", &mut out, &Shutdown::new()).expect_err("short");
    let text = format!("{err:#}");
    assert!(text.contains("2 of 4 bytes came back"), "{text}");
    let hint = err.downcast_ref::<Hint>().expect("a hint");
    assert_eq!(hint, &Hint::BluetoothServerGone);
    assert_eq!(out, b"ab");
}

/// Ctrl-C while waiting for an echo that never comes: echo_line returns
/// at once, without an error.
#[test]
fn ctrl_c_ends_the_wait_for_an_echo() {
    let (tx, rx) = mpsc::channel::<()>();
    let socket = peer(move |conn| {
        // Never answers; keeps the connection open until the test ends.
        let _ = rx.recv();
        drop(conn);
    });
    let shutdown = Shutdown::new();
    let _watch = shutdown.watch(&socket).expect("watch");
    let waiter = {
        let shutdown = shutdown.clone();
        thread::spawn(move || {
            let mut out = Vec::new();
            echo_line(&socket, b"hello?", &mut out, &shutdown).map_err(|e| e.to_string())
        })
    };
    shutdown.trigger();
    assert_eq!(waiter.join().expect("no panic"), Ok(()));
    let _ = tx.send(());
}

/// Input becomes one event per line, as bytes (invalid UTF-8 included,
/// the last line even without a newline), then the end.
#[test]
fn input_becomes_line_events() {
    let input = io::Cursor::new(b"one\n\xff\xfe\nlast".to_vec());
    let events: Vec<String> = lines(input, CHUNK, &Shutdown::new())
        .iter()
        .map(|event| match event {
            Input::Line(line) => format!("{line:?}"),
            Input::End => "end".into(),
            Input::Interrupted => "ctrl-c".into(),
            Input::Failed(e) => format!("failed: {e}"),
        })
        .take(4)
        .collect();
    assert_eq!(
        events,
        [
            format!("{:?}", b"one\n".to_vec()),
            format!("{:?}", b"\xff\xfe\n".to_vec()),
            format!("{:?}", b"last".to_vec()),
            "end".to_string(),
        ]
    );
}

/// Each Bluetooth reason for a failed connect gets its own advice; a
/// refused channel is left to common's "is the server running?" hint.
#[test]
#[cfg(target_os = "linux")]
fn connect_hints_name_the_bluetooth_reason() {
    let device: BdAddr = "00:1A:7D:DA:71:13".parse().expect("valid");
    let hint = |errno: i32| connect_hint(&io::Error::from_raw_os_error(errno), device);
    let cases = [
        (libc::EHOSTDOWN, "switched on, in range"),
        (libc::ETIMEDOUT, "did not answer in time"),
        (libc::EHOSTUNREACH, "bluetoothctl power on"),
        (libc::EBUSY, "one connection at a time"),
        (libc::EBADE, "remove 00:1A:7D:DA:71:13, pair it"),
        (libc::EACCES, "pair the two machines first"),
    ];
    for (errno, needle) in cases {
        let text = hint(errno).unwrap_or_else(|| panic!("no hint for errno {errno}"));
        let text = text.en();
        assert!(text.contains(needle), "errno {errno}: {text}");
    }
    assert_eq!(hint(libc::ECONNREFUSED), None);
}
