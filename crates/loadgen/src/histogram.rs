//! A latency histogram with fixed buckets, so that recording a round trip
//! never allocates.
//!
//! Keeping every sample and sorting them at the end would give exact
//! percentiles, but a fast server produces millions of samples, and a growing
//! `Vec` would make the measuring client allocate in its hot loop. Instead
//! each client owns one of these: an array of counters allocated once, before
//! the run. Buckets are *log-linear*: every power of two (16-32 ns, 32-64 ns,
//! ...) is split into 16 equal parts, so a bucket is at most 1/16 = 6% wide
//! whatever the scale, from nanoseconds to minutes. The maximum is kept
//! exactly.

use std::time::Duration;

use crate::units;

/// Sub-buckets per power of two, as a number of bits: 2^4 = 16.
const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;
/// The largest latency with a bucket of its own: 2^40 ns, about 18 minutes.
/// Longer ones go into the last bucket (and still count for the maximum).
const TOP_BIT: u32 = 40;
/// How many buckets there are.
pub const BUCKETS: usize = ((TOP_BIT - SUB_BITS + 2) as usize) * SUB as usize;

/// Round-trip times, counted in fixed buckets.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max_ns: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

/// The bucket of a latency in nanoseconds.
fn bucket(ns: u64) -> usize {
    let ns = ns.min((1 << (TOP_BIT + 1)) - 1);
    if ns < SUB {
        return ns as usize;
    }
    // The position of the highest set bit says which power of two; the next
    // SUB_BITS bits say where inside it.
    let top = 63 - ns.leading_zeros();
    let within = (ns >> (top - SUB_BITS)) & (SUB - 1);
    ((top - SUB_BITS + 1) as u64 * SUB + within) as usize
}

/// The smallest latency (ns) that lands in bucket `index`.
fn lower_bound(index: usize) -> u64 {
    let index = index as u64;
    if index < SUB {
        return index;
    }
    let top = index / SUB + u64::from(SUB_BITS) - 1;
    (SUB + index % SUB) << (top - u64::from(SUB_BITS))
}

/// The largest latency (ns) that lands in bucket `index`.
fn upper_bound(index: usize) -> u64 {
    lower_bound(index + 1) - 1
}

