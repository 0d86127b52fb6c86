//! # Lesson 1: `oneshot`, the minimal TCP call sequence
//!
//! One client connects, sends one message, gets one answer, and both sides
//! close. It is the smallest complete TCP program, and every later lesson
//! builds on exactly these calls:
//!
//! ```text
//!   server                              client
//!   socket()                            socket()
//!   setsockopt(SO_REUSEADDR)
//!   bind(127.0.0.1:7001)
//!   listen(1)
//!   accept() ...waits...  <──────────── connect(127.0.0.1:7001)
//!   recv() ...waits...    <──────────── send("Hello, i'm client!")
//!                         <────FIN────  shutdown(Write)   "I am done sending"
//!   send("Hello, i'm server!") ───────> recv() ...
//!   shutdown(Write)       ────FIN────>  recv() returns 0: the reply is whole
//!   recv() returns 0, close()           close()
//! ```
//!
//! Run it in two terminals:
//!
//! ```text
//! cargo run -p oneshot --bin server
//! cargo run -p oneshot --bin client
//! ```
//!
//! # What to read, in order
//!
//! | step | file | what it shows |
//! |---|---|---|
//! | 1 | `examples/oneshot-bare-server.rs` | tutorial 002's server, call for call: socket, bind, listen, accept, one recv, send, close |
//! | 2 | `examples/oneshot-bare-client.rs` | its client: socket, connect, send, recv until the server closes |
//! | 3 | [`server`] (`src/server.rs`) | the same calls, plus `SO_REUSEADDR`, Ctrl-C, a clean close, errors with hints |
//! | 4 | [`client`] (`src/client.rs`) | the same client, plus a half-close: "I am done sending" |
//! | 5 | `src/bin/*.rs` | the flags, and nothing else |
//! | next | the `echo-loop` lesson | one `recv()` is not enough: read until the peer closes |
//!
//! # What `std::net` does for you
//!
//! The lesson spells out every call with `socket2`, so that you see them.
//! Rust's standard library does the same in fewer lines:
//! [`std::net::TcpListener::bind`] is `socket()`, `SO_REUSEADDR` (on Unix),
//! `bind()` and `listen(128)` in one call, and
//! [`std::net::TcpStream::connect`] is `socket()` and `connect()`. This
//! whole exchange runs as a test:
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::{Shutdown, TcpListener, TcpStream};
//!
//! # fn main() -> std::io::Result<()> {
//! // socket() + SO_REUSEADDR + bind() + listen(128):
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! #[cfg(unix)]
//! assert!(socket2::SockRef::from(&listener).reuse_address()?);
//!
//! // socket() + connect(), then send() and the half-close:
//! let mut client = TcpStream::connect(listener.local_addr()?)?;
//! client.write_all("안녕!".as_bytes())?;
//! client.shutdown(Shutdown::Write)?;
//!
//! // accept(), one recv(), send(), close() (when `conn` is dropped):
//! let (mut conn, _peer) = listener.accept()?;
//! let mut buffer = [0u8; 1024];
//! let n = conn.read(&mut buffer)?;
//! conn.write_all(b"Hello, i'm server!")?;
//! drop(conn);
//!
//! // recv() until the server closes:
//! let mut reply = String::new();
//! client.read_to_string(&mut reply)?;
//! assert_eq!((&buffer[..n], reply.as_str()), ("안녕!".as_bytes(), "Hello, i'm server!"));
//! # Ok(())
//! # }
//! ```

pub mod client;
pub mod server;

/// The lesson's name, as in `cargo run -p oneshot`.
pub const LESSON: &str = "oneshot";

/// The port of tutorial 002's example. Ports from 1024 up need no special
/// permission; 7001 is not used by anything common.
pub const DEFAULT_PORT: u16 = 7001;

/// The client's greeting in tutorial 002.
pub const DEFAULT_MESSAGE: &str = "Hello, i'm client!";

/// The server's answer in tutorial 002.
pub const DEFAULT_REPLY: &str = "Hello, i'm server!";

/// How many bytes the server's single `recv()` takes at most, as in the tutorial.
pub const DEFAULT_BUFFER: usize = 1024;
