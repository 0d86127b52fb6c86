//! Durations as people type them: `30s`, `500ms`, `1.5s`, `5m`.
//!
//! Several flags take a duration. A bare number would be ambiguous (is
//! `5` seconds or minutes?), so a unit is required: `ms`, `s`, `m` or `h`.
//! A decimal point is allowed (`1.5s`, `0.25m`); signs, exponents (`1e3s`)
//! and spaces inside are not, because nobody means them.
//!
//! Used by `--idle-timeout` (threaded-echo), `--interval` (periodic-hello)
//! and `--timeout` (udp-echo).

use std::time::Duration;

/// The units [`parse`] knows, longest suffix first (so `ms` wins over `s`),
/// with their length in nanoseconds.
const UNITS: [(&str, u128); 4] = [
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60 * 1_000_000_000),
    ("h", 60 * 60 * 1_000_000_000),
];

/// Parses `250ms`, `1s`, `1.5s`, `5m` or `2h` into a [`Duration`].
///
/// The arithmetic is done on whole nanoseconds, not floating point, so
/// `0.1s` is exactly 100 ms.
///
/// ```
/// use std::time::Duration;
/// use common::duration::parse;
/// assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
/// assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
/// ```
///
/// # Errors
///
/// A message for a student (and for clap, which then exits with code 2) when
/// the unit is missing or unknown, or the number is malformed or too large.
pub fn parse(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let (number, unit_nanos) = UNITS
        .iter()
        .find_map(|(suffix, nanos)| Some((trimmed.strip_suffix(suffix)?, *nanos)))
        .ok_or_else(|| format!("`{text}` has no unit: write it like 30s, 500ms, 1.5s or 5m"))?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits_only(whole) || !digits_only(fraction) {
        return Err(format!(
            "`{text}` is not a duration: write a number and a unit, like 30s, 500ms, 1.5s or 5m"
        ));
    }
    let too_long = || format!("`{text}` is too long a duration");
    // Decimals beyond the 12th change less than 4 ns even for hours: drop them.
    let fraction = &fraction[..fraction.len().min(12)];
    // "1.25" -> 125 and a scale of 100: the value is 125 / 100 units.
    let scale = 10u128
        .checked_pow(u32::try_from(fraction.len()).map_err(|_| too_long())?)
        .ok_or_else(too_long)?;
    let mantissa: u128 = format!("{whole}{fraction}")
        .parse()
        .map_err(|_| too_long())?;
    let nanos = mantissa.checked_mul(unit_nanos).ok_or_else(too_long)? / scale;
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| too_long())?;
    // The remainder of a division by 10^9 always fits in a u32.
    let sub = u32::try_from(nanos % 1_000_000_000).map_err(|_| too_long())?;
    Ok(Duration::new(secs, sub))
}

/// Like [`parse`], but refuses zero and anything under a millisecond: for timeouts, where "0" would mean
/// "close every connection at once".
///
/// Use it as `#[arg(long, value_parser = common::duration::positive)]`.
///
/// # Errors
///
/// The errors of [`parse`], and one for a duration of zero.
pub fn positive(text: &str) -> Result<Duration, String> {
    let duration = parse(text)?;
    if duration.is_zero() {
        Err(format!("`{text}` is zero: use at least 1ms"))
    } else if duration < Duration::from_millis(1) {
        // Socket timeouts below a microsecond mean "no timeout at all" to
        // the system, and nobody means less than a millisecond anyway.
        Err(format!("`{text}` is too short: use at least 1ms"))
    } else {
        Ok(duration)
    }
}

/// Like [`positive`], and at most `max`: for a flag whose value must stay
/// sensible, such as an interval of at most a day.
///
/// ```
/// use std::time::Duration;
/// let hour = Duration::from_secs(3600);
/// assert_eq!(common::duration::at_most("5m", hour), Ok(Duration::from_secs(300)));
/// assert!(common::duration::at_most("2h", hour).is_err());
/// ```
///
/// # Errors
///
/// The errors of [`positive`], and one for a duration over `max`.
pub fn at_most(text: &str, max: Duration) -> Result<Duration, String> {
    let duration = positive(text)?;
    if duration > max {
        Err(format!("`{text}` is too long: use at most {}", show(max)))
    } else {
        Ok(duration)
    }
}

