//! The format-string walk of Go's `fmt.Sprintf`: flags, explicit argument
//! indexes, `*` widths and precisions, and the `%!` error forms.

use super::verbs::{Flags, Printer, type_name};
use crate::value::Value;

/// Go's limit on widths and precisions.
const TOO_LARGE: usize = 1_000_000;

/// Reads a decimal number in `s[start..end]`; `None` when there is none or
/// it is unreasonably large. Returns the number and the index after it.
fn parse_num(s: &[u8], start: usize, end: usize) -> (Option<usize>, usize) {
    if start >= end {
        return (None, end);
    }
    let mut num = 0usize;
    let mut found = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if num > TOO_LARGE {
            return (None, end);
        }
        num = num * 10 + usize::from(s[i] - b'0');
        found = true;
        i += 1;
    }
    (found.then_some(num), i)
}

struct State<'a> {
    args: &'a [Value],
    arg_num: usize,
    reordered: bool,
    good_arg_num: bool,
}

impl State<'_> {
    /// An explicit `[n]` argument index at `i`, if any: returns the new
    /// index position and whether one was found.
    fn arg_number(&mut self, s: &[u8], i: usize) -> (usize, bool) {
        if i >= s.len() || s[i] != b'[' {
            return (i, false);
        }
        self.reordered = true;
        let rest = &s[i..];
        if rest.len() < 3 {
            self.good_arg_num = false;
            return (i + 1, false);
        }
        let Some(close) = rest.iter().position(|&c| c == b']') else {
            self.good_arg_num = false;
            return (i + 1, false);
        };
        let (n, after) = parse_num(rest, 1, close);
        match n {
            Some(n) if after == close => {
                if n >= 1 && n - 1 < self.args.len() {
                    self.arg_num = n - 1;
                    (i + close + 1, true)
                } else {
                    self.good_arg_num = false;
                    (i + close + 1, true)
                }
            }
            _ => {
                self.good_arg_num = false;
                (i + close + 1, false)
            }
        }
    }

    /// A `*` width or precision taken from the next argument.
    fn int_from_arg(&mut self) -> Option<i64> {
        let v = self.args.get(self.arg_num)?;
        self.arg_num += 1;
        let n = match v {
            Value::Int(i) => Some(*i),
            Value::UInt(u) => i64::try_from(*u).ok(),
            Value::Narrow(n) if !matches!(n, crate::value::Narrow::F32(_)) => {
                Some(n.num().to_i64_lossy())
            }
            _ => None,
        }?;
        (n.unsigned_abs() <= TOO_LARGE as u64).then_some(n)
    }
}

/// Go's `fmt.Sprintf(format, args...)`.
pub(super) fn sprintf(format: &str, args: &[Value]) -> String {
    let s = format.as_bytes();
    let end = s.len();
    let mut p = Printer::default();
    let mut st = State {
        args,
        arg_num: 0,
        reordered: false,
        good_arg_num: true,
    };
    let mut i = 0;
    while i < end {
        st.good_arg_num = true;
        let last = i;
        while i < end && s[i] != b'%' {
            i += 1;
        }
        if i > last {
            p.out.push_str(&format[last..i]);
        }
        if i >= end {
            break;
        }
        i += 1;
        p.f = Flags::default();
        while i < end {
            match s[i] {
                b'#' => p.f.sharp = true,
                b'0' => p.f.zero = !p.f.minus,
                b'+' => p.f.plus = true,
                b'-' => {
                    p.f.minus = true;
                    p.f.zero = false;
                }
                b' ' => p.f.space = true,
                _ => break,
            }
            i += 1;
        }
        let (ni, mut after_index) = st.arg_number(s, i);
        i = ni;
        if i < end && s[i] == b'*' {
            i += 1;
            match st.int_from_arg() {
                Some(w) => {
                    if w < 0 {
                        p.f.minus = true;
                        p.f.zero = false;
                    }
                    p.f.wid = Some(w.unsigned_abs() as usize);
                }
                None => p.out.push_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            let (w, ni) = parse_num(s, i, end);
            p.f.wid = w;
            i = ni;
            if after_index && w.is_some() {
                st.good_arg_num = false;
            }
        }
        if i + 1 < end && s[i] == b'.' {
            i += 1;
            if after_index {
                st.good_arg_num = false;
            }
            let (ni, found) = st.arg_number(s, i);
            i = ni;
            after_index = found;
            if i < end && s[i] == b'*' {
                i += 1;
                match st.int_from_arg() {
                    Some(n) if n >= 0 => p.f.prec = Some(n as usize),
                    Some(_) => p.f.prec = None,
                    None => p.out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                let (n, ni) = parse_num(s, i, end);
                i = ni;
                p.f.prec = Some(n.unwrap_or(0));
            }
        }
        if !after_index {
            let (ni, found) = st.arg_number(s, i);
            i = ni;
            after_index = found;
        }
        let _ = after_index;
        if i >= end {
            p.out.push_str("%!(NOVERB)");
            break;
        }
        let Some(verb) = format[i..].chars().next() else {
            break;
        };
        i += verb.len_utf8();
        match verb {
            '%' => p.out.push('%'),
            _ if !st.good_arg_num => {
                p.out.push_str("%!");
                p.out.push(verb);
                p.out.push_str("(BADINDEX)");
            }
            _ if st.arg_num >= args.len() => {
                p.out.push_str("%!");
                p.out.push(verb);
                p.out.push_str("(MISSING)");
            }
            _ => {
                if verb == 'v' {
                    p.f.sharp_v = p.f.sharp;
                    p.f.sharp = false;
                    p.f.plus_v = p.f.plus;
                    p.f.plus = false;
                }
                p.print_arg(&args[st.arg_num], verb);
                st.arg_num += 1;
            }
        }
    }
    if !st.reordered && st.arg_num < args.len() {
        p.f = Flags::default();
        p.out.push_str("%!(EXTRA ");
        for (n, arg) in args[st.arg_num..].iter().enumerate() {
            if n > 0 {
                p.out.push_str(", ");
            }
            if matches!(arg, Value::Null | Value::Delete | Value::Nothing) {
                p.out.push_str("<nil>");
            } else {
                p.out.push_str(type_name(arg));
                p.out.push('=');
                p.print_arg(arg, 'v');
            }
        }
        p.out.push(')');
    }
    p.out
}
