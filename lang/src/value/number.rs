//! Numbers: the arithmetic view of numeric values and Go-compatible float
//! formatting.

/// A number as arithmetic sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// int64
    Int(i64),
    /// uint64
    UInt(u64),
    /// float64
    Float(f64),
}

impl Num {
    /// The value as a float.
    pub fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::UInt(u) => u as f64,
            Num::Float(f) => f,
        }
    }

    /// The value as an int64, truncating floats toward zero and
    /// reinterpreting uint64 bits (Go's conversions).
    pub fn to_i64_lossy(self) -> i64 {
        match self {
            Num::Int(i) => i,
            Num::UInt(u) => u as i64,
            Num::Float(f) => f as i64,
        }
    }
}

/// Splits Rust's shortest scientific rendering (`1.2345e6`, `-5e-7`) into
/// mantissa text and exponent.
fn shortest_scientific(f: f64) -> (String, i32) {
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse().unwrap_or(0)),
        None => (s, 0),
    }
}

/// Go's `%e` exponent suffix: sign and at least two digits.
fn go_exponent(exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{sign}{:02}", exp.unsigned_abs())
}

fn special(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: shortest round-trip digits,
/// scientific (`1e+06`) when the decimal exponent is below -4 or at least 6.
pub fn format_float_g(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (mantissa, exp) = shortest_scientific(f);
    if !(-4..6).contains(&exp) {
        return format!("{mantissa}{}", go_exponent(exp));
    }
    format!("{f}")
}

/// Go `encoding/json` float64 output: plain decimal, except scientific for
/// magnitudes below 1e-6 or from 1e21, with a single-digit negative exponent
/// kept short (`1e-7`).
pub fn format_float_json(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (mantissa, exp) = shortest_scientific(f);
        let sign = if exp < 0 { '-' } else { '+' };
        let digits = exp.unsigned_abs();
        if exp < 0 && digits < 10 {
            return format!("{mantissa}e-{digits}");
        }
        return format!("{mantissa}e{sign}{digits:02}");
    }
    format!("{f}")
}

/// Appends [`format_float_json`]`(f)` to `out`. Plain decimals, the usual
/// case, take a fast shortest-digits path (zmij) instead of `format!`.
pub fn write_float_json(out: &mut Vec<u8>, f: f64) {
    if write_short_decimal(out, f) {
        return;
    }
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        let mut buf = zmij::Buffer::new();
        let text = buf.format_finite(f);
        // With 16 or 17 significant digits two shortest forms can both
        // round-trip, and zmij may not pick the closest one as Go does:
        // those take the reference path.
        if !text.contains(['e', 'E']) && significant_digits(text) <= 15 {
            let text = text.strip_suffix(".0").unwrap_or(text);
            out.extend_from_slice(text.as_bytes());
        } else {
            // Plain decimal range: what `format_float_json` gives, written
            // straight into `out`.
            use std::io::Write;
            let _ = write!(out, "{f}");
        }
        return;
    }
    out.extend_from_slice(format_float_json(f).as_bytes());
}

/// Powers of ten that an `f64` holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Decimals up to this many significant digits map to distinct `f64`s
/// (`DBL_DIG`), so such a decimal that round-trips is *the* shortest form.
const UNIQUE_DIGITS_LIMIT: f64 = 1e15;

