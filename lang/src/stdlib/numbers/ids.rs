//! Random values and identifiers: `uuid_v4`, `uuid_v7`, `nanoid`, `ksuid`
//! and `random_int`.

use super::casts::to_i64;
use super::timeconv::to_timestamp;
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Impl, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;
use std::time::{SystemTime, UNIX_EPOCH};

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "uuid_v4",
        category: Category::Environment,
        doc: "A new random (version 4) UUID string on every call.",
        examples: &[Example {
            mapping: "root.t = uuid_v4().type()",
            cases: &[("{}", crate::stdlib::Expect::Out(r#"{"t":"string"}"#))],
        }],
        imp: Impl::Function(uuid_v4),
        ..Spec::FUNCTION
    },
    Spec {
        name: "uuid_v7",
        params: &[Param::opt("time", Kind::Timestamp)
            .doc("The time embedded in the UUID; now when omitted.")],
        category: Category::Environment,
        doc: "A new time-ordered (version 7) UUID string, for now or a given time.",
        examples: &[Example {
            mapping: "root.a = uuid_v7().type()\nroot.b = uuid_v7(\"2020-01-01T00:00:00Z\").type()",
            cases: &[(
                "{}",
                crate::stdlib::Expect::Out(r#"{"a":"string","b":"string"}"#),
            )],
        }],
        imp: Impl::Function(uuid_v7),
        ..Spec::FUNCTION
    },
    Spec {
        name: "nanoid",
        params: &[
            Param::opt("length", Kind::Int).doc("Number of characters; 21 when omitted."),
            Param::opt("alphabet", Kind::Str).doc("Characters to draw from; requires `length`."),
        ],
        category: Category::Environment,
        doc: "A new random Nano ID: URL-safe characters, 21 by default.",
        examples: &[Example {
            mapping: "root.a = nanoid().type()\nroot.b = nanoid(3, \"a\")",
            cases: &[(
                "{}",
                crate::stdlib::Expect::Out(r#"{"a":"string","b":"aaa"}"#),
            )],
        }],
        imp: Impl::Function(nanoid),
        ..Spec::FUNCTION
    },
    Spec {
        name: "ksuid",
        category: Category::Environment,
        doc: "A new K-sortable unique id: 27 base62 characters led by the time.",
        examples: &[Example {
            mapping: "root.t = ksuid().type()",
            cases: &[("{}", crate::stdlib::Expect::Out(r#"{"t":"string"}"#))],
        }],
        imp: Impl::Function(ksuid),
        ..Spec::FUNCTION
    },
    Spec {
        name: "random_int",
        params: &[
            Param::with("seed", Kind::Lazy, Default::Int(0))
                .doc("Seeds the generator; evaluated once, on the first call."),
            Param::with("min", Kind::Int, Default::Int(0))
                .doc("Smallest value (inclusive); must be a literal."),
            Param::with("max", Kind::Int, Default::Int(i64::MAX - 1))
                .doc("Largest value (inclusive); must be a literal."),
        ],
        category: Category::Environment,
        doc: "A pseudo-random integer in [min, max] from a generator kept per call site.",
        examples: &[Example {
            mapping: "root.a = random_int(max: 0)\nroot.b = random_int(5, 7, 7)\nroot.c = random_int(this.seed, 1, 3) <= 3",
            cases: &[(
                r#"{"seed":42}"#,
                crate::stdlib::Expect::Out(r#"{"a":0,"b":7,"c":true}"#),
            )],
        }],
        imp: Impl::Function(random_int),
        compile: Some(random_int_check),
        ..Spec::FUNCTION
    },
];

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| Error::msg(format!("failed to read random bytes: {e}")))
}

fn format_uuid(b: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{byte:02x}"));
    }
    s
}

fn uuid_v4(_: &mut Call<'_, '_>) -> Result<Value> {
    let mut b = [0u8; 16];
    random_bytes(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(Value::from(format_uuid(&b)))
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn uuid_v7(call: &mut Call<'_, '_>) -> Result<Value> {
    let ms = if call.given(0) {
        let t = to_timestamp(call.arg(0)).map_err(|e| {
            Error::msg(format!(
                "function 'uuid_v7': failed to extract input arg 'time': {}",
                e.message()
            ))
        })?;
        t.instant.timestamp_millis()
    } else {
        now_millis()
    };
    let mut b = [0u8; 16];
    random_bytes(&mut b)?;
    let ms = (ms as u64) & 0xffff_ffff_ffff;
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(Value::from(format_uuid(&b)))
}

const NANOID_ALPHABET: &str = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Upper bound on generated id lengths, to refuse absurd allocations.
const MAX_ID_LEN: i64 = 1 << 24;

fn nanoid(call: &mut Call<'_, '_>) -> Result<Value> {
    let has_len = call.given(0);
    let custom = call.given(1);
    if custom && !has_len {
        return Err(Error::msg(
            "field length must be specified when an alphabet is specified",
        ));
    }
    let size = if has_len { call.int(0) } else { 21 };
    let alphabet: Vec<char> = if custom {
        call.str(1).chars().collect()
    } else {
        NANOID_ALPHABET.chars().collect()
    };
    if custom {
        if alphabet.is_empty() || alphabet.len() > 255 {
            return Err(Error::msg(format!(
                "alphabet must not empty and contain no more than 255 chars. Current len is {}",
                alphabet.len()
            )));
        }
        if size <= 0 {
            return Err(Error::msg("size must be positive integer"));
        }
    } else if size < 0 {
        return Err(Error::msg("negative id length"));
    }
    if size > MAX_ID_LEN {
        return Err(Error::msg(format!(
            "id length {size} exceeds the limit of {MAX_ID_LEN}"
        )));
    }
    let size = size as usize;
    // Draw masked random bytes and reject those past the alphabet, so every
    // character is equally likely.
    let mask = (alphabet.len().next_power_of_two() - 1) as u8;
    let mut out = String::with_capacity(size);
    let mut count = 0;
    let mut buf = vec![0u8; size.clamp(16, 4096)];
    while count < size {
        random_bytes(&mut buf)?;
        for &byte in &buf {
            let idx = (byte & mask) as usize;
            if let Some(&c) = alphabet.get(idx) {
                out.push(c);
                count += 1;
                if count == size {
                    break;
                }
            }
        }
    }
    Ok(Value::from(out))
}

const KSUID_EPOCH: i64 = 1_400_000_000;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Encodes 20 bytes as 27 base62 digits, zero-padded on the left.
fn base62_27(bytes: &[u8; 20]) -> String {
    let mut words: Vec<u32> = bytes
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut digits = [b'0'; 27];
    let mut pos = 27;
    while words.iter().any(|w| *w != 0) && pos > 0 {
        let mut rem: u64 = 0;
        for w in &mut words {
            let acc = (rem << 32) | u64::from(*w);
            *w = (acc / 62) as u32;
            rem = acc % 62;
        }
        pos -= 1;
        digits[pos] = BASE62[rem as usize];
    }
    String::from_utf8_lossy(&digits).into_owned()
}

fn ksuid(_: &mut Call<'_, '_>) -> Result<Value> {
    let secs = now_millis() / 1000 - KSUID_EPOCH;
    let mut b = [0u8; 20];
    b[..4].copy_from_slice(&(secs as u32).to_be_bytes());
    random_bytes(&mut b[4..])?;
    Ok(Value::from(base62_27(&b)))
}

/// A small seeded generator (SplitMix64).
#[derive(Default)]
struct Rng {
    state: Option<u64>,
}

impl Rng {
    fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, n) for n > 0.
    fn below(state: &mut u64, n: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = Self::next(state);
            if x < zone {
                return x % n;
            }
        }
    }
}

fn random_int_bounds(min: i64, max: i64) -> std::result::Result<(), String> {
    if min < 0 {
        return Err(format!("min ({min}) must be a positive number"));
    }
    if max < min {
        return Err(format!(
            "min ({min}) must be smaller or equal than max ({max})"
        ));
    }
    if max == i64::MAX {
        return Err(format!(
            "max must be smaller than the max allowed for an int64 ({})",
            i64::MAX
        ));
    }
    Ok(())
}

fn random_int_check(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    let lit = |i: usize, name: &str| match args.get(i).copied().flatten() {
        Some(Value::Int(v)) => Ok(*v),
        _ => Err(format!("param {name} must not be dynamic")),
    };
    let min = lit(1, "min")?;
    let max = lit(2, "max")?;
    random_int_bounds(min, max)?;
    Ok(None)
}

fn random_int(call: &mut Call<'_, '_>) -> Result<Value> {
    let (min, max) = (call.int(1), call.int(2));
    random_int_bounds(min, max).map_err(Error::msg)?;
    if call.site_state(|r: &mut Rng| r.state.is_none()) {
        let seed = call
            .query(0, Value::Null)
            .and_then(|v| to_i64(&v))
            .map_err(|e| {
                Error::msg(format!(
                    "failed to seed random number generator: {}",
                    e.message()
                ))
            })?;
        call.site_state(|r: &mut Rng| {
            r.state.get_or_insert(seed as u64);
        });
    }
    let span = (max - min) as u64 + 1;
    let v = call.site_state(|r: &mut Rng| {
        let state = r.state.get_or_insert(0);
        Rng::below(state, span)
    });
    Ok(Value::Int(min + v as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mapping: &str) -> String {
        let prog = crate::Env::standard().compile(mapping).unwrap();
        let mut out = Vec::new();
        crate::map_line(&prog, &mut crate::Vm::new(), b"{}", &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn is_hex(s: &str) -> bool {
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn id_formats() {
        let u = run("root = uuid_v4()");
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts.iter().all(|p| is_hex(p)), "{u}");
        assert!(
            parts[2].starts_with('4') && "89ab".contains(&parts[3][..1]),
            "{u}"
        );
        let u = run("root = uuid_v7(\"2020-01-01T00:00:00Z\")");
        assert!(u.starts_with("016f5e66-e800-7"), "{u}");
        assert!("89ab".contains(&u[19..20]), "{u}");
        let k = run("root = ksuid()");
        assert_eq!(k.len(), 27);
        assert!(k.bytes().all(|b| b.is_ascii_alphanumeric()), "{k}");
        let n = run("root = nanoid()");
        assert_eq!(n.chars().count(), 21);
        assert!(n.chars().all(|c| NANOID_ALPHABET.contains(c)), "{n}");
        assert_eq!(run("root = nanoid(54, \"ab\")").len(), 54);
        let a = run("root = [random_int(7), random_int(7), random_int(7, 0, 10)]");
        let b = run("root = [random_int(7), random_int(7), random_int(7, 0, 10)]");
        assert_eq!(a, b, "a seed gives a repeatable sequence");
    }

    #[test]
    fn ksuid_encoding() {
        assert_eq!(base62_27(&[0; 20]), "000000000000000000000000000");
        assert_eq!(base62_27(&[0xff; 20]), "aWgEPTl1tmebfsQzFP4bxwgy80V");
    }
}