/// Shows a duration the way [`parse`] reads it: `5m`, `30s`, `1.5s`, `250ms`.
///
/// ```
/// use std::time::Duration;
/// use common::duration::show;
/// assert_eq!(show(Duration::from_secs(300)), "5m");
/// assert_eq!(show(Duration::from_millis(1500)), "1.5s");
/// ```
pub fn show(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis == 0 || duration.subsec_nanos() % 1_000_000 != 0 {
        // Finer than a millisecond: Rust's own notation (`500µs`) says it best.
        return format!("{duration:?}");
    }
    if millis % 3_600_000 == 0 {
        format!("{}h", millis / 3_600_000)
    } else if millis % 60_000 == 0 {
        format!("{}m", millis / 60_000)
    } else if millis < 1000 {
        format!("{millis}ms")
    } else {
        // Seconds with up to three decimals, trailing zeros removed.
        let text = format!("{}.{:03}", millis / 1000, millis % 1000);
        format!("{}s", text.trim_end_matches('0').trim_end_matches('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Every form the lessons document parses to the expected length.
    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse("1s"), Ok(ms(1000)));
        assert_eq!(parse("250ms"), Ok(ms(250)));
        assert_eq!(parse("1.5s"), Ok(ms(1500)));
        assert_eq!(parse("5m"), Ok(ms(300_000)));
        assert_eq!(parse("2h"), Ok(ms(7_200_000)));
        assert_eq!(parse(" 30s "), Ok(ms(30_000)));
        assert_eq!(parse("0.1s"), Ok(ms(100)));
        assert_eq!(parse(".5s"), Ok(ms(500)));
        assert_eq!(parse("3.s"), Ok(ms(3000)));
        assert_eq!(parse("0.5ms"), Ok(Duration::from_micros(500)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    /// Missing units, signs, exponents and junk are refused with a message
    /// that shows the right form.
    #[test]
    fn refuses_what_nobody_means() {
        for bad in [
            "", "5", "s", ".s", "1.2.3s", "-1s", "+1s", "1e3s", "1 s", "five s", "1x", "1sec",
            "infs", "NaNs", "١s",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains("30s"), "{bad:?}: {err}");
        }
    }

    /// Numbers too large for a `Duration` are an error, not a panic or a wrap.
    #[test]
    fn huge_numbers_are_errors() {
        assert!(parse("99999999999999999999999999999999999999999h").is_err());
        assert!(parse("18446744073709551616s").is_err());
        // Very many decimals are fine: those below a nanosecond are dropped.
        assert_eq!(parse(&format!("1.{}5s", "0".repeat(60))), Ok(ms(1000)));
    }

    /// `positive` refuses zero and anything under a millisecond.
    #[test]
    fn positive_refuses_zero_and_tiny() {
        assert!(positive("0s").is_err());
        assert!(positive("0.0ms").is_err());
        assert!(
            positive("0.5ms")
                .expect_err("tiny")
                .contains("at least 1ms")
        );
        assert_eq!(positive("1ms"), Ok(ms(1)));
    }

    /// What `show` prints, `parse` reads back as the same duration.
    #[test]
    fn show_round_trips() {
        for (d, text) in [
            (ms(300_000), "5m"),
            (ms(30_000), "30s"),
            (ms(1500), "1.5s"),
            (ms(1250), "1.25s"),
            (ms(250), "250ms"),
            (ms(3_600_000), "1h"),
            (ms(90_000), "90s"),
        ] {
            assert_eq!(show(d), text);
            assert_eq!(parse(text), Ok(d));
        }
        assert_eq!(show(Duration::from_micros(500)), "500µs");
        assert_eq!(show(Duration::from_micros(1500)), "1.5ms");
    }
}
