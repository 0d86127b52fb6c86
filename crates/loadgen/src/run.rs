//! One measurement: open the idle connections, start the clients, watch the
//! clock, stop them, add up what they measured, check the idle connections.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::thread::{self, ScopedJoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use common::Shutdown;
use common::error::UsageError;

use crate::clients::{ClientStats, Ctx, Shared};
use crate::histogram::Histogram;
use crate::idle;
use crate::payload::{Framing, Pattern};
use crate::tally::{Failure, Tally};
use crate::units::thousands;

/// The largest message: the largest UDP datagram. Bigger TCP transfers are
/// what `--stream` is for (a round trip of more than the socket buffers
/// would need the client to read while it is still sending).
pub const MAX_SIZE: usize = 65_507;

/// The most clients (and idle connections) one run may start: each costs a
/// thread and a file descriptor or two.
pub const MAX_CLIENTS: usize = 10_000;

/// What kind of server is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// TCP, any bytes echoed back (`echo-loop`).
    Tcp,
    /// TCP, one line of text per message (`threaded-echo`).
    Line,
    /// UDP datagrams (`udp-echo`).
    Udp,
}

impl Mode {
    /// The name in the report and in `--mode`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Tcp => "tcp",
            Mode::Line => "line",
            Mode::Udp => "udp",
        }
    }

    /// How messages are laid out.
    pub fn framing(self) -> Framing {
        match self {
            Mode::Line => Framing::Line,
            Mode::Tcp | Mode::Udp => Framing::Raw,
        }
    }

    /// True for datagrams.
    pub fn is_udp(self) -> bool {
        self == Mode::Udp
    }

    /// The lesson whose server this mode is made for (for hints), and its port.
    pub fn lesson(self) -> (&'static str, u16) {
        match self {
            Mode::Tcp => ("echo-loop", 9999),
            Mode::Line => ("threaded-echo", 3333),
            Mode::Udp => ("udp-echo", 7001),
        }
    }
}

/// When a client stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// After this long (`--duration`).
    Duration(Duration),
    /// After this many round trips, right or wrong (`--count`).
    Count(u64),
}

/// Everything one run needs to know.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The server.
    pub addr: SocketAddr,
    /// What kind of server it is.
    pub mode: Mode,
    /// Active clients, each with its own connection and thread.
    pub clients: usize,
    /// How long, or how many round trips per client.
    pub until: Until,
    /// Bytes per message.
    pub size: usize,
    /// Streaming instead of round trips: bytes each client sends.
    pub stream: Option<u64>,
    /// Streaming: bytes per `send()` and per `recv()`.
    pub chunk: usize,
    /// Extra connections held open and silent during the run.
    pub idle: usize,
    /// How long any reply (or connect) may take.
    pub timeout: Duration,
    /// Print a progress line on standard error every second.
    pub progress: bool,
}

impl Plan {
    /// Refuses plans that make no sense, as usage errors (exit code 2).
    ///
    /// # Errors
    ///
    /// A [`UsageError`] saying what to change.
    pub fn check(&self) -> Result<()> {
        let usage = |text: String| Err(UsageError(text).into());
        if !(1..=MAX_CLIENTS).contains(&self.clients) {
            return usage(format!("--clients must be from 1 to {MAX_CLIENTS}"));
        }
        if self.idle > MAX_CLIENTS {
            return usage(format!("--idle must be at most {MAX_CLIENTS}"));
        }
        if !(1..=MAX_SIZE).contains(&self.size) {
            return usage(format!(
                "--size must be from 1 to {MAX_SIZE} bytes (use --stream for more)"
            ));
        }
        if self.chunk == 0 || self.chunk > common::cli::MAX_BUFFER {
            return usage(format!(
                "--chunk must be from 1 to {} bytes",
                common::cli::MAX_BUFFER
            ));
        }
        if self.until == Until::Count(0) {
            return usage("--count must be at least 1".into());
        }
        if self.mode.is_udp() && self.stream.is_some() {
            return usage("--stream needs a connection: use --mode tcp or --mode line".into());
        }
        if self.mode.is_udp() && self.idle > 0 {
            return usage("--idle needs a connection: UDP has none to hold open".into());
        }
        if self.stream.is_some() && matches!(self.until, Until::Count(_)) {
            return usage("--stream sends a fixed amount: leave out --count".into());
        }
        Ok(())
    }
}

