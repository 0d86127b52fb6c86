//! # `loadgen`: how many clients can my server take?
//!
//! Lesson 2's server serves one client at a time, lesson 3's serves them all
//! at once. That is a claim about performance, and this tool measures it:
//! many clients at once, each on its own connection and thread, each reply
//! checked byte for byte.
//!
//! ```text
//!   main thread                 client threads (--clients N)
//!   test connection
//!   open --idle connections ──> idle 0 .. idle M: connect, then silence
//!   spawn ────────────────────> client 0: connect
//!   every second: progress        loop { stamp, send, recv all, compare,
//!   time is up: stop ────────┐           record the latency }
//!                            └──> FIN, wait for the server's FIN, return counts
//!   join, add up
//!   idle: send one message each, check every echo
//!   report; exit 1 if any error was counted
//! ```
//!
//! It reports round trips per second, latency percentiles, how many clients
//! were served at all and the fewest round trips any of them got (a server
//! that serves one client at a time can post a high total while the others
//! wait), and every failure by kind. `--stream` sends a large payload while
//! reading the echo and reports MB/s.
//!
//! ```text
//! cargo run -p echo-loop --bin server -- -q
//! cargo run --release -p loadgen -- --clients 16 --duration 5s
//! ```
//!
//! | file | what it does |
//! |---|---|
//! | [`run`] (`src/run.rs`) | one measurement: idle connections, client threads, the clock, adding up |
//! | `src/clients.rs` | the clients: TCP round trips, UDP round trips, streaming |
//! | `src/idle.rs` | `--idle`: connections held open and checked afterwards |
//! | [`payload`] (`src/payload.rs`) | what is sent, and checking what comes back |
//! | [`histogram`] (`src/histogram.rs`) | latencies in fixed buckets: no allocation per sample |
//! | [`tally`] (`src/tally.rs`) | failures by kind, with the first example of each |
//! | [`report`] (`src/report.rs`) | the report and the machine-readable line |
//! | [`units`] (`src/units.rs`) | `5s`, `200MB`, and numbers for people |
//! | `src/bin/loadgen.rs` | the flags |
//! | `src/bin/baseline-echo.rs` | a minimal thread-per-connection echo server to compare with |

mod clients;
pub mod histogram;
mod idle;
pub mod payload;
pub mod report;
pub mod run;
pub mod tally;
pub mod units;

pub use clients::ClientStats;
pub use run::{Mode, Outcome, Plan, Until, run};
