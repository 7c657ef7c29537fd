//! Go `strconv.FormatFloat`: the `e E f F g G b x X` formats with an
//! explicit precision or the shortest round-trip digits (`prec < 0`).

/// Decimal digits of a finite, non-negative float: `digits` without
/// trailing zeros and the position of the decimal point (`0.ddd × 10^dp`).
struct Digits {
    digits: Vec<u8>,
    dp: i32,
}

/// Parses Rust's `{:e}` output (`d.ddde±x`) into digits.
fn parse_sci(s: &str) -> Digits {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits == b"0" {
        return Digits {
            digits: Vec::new(),
            dp: 0,
        };
    }
    Digits {
        digits,
        dp: exp + 1,
    }
}

/// The shortest digits that read back as the same float (of 32 or 64 bits).
fn shortest(v: f64, bits32: bool) -> Digits {
    if bits32 {
        parse_sci(&format!("{:e}", v as f32))
    } else {
        parse_sci(&format!("{v:e}"))
    }
}

/// `n` significant digits, correctly rounded.
fn significant(v: f64, n: usize) -> Digits {
    let n = n.max(1);
    parse_sci(&format!("{:.*e}", n - 1, v))
}

fn digit(d: &Digits, i: i32) -> u8 {
    if i >= 0 && (i as usize) < d.digits.len() {
        d.digits[i as usize]
    } else {
        b'0'
    }
}

/// `d.ddde±xx` with `prec` digits after the point.
fn fmt_e(out: &mut String, d: &Digits, prec: usize, upper: bool) {
    out.push(digit(d, 0) as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digit(d, i as i32) as char);
        }
    }
    out.push(if upper { 'E' } else { 'e' });
    let exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

/// `ddd.ddd` with `prec` digits after the point.
fn fmt_f(out: &mut String, d: &Digits, prec: usize) {
    if d.dp > 0 {
        for i in 0..d.dp {
            out.push(digit(d, i) as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i32 {
            out.push(digit(d, d.dp + i - 1) as char);
        }
    }
}

/// `strconv.FormatFloat(v, fmt, prec, 32 or 64)`.
pub(super) fn format_float(v: f64, fmt: char, prec: i32, bits32: bool) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let mut out = String::new();
    let neg = v.is_sign_negative();
    match fmt {
        'b' => return fmt_b(v, bits32),
        'x' | 'X' => return fmt_x(v, prec, fmt == 'X', bits32),
        _ => {}
    }
    if neg {
        out.push('-');
    }
    let a = v.abs();
    let short = prec < 0;
    match fmt {
        'e' | 'E' => {
            let d = if short {
                shortest(a, bits32)
            } else {
                significant(a, prec as usize + 1)
            };
            let p = if short {
                d.digits.len().saturating_sub(1)
            } else {
                prec as usize
            };
            fmt_e(&mut out, &d, p, fmt == 'E');
        }
        'f' | 'F' => {
            if short {
                let d = shortest(a, bits32);
                let p = (d.digits.len() as i32 - d.dp).max(0) as usize;
                fmt_f(&mut out, &d, p);
            } else if bits32 {
                out.push_str(&format!("{:.*}", prec as usize, a as f32));
            } else {
                out.push_str(&format!("{:.*}", prec as usize, a));
            }
        }
        _ => {
            // 'g' / 'G'
            let upper = fmt == 'G';
            let mut p = if prec == 0 { 1 } else { prec };
            let d = if short {
                shortest(a, bits32)
            } else {
                significant(a, p as usize)
            };
            let nd = d.digits.len() as i32;
            if short {
                p = nd;
            }
            let mut eprec = p;
            if eprec > nd && nd >= d.dp {
                eprec = nd;
            }
            if short {
                eprec = 6;
            }
            let exp = d.dp - 1;
            if nd > 0 && (exp < -4 || exp >= eprec) {
                if p > nd {
                    p = nd;
                }
                fmt_e(&mut out, &d, (p - 1).max(0) as usize, upper);
            } else {
                if p > d.dp {
                    p = nd;
                }
                fmt_f(&mut out, &d, (p - d.dp).max(0) as usize);
            }
        }
    }
    out
}

fn float_bits(v: f64, bits32: bool) -> (u64, i32, u32) {
    let (mant_bits, exp_bits, bias, bits) = if bits32 {
        (23u32, 8u32, -127i32, u64::from((v as f32).to_bits()))
    } else {
        (52, 11, -1023, v.to_bits())
    };
    let mut exp = ((bits >> mant_bits) & ((1 << exp_bits) - 1)) as i32;
    let mut mant = bits & ((1u64 << mant_bits) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << mant_bits;
    }
    (mant, exp + bias, mant_bits)
}

/// `-ddddp±ddd`: the binary mantissa and exponent.
fn fmt_b(v: f64, bits32: bool) -> String {
    let (mant, exp, mant_bits) = float_bits(v, bits32);
    let exp = exp - mant_bits as i32;
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let esign = if exp >= 0 { "+" } else { "" };
    format!("{sign}{mant}p{esign}{exp}")
}

/// `-0x1.hhhhp±dd`: hexadecimal mantissa, binary exponent.
fn fmt_x(v: f64, prec: i32, upper: bool, bits32: bool) -> String {
    let (mut mant, mut exp, mant_bits) = float_bits(v, bits32);
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - mant_bits;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    out.push('0');
    out.push(if upper { 'X' } else { 'x' });
    out.push((b'0' + ((mant >> 60) & 1) as u8) as char);
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::format_float as ff;

    #[test]
    fn matches_strconv() {
        assert_eq!(ff(1e6, 'g', -1, false), "1e+06");
        assert_eq!(ff(123456.0, 'g', -1, false), "123456");
        assert_eq!(ff(0.0001, 'g', -1, false), "0.0001");
        assert_eq!(ff(0.00001, 'g', -1, false), "1e-05");
        assert_eq!(ff(1.23456, 'g', 3, false), "1.23");
        assert_eq!(ff(100.0, 'g', 2, false), "1e+02");
        assert_eq!(ff(1.0, 'g', 5, false), "1");
        assert_eq!(ff(0.0, 'g', -1, false), "0");
        assert_eq!(ff(0.0, 'e', 2, false), "0.00e+00");
        assert_eq!(ff(-1234.5678, 'e', 3, false), "-1.235e+03");
        assert_eq!(ff(1.5, 'f', 0, false), "2");
        assert_eq!(ff(2.5, 'f', 0, false), "2");
        assert_eq!(ff(-0.0, 'f', 2, false), "-0.00");
        assert_eq!(ff(1e21, 'f', -1, false), "1000000000000000000000");
        assert_eq!(ff(1.0, 'x', -1, false), "0x1p+00");
        assert_eq!(ff(3.0, 'x', -1, false), "0x1.8p+01");
        assert_eq!(ff(1.0, 'b', -1, false), "4503599627370496p-52");
        assert_eq!(ff(1.0, 'x', 3, false), "0x1.000p+00");
        assert_eq!(ff(0.1, 'g', -1, true), "0.1");
        assert_eq!(ff(f64::NAN, 'g', -1, false), "NaN");
    }
}
