//! # Lesson 2: `echo-loop`, receive until the peer closes
//!
//! Lesson 1 did one `recv()` and hoped the message was complete. TCP gives no
//! such promise: it carries a *stream* of bytes and may hand them over in any
//! pieces. This lesson loops on `recv()` until it returns 0 bytes, which is
//! how TCP says "the peer closed its side", and sends back exactly what came.
//!
//! ```text
//!   server                                client
//!   socket, SO_REUSEADDR, bind, listen
//!   loop:
//!     accept() ...waits...  <───────────  connect()
//!     loop:
//!       recv() -> n bytes   <───────────  send(...)
//!       send(those n bytes) ───────────>  recv(), print
//!       ...                               ...
//!       recv() -> 0         <────FIN────  shutdown(Write)   (end of input)
//!     close()               ────FIN────>  recv() -> 0, exit
//!     (next client)
//! ```
//!
//! Clients are served **one after another**: while the server is in the inner
//! loop with one client, a second client's connection waits in the `listen()`
//! queue. Lesson 3 (`threaded-echo`) serves them all at once.
//!
//! ```text
//! cargo run -p echo-loop --bin server
//! cargo run -p echo-loop --bin client -- 안녕 세상
//! ```
//!
//! # What to read, in order
//!
//! | step | file | what it shows |
//! |---|---|---|
//! | 1 | `examples/echo-loop-bare-server.rs` | tutorial 003's echo server, call for call: the accept loop and the receive loop, `0` as end of stream |
//! | 2 | `examples/echo-loop-bare-client.rs` | its client: send, half-close, recv until the server closes |
//! | 3 | [`server`] (`src/server.rs`) | the same loops, plus Ctrl-C, a clean close for queued clients, one client's error not stopping the server |
//! | 4 | [`client`] (`src/client.rs`) | sending and receiving at the same time (two threads), so any amount of data goes through |
//! | 5 | `src/bin/*.rs` | the flags, and nothing else |
//! | next | the `threaded-echo` lesson | serving many clients at once |
//!
//! # What `std::net` does for you
//!
//! [`std::net::TcpListener::bind`] is `socket()`, `SO_REUSEADDR` (on Unix),
//! `bind()` and `listen(128)` in one call, and [`std::io::copy`] from a
//! connection to itself is this lesson's whole receive loop: `recv()` until
//! it returns 0, `write_all()` of each piece. This runs as a test:
//!
//! ```
//! use std::io::{self, Read, Write};
//! use std::net::{Shutdown, TcpListener, TcpStream};
//!
//! # fn main() -> io::Result<()> {
//! // socket() + SO_REUSEADDR + bind() + listen(128):
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! // A client sends, then half-closes: "nothing more from me".
//! let mut client = TcpStream::connect(listener.local_addr()?)?;
//! client.write_all("안녕 세상".as_bytes())?;
//! client.shutdown(Shutdown::Write)?;
//!
//! // accept(), then the echo: recv() until 0, sending back each piece.
//! let (conn, _peer) = listener.accept()?;
//! // `&mut &conn`: io::copy() wants a mutable reader and writer, and `&conn`
//! // is both (as `(&conn)` in lesson 1: Read and Write are for `&TcpStream`).
//! let echoed = io::copy(&mut &conn, &mut &conn)?;
//! drop(conn); // close()
//!
//! let mut echo = String::new();
//! client.read_to_string(&mut echo)?;
//! assert_eq!((echoed, echo.as_str()), (13, "안녕 세상"));
//! # Ok(())
//! # }
//! ```

pub mod client;
pub mod server;

/// The lesson's name, as in `cargo run -p echo-loop`.
pub const LESSON: &str = "echo-loop";

/// The port of tutorial 003's echo server.
pub const DEFAULT_PORT: u16 = 9999;

/// Bytes per `recv()`, as in the tutorials. Any size works, since the loop
/// keeps reading; bigger buffers mean fewer system calls (try `--buffer 65536`).
pub const DEFAULT_BUFFER: usize = 1024;
