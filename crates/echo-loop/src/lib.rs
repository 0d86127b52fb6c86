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
//! | file | what it shows |
//! |---|---|
//! | [`server`] (`src/server.rs`) | the accept loop and the receive loop, `Ok(0)` as end of stream |
//! | [`client`] (`src/client.rs`) | sending and receiving at the same time, half-close at end of input |
//! | `src/bin/*.rs` | the flags, and nothing else |

pub mod client;
pub mod server;

/// The lesson's name, as in `cargo run -p echo-loop`.
pub const LESSON: &str = "echo-loop";

/// The port of tutorial 003's echo server.
pub const DEFAULT_PORT: u16 = 9999;

/// Bytes per `recv()`, as in the tutorials. Any size works, since the loop
/// keeps reading; bigger buffers mean fewer system calls (try `--buffer 65536`).
pub const DEFAULT_BUFFER: usize = 1024;
