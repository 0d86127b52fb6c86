//! `--timeout`: a duration as people type it (`500ms`, `1s`, `1.5s`, `2m`;
//! see [`common::duration`]), above zero and at most an hour.

use std::time::Duration;

use common::duration::{positive, show};

/// The longest timeout accepted: an hour. A longer one is surely a typo
/// (`1000s` meant as `1000ms`?), and it would make Ctrl-C the only way out.
pub const MAX: Duration = Duration::from_secs(3600);

/// Parses a `--timeout`. Use it as
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
    let duration = positive(text)?;
    if duration > MAX {
        return Err(format!("`{text}` is too long: at most {}", show(MAX)));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forms the help text mentions parse to the duration they mean.
    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(parse("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
    }

    /// Zero, no unit, and more than an hour are refused.
    #[test]
    fn refuses_zero_bare_numbers_and_hours() {
        assert!(parse("0s").is_err());
        assert!(parse("5").is_err());
        assert!(parse("61m").expect_err("too long").contains("too long"));
        assert_eq!(parse("60m"), Ok(MAX));
    }
}
