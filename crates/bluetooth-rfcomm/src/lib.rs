//! # Lesson 6: `bluetooth-rfcomm`, the same calls in another address family
//!
//! Every lesson so far used TCP over IP. Sockets are not tied to IP: the
//! first argument of `socket()` picks an *address family*, and the calls stay
//! the same. This lesson is an echo server and client over Bluetooth's RFCOMM,
//! a reliable byte stream like TCP, in the `AF_BLUETOOTH` family. What
//! changes is the address: a device address such as `00:1A:7D:DA:71:13`
//! instead of an IP, a channel (1 to 30) instead of a port.
//!
//! Linux only (BlueZ). Two machines with Bluetooth, or a VM with two emulated
//! adapters:
//!
//! ```text
//! machine A:  cargo run -p bluetooth-rfcomm --bin server
//! machine B:  cargo run -p bluetooth-rfcomm --bin client -- --addr <A's address>
//! no hardware: scripts/bt-vm/test-lesson.sh
//! ```
//!
//! Read in this order:
//!
//! | step | file | what it shows |
//! |---|---|---|
//! | 1 | `examples/bluetooth-rfcomm-bare-server.rs`, `…-bare-client.rs` | tutorial 001's Bluetooth programs, call for call |
//! | 2 | [`server`] (`src/server.rs`) | socket, bind, listen, accept one client, echo until it closes, Ctrl-C |
//! | 3 | [`client`] (`src/client.rs`) | connect, send each line, receive exactly its echo, Bluetooth's error hints |
//! | 4 | [`sockaddr`] (`src/sockaddr.rs`) | device addresses and channels; the kernel's `struct sockaddr_rc`, built by hand (the only `unsafe`); `socket()` |
//! | – | `src/bin/*.rs` | the flags, and nothing else |

pub mod client;
pub mod server;
pub mod sockaddr;

pub use sockaddr::BdAddr;

/// The lesson's name, as in `cargo run -p bluetooth-rfcomm`.
pub const LESSON: &str = "bluetooth-rfcomm";

/// The channel of tutorial 001's Bluetooth example: the first one.
pub const DEFAULT_CHANNEL: u8 = 1;

/// Bytes per `recv()`, as in the tutorial.
pub const BUFFER: usize = 1024;
