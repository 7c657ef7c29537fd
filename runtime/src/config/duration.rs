//! Go duration text (`5s`, `1m30s`, `250ms`), as config fields write it.

/// Reads Go duration text: an optional sign, then one or more
/// `<number><unit>` groups with units ns, us, µs, ms, s, m, h; or `0`.
/// Negative durations read as zero.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let negative = text.starts_with('-');
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    if s == "0" {
        return Some(std::time::Duration::ZERO);
    }
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let amount: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, seconds) = [
            ("ns", 1e-9),
            ("us", 1e-6),
            ("µs", 1e-6),
            ("μs", 1e-6),
            ("ms", 1e-3),
            ("s", 1.0),
            ("m", 60.0),
            ("h", 3600.0),
        ]
        .into_iter()
        .find(|(u, _)| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total += amount * seconds;
    }
    if negative || !total.is_finite() {
        return Some(std::time::Duration::ZERO);
    }
    std::time::Duration::try_from_secs_f64(total).ok()
}

/// True when `text` is a valid Go duration.
pub fn is_duration(text: &str) -> bool {
    parse_duration(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["5s", "1m30s", "250ms", "0", "1.5h", "-2us", "0s"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "5", "s", "5 s", "1x", "1..5s"] {
            assert!(!is_duration(bad), "{bad}");
        }
        let d = |t| parse_duration(t).map(|d| d.as_millis());
        assert_eq!(d("1m30s"), Some(90_000));
        assert_eq!(d("250ms"), Some(250));
        assert_eq!(d("1.5h"), Some(5_400_000));
    }
}
