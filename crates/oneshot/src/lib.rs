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
//!                                       shutdown(Write)   "I am done sending"
//!   send("Hello, i'm server!") ───────> recv() until the server closes
//!   close()               ────FIN────>  close()
//! ```
//!
//! Run it in two terminals:
//!
//! ```text
//! cargo run -p oneshot --bin server
//! cargo run -p oneshot --bin client
//! ```
//!
//! | file | what it shows |
//! |---|---|
//! | [`server`] (`src/server.rs`) | socket, bind, listen, accept, one recv, send, close |
//! | [`client`] (`src/client.rs`) | socket, connect, send, half-close, recv until closed |
//! | `src/bin/*.rs` | the flags, and nothing else |

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