impl Histogram {
    /// An empty histogram. This is the one allocation; do it before the run.
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max_ns: 0,
        }
    }

    /// Counts one round trip that took `took`. No allocation.
    pub fn record(&mut self, took: Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.counts[bucket(ns)] += 1;
        self.total += 1;
        self.max_ns = self.max_ns.max(ns);
    }

    /// Adds another client's counts to these.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// How many round trips were recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The slowest round trip, exactly.
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max_ns)
    }

    /// The latency that `fraction` of the round trips did not exceed (0.5 for
    /// the median, 0.99 for p99): the top of the bucket where that round trip
    /// falls, so it errs on the slow side by at most one bucket (6%).
    /// Zero when nothing was recorded.
    pub fn percentile(&self, fraction: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        // The rank of the round trip we want, counting from 1.
        let rank = ((fraction.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Duration::from_nanos(upper_bound(index).min(self.max_ns));
            }
        }
        self.max()
    }

    /// A small bar chart for the terminal: one row per power of two, from the
    /// fastest to the slowest row that has any round trips.
    ///
    /// ```text
    ///    8.2 µs ..  16.4 µs  ##############################  601,233  91.8%
    ///   16.4 µs ..  32.8 µs  ##                               43,100   6.6%
    /// ```
    pub fn chart(&self, width: usize) -> String {
        // Fold the fine buckets into one row per power of two of nanoseconds.
        let mut rows: Vec<(u64, u64, u64)> = Vec::new(); // (from ns, to ns, count)
        for (index, &count) in self.counts.iter().enumerate() {
            let low = lower_bound(index);
            let power = if low == 0 {
                0
            } else {
                63 - low.leading_zeros()
            };
            let from = if power == 0 { 0 } else { 1u64 << power };
            let to = upper_bound(index) + 1;
            match rows.last_mut() {
                Some(row) if row.0 == from => {
                    row.1 = to;
                    row.2 += count;
                }
                _ => rows.push((from, to, count)),
            }
        }
        let first = rows.iter().position(|r| r.2 > 0);
        let last = rows.iter().rposition(|r| r.2 > 0);
        let (Some(first), Some(last)) = (first, last) else {
            return "  (no round trips)\n".into();
        };
        let rows = &rows[first..=last];
        let peak = rows.iter().map(|r| r.2).max().unwrap_or(1).max(1);
        let mut out = String::new();
        let mut rows = rows.iter().peekable();
        while let Some(&(from, to, count)) = rows.next() {
            // A run of empty rows (a gap before a few very slow round trips)
            // becomes one line.
            if count == 0 && rows.peek().is_some_and(|next| next.2 == 0) {
                let mut until = to;
                while let Some(next) = rows.next_if(|next| next.2 == 0) {
                    until = next.1;
                }
                out.push_str(&format!(
                    "  {:>9} .. {:>9}  (none)\n",
                    units::latency(Duration::from_nanos(from)),
                    units::latency(Duration::from_nanos(until)),
                ));
                continue;
            }
            let bar = if count == 0 {
                0
            } else {
                // At least one mark, so a rare slow round trip stays visible.
                ((count as f64 / peak as f64) * width as f64).ceil() as usize
            };
            out.push_str(&format!(
                "  {:>9} .. {:>9}  {:<width$}  {:>11}  {:>5.1}%\n",
                units::latency(Duration::from_nanos(from)),
                units::latency(Duration::from_nanos(to)),
                "#".repeat(bar.min(width)),
                units::thousands(count),
                100.0 * count as f64 / self.total as f64,
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every bucket's bounds contain exactly the values mapped to it, and the
    /// buckets tile the range without gaps.
    #[test]
    fn buckets_tile_the_range() {
        for index in 0..BUCKETS - 1 {
            assert_eq!(bucket(lower_bound(index)), index, "low of {index}");
            assert_eq!(bucket(upper_bound(index)), index, "high of {index}");
            assert_eq!(upper_bound(index) + 1, lower_bound(index + 1));
        }
        assert_eq!(bucket(u64::MAX), BUCKETS - 1);
    }

    /// A bucket is never more than 1/16 of its value wide.
    #[test]
    fn buckets_are_narrow() {
        for index in SUB as usize..BUCKETS {
            let width = upper_bound(index) - lower_bound(index) + 1;
            assert!(width * SUB <= lower_bound(index), "bucket {index}");
        }
    }

    /// Percentiles land within one bucket of the true value; the max is exact.
    #[test]
    fn percentiles() {
        let mut h = Histogram::new();
        assert_eq!(h.percentile(0.5), Duration::ZERO);
        for us in 1..=1000u64 {
            h.record(Duration::from_micros(us));
        }
        let p50 = h.percentile(0.5).as_nanos() as f64;
        assert!((500_000.0..=500_000.0 * 1.07).contains(&p50), "{p50}");
        let p99 = h.percentile(0.99).as_nanos() as f64;
        assert!((990_000.0..=990_000.0 * 1.07).contains(&p99), "{p99}");
        assert_eq!(h.max(), Duration::from_millis(1));
        assert_eq!(h.percentile(1.0), Duration::from_millis(1));
        assert_eq!(h.total(), 1000);
    }

    /// Merging adds the counts and keeps the larger maximum.
    #[test]
    fn merging() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        a.record(Duration::from_micros(10));
        b.record(Duration::from_micros(20));
        b.record(Duration::from_secs(3));
        a.merge(&b);
        assert_eq!(a.total(), 3);
        assert_eq!(a.max(), Duration::from_secs(3));
    }

    /// The chart has one row per power of two between the fastest and the
    /// slowest, and a lone slow round trip still gets a mark.
    #[test]
    fn chart_rows() {
        let mut h = Histogram::new();
        for _ in 0..1000 {
            h.record(Duration::from_micros(10));
        }
        h.record(Duration::from_micros(100));
        h.record(Duration::from_millis(100));
        let chart = h.chart(30);
        let rows: Vec<&str> = chart.lines().collect();
        // 8-16 µs, 16-32 (empty), 32-65 (empty), 65-131 µs, then the empty
        // rows up to 100 ms folded into one, then 67-134 ms.
        assert_eq!(rows.len(), 5, "{chart}");
        assert!(rows[0].contains(&"#".repeat(30)), "{chart}");
        assert!(
            rows[1].contains("(none)") && rows[1].contains("65.5 µs"),
            "{chart}"
        );
        assert!(rows[2].contains(" # "), "{chart}");
        assert!(rows[3].contains("(none)"), "{chart}");
        assert!(
            rows[4].contains("67.1 ms") && rows[4].contains(" # "),
            "{chart}"
        );
        assert_eq!(Histogram::new().chart(30), "  (no round trips)\n");
    }
}
