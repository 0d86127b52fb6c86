//! Reading sizes such as `200MB` from the command line, and printing
//! numbers so that people can read them. (Durations such as `5s` are read
//! by `common::duration`, as in the lessons.)
//!
//! Sizes use the decimal units of network speeds: `1MB` is 1,000,000 bytes and
//! throughput is reported in MB/s of that size. The binary units (`KiB`,
//! `MiB`, `GiB`) are accepted too, for buffer sizes such as `64KiB` = 65,536.

use std::time::Duration;

/// Parses a size in bytes: `64`, `200MB`, `1.5GB`, `64KiB`. `k`, `M` and `G`
/// mean powers of 1000; `KiB`, `MiB` and `GiB` powers of 1024.
///
/// # Errors
///
/// A message for clap to show, for junk, zero or more than a terabyte.
pub fn size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (try 64, 64KiB or 200MB)"))?;
    let scale: f64 = match unit.trim() {
        "" | "B" => 1.0,
        "k" | "K" | "kB" | "KB" => 1e3,
        "M" | "MB" => 1e6,
        "G" | "GB" => 1e9,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` (use kB, MB, GB, KiB, MiB or GiB)"
            ));
        }
    };
    let bytes = (value * scale).round();
    if !(1.0..=1e12).contains(&bytes) {
        return Err(format!("`{text}`: a size from 1 byte to 1 TB, please"));
    }
    // The range check above makes this conversion exact and lossless.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(bytes as u64)
}

/// A whole number with thousands separators: `131,024`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A latency for people: `850 ns`, `11.2 µs`, `340 µs`, `2.1 ms`, `1.50 s`.
pub fn latency(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 1_000 {
        format!("{ns} ns")
    } else if ns < 100_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else if ns < 1_000_000 {
        format!("{} µs", ns / 1_000)
    } else if ns < 1_000_000_000 {
        format!("{:.1} ms", ns as f64 / 1e6)
    } else {
        format!("{:.2} s", ns as f64 / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes in decimal and binary units.
    #[test]
    fn sizes() {
        assert_eq!(size("64"), Ok(64));
        assert_eq!(size("200MB"), Ok(200_000_000));
        assert_eq!(size("200M"), Ok(200_000_000));
        assert_eq!(size("64KiB"), Ok(65_536));
        assert_eq!(size("1.5GB"), Ok(1_500_000_000));
        for bad in ["0", "", "lots", "5 parsecs", "2TB"] {
            assert!(size(bad).is_err(), "{bad:?} must be refused");
        }
    }

    /// Numbers and latencies read naturally.
    #[test]
    fn printing() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(131_024_567), "131,024,567");
        assert_eq!(latency(Duration::from_nanos(850)), "850 ns");
        assert_eq!(latency(Duration::from_nanos(11_240)), "11.2 µs");
        assert_eq!(latency(Duration::from_micros(340)), "340 µs");
        assert_eq!(latency(Duration::from_micros(2_100)), "2.1 ms");
        assert_eq!(latency(Duration::from_millis(1500)), "1.50 s");
    }
}
