//! Number parsing with the syntax and error texts of Go's `strconv`
//! (`ParseInt`, `ParseUint`, `ParseFloat`, `ParseBool`), which upstream's
//! coercion methods expose verbatim.

use tarn_syntax::strings::quote;

/// Why a parse failed, worded like Go's `strconv.NumError`.
fn num_error(func: &str, input: &str, range: bool) -> String {
    let why = if range {
        "value out of range"
    } else {
        "invalid syntax"
    };
    format!("strconv.{func}: parsing {}: {why}", quote(input))
}

/// Go's rule for `_` digit separators: only between digits, or between a
/// base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    // 'd' digit or prefix, '_' underscore, 'x' anything else, '^' start.
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= i + 2 && b[i] == b'0' && matches!(b[i + 1] | 0x20, b'b' | b'o' | b'x') {
        hex = b[i + 1] | 0x20 == b'x';
        i += 2;
        saw = b'd';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && (c | 0x20).is_ascii_hexdigit()) {
            saw = b'd';
        } else if c == b'_' {
            if saw != b'd' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'x';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, base, 64)` for base 0 (Go literal prefixes, a
/// leading `0` meaning octal, underscores) or base 10. `func` and `orig`
/// name the caller and its input in errors.
fn parse_uint_inner(s: &str, base_zero: bool, func: &str, orig: &str) -> Result<u64, String> {
    if s.is_empty() {
        return Err(num_error(func, orig, false));
    }
    let b = s.as_bytes();
    let mut base = 10u64;
    let mut digits = b;
    if base_zero && b[0] == b'0' {
        if b.len() >= 3 && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
            base = match b[1] | 0x20 {
                b'b' => 2,
                b'o' => 8,
                _ => 16,
            };
            digits = &b[2..];
        } else {
            base = 8;
            digits = &b[1..];
        }
    }
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        if c == b'_' && base_zero {
            underscores = true;
            continue;
        }
        let d = match c {
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'z' => u64::from(c - b'a') + 10,
            b'A'..=b'Z' => u64::from(c - b'A') + 10,
            _ => return Err(num_error(func, orig, false)),
        };
        if d >= base {
            return Err(num_error(func, orig, false));
        }
        n = match n.checked_mul(base).and_then(|m| m.checked_add(d)) {
            Some(v) => v,
            None => return Err(num_error(func, orig, true)),
        };
    }
    if underscores && !underscores_ok(s) {
        return Err(num_error(func, orig, false));
    }
    Ok(n)
}

/// `strconv.ParseUint(s, 0, 64)`.
pub fn parse_uint(s: &str) -> Result<u64, String> {
    parse_uint_inner(s, true, "ParseUint", s)
}

/// `strconv.ParseInt(s, 0, 64)` (`base_zero`) or `strconv.ParseInt(s, 10, 64)`.
pub fn parse_int(s: &str, base_zero: bool) -> Result<i64, String> {
    if s.is_empty() {
        return Err(num_error("ParseInt", s, false));
    }
    let (neg, rest) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = parse_uint_inner(rest, base_zero, "ParseInt", s)?;
    let cutoff = 1u64 << 63;
    if (!neg && un >= cutoff) || (neg && un > cutoff) {
        return Err(num_error("ParseInt", s, true));
    }
    Ok(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

/// Go's special float spellings: `inf`, `infinity` (signed) and `nan`.
fn special(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let (sign, body) = match lower.as_bytes().first() {
        Some(b'+') => (1.0, &lower[1..]),
        Some(b'-') => (-1.0, &lower[1..]),
        _ => (1.0, lower.as_str()),
    };
    if body == "inf" || body == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Some(f64::NAN);
    }
    None
}

/// The value of a hexadecimal float literal body (after `0x`), or `None`
/// when it is malformed.
fn hex_float(body: &str) -> Option<f64> {
    let (mant, exp) = body.split_once(['p', 'P'])?;
    let exp: i64 = {
        let (neg, digits) = match exp.as_bytes().first() {
            Some(b'+') => (false, &exp[1..]),
            Some(b'-') => (true, &exp[1..]),
            _ => (false, exp),
        };
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let v: i64 = digits.parse().unwrap_or(100_000).min(100_000);
        if neg { -v } else { v }
    };
    let mut bits: u128 = 0;
    let mut shift: i64 = 0;
    let mut seen_dot = false;
    let mut any = false;
    let mut sticky = false;
    for c in mant.chars() {
        if c == '.' {
            if seen_dot {
                return None;
            }
            seen_dot = true;
            continue;
        }
        let d = c.to_digit(16)?;
        any = true;
        if bits >> 120 == 0 {
            bits = (bits << 4) | u128::from(d);
            if seen_dot {
                shift -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_dot {
                shift += 4;
            }
        }
    }
    if !any {
        return None;
    }
    if sticky {
        bits |= 1;
    }
    let mut f = bits as f64;
    let mut e = exp + shift;
    while e > 0 && f.is_finite() {
        let step = e.min(1000);
        f *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 && f != 0.0 {
        let step = (-e).min(1000);
        f /= 2f64.powi(step as i32);
        e += step;
    }
    Some(f)
}

/// Checks Go's float literal syntax (decimal or hexadecimal, with
/// underscores) and returns the text without underscores.
fn float_syntax(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let hex = b.len() >= i + 2 && b[i] == b'0' && b[i + 1] | 0x20 == b'x';
    if hex {
        i += 2;
    }
    let mut digits = false;
    let mut dot = false;
    let mut underscores = false;
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            underscores = true;
        } else if c == b'.' {
            if dot {
                return None;
            }
            dot = true;
        } else if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            digits = true;
        } else {
            break;
        }
        i += 1;
    }
    if !digits {
        return None;
    }
    if i < b.len() {
        let e = b[i] | 0x20;
        if (hex && e != b'p') || (!hex && e != b'e') {
            return None;
        }
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] == b'_' {
                underscores = true;
            }
            i += 1;
        }
        if i == start || i < b.len() {
            return None;
        }
    } else if hex {
        return None;
    }
    if underscores && !underscores_ok(s) {
        return None;
    }
    Some(s.replace('_', ""))
}

/// `strconv.ParseFloat(s, 64)`.
pub fn parse_f64(s: &str) -> Result<f64, String> {
    if let Some(f) = special(s) {
        return Ok(f);
    }
    let clean = float_syntax(s).ok_or_else(|| num_error("ParseFloat", s, false))?;
    let f = parse_clean(&clean).ok_or_else(|| num_error("ParseFloat", s, false))?;
    if f.is_infinite() {
        return Err(num_error("ParseFloat", s, true));
    }
    Ok(f)
}

/// `strconv.ParseFloat(s, 32)`, rounded once to float32.
pub fn parse_f32(s: &str) -> Result<f32, String> {
    if let Some(f) = special(s) {
        return Ok(f as f32);
    }
    let clean = float_syntax(s).ok_or_else(|| num_error("ParseFloat", s, false))?;
    let f = if is_hex(&clean) {
        parse_clean(&clean).map(|f| f as f32)
    } else {
        clean.parse::<f32>().ok()
    }
    .ok_or_else(|| num_error("ParseFloat", s, false))?;
    if f.is_infinite() {
        return Err(num_error("ParseFloat", s, true));
    }
    Ok(f)
}

fn is_hex(clean: &str) -> bool {
    let body = clean.trim_start_matches(['+', '-']);
    body.len() >= 2 && body.as_bytes()[0] == b'0' && body.as_bytes()[1] | 0x20 == b'x'
}

fn parse_clean(clean: &str) -> Option<f64> {
    if is_hex(clean) {
        let neg = clean.starts_with('-');
        let body = clean.trim_start_matches(['+', '-']);
        let f = hex_float(&body[2..])?;
        return Some(if neg { -f } else { f });
    }
    clean.parse::<f64>().ok()
}

/// `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_follow_go() {
        assert_eq!(parse_int("0xDEADBEEF", true), Ok(3735928559));
        assert_eq!(parse_int("-0b101", true), Ok(-5));
        assert_eq!(parse_int("0o17", true), Ok(15));
        assert_eq!(parse_int("017", true), Ok(15));
        assert_eq!(parse_int("1_000", true), Ok(1000));
        assert_eq!(parse_int("0", true), Ok(0));
        assert_eq!(parse_int("-9223372036854775808", true), Ok(i64::MIN));
        assert_eq!(
            parse_int("9223372036854775808", true),
            Err("strconv.ParseInt: parsing \"9223372036854775808\": value out of range".into())
        );
        assert_eq!(
            parse_int("1__0", true),
            Err("strconv.ParseInt: parsing \"1__0\": invalid syntax".into())
        );
        assert!(parse_int("08", true).is_err());
        assert!(parse_int("1_0", false).is_err());
        assert!(parse_int("", true).is_err());
        assert_eq!(
            parse_uint("-1"),
            Err("strconv.ParseUint: parsing \"-1\": invalid syntax".into())
        );
        assert_eq!(parse_uint("18446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn floats_follow_go() {
        assert_eq!(parse_f64("1_000.5"), Ok(1000.5));
        assert_eq!(parse_f64("0x1p-2"), Ok(0.25));
        assert_eq!(parse_f64("0x1.8p1"), Ok(3.0));
        assert_eq!(parse_f64("-Inf"), Ok(f64::NEG_INFINITY));
        assert!(parse_f64("NaN").is_ok_and(f64::is_nan));
        assert!(parse_f64("+nan").is_err());
        assert!(parse_f64("0x10").is_err());
        assert!(parse_f64("1e").is_err());
        assert!(parse_f64(" 1").is_err());
        assert_eq!(parse_f64(".5"), Ok(0.5));
        assert_eq!(
            parse_f64("1e400"),
            Err("strconv.ParseFloat: parsing \"1e400\": value out of range".into())
        );
        assert_eq!(parse_f64("1e-400"), Ok(0.0));
        assert_eq!(
            parse_f32("6.674282313423543523453425345e-11"),
            Ok(6.674283e-11)
        );
        assert!(parse_f32("1e39").is_err());
    }
}

#[cfg(test)]
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_accept_any_text(s in "[-+0-9a-fA-FxXoObBpPeE_.,:TZ\u{e9}\u{1F600} ]{0,24}") {
            let _ = parse_int(&s, true);
            let _ = parse_int(&s, false);
            let _ = parse_uint(&s);
            let _ = parse_f64(&s);
            let _ = parse_f32(&s);
            let _ = crate::stdlib::numbers::timeconv::parse_rfc3339(&s);
            let ts = format!("2020-01-02T03:04:05{s}");
            let _ = crate::stdlib::numbers::timeconv::parse_rfc3339(&ts);
        }
    }
}