/// What a run measured.
#[derive(Debug)]
pub struct Outcome {
    /// What was asked for.
    pub plan: Plan,
    /// The measured time: from the start to the stop (`--duration`), or to
    /// the last client's last round trip (`--count`, `--stream`).
    pub window: Duration,
    /// Round trips (or, streaming, bytes) each active client got through.
    pub per_client: Vec<u64>,
    /// All round-trip times.
    pub latency: Histogram,
    /// Every failure, active and idle connections together.
    pub errors: Tally,
    /// UDP replies that came after their round trip was given up.
    pub late: u64,
    /// TCP connections the active clients opened.
    pub connections: u64,
    /// Idle connections that were opened.
    pub idle_opened: usize,
    /// Idle connections that answered right after the run.
    pub idle_answered: usize,
    /// Streaming: bytes checked, all clients together.
    pub stream_bytes: u64,
    /// Streaming: the longest client's time from first byte out to last byte in.
    pub stream_time: Duration,
    /// True when Ctrl-C ended the run early.
    pub interrupted: bool,
}

impl Outcome {
    /// Round trips that came back right.
    pub fn round_trips(&self) -> u64 {
        self.latency.total()
    }

    /// Round trips per second over the measured window.
    pub fn rate(&self) -> f64 {
        per_second(self.round_trips() as f64, self.window)
    }

    /// Streaming: megabytes (10^6 bytes) per second, all clients together.
    pub fn mb_per_s(&self) -> f64 {
        per_second(self.stream_bytes as f64 / 1e6, self.stream_time)
    }

    /// Active clients that got at least one round trip (or byte) through.
    pub fn served(&self) -> usize {
        self.per_client.iter().filter(|&&n| n > 0).count()
    }

    /// The fewest round trips any active client got: 0 means someone was
    /// never served, however high the total.
    pub fn fewest(&self) -> u64 {
        self.per_client.iter().copied().min().unwrap_or(0)
    }

    /// The most round trips any active client got.
    pub fn most(&self) -> u64 {
        self.per_client.iter().copied().max().unwrap_or(0)
    }
}

fn per_second(amount: f64, window: Duration) -> f64 {
    let secs = window.as_secs_f64();
    if secs > 0.0 { amount / secs } else { 0.0 }
}

/// Runs the plan against the server and returns what was measured.
///
/// Failures of the server are *counted* in the outcome; this returns an
/// error only when the run cannot start: a bad plan, or no server at all.
///
/// # Errors
///
/// A [`UsageError`] for a bad plan; for TCP, the error of a first test
/// connection when nothing listens (so the student gets the usual hint).
pub fn run(plan: &Plan, shutdown: &Shutdown) -> Result<Outcome> {
    plan.check()?;
    let shared = Shared::new(plan.clients, shutdown.clone());
    let pattern = plan.stream.map(|_| Pattern::new(plan.mode.framing()));
    let ctx = Ctx {
        plan,
        shared: &shared,
        pattern: pattern.as_ref(),
    };
    if !plan.mode.is_udp() {
        // One test connection first: "connection refused" a thousand times
        // over helps nobody, one clear error with a hint does.
        drop(
            ctx.connect()
                .with_context(|| format!("could not connect to {}", plan.addr))?,
        );
    }

    let (idle_conns, open_errors) = idle::open(&ctx, plan.idle);
    if plan.idle > 0 {
        log::info!(
            "{} of {} idle connection(s) open",
            idle_conns.len(),
            plan.idle
        );
    }

    let mut spawn_errors = Tally::default();
    log::info!(
        "starting {} client(s) against {} ({})",
        plan.clients,
        plan.addr,
        plan.mode.name()
    );
    let start = Instant::now();
    let (stats, stopped_at) = thread::scope(|s| {
        let mut clients = Vec::with_capacity(plan.clients);
        for id in 0..plan.clients {
            let ctx = &ctx;
            match thread::Builder::new()
                .name(format!("client {id}"))
                .spawn_scoped(s, move || ctx.client(id))
            {
                Ok(handle) => clients.push(handle),
                Err(e) => spawn_errors.record(Failure::Io, || {
                    format!("client {id}: could not start a thread: {e}")
                }),
            }
        }
        let stopped_at = watch_the_clock(&ctx, start, &clients);
        let stats: Vec<ClientStats> = clients
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    let mut stats = ClientStats::default();
                    stats
                        .errors
                        .record(Failure::Io, || "a client thread panicked".into());
                    stats
                })
            })
            .collect();
        (stats, stopped_at)
    });

    let interrupted = shutdown.is_requested();
    let window = match (plan.until, plan.stream) {
        (Until::Duration(_), None) => stopped_at.duration_since(start),
        _ => stats
            .iter()
            .filter_map(|s| s.finished)
            .max()
            .map_or(Duration::ZERO, |last| last.duration_since(start)),
    };
    let mut outcome = Outcome {
        plan: plan.clone(),
        window,
        per_client: Vec::with_capacity(stats.len()),
        latency: Histogram::new(),
        errors: Tally::default(),
        late: 0,
        connections: 0,
        idle_opened: idle_conns.len(),
        idle_answered: 0,
        stream_bytes: 0,
        stream_time: Duration::ZERO,
        interrupted,
    };
    for client in &stats {
        outcome.per_client.push(if plan.stream.is_some() {
            client.stream_bytes
        } else {
            client.round_trips
        });
        outcome.latency.merge(&client.latency);
        outcome.errors.merge(&client.errors);
        outcome.late += client.late;
        outcome.connections += client.connections;
        outcome.stream_bytes += client.stream_bytes;
        outcome.stream_time = outcome.stream_time.max(client.stream_time);
    }
    outcome.errors.merge(&spawn_errors);
    outcome.errors.merge(&open_errors);
    if !idle_conns.is_empty() && !interrupted {
        let (answered, idle_errors) = idle::check(&ctx, &idle_conns);
        outcome.idle_answered = answered;
        outcome.errors.merge(&idle_errors);
    }
    Ok(outcome)
}

