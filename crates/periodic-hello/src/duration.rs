//! `--interval`: a duration as people type it (`1s`, `250ms`, `1.5s`, `2m`;
//! see [`common::duration`]), from a millisecond to a day.

use std::time::Duration;

/// The shortest `--interval` accepted. Below a millisecond the two programs
/// would mostly be busy flooding each other (and the terminal) with hellos.
pub const MIN_INTERVAL: Duration = Duration::from_millis(1);

/// The longest `--interval` accepted: a day. Anything longer is surely a typo.
pub const MAX_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses an `--interval`: a [`common::duration::parse`]d duration from
/// [`MIN_INTERVAL`] to [`MAX_INTERVAL`]. Zero is refused: it would mean
/// "send without pausing".
///
/// Use it as `#[arg(long, value_parser = periodic_hello::duration::parse_interval)]`;
/// clap then reports a bad value as a usage error, exit code 2.
///
/// ```
/// use std::time::Duration;
/// use periodic_hello::duration::parse_interval;
/// assert_eq!(parse_interval("250ms"), Ok(Duration::from_millis(250)));
/// assert!(parse_interval("0s").is_err());
/// ```
///
/// # Errors
///
/// A one-line message for clap to show.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let interval = common::duration::parse(text)?;
    if interval.is_zero() {
        Err("the interval must be more than zero (zero would send without pausing)".to_string())
    } else if interval < MIN_INTERVAL {
        Err("the interval must be at least 1ms".to_string())
    } else if interval > MAX_INTERVAL {
        Err("the interval must be at most a day (24h)".to_string())
    } else {
        Ok(interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented forms parse; zero, too short and too long are refused.
    #[test]
    fn interval_bounds() {
        assert_eq!(parse_interval("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_interval("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_interval("24h"), Ok(MAX_INTERVAL));
        assert!(
            parse_interval("0s")
                .expect_err("zero")
                .contains("more than zero")
        );
        assert!(
            parse_interval("0.5ms")
                .expect_err("short")
                .contains("at least 1ms")
        );
        assert!(
            parse_interval("25h")
                .expect_err("long")
                .contains("at most a day")
        );
        assert!(parse_interval("1").is_err());
    }
}
