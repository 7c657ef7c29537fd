//! Formatting one argument for one verb, as Go's `fmt` does for the Go
//! types Bloblang values map to (`int64`, `float64`, `string`, `[]byte`,
//! `[]interface {}`, `map[string]interface {}`, `json.Number`, `time.Time`).

use super::super::goquote;
use super::float::format_float;
use crate::value::{Narrow, Value};

/// The flags, width and precision of one verb.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Flags {
    pub plus: bool,
    pub minus: bool,
    pub sharp: bool,
    pub space: bool,
    pub zero: bool,
    pub plus_v: bool,
    pub sharp_v: bool,
    pub wid: Option<usize>,
    pub prec: Option<usize>,
}

/// The output buffer and the current verb's flags.
#[derive(Default)]
pub(super) struct Printer {
    pub out: String,
    pub f: Flags,
}

/// Go's type name of a value, as `%T` and error annotations show it.
pub(super) fn type_name(v: &Value) -> &'static str {
    if v.is_nullish() {
        "<nil>"
    } else {
        v.go_type_name()
    }
}

/// The first `prec` characters of `s`; all of it without a precision.
fn first_chars(s: &str, prec: Option<usize>) -> &str {
    match prec {
        Some(p) => &s[..s.char_indices().nth(p).map_or(s.len(), |(i, _)| i)],
        None => s,
    }
}

/// Go's `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
fn time_string(t: &crate::value::Timestamp) -> String {
    let base = t.instant.format("%Y-%m-%d %H:%M:%S").to_string();
    let nanos = t.instant.timestamp_subsec_nanos();
    let mut frac = String::new();
    if nanos > 0 {
        frac = format!(".{nanos:09}");
        while frac.ends_with('0') {
            frac.pop();
        }
    }
    let offset = t.instant.format("%z").to_string();
    let zone = match t.zone {
        Some(tz) => t.instant.with_timezone(&tz).format("%Z").to_string(),
        None if t.instant.offset().local_minus_utc() == 0 => "UTC".to_string(),
        None => offset.clone(),
    };
    format!("{base}{frac} {offset} {zone}")
}