/// Writes `f` when it is a decimal of at most 15 significant digits in
/// plain notation (`227.11`, `0.099`, `1816`), the common case; returns
/// false, writing nothing, otherwise.
///
/// For the fewest fraction digits `k` such that `m = round(|f| * 10^k)`
/// gives back `f` as `m / 10^k` (exact operands, one correctly rounded
/// division: the same `f64` parsing the decimal gives), `m × 10^-k`
/// round-trips, and having at most 15 digits it is the only such decimal
/// that short, so it is the shortest form Go prints. `|f| * 10^k` is within
/// 0.22 of `m` whenever that decimal exists (relative error ≤ 2^-52), so
/// rounding finds it at the first `k` it exists.
fn write_short_decimal(out: &mut Vec<u8>, f: f64) -> bool {
    let abs = f.abs();
    if !(1e-6..UNIQUE_DIGITS_LIMIT).contains(&abs) {
        return false;
    }
    for (k, &scale) in EXACT_POWERS_OF_TEN.iter().enumerate() {
        let scaled = abs * scale;
        if scaled >= UNIQUE_DIGITS_LIMIT {
            return false;
        }
        // `scaled` is non-negative and below 2^53: truncating after adding
        // a half rounds it, and signed conversions are single instructions.
        let m = (scaled + 0.5) as i64;
        if m as f64 / scale == abs {
            if k > 0 && m % 10 == 0 {
                // Cannot happen (a shorter k would have matched); kept
                // total by leaving such values to the general path.
                return false;
            }
            write_scaled_integer(out, f < 0.0, m.unsigned_abs(), k);
            return true;
        }
    }
    false
}

