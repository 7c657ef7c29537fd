//! Numbers in JSON input: the scan that checks their syntax, the value
//! each becomes (int64 when it fits, float64, or the original text kept
//! when printing the value back would change it), and Go's error texts.

use super::super::number::parse_short_decimal;
use super::super::{Arc, Num, RawNumber, Value};
use super::{Fail, NumberMode, Reader, ascii_str, quote_char};

impl Reader<'_> {
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.src.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Reads a number starting at its first character.
    pub(super) fn number(&mut self) -> Result<Value, Fail> {
        let start = self.pos;
        let negative = self.src[self.pos] == b'-';
        if negative {
            self.pos += 1;
        }
        let whole_start = self.pos;
        match self.src.get(self.pos) {
            None => return Err(self.eof()),
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(&c) => {
                return Err(self.err(format!(
                    "invalid character {} in numeric literal",
                    quote_char(c)
                )));
            }
        }
        let whole_end = self.pos;
        let mut is_float = false;
        if self.src.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            is_float = true;
            if self.digits() == 0 {
                return Err(self.bad_number_char());
            }
            if !matches!(self.src.get(self.pos), Some(b'e' | b'E')) {
                let text = ascii_str(&self.src[start..self.pos]);
                let whole = &self.src[whole_start..whole_end];
                let fraction = &self.src[whole_end + 1..self.pos];
                if let Some(f) = parse_short_decimal(whole, fraction) {
                    return Ok(self.short_float(text, if negative { -f } else { f }));
                }
            }
        }
        if let Some(b'e' | b'E') = self.src.get(self.pos) {
            self.pos += 1;
            is_float = true;
            if let Some(b'+' | b'-') = self.src.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.bad_number_char());
            }
        }
        // The scan above accepted only ASCII signs, digits, `.` and `e`.
        let text = ascii_str(&self.src[start..self.pos]);
        if !is_float && text.len() <= 18 && self.mode == NumberMode::Preserve && text != "-0" {
            // Fits in an int64 whatever the digits: fold them directly.
            let (negative, digits) = match text.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, text),
            };
            let v = digits
                .bytes()
                .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
            return Ok(Value::Int(if negative { -v } else { v }));
        }
        Ok(number_value(text, is_float, self.mode))
    }

    /// The value of a plain decimal `text` of at most 15 digits, already
    /// converted to `f`. Such text is canonical (see
    /// [`float_text_is_canonical`]) unless it ends in a zero or lies
    /// outside the range where both notations agree.
    fn short_float(&self, text: &str, f: f64) -> Value {
        let canonical = (1e-4..1e6).contains(&f.abs()) && !text.ends_with('0');
        debug_assert_eq!(canonical, float_text_is_canonical(text, f));
        if self.mode == NumberMode::Float64 || canonical {
            Value::Float(f)
        } else {
            raw(text, Num::Float(f))
        }
    }

    fn bad_number_char(&self) -> Fail {
        match self.src.get(self.pos) {
            None => self.eof(),
            Some(&c) => self.err(format!(
                "invalid character {} in numeric literal",
                quote_char(c)
            )),
        }
    }
}

/// Builds the value of a syntactically valid JSON number.
fn number_value(text: &str, is_float: bool, mode: NumberMode) -> Value {
    if mode == NumberMode::Float64 {
        return Value::Float(text.parse().unwrap_or(0.0));
    }
    if !is_float {
        if let Ok(i) = text.parse::<i64>() {
            if text != "-0" {
                return Value::Int(i);
            }
            return raw(text, Num::Int(i));
        }
        return raw(text, Num::Float(text.parse().unwrap_or(0.0)));
    }
    let f: f64 = text.parse().unwrap_or(0.0);
    if float_text_is_canonical(text, f) {
        Value::Float(f)
    } else {
        raw(text, Num::Float(f))
    }
}

fn raw(text: &str, value: Num) -> Value {
    Value::Number(Arc::new(RawNumber {
        text: text.into(),
        value,
    }))
}

/// True when `text` is exactly how Go would print `f` both as JSON and with
/// `%v`: plain notation, no trailing fraction zeros, few enough significant
/// digits to be the shortest round-trip form, and a magnitude where both
/// notations agree.
fn float_text_is_canonical(text: &str, f: f64) -> bool {
    let abs = f.abs();
    if !(1e-4..1e6).contains(&abs) || text.contains(['e', 'E']) || text.ends_with('0') {
        return false;
    }
    let significant = text
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .count();
    significant <= 15
}

#[cfg(test)]
mod tests {
    use super::super::parse_json;
    use super::*;

    #[test]
    fn number_text_is_kept_when_needed() {
        for (text, raw) in [
            ("1.0", true),
            ("1e3", true),
            ("12.5", false),
            ("5", false),
            ("-0", true),
            ("18446744073709551616", true),
            ("1000000.5", true),
            ("0.1", false),
        ] {
            let v = parse_json(text.as_bytes()).unwrap();
            assert_eq!(matches!(v, Value::Number(_)), raw, "{text}");
        }
    }
}
