//! `encode`, `decode`, `hash` and `uuid_v5`.

use super::codec;
use super::digest_util::{crc32, fnv32, xxhash64};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;
use hmac::{KeyInit, Mac};
use sha1::Digest;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "encode",
        params: &[Param::req("scheme", Kind::Str)
            .doc("One of `base64`, `base64url`, `base64rawurl`, `hex`, `ascii85` (or `z85`).")],
        category: Category::Encoding,
        doc: "Encodes a string or byte array with the chosen scheme and returns a string.",
        examples: &[
            Example {
                mapping: r#"root.encoded = this.value.encode("hex")"#,
                cases: &[(
                    r#"{"value":"hello world"}"#,
                    Out(r#"{"encoded":"68656c6c6f20776f726c64"}"#),
                )],
            },
            Example {
                mapping: r#"root.encoded = content().encode("ascii85")"#,
                cases: &[(
                    "this is totally unstructured data",
                    Out(r#"{"encoded":"FD,B0+DGm>FDl80Ci\"A>F`)8BEckl6F`M&(+Cno&@/"}"#),
                )],
            },
            Example {
                mapping: r#"root.a = this.v.encode("base64")
root.b = this.v.encode("base64rawurl")"#,
                cases: &[(r#"{"v":"hi?>"}"#, Out(r#"{"a":"aGk/Pg==","b":"aGk_Pg"}"#))],
            },
        ],
        imp: Impl::Method(encode),
        compile: Some(check_encoding),
        ..Spec::METHOD
    },
    Spec {
        name: "decode",
        params: &[Param::req("scheme", Kind::Str)
            .doc("One of `base64`, `base64url`, `base64rawurl`, `hex`, `ascii85` (or `z85`).")],
        category: Category::Encoding,
        doc: "Decodes an encoded string with the chosen scheme and returns the bytes.",
        examples: &[
            Example {
                mapping: r#"root = this.value.decode("hex")"#,
                cases: &[
                    (
                        r#"{"value":"68656c6c6f20776f726c64"}"#,
                        Out("hello world"),
                    ),
                    (
                        r#"{"value":"6g"}"#,
                        Fails("encoding/hex: invalid byte: U+0067 'g'"),
                    ),
                ],
            },
            Example {
                mapping: r#"root = this.encoded.decode("ascii85")"#,
                cases: &[(
                    r#"{"encoded":"FD,B0+DGm>FDl80Ci\"A>F`)8BEckl6F`M&(+Cno&@/"}"#,
                    Out("this is totally unstructured data"),
                )],
            },
            Example {
                mapping: r#"root = this.v.decode("base64")"#,
                cases: &[
                    (r#"{"v":"aGk/Pg=="}"#, Out("hi?>")),
                    (r#"{"v":"aGk"}"#, Fails("unexpected EOF")),
                ],
            },
        ],
        imp: Impl::Method(decode),
        compile: Some(check_encoding),
        ..Spec::METHOD
    },
    Spec {
        name: "hash",
        params: &[
            Param::req("algorithm", Kind::Str).doc(
                "`md5`, `sha1`, `sha256`, `sha512`, `sha3_256`, `sha3_512`, `hmac_sha1`, `hmac_sha256`, `hmac_sha512`, `crc32`, `xxhash64` or `fnv32`.",
            ),
            Param::opt("key", Kind::Any).doc("The key of the `hmac_*` algorithms."),
            Param::with("polynomial", Kind::Str, Default::Str("IEEE"))
                .doc("The `crc32` polynomial: `IEEE`, `Castagnoli` or `Koopman`."),
        ],
        category: Category::Encoding,
        doc: "Hashes a string or byte array and returns the digest bytes (`xxhash64` and `fnv32` give decimal text).",
        examples: &[
            Example {
                mapping: r#"root.h1 = this.value.hash("sha1").encode("hex")
root.h2 = this.value.hash("hmac_sha1","static-key").encode("hex")"#,
                cases: &[(
                    r#"{"value":"hello world"}"#,
                    Out(
                        r#"{"h1":"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed","h2":"d87e5f068fa08fe90bb95bc7c8344cb809179d76"}"#,
                    ),
                )],
            },
            Example {
                mapping: r#"root.h1 = this.value.hash(algorithm: "crc32", polynomial: "Castagnoli").encode("hex")
root.h2 = this.value.hash(algorithm: "crc32", polynomial: "Koopman").encode("hex")"#,
                cases: &[(
                    r#"{"value":"hello world"}"#,
                    Out(r#"{"h1":"c99465aa","h2":"df373d3c"}"#),
                )],
            },
            Example {
                mapping: r#"root = this.value.hash("xxhash64")"#,
                cases: &[(r#"{"value":""}"#, Out("17241709254077376921"))],
            },
        ],
        imp: Impl::Method(hash),
        compile: Some(check_hash),
        ..Spec::METHOD
    },
    Spec {
        name: "uuid_v5",
        params: &[Param::opt("ns", Kind::Str)
            .doc("A namespace: `dns`, `url`, `oid`, `x500` or a UUID; the nil UUID when omitted.")],
        category: Category::Encoding,
        doc: "Derives a name-based (SHA-1, version 5) UUID from the receiver string.",
        examples: &[Example {
            mapping: r#"root.a = "example".uuid_v5("dns")
root.b = "example".uuid_v5()
root.c = "example".uuid_v5("x500")
root.d = "example".uuid_v5("77f836b7-9f61-46c0-851e-9b6ca3535e69")
root.e = this.missing.uuid_v5()"#,
            cases: &[(
                "{}",
                Out(
                    r#"{"a":"7cb48787-6d91-5b9f-bc60-f30298ea5736","b":"feb54431-301b-52bb-a6dd-e1e93e81bb9e","c":"0cbd148f-768f-52fe-a1cd-0c4e6c65de91","d":"a0d220eb-18f1-50ca-b888-86aa5b604edf","e":null}"#,
                ),
            )],
        }],
        imp: Impl::Method(uuid_v5),
        ..Spec::METHOD
    },
];

/// The receiver's bytes, or Benthos's string type error.
pub(super) fn recv_bytes(v: &Value) -> Result<&[u8]> {
    v.as_bytes()
        .ok_or_else(|| Error::type_mismatch("string", v))
}

/// A string-or-bytes argument as bytes (raw, not UTF-8 coerced).
pub(super) fn arg_bytes(
    call: &Call<'_, '_>,
    i: usize,
    method: &str,
    name: &str,
) -> Result<Vec<u8>> {
    let v = call.arg(i);
    match v.as_bytes() {
        Some(b) => Ok(b.to_vec()),
        None => Err(Error::msg(format!(
            "method '{method}': failed to extract input arg '{name}': {}",
            Error::type_mismatch("string", v).message()
        ))),
    }
}

/// Rejects an unknown literal scheme at compile time.
fn check_encoding(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    if let Some(Some(Value::Str(s))) = args.first()
        && !matches!(
            s.as_str(),
            "base64" | "base64url" | "base64rawurl" | "hex" | "ascii85" | "z85"
        )
    {
        return Err(format!("unrecognized encoding type: {s}"));
    }
    Ok(None)
}

const HMACS: [&str; 6] = [
    "hmac_sha1",
    "hmac-sha1",
    "hmac_sha256",
    "hmac-sha256",
    "hmac_sha512",
    "hmac-sha512",
];
const HASHES: [&str; 9] = [
    "md5", "sha1", "sha256", "sha512", "sha3_256", "sha3_512", "xxhash64", "crc32", "fnv32",
];

/// Rejects an unknown literal algorithm, or a keyless HMAC, at compile time.
fn check_hash(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    let Some(Some(Value::Str(alg))) = args.first() else {
        return Ok(None);
    };
    let alg = alg.as_str();
    if HMACS.contains(&alg) {
        let dynamic_key = args.len() > 1 && args[1].is_none();
        let empty = match args.get(1).copied().flatten() {
            Some(v) => v.as_bytes().is_none_or(<[u8]>::is_empty),
            None => true,
        };
        if !dynamic_key && empty {
            return Err(format!("hash algorithm {alg} requires a key argument"));
        }
    } else if !HASHES.contains(&alg) {
        return Err(format!("unrecognized hash type: {alg}"));
    }
    Ok(None)
}

fn encode(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let scheme = call.str(0).to_string();
    let data = recv_bytes(&recv);
    let out = match scheme.as_str() {
        "base64" => codec::STD.encode(data?),
        "base64url" => codec::URL.encode(data?),
        "base64rawurl" => codec::RAW_URL.encode(data?),
        "hex" => codec::hex_encode(data?),
        "ascii85" => codec::ascii85_encode(data?),
        "z85" => codec::z85_encode(data?).map_err(Error::msg)?,
        other => return Err(Error::msg(format!("unrecognized encoding type: {other}"))),
    };
    Ok(Value::from(out))
}

fn decode(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let scheme = call.str(0).to_string();
    let data = recv_bytes(&recv);
    let out = match scheme.as_str() {
        "base64" => codec::STD.decode(data?),
        "base64url" => codec::URL.decode(data?),
        "base64rawurl" => codec::RAW_URL.decode(data?),
        "hex" => codec::hex_decode(data?),
        "ascii85" => codec::ascii85_decode(data?),
        "z85" => codec::z85_decode(data?),
        other => return Err(Error::msg(format!("unrecognized encoding type: {other}"))),
    }
    .map_err(Error::msg)?;
    Ok(Value::Bytes(out.into()))
}

fn digest<D: Digest>(data: &[u8]) -> Vec<u8> {
    D::digest(data).to_vec()
}

fn hmac_digest<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    let mut mac = <M as KeyInit>::new_from_slice(key).map_err(|e| Error::msg(e.to_string()))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

fn hash(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let algorithm = call.str(0).to_string();
    let key = if call.given(1) {
        arg_bytes(call, 1, "hash", "key")?
    } else {
        Vec::new()
    };
    let poly = call.str(2).to_string();
    let needs_key = matches!(
        algorithm.as_str(),
        "hmac_sha1" | "hmac-sha1" | "hmac_sha256" | "hmac-sha256" | "hmac_sha512" | "hmac-sha512"
    );
    if needs_key && key.is_empty() {
        return Err(Error::msg(format!(
            "hash algorithm {algorithm} requires a key argument"
        )));
    }
    let known = needs_key
        || matches!(
            algorithm.as_str(),
            "md5"
                | "sha1"
                | "sha256"
                | "sha512"
                | "sha3_256"
                | "sha3_512"
                | "xxhash64"
                | "crc32"
                | "fnv32"
        );
    if !known {
        return Err(Error::msg(format!("unrecognized hash type: {algorithm}")));
    }
    let data = recv_bytes(&recv)?;
    let out = match algorithm.as_str() {
        "hmac_sha1" | "hmac-sha1" => hmac_digest::<hmac::Hmac<sha1::Sha1>>(&key, data)?,
        "hmac_sha256" | "hmac-sha256" => hmac_digest::<hmac::Hmac<sha2::Sha256>>(&key, data)?,
        "hmac_sha512" | "hmac-sha512" => hmac_digest::<hmac::Hmac<sha2::Sha512>>(&key, data)?,
        "md5" => digest::<md5::Md5>(data),
        "sha1" => digest::<sha1::Sha1>(data),
        "sha256" => digest::<sha2::Sha256>(data),
        "sha512" => digest::<sha2::Sha512>(data),
        "sha3_256" => digest::<sha3::Sha3_256>(data),
        "sha3_512" => digest::<sha3::Sha3_512>(data),
        "xxhash64" => xxhash64(data, 0).to_string().into_bytes(),
        "fnv32" => fnv32(data).to_string().into_bytes(),
        _ => {
            let table = match poly.as_str() {
                "IEEE" => 0xedb8_8320,
                "Castagnoli" => 0x82f6_3b78,
                "Koopman" => 0xeb31_d82e,
                other => {
                    return Err(Error::msg(format!(
                        "unsupported crc32 hash key {}",
                        tarn_syntax::strings::quote(other)
                    )));
                }
            };
            crc32(table, data).to_be_bytes().to_vec()
        }
    };
    Ok(Value::Bytes(out.into()))
}

/// Parses a UUID in Go's `uuid.Parse` forms (plain, braced, `urn:uuid:`).
fn parse_uuid(s: &str) -> Result<[u8; 16]> {
    let b = s.as_bytes();
    let body: &[u8] = match b.len() {
        36 => b,
        38 if b[0] == b'{' && b[37] == b'}' => &b[1..37],
        45 if b[..9].eq_ignore_ascii_case(b"urn:uuid:") => &b[9..],
        32 => {
            let mut out = [0u8; 16];
            for (i, pair) in b.chunks_exact(2).enumerate() {
                out[i] = hex_pair(pair).ok_or_else(|| Error::msg("invalid UUID format"))?;
            }
            return Ok(out);
        }
        n => return Err(Error::msg(format!("invalid UUID length: {n}"))),
    };
    if body[8] != b'-' || body[13] != b'-' || body[18] != b'-' || body[23] != b'-' {
        return Err(Error::msg("invalid UUID format"));
    }
    let mut out = [0u8; 16];
    const POS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    for (i, &p) in POS.iter().enumerate() {
        out[i] = hex_pair(&body[p..p + 2]).ok_or_else(|| Error::msg("invalid UUID format"))?;
    }
    Ok(out)
}

fn hex_pair(p: &[u8]) -> Option<u8> {
    let v = |c: u8| (c as char).to_digit(16);
    Some((v(p[0])? * 16 + v(*p.get(1)?)?) as u8)
}

fn uuid_v5(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    if matches!(recv, Value::Null) {
        return Ok(Value::Null);
    }
    let ns = match call.opt_str(0) {
        None => [0u8; 16],
        Some(ns) => {
            let known = match ns {
                "dns" | "DNS" => Some("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                "url" | "URL" => Some("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
                "oid" | "OID" => Some("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
                "x500" | "X500" => Some("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
                _ => None,
            };
            parse_uuid(known.unwrap_or(ns)).map_err(|_| {
                Error::msg(format!(
                    "invalid ns uuid: {}",
                    tarn_syntax::strings::quote(ns)
                ))
            })?
        }
    };
    let name = recv_bytes(&recv)?;
    let mut h = sha1::Sha1::new();
    h.update(ns);
    h.update(name);
    let sum = h.finalize();
    let mut u = [0u8; 16];
    u.copy_from_slice(&sum[..16]);
    u[6] = (u[6] & 0x0f) | 0x50;
    u[8] = (u[8] & 0x3f) | 0x80;
    let hex = codec::hex_encode(&u);
    Ok(Value::from(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )))
}