/// The main thread's job during the run: wait until the time is up (or every
/// client is done, or Ctrl-C), print progress, then tell the clients to stop.
/// Returns when it told them.
fn watch_the_clock(
    ctx: &Ctx<'_>,
    start: Instant,
    clients: &[ScopedJoinHandle<'_, ClientStats>],
) -> Instant {
    let deadline = match (ctx.plan.until, ctx.plan.stream) {
        (Until::Duration(d), None) => Some(start + d),
        _ => None,
    };
    let mut progress = Progress::new(ctx.plan.progress);
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) || clients.iter().all(|c| c.is_finished()) {
            break;
        }
        // Short steps, so that the end of a `--count` run is noticed soon;
        // the measured window does not depend on it (each client notes when
        // it finished).
        let step = deadline
            .map_or(Duration::from_millis(20), |d| d - now)
            .min(Duration::from_millis(20));
        if ctx.shared.shutdown.wait_timeout(step) {
            break; // Ctrl-C
        }
        progress.maybe_print(ctx, start);
    }
    let stopped_at = Instant::now();
    ctx.shared.stop.store(true, Ordering::Relaxed);
    progress.finish();
    stopped_at
}

/// The progress line: once a second, on standard error; rewritten in place
/// on a terminal, one line per second otherwise. Only at the default log
/// level or above (`-q` silences it).
struct Progress {
    enabled: bool,
    terminal: bool,
    next: u64,
    printed: bool,
}

impl Progress {
    fn new(wanted: bool) -> Progress {
        Progress {
            enabled: wanted && log::log_enabled!(log::Level::Info),
            terminal: std::io::stderr().is_terminal(),
            next: 1,
            printed: false,
        }
    }

    fn maybe_print(&mut self, ctx: &Ctx<'_>, start: Instant) {
        let elapsed = start.elapsed();
        if !self.enabled || elapsed.as_secs() < self.next {
            return;
        }
        self.next = elapsed.as_secs() + 1;
        let done: u64 = ctx
            .shared
            .progress
            .iter()
            .map(|c| c.0.load(Ordering::Relaxed))
            .sum();
        let secs = elapsed.as_secs_f64();
        let line = if ctx.plan.stream.is_some() {
            format!(
                "loadgen: {secs:4.0}s  {} MB checked  {:.0} MB/s",
                thousands(done / 1_000_000),
                done as f64 / 1e6 / secs
            )
        } else {
            format!(
                "loadgen: {secs:4.0}s  {} round trips  {}/s",
                thousands(done),
                thousands((done as f64 / secs) as u64)
            )
        };
        if self.terminal {
            eprint!("\r{line}   ");
            self.printed = true;
        } else {
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        if self.printed {
            eprintln!();
        }
    }
}
