//! The report: a few lines for people, a bar chart of the latencies, and one
//! last line for scripts.
//!
//! ```text
//! loadgen: 16 clients, tcp echo of 64-byte messages to 127.0.0.1:9999, for 5s
//!   round trips  655,123 in 5.00 s = 131,024 per second
//!   latency      p50 112 µs, p99 340 µs, max 2.1 ms
//!   clients      16 of 16 served; fewest round trips 40,010, most 41,200
//!   errors       none
//! loadgen: mode=tcp clients=16 idle=0 size=64 secs=5.000 round_trips=655123 rps=131024 ...
//! ```
//!
//! The last line is `key=value` pairs with no spaces inside a value, always
//! starting `loadgen: mode=`, so `grep '^loadgen: mode='` finds it.

use std::fmt::Write as _;

use crate::run::{Outcome, Until};
use crate::units::{latency, thousands};
use common::duration::show as short;

/// Width of the latency bars.
const BAR_WIDTH: usize = 36;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The lines for people.
pub fn human(o: &Outcome) -> String {
    let p = &o.plan;
    let mut out = String::new();
    let what = match p.mode {
        crate::run::Mode::Tcp => "tcp echo",
        crate::run::Mode::Line => "line echo",
        crate::run::Mode::Udp => "udp echo",
    };
    let clients = plural(p.clients, "client", "clients");
    // Writing to a String cannot fail.
    let _ = match (p.stream, p.until) {
        (Some(bytes), _) => writeln!(
            out,
            "loadgen: {clients} streaming {} MB each ({what}, {} bytes per send) to {}",
            bytes as f64 / 1e6,
            thousands(p.chunk as u64),
            p.addr
        ),
        (None, Until::Duration(d)) => writeln!(
            out,
            "loadgen: {clients}, {what} of {}-byte messages to {}, for {}",
            p.size,
            p.addr,
            short(d)
        ),
        (None, Until::Count(n)) => writeln!(
            out,
            "loadgen: {clients}, {what} of {}-byte messages to {}, {} round trips each",
            p.size,
            p.addr,
            thousands(n)
        ),
    };
    if o.interrupted {
        let _ = writeln!(out, "  (stopped early by Ctrl-C: what was measured so far)");
    }
    if p.stream.is_some() {
        let _ = writeln!(
            out,
            "  streamed     {} bytes back and checked in {:.2} s = {:.1} MB/s",
            thousands(o.stream_bytes),
            o.stream_time.as_secs_f64(),
            o.mb_per_s()
        );
        let _ = writeln!(
            out,
            "  clients      {} of {} served; fewest bytes back {}",
            o.served(),
            p.clients,
            thousands(o.fewest())
        );
    } else {
        let _ = writeln!(
            out,
            "  round trips  {} in {:.2} s = {} per second",
            thousands(o.round_trips()),
            o.window.as_secs_f64(),
            thousands(o.rate().round() as u64)
        );
        let _ = writeln!(
            out,
            "  latency      p50 {}, p99 {}, max {}",
            latency(o.latency.percentile(0.5)),
            latency(o.latency.percentile(0.99)),
            latency(o.latency.max())
        );
        let _ = writeln!(
            out,
            "  clients      {} of {} served; fewest round trips {}, most {}",
            o.served(),
            p.clients,
            thousands(o.fewest()),
            thousands(o.most())
        );
        if o.connections > p.clients as u64 && !p.mode.is_udp() {
            let _ = writeln!(
                out,
                "  connections  {} (errors made clients reconnect)",
                thousands(o.connections)
            );
        }
        if o.late > 0 {
            let _ = writeln!(
                out,
                "  late         {} replies came after their round trip was given up",
                thousands(o.late)
            );
        }
    }
    if p.idle > 0 && o.interrupted {
        let _ = writeln!(
            out,
            "  idle         {} of {} held open (not checked: Ctrl-C)",
            o.idle_opened, p.idle
        );
    } else if p.idle > 0 {
        let _ = writeln!(
            out,
            "  idle         {} of {} held open, {} answered after the run",
            o.idle_opened, p.idle, o.idle_answered
        );
    }
    let total = o.errors.total();
    if total == 0 {
        let _ = writeln!(out, "  errors       none");
    } else {
        let _ = writeln!(
            out,
            "  errors       {} (so loadgen exits with status 1)",
            thousands(total)
        );
        for (kind, count, first) in o.errors.kinds() {
            let _ = writeln!(
                out,
                "    {:<18} {:>9}  first: {first}",
                kind.to_string(),
                thousands(count)
            );
        }
    }
    if p.stream.is_none() && o.round_trips() > 0 {
        let _ = writeln!(out, "  latency of each round trip:");
        out.push_str(&o.latency.chart(BAR_WIDTH));
    }
    out
}

/// Microseconds with one decimal, for the machine-readable line.
fn us(d: std::time::Duration) -> String {
    format!("{:.1}", d.as_nanos() as f64 / 1e3)
}

/// The one line for scripts.
pub fn machine(o: &Outcome) -> String {
    let p = &o.plan;
    let mut line = format!(
        "loadgen: mode={} clients={} idle={} size={} secs={:.3} round_trips={} rps={:.0} \
         p50_us={} p99_us={} max_us={} served={} min_per_client={} max_per_client={} errors={}",
        p.mode.name(),
        p.clients,
        p.idle,
        p.size,
        o.window.as_secs_f64(),
        o.round_trips(),
        o.rate(),
        us(o.latency.percentile(0.5)),
        us(o.latency.percentile(0.99)),
        us(o.latency.max()),
        o.served(),
        o.fewest(),
        o.most(),
        o.errors.total()
    );
    if p.idle > 0 {
        let _ = write!(
            line,
            " idle_open={} idle_answered={}",
            o.idle_opened, o.idle_answered
        );
    }
    if let Some(bytes) = p.stream {
        let _ = write!(
            line,
            " stream_bytes={bytes} chunk={} checked_bytes={} stream_secs={:.3} mb_per_s={:.1}",
            p.chunk,
            o.stream_bytes,
            o.stream_time.as_secs_f64(),
            o.mb_per_s()
        );
    }
    if o.late > 0 {
        let _ = write!(line, " late={}", o.late);
    }
    for (kind, count, _) in o.errors.kinds() {
        let _ = write!(line, " err_{}={count}", kind.key());
    }
    if o.interrupted {
        line.push_str(" interrupted=1");
    }
    line
}