fn is_nil(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Delete | Value::Nothing)
}

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero && !self.f.minus {
            '0'
        } else {
            ' '
        };
        self.out.extend(std::iter::repeat_n(c, n));
    }

    /// Writes `s` padded to the width (counted in characters).
    pub(super) fn pad(&mut self, s: &str) {
        let w = match self.f.wid {
            Some(w) if w > 0 => w,
            _ => {
                self.out.push_str(s);
                return;
            }
        };
        let n = w.saturating_sub(s.chars().count());
        if self.f.minus {
            self.out.push_str(s);
            self.write_padding(n);
        } else {
            self.write_padding(n);
            self.out.push_str(s);
        }
    }

    fn pad_no_zero(&mut self, s: &str) {
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(s);
        self.f.zero = zero;
    }

    /// `%!verb(type=value)`.
    fn bad_verb(&mut self, v: &Value, verb: char) {
        self.out.push_str("%!");
        self.out.push(verb);
        self.out.push('(');
        if is_nil(v) {
            self.out.push_str("<nil>");
        } else {
            self.out.push_str(type_name(v));
            self.out.push('=');
            self.print_value(v, 'v', 0);
        }
        self.out.push(')');
    }

    /// Formats a top-level argument.
    pub(super) fn print_arg(&mut self, v: &Value, verb: char) {
        if is_nil(v) {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(v, verb),
            }
            return;
        }
        match verb {
            'T' => {
                let t = type_name(v);
                self.fmt_s(t);
            }
            'p' => self.bad_verb(v, verb),
            _ => self.print_value(v, verb, 0),
        }
    }

    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        match v {
            Value::Null | Value::Delete | Value::Nothing => {
                if depth == 0 {
                    self.print_arg(v, verb);
                } else if self.f.sharp_v {
                    self.out.push_str("interface {}(nil)");
                } else {
                    self.pad("<nil>");
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(v, verb),
            },
            Value::Int(i) => self.fmt_int(v, *i as u64, true, verb),
            Value::UInt(u) => self.fmt_int(v, *u, false, verb),
            Value::Float(x) => self.fmt_float(v, *x, false, verb),
            Value::Narrow(n) => match *n {
                Narrow::F32(x) => self.fmt_float(v, f64::from(x), true, verb),
                Narrow::U32(_) | Narrow::U16(_) | Narrow::U8(_) => {
                    self.fmt_int(v, n.num().to_i64_lossy() as u64, false, verb);
                }
                _ => self.fmt_int(v, n.num().to_i64_lossy() as u64, true, verb),
            },
            // json.Number: a Stringer whose underlying type is string, so
            // every verb formats its text (or fails naming json.Number).
            Value::Number(r) => self.fmt_string(v, r.text.as_bytes(), verb),
            Value::Str(s) => self.fmt_string(v, s.as_bytes(), verb),
            Value::Bytes(b) => self.fmt_bytes(v, b.as_bytes(), verb, depth),
            Value::Timestamp(t) => {
                if matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') && !self.f.sharp_v {
                    let s = time_string(t);
                    self.fmt_string(v, s.as_bytes(), verb);
                } else {
                    self.bad_verb(v, verb);
                }
            }
            Value::Array(items) => {
                let (open, sep, close) = if self.f.sharp_v {
                    ("[]interface {}{", ", ", '}')
                } else {
                    ("[", " ", ']')
                };
                self.out.push_str(open);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(sep);
                    }
                    self.print_value(item, verb, depth + 1);
                }
                self.out.push(close);
            }
            Value::Object(map) => {
                let sharp_v = self.f.sharp_v;
                self.out.push_str(if sharp_v {
                    "map[string]interface {}{"
                } else {
                    "map["
                });
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(if sharp_v { ", " } else { " " });
                    }
                    self.print_value(&Value::Str(k.clone()), verb, depth + 1);
                    self.out.push(':');
                    self.print_value(item, verb, depth + 1);
                }
                self.out.push(if sharp_v { '}' } else { ']' });
            }
        }
    }

    fn fmt_s(&mut self, s: &str) {
        self.pad(first_chars(s, self.f.prec));
    }

    fn fmt_q(&mut self, b: &[u8]) {
        let text = String::from_utf8_lossy(b);
        let truncated = first_chars(&text, self.f.prec);
        if self.f.sharp && goquote::can_backquote(truncated) {
            self.pad(&format!("`{truncated}`"));
            return;
        }
        let quoted = if self.f.prec.is_some() {
            goquote::quote_bytes(truncated.as_bytes(), self.f.plus)
        } else {
            goquote::quote_bytes(b, self.f.plus)
        };
        self.pad(&quoted);
    }

    /// `%x` / `%X` of a string or byte string.
    fn fmt_sbx(&mut self, b: &[u8], upper: bool) {
        let digits: &[u8] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let len = self.f.prec.map_or(b.len(), |p| p.min(b.len()));
        let f = self.f;
        if len == 0 {
            if let Some(w) = f.wid {
                self.write_padding(w);
            }
            return;
        }
        let mut width = 2 * len;
        if f.space {
            if f.sharp {
                width *= 2;
            }
            width += len - 1;
        } else if f.sharp {
            width += 2;
        }
        let pad = f.wid.map_or(0, |w| w.saturating_sub(width));
        if !f.minus {
            self.write_padding(pad);
        }
        let x = if upper { 'X' } else { 'x' };
        if f.sharp {
            self.out.push('0');
            self.out.push(x);
        }
        for (i, c) in b[..len].iter().enumerate() {
            if f.space && i > 0 {
                self.out.push(' ');
                if f.sharp {
                    self.out.push('0');
                    self.out.push(x);
                }
            }
            self.out.push(digits[usize::from(c >> 4)] as char);
            self.out.push(digits[usize::from(c & 15)] as char);
        }
        if f.minus {
            self.write_padding(pad);
        }
    }

    fn fmt_string(&mut self, v: &Value, b: &[u8], verb: char) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(b),
            'v' | 's' => self.fmt_s(&String::from_utf8_lossy(b)),
            'x' => self.fmt_sbx(b, false),
            'X' => self.fmt_sbx(b, true),
            'q' => self.fmt_q(b),
            _ => self.bad_verb(v, verb),
        }
    }

    fn fmt_bytes(&mut self, v: &Value, b: &[u8], verb: char, depth: usize) {
        match verb {
            'v' | 'd' if self.f.sharp_v => {
                self.out.push_str("[]byte{");
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.fmt_0x64(u64::from(*c));
                }
                self.out.push('}');
            }
            's' => self.fmt_s(&String::from_utf8_lossy(b)),
            'x' => self.fmt_sbx(b, false),
            'X' => self.fmt_sbx(b, true),
            'q' => self.fmt_q(b),
            _ => {
                let _ = (v, depth);
                self.out.push('[');
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    let byte = Value::Narrow(Narrow::U8(*c));
                    let verb = if verb == 'v' { 'd' } else { verb };
                    self.fmt_int(&byte, u64::from(*c), false, verb);
                }
                self.out.push(']');
            }
        }
    }

    fn fmt_0x64(&mut self, u: u64) {
        let sharp = std::mem::replace(&mut self.f.sharp, true);
        self.fmt_integer(u, 16, false, 'v', false);
        self.f.sharp = sharp;
    }

    fn fmt_int(&mut self, v: &Value, u: u64, signed: bool, verb: char) {
        match verb {
            'v' if self.f.sharp_v && !signed => self.fmt_0x64(u),
            'v' | 'd' => self.fmt_integer(u, 10, signed, verb, false),
            'b' => self.fmt_integer(u, 2, signed, verb, false),
            'o' | 'O' => self.fmt_integer(u, 8, signed, verb, false),
            'x' => self.fmt_integer(u, 16, signed, verb, false),
            'X' => self.fmt_integer(u, 16, signed, verb, true),
            'c' => {
                let c = u32::try_from(u)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                self.pad(c.encode_utf8(&mut [0u8; 4]));
            }
            'q' => {
                let c = u32::try_from(u)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                let s = if self.f.sharp && goquote::is_print(c) {
                    format!("'{c}'")
                } else {
                    goquote::quote_rune(c, self.f.plus)
                };
                self.pad(&s);
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(v, verb),
        }
    }

    fn fmt_unicode(&mut self, u: u64) {
        let prec = self.f.prec.filter(|p| *p > 4).unwrap_or(4);
        let mut s = format!("U+{u:0prec$X}");
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && goquote::is_print(c)
        {
            s.push_str(&format!(" '{c}'"));
        }
        self.pad_no_zero(&s);
    }

    /// Go's `fmt.fmtInteger`.
    fn fmt_integer(&mut self, u: u64, base: u32, signed: bool, verb: char, upper: bool) {
        let f = self.f;
        let negative = signed && (u as i64) < 0;
        let u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut prec = 0usize;
        if let Some(p) = f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let zero = std::mem::replace(&mut self.f.zero, false);
                self.write_padding(f.wid.unwrap_or(0));
                self.f.zero = zero;
                return;
            }
        } else if f.zero && !f.minus && f.wid.is_some() {
            prec = f.wid.unwrap_or(0);
            if negative || f.plus || f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        if digits.len() < prec {
            digits = format!("{}{digits}", "0".repeat(prec - digits.len()));
        }
        let mut prefix = String::new();
        if negative {
            prefix.push('-');
        } else if f.plus {
            prefix.push('+');
        } else if f.space {
            prefix.push(' ');
        }
        if verb == 'O' {
            prefix.push_str("0o");
        }
        if f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 => prefix.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        prefix.push_str(&digits);
        self.pad_no_zero(&prefix);
    }

    fn fmt_float(&mut self, v: &Value, x: f64, bits32: bool, verb: char) {
        match verb {
            'v' => self.fmt_float_prec(x, bits32, 'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_prec(x, bits32, verb, -1),
            'f' | 'e' | 'E' | 'F' => self.fmt_float_prec(x, bits32, verb, 6),
            _ => self.bad_verb(v, verb),
        }
    }

    /// Go's `fmt.fmtFloat`: signs, infinities, `#` and zero padding.
    fn fmt_float_prec(&mut self, x: f64, bits32: bool, verb: char, prec: i32) {
        let f = self.f;
        let prec = f.prec.map_or(prec, |p| p.min(i32::MAX as usize) as i32);
        let fmt = if verb == 'F' { 'f' } else { verb };
        let text = format_float(x, fmt, prec, bits32);
        let mut num = if text.starts_with('-') || text.starts_with('+') {
            text
        } else {
            format!("+{text}")
        };
        if f.space && num.starts_with('+') && !f.plus {
            num.replace_range(0..1, " ");
        }
        let body = &num[1..];
        if body.starts_with("Inf") || body.starts_with("NaN") {
            if body.starts_with("NaN") && !f.space && !f.plus {
                num.remove(0);
            }
            self.pad_no_zero(&num);
            return;
        }
        if f.sharp && verb != 'b' {
            num = sharp_float(&num, verb, prec);
        }
        if f.plus || !num.starts_with('+') {
            if f.zero && !f.minus && f.wid.is_some_and(|w| w > num.chars().count()) {
                let w = f.wid.unwrap_or(0);
                let (sign, rest) = num.split_at(1);
                self.out.push_str(sign);
                self.write_padding(w - num.chars().count());
                self.out.push_str(rest);
                return;
            }
            self.pad(&num);
            return;
        }
        let rest = num[1..].to_string();
        self.pad(&rest);
    }
}

/// The `#` flag on floats: always a decimal point, and `%g` keeps its
/// trailing zeros.
fn sharp_float(num: &str, verb: char, prec: i32) -> String {
    let mut digits: i32 = match verb {
        'v' | 'g' | 'G' | 'x' => {
            if prec == -1 {
                6
            } else {
                prec
            }
        }
        _ => 0,
    };
    let bytes = num.as_bytes();
    let mut body_end = bytes.len();
    let mut tail = "";
    let mut has_point = false;
    let mut saw_nonzero = false;
    for (i, &c) in bytes.iter().enumerate().skip(1) {
        match c {
            b'.' => has_point = true,
            b'p' | b'P' => {
                tail = &num[i..];
                body_end = i;
                break;
            }
            b'e' | b'E' if verb != 'x' && verb != 'X' => {
                tail = &num[i..];
                body_end = i;
                break;
            }
            _ => {
                if c != b'0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
    }
    let mut out = num[..body_end].to_string();
    if !has_point {
        if out.len() == 2 && out.ends_with('0') {
            digits -= 1;
        }
        out.push('.');
    }
    while digits > 0 {
        out.push('0');
        digits -= 1;
    }
    out.push_str(tail);
    out
}
