//! Stdlib family: time (see language.md §4): clock functions, timestamp
//! parsing, formatting, zones and arithmetic, durations, and the
//! deprecated spellings.

use super::{Category, Impl, MethodImpl, Spec, Status};

mod arith;
mod clock;
mod deprecated;
mod duration;
mod golayout;
mod goparse;
mod layouts;
mod strftime;
mod zone;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[
    clock::SPECS,
    layouts::SPECS,
    arith::SPECS,
    deprecated::SPECS,
];

/// A time-category method spec from its name, status, doc and
/// implementation; like upstream's time plugins it reports errors raw
/// (without the receiver's annotation). Other fields come from
/// [`Spec::METHOD`].
const fn method(name: &'static str, status: Status, doc: &'static str, imp: MethodImpl) -> Spec {
    Spec {
        name,
        category: Category::Time,
        status,
        doc,
        imp: Impl::Method(imp),
        annotate: false,
        ..Spec::METHOD
    }
}

#[cfg(test)]
mod robustness {
    use super::{duration, golayout, strftime, zone};
    use crate::value::Value;

    /// A small deterministic generator of awkward strings.
    fn strings() -> Vec<String> {
        let atoms = [
            "2006", "01", "02", "15", "04", "05", "Jan", "January", "Mon", "Monday", "MST",
            "Z07:00", "-0700", "-07", "Z070000", ".000", ".999", ",999", "_2", "__2", "002", "PM",
            "pm", "%Y", "%m", "%d", "%H", "%M", "%S", "%f", "%z", "%Z", "%j", "%c", "%", "%-", "P",
            "T", "1Y", "2.5M", "W", "-", "+", ":", " ", "é", "µs", "9", "99999", "0", "1h", ".",
            "x", "UTC", "GMT+3", "\u{0}", "99:99", "+99:99", "366", "60",
        ];
        let mut out = Vec::new();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..4000 {
            let mut s = String::new();
            crate::stdlib::util::xorshift(&mut seed);
            let n = (seed % 7) as usize;
            let mut k = seed;
            for _ in 0..n {
                s.push_str(atoms[(k % atoms.len() as u64) as usize]);
                k /= atoms.len() as u64;
                k = k.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            out.push(s);
        }
        out
    }

    #[test]
    fn no_panics() {
        let all = strings();
        let base = zone::to_timestamp(&Value::str("2020-02-29T23:59:59.999999999+05:30")).unwrap();
        for (i, a) in all.iter().enumerate() {
            let b = &all[(i * 7 + 3) % all.len()];
            let _ = golayout::parse(a, b.as_bytes());
            let _ = golayout::parse(a, a.as_bytes());
            let _ = golayout::format(&base, a);
            let _ = strftime::parse(b, a);
            let _ = strftime::format(&base, a);
            let _ = duration::parse_go(a);
            if let Ok(p) = duration::parse_iso(a) {
                let _ = p.nanos();
                if let Some((y, m, d, clock)) = p.calendar_step() {
                    let _ = zone::add_date(&base, y, m, d);
                    let _ = zone::add_nanos(&base, clock);
                }
            }
        }
        for v in [f64::NAN, f64::INFINITY, -1e300, 1e18, -0.5] {
            let _ = zone::to_timestamp(&Value::Float(v));
        }
        let _ = zone::to_timestamp(&Value::Int(i64::MIN));
        let _ = zone::add_date(&base, i64::MAX, i64::MIN, i64::MAX);
    }
}