/// Two-digit decimal strings `00` to `99`, for writing digits in pairs.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `m × 10^-k` (negated when `negative`) in plain notation: `m`'s
/// digits with a point `k` places from the right, and a leading `0.` and
/// zeros when `k` exceeds the digit count. The text is built backwards in
/// one stack buffer, two digits at a time, and appended with one copy.
fn write_scaled_integer(out: &mut Vec<u8>, negative: bool, mut m: u64, k: usize) {
    // Callers keep `m` below 10^15 and `k` at most 22: with the point and
    // the sign, 40 bytes hold any result.
    let mut buf = [0u8; 40];
    let mut at = buf.len();
    let pair = |buf: &mut [u8; 40], at: &mut usize, d: u64| {
        let d = d as usize * 2;
        *at -= 2;
        buf[*at..*at + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
    };
    let mut fraction = k;
    while fraction >= 2 {
        pair(&mut buf, &mut at, m % 100);
        m /= 100;
        fraction -= 2;
    }
    if fraction == 1 {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
    }
    if k > 0 {
        at -= 1;
        buf[at] = b'.';
    }
    while m >= 100 {
        pair(&mut buf, &mut at, m % 100);
        m /= 100;
    }
    if m >= 10 {
        pair(&mut buf, &mut at, m);
    } else {
        at -= 1;
        buf[at] = b'0' + m as u8;
    }
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    out.extend_from_slice(&buf[at..]);
}

/// The `f64` a plain decimal denotes, computed directly when it is exact
/// to do so: at most 15 significant digits (the integer `m` of all its
/// digits is exact in an `f64`) and at most 22 after the point (`10^k`
/// exact), so `m / 10^k` is one correctly rounded division. `None` for
/// other text, which needs the general parser.
pub(crate) fn parse_short_decimal(whole: &[u8], fraction: &[u8]) -> Option<f64> {
    if whole.len() + fraction.len() > 15 || fraction.len() >= EXACT_POWERS_OF_TEN.len() {
        return None;
    }
    let m = whole
        .iter()
        .chain(fraction)
        .fold(0u64, |m, d| m * 10 + u64::from(d.wrapping_sub(b'0')));
    Some(m as f64 / EXACT_POWERS_OF_TEN[fraction.len()])
}

/// The number of significant digits in a plain decimal's text (from the
/// first non-zero digit to the last).
fn significant_digits(text: &str) -> usize {
    let digits: &[u8] = text.as_bytes();
    let first = digits.iter().position(|d| matches!(d, b'1'..=b'9'));
    let last = digits.iter().rposition(|d| matches!(d, b'1'..=b'9'));
    match (first, last) {
        (Some(a), Some(b)) => digits[a..=b].iter().filter(|d| d.is_ascii_digit()).count(),
        _ => 0,
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` for float32 values.
pub fn format_float32_g(f: f32) -> String {
    let wide = f64::from(f);
    if let Some(s) = special(wide) {
        return s.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let s = format!("{f:e}");
    let (mantissa, exp) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (s.clone(), 0),
    };
    if !(-4..6).contains(&exp) {
        return format!("{mantissa}{}", go_exponent(exp));
    }
    format!("{f}")
}

/// Go `encoding/json` float32 output.
pub fn format_float32_json(f: f32) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        if let Some((m, e)) = s.split_once('e') {
            let exp: i32 = e.parse().unwrap_or(0);
            if exp < 0 && exp > -10 {
                return format!("{m}e-{}", exp.unsigned_abs());
            }
            let sign = if exp < 0 { '-' } else { '+' };
            return format!("{m}e{sign}{:02}", exp.unsigned_abs());
        }
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fast_float_path_matches_the_reference(bits: u64, scale in -8i32..24) {
            // Random mantissas at every magnitude around the plain-decimal range.
            let f = (f64::from_bits(bits) % 10.0) * 10f64.powi(scale);
            if f.is_finite() {
                let mut out = Vec::new();
                write_float_json(&mut out, f);
                prop_assert_eq!(String::from_utf8(out).unwrap_or_default(), format_float_json(f));
            }
        }

        #[test]
        fn fast_float_path_matches_on_short_decimals(cents in -10_000_000i64..10_000_000, div in 0u32..8) {
            let f = cents as f64 / 10f64.powi(div as i32);
            let mut out = Vec::new();
            write_float_json(&mut out, f);
            prop_assert_eq!(String::from_utf8(out).unwrap_or_default(), format_float_json(f));
        }

        #[test]
        fn short_decimals_read_and_write_like_the_reference(
            m in 0u64..1_000_000_000_000_000, k in 0usize..24, whole_digits in 0usize..16,
        ) {
            // Any digit string up to 15 digits long, point anywhere in it.
            let digits = m.to_string();
            let cut = whole_digits.min(digits.len());
            let (whole, fraction) = digits.split_at(cut);
            let whole = if whole.is_empty() { "0" } else { whole };
            let fraction = format!("{}{fraction}", "0".repeat(k % 8));
            let text = format!("{whole}.{fraction}");
            let want: f64 = text.parse().unwrap_or(f64::NAN);
            let got = parse_short_decimal(whole.as_bytes(), fraction.as_bytes());
            if whole.len() + fraction.len() <= 15 {
                prop_assert_eq!(got.map(f64::to_bits), Some(want.to_bits()), "{}", text);
            }
            for f in [want, -want] {
                let mut out = Vec::new();
                write_float_json(&mut out, f);
                prop_assert_eq!(String::from_utf8(out).unwrap_or_default(), format_float_json(f));
            }
        }
    }

    #[test]
    fn fast_float_path_edges() {
        for f in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1e-6,
            9.99e-7,
            1e20,
            1e21,
            123456789012345680.0,
            0.1 + 0.2,
            629289627075195.2,
            999999999999999.9,
            99999999999999.99,
            0.000001,
            0.0000012345678,
            0.099,
            1816.88,
            -227.11,
            4503599627370495.5,
            5e-324,
            f64::MAX,
        ] {
            let mut out = Vec::new();
            write_float_json(&mut out, f);
            assert_eq!(
                String::from_utf8(out).unwrap_or_default(),
                format_float_json(f),
                "{f:e}"
            );
        }
    }

    #[test]
    fn g_format_matches_go() {
        for (f, want) in [
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (123456.0, "123456"),
            (0.00001, "1e-05"),
            (0.0001, "0.0001"),
            (2.0, "2"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (std::f64::consts::LN_10, "2.302585092994046"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(format_float_g(f), want, "{f}");
        }
    }

    #[test]
    fn json_format_matches_go() {
        for (f, want) in [
            (2.0, "2"),
            (1000000.0, "1000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (0.000001, "0.000001"),
            (-0.5, "-0.5"),
            (23.4, "23.4"),
            (1e-100, "1e-100"),
        ] {
            assert_eq!(format_float_json(f), want, "{f}");
        }
    }

    #[test]
    fn float32_formats() {
        assert_eq!(format_float32_g(0.1), "0.1");
        assert_eq!(format_float32_json(3.4028235e38), "3.4028235e+38");
        assert_eq!(format_float32_g(1234567.0), "1.234567e+06");
    }
}
