//! Durations as a student types them: `1s`, `500ms`, `1.5s`, `2m`.
//!
//! The client's `--timeout` needs one. Rust's [`Duration`] prints itself the
//! same way (`{:?}` shows `1.5s`), so what the log says can be typed back.
//!
//! This is not the lesson, and `periodic-hello` needs the same parser for its
//! `--interval`: it belongs in `common` (see the report that came with this
//! lesson).

use std::time::Duration;

/// The longest duration accepted: an hour. A longer timeout is surely a typo
/// (`1000s` meant as `1000ms`?), and it would make Ctrl-C the only way out.
pub const MAX: Duration = Duration::from_secs(3600);

/// Parses `500ms`, `1s`, `1.5s` or `2m` into a [`Duration`] above zero.
///
/// A unit is required: a bare `5` could mean seconds or milliseconds, and a
/// guess would be wrong for someone. Use it as
/// `#[arg(long, value_parser = udp_echo::duration::parse)]`.
///
/// ```
/// use std::time::Duration;
/// use udp_echo::duration::parse;
/// assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
/// assert!(parse("5").is_err());
/// ```
///
/// # Errors
///
/// A message for clap to show (clap then exits with code 2): no unit, an
/// unknown unit, not a number, zero, or more than [`MAX`].
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    // Split "1.5s" into the number "1.5" and the unit "s".
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let nanos_per_unit: u128 = match unit.trim() {
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "" => {
            return Err(format!(
                "`{text}` has no unit: write it as 500ms, 1s, 1.5s or 2m"
            ));
        }
        other => {
            return Err(format!(
                "`{other}` is not a unit: use ms, s or m (as in 500ms, 1s, 2m)"
            ));
        }
    };
    let nanos = decimal_times(number, nanos_per_unit)
        .ok_or_else(|| format!("`{text}` is not a duration: try 500ms, 1s, 1.5s or 2m"))?;
    if nanos == 0 {
        return Err("a duration of zero would not wait at all: use at least 1ms".into());
    }
    if nanos > MAX.as_nanos() {
        return Err(format!("`{text}` is too long: at most {MAX:?}"));
    }
    // At most an hour in nanoseconds, so this cannot overflow a u64.
    u64::try_from(nanos)
        .map(Duration::from_nanos)
        .map_err(|_| format!("`{text}` is too long: at most {MAX:?}"))
}

/// `number` (digits, perhaps with one `.`) times `scale`, exactly, in whole
/// units of `scale`'s base; fractions below one nanosecond are dropped.
/// `None` when `number` is not a plain decimal number or is absurdly large.
fn decimal_times(number: &str, scale: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return None;
    }
    // Twenty digits are more than any duration under an hour needs, and keep
    // the arithmetic below far from overflowing.
    if whole.len() > 20 || fraction.len() > 20 {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut total = whole.checked_mul(scale)?;
    if !fraction.is_empty() {
        let denominator = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
        let fraction: u128 = fraction.parse().ok()?;
        total = total.checked_add(fraction.checked_mul(scale)? / denominator)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every form the help text mentions parses to the duration it means.
    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(parse("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("0.25s"), Ok(Duration::from_millis(250)));
        assert_eq!(parse(".5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse(" 3 s "), Ok(Duration::from_secs(3)));
        assert_eq!(parse("1.5ms"), Ok(Duration::from_micros(1500)));
    }

    /// What the log prints (`{:?}` of a Duration) parses back to the same value.
    #[test]
    fn round_trips_through_debug() {
        for d in [
            Duration::from_millis(200),
            Duration::from_secs(1),
            Duration::from_millis(1500),
        ] {
            assert_eq!(parse(&format!("{d:?}")), Ok(d));
        }
    }

    /// Mistakes are refused with a message that shows the right form.
    #[test]
    fn refuses_mistakes_with_a_reason() {
        for (bad, says) in [
            ("5", "no unit"),
            ("", "no unit"),
            ("5h", "not a unit"),
            ("5 sec", "not a unit"),
            ("-1s", "not a unit"),
            ("s", "not a duration"),
            ("1.2.3s", "not a duration"),
            (".s", "not a duration"),
            ("0s", "zero"),
            ("0.0000000001s", "zero"),
            ("61m", "too long"),
            ("99999999999999999999999s", "not a duration"),
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains(says), "{bad:?}: {err}");
        }
    }

    /// The longest accepted duration is exactly MAX.
    #[test]
    fn accepts_up_to_an_hour() {
        assert_eq!(parse("60m"), Ok(MAX));
        assert_eq!(parse("3600s"), Ok(MAX));
        assert!(parse("3600.001s").is_err());
    }
}
