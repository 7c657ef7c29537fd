//! `encrypt_aes` and `decrypt_aes`: the CTR, OFB, CBC (no padding) and GCM
//! modes written over the `aes` block cipher, matching Go's `crypto/cipher`.

use super::encoding::{arg_bytes, recv_bytes};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;
use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

/// The parameters of both AES methods.
const AES_PARAMS: &[Param] = &[
    Param::req("scheme", Kind::Str).doc("One of `ctr`, `gcm`, `ofb`, `cbc`."),
    Param::req("key", Kind::Any).doc("The key (16, 24 or 32 bytes, as a string or bytes)."),
    Param::req("iv", Kind::Any)
        .doc("The initialisation vector (16 bytes) or, for GCM, the 12-byte nonce."),
];

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "encrypt_aes",
        params: AES_PARAMS,
        category: Category::Encoding,
        doc: "Encrypts a string or byte array with AES in the chosen mode; the binary result is typed as a string.",
        examples: &[Example {
            mapping: r#"let key = "2b7e151628aed2a6abf7158809cf4f3c".decode("hex")
let vector = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff".decode("hex")
root.encrypted = this.value.encrypt_aes("ctr", $key, $vector).encode("hex")"#,
            cases: &[(
                r#"{"value":"hello world!"}"#,
                Out(r#"{"encrypted":"84e9b31ff7400bdf80be7254"}"#),
            )],
        }],
        imp: Impl::Method(encrypt_aes),
        compile: Some(check_encrypt),
        ..Spec::METHOD
    },
    Spec {
        name: "decrypt_aes",
        params: AES_PARAMS,
        category: Category::Encoding,
        doc: "Decrypts AES-encrypted bytes in the chosen mode and returns the plaintext bytes.",
        examples: &[
            Example {
                mapping: r#"let key = "2b7e151628aed2a6abf7158809cf4f3c".decode("hex")
let vector = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff".decode("hex")
root = this.value.decode("hex").decrypt_aes("ctr", $key, $vector)"#,
                cases: &[(
                    r#"{"value":"84e9b31ff7400bdf80be7254"}"#,
                    Out("hello world!"),
                )],
            },
            Example {
                mapping: r#"let key = "2b7e151628aed2a6abf7158809cf4f3c".decode("hex")
let vector = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff".decode("hex")
root = this.value.encrypt_aes("cbc", $key, $vector).decrypt_aes("cbc", $key, $vector)"#,
                cases: &[
                    (r#"{"value":"0123456789abcdef"}"#, Out("0123456789abcdef")),
                    (
                        r#"{"value":"short"}"#,
                        Fails("plaintext is not a multiple of the block size"),
                    ),
                ],
            },
        ],
        imp: Impl::Method(decrypt_aes),
        compile: Some(check_decrypt),
        ..Spec::METHOD
    },
];

fn check_aes(args: &[Option<&Value>], what: &str) -> std::result::Result<Option<Value>, String> {
    let key = args.get(1).copied().flatten().and_then(Value::as_bytes);
    let iv = args.get(2).copied().flatten().and_then(Value::as_bytes);
    let scheme = args.first().copied().flatten().and_then(Value::as_str);
    if let Some(k) = key
        && !matches!(k.len(), 16 | 24 | 32)
    {
        return Err(format!("crypto/aes: invalid key size {}", k.len()));
    }
    if let (Some(iv), Some(s)) = (iv, scheme)
        && matches!(s, "ctr" | "ofb" | "cbc")
        && iv.len() != 16
    {
        return Err("the key must match the initialisation vector size".into());
    }
    if let Some(s) = scheme
        && !matches!(s, "ctr" | "gcm" | "ofb" | "cbc")
    {
        return Err(format!("unrecognized {what} type: {s}"));
    }
    Ok(None)
}

fn check_encrypt(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    check_aes(args, "encryption")
}

fn check_decrypt(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    check_aes(args, "decryption")
}

/// An AES block cipher of any key size.
enum Aes {
    A128(Box<aes::Aes128>),
    A192(Box<aes::Aes192>),
    A256(Box<aes::Aes256>),
}

impl Aes {
    fn new(key: &[u8]) -> Result<Aes> {
        let bad = || Error::msg(format!("crypto/aes: invalid key size {}", key.len()));
        Ok(match key.len() {
            16 => Aes::A128(Box::new(
                aes::Aes128::new_from_slice(key).map_err(|_| bad())?,
            )),
            24 => Aes::A192(Box::new(
                aes::Aes192::new_from_slice(key).map_err(|_| bad())?,
            )),
            32 => Aes::A256(Box::new(
                aes::Aes256::new_from_slice(key).map_err(|_| bad())?,
            )),
            _ => return Err(bad()),
        })
    }

    fn encrypt(&self, block: [u8; 16]) -> [u8; 16] {
        let mut b = Array::from(block);
        match self {
            Aes::A128(c) => c.encrypt_block(&mut b),
            Aes::A192(c) => c.encrypt_block(&mut b),
            Aes::A256(c) => c.encrypt_block(&mut b),
        }
        b.into()
    }

    fn decrypt(&self, block: [u8; 16]) -> [u8; 16] {
        let mut b = Array::from(block);
        match self {
            Aes::A128(c) => c.decrypt_block(&mut b),
            Aes::A192(c) => c.decrypt_block(&mut b),
            Aes::A256(c) => c.decrypt_block(&mut b),
        }
        b.into()
    }
}

fn block16(b: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let n = b.len().min(16);
    out[..n].copy_from_slice(&b[..n]);
    out
}

/// CTR with a full-width big-endian counter (Go's `cipher.NewCTR`).
fn ctr(c: &Aes, iv: [u8; 16], data: &[u8]) -> Vec<u8> {
    let mut counter = u128::from_be_bytes(iv);
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(16) {
        let ks = c.encrypt(counter.to_be_bytes());
        out.extend(chunk.iter().zip(ks).map(|(a, k)| a ^ k));
        counter = counter.wrapping_add(1);
    }
    out
}

fn ofb(c: &Aes, iv: [u8; 16], data: &[u8]) -> Vec<u8> {
    let mut fb = iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(16) {
        fb = c.encrypt(fb);
        out.extend(chunk.iter().zip(fb).map(|(a, k)| a ^ k));
    }
    out
}

fn cbc_encrypt(c: &Aes, iv: [u8; 16], data: &[u8]) -> Vec<u8> {
    let mut prev = iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(16) {
        let mut b = block16(chunk);
        for (x, p) in b.iter_mut().zip(prev) {
            *x ^= p;
        }
        prev = c.encrypt(b);
        out.extend_from_slice(&prev);
    }
    out
}

fn cbc_decrypt(c: &Aes, iv: [u8; 16], data: &[u8]) -> Vec<u8> {
    let mut prev = iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(16) {
        let cur = block16(chunk);
        let mut p = c.decrypt(cur);
        for (x, q) in p.iter_mut().zip(prev) {
            *x ^= q;
        }
        out.extend_from_slice(&p);
        prev = cur;
    }
    out
}

/// Multiplication in GCM's GF(2^128).
fn gf_mul(x: u128, y: u128) -> u128 {
    const R: u128 = 0xe1 << 120;
    let mut z = 0u128;
    let mut v = y;
    for i in 0..128 {
        if (x >> (127 - i)) & 1 == 1 {
            z ^= v;
        }
        v = if v & 1 == 1 { (v >> 1) ^ R } else { v >> 1 };
    }
    z
}

fn ghash(h: u128, aad: &[u8], data: &[u8]) -> u128 {
    let mut y = 0u128;
    for part in [aad, data] {
        for chunk in part.chunks(16) {
            y = gf_mul(y ^ u128::from_be_bytes(block16(chunk)), h);
        }
    }
    let lens = ((aad.len() as u128 * 8) << 64) | (data.len() as u128 * 8);
    gf_mul(y ^ lens, h)
}

struct Gcm<'a> {
    c: &'a Aes,
    h: u128,
    j0: u128,
}

impl<'a> Gcm<'a> {
    fn new(c: &'a Aes, nonce: &[u8]) -> Gcm<'a> {
        let h = u128::from_be_bytes(c.encrypt([0; 16]));
        let j0 = if nonce.len() == 12 {
            (u128::from_be_bytes(block16(nonce)) & !0xffff_ffff) | 1
        } else {
            ghash(h, &[], nonce)
        };
        Gcm { c, h, j0 }
    }

    fn keystream(&self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len());
        let mut ctr = self.j0;
        for chunk in data.chunks(16) {
            let low = (ctr as u32).wrapping_add(1);
            ctr = (ctr & !0xffff_ffff) | u128::from(low);
            let ks = self.c.encrypt(ctr.to_be_bytes());
            out.extend(chunk.iter().zip(ks).map(|(a, k)| a ^ k));
        }
        out
    }

    fn tag(&self, ciphertext: &[u8]) -> [u8; 16] {
        let s = ghash(self.h, &[], ciphertext);
        (s ^ u128::from_be_bytes(self.c.encrypt(self.j0.to_be_bytes()))).to_be_bytes()
    }

    fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut out = self.keystream(plain);
        let tag = self.tag(&out);
        out.extend_from_slice(&tag);
        out
    }

    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>> {
        let fail = || Error::msg("cipher: message authentication failed");
        let Some(split) = sealed.len().checked_sub(16) else {
            return Err(fail());
        };
        let (ct, tag) = sealed.split_at(split);
        let want = self.tag(ct);
        let diff = want.iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff != 0 {
            return Err(fail());
        }
        Ok(self.keystream(ct))
    }
}

/// Upstream uses the standard 12-byte GCM nonce.
fn gcm_nonce(iv: &[u8]) -> Result<()> {
    if iv.len() == 12 {
        Ok(())
    } else {
        Err(Error::msg(
            "crypto/cipher: incorrect nonce length given to GCM",
        ))
    }
}

fn setup(call: &Call<'_, '_>, method: &str) -> Result<(String, Aes, Vec<u8>)> {
    let scheme = call.str(0).to_string();
    let key = arg_bytes(call, 1, method, "key")?;
    let cipher = Aes::new(&key)?;
    let iv = arg_bytes(call, 2, method, "iv")?;
    if matches!(scheme.as_str(), "ctr" | "ofb" | "cbc") && iv.len() != 16 {
        return Err(Error::msg(
            "the key must match the initialisation vector size",
        ));
    }
    Ok((scheme, cipher, iv))
}

/// Which way an AES method runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Encrypt,
    Decrypt,
}

/// Runs `encrypt_aes` or `decrypt_aes` on the receiver's bytes in the
/// scheme of the first argument.
fn aes_method(call: &Call<'_, '_>, recv: &Value, dir: Direction) -> Result<Vec<u8>> {
    let (method, what, input) = match dir {
        Direction::Encrypt => ("encrypt_aes", "encryption", "plaintext"),
        Direction::Decrypt => ("decrypt_aes", "decryption", "ciphertext"),
    };
    let (scheme, c, iv) = setup(call, method)?;
    let data = recv_bytes(recv);
    Ok(match scheme.as_str() {
        "ctr" => ctr(&c, block16(&iv), data?),
        "ofb" => ofb(&c, block16(&iv), data?),
        "gcm" => {
            let data = data?;
            gcm_nonce(&iv)?;
            let gcm = Gcm::new(&c, &iv);
            match dir {
                Direction::Encrypt => gcm.seal(data),
                Direction::Decrypt => gcm
                    .open(data)
                    .map_err(|e| Error::msg(format!("gcm decrypting failed: {}", e.message())))?,
            }
        }
        "cbc" => {
            let data = data?;
            if !data.len().is_multiple_of(16) {
                return Err(Error::msg(format!(
                    "{input} is not a multiple of the block size"
                )));
            }
            match dir {
                Direction::Encrypt => cbc_encrypt(&c, block16(&iv), data),
                Direction::Decrypt => cbc_decrypt(&c, block16(&iv), data),
            }
        }
        other => return Err(Error::msg(format!("unrecognized {what} type: {other}"))),
    })
}

fn encrypt_aes(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let out = aes_method(call, &recv, Direction::Encrypt)?;
    // Upstream returns the ciphertext as a Go string: keep the raw bytes
    // (a lossy UTF-8 conversion would corrupt them) but type them as text
    // where they happen to be valid UTF-8.
    Ok(match String::from_utf8(out) {
        Ok(s) => Value::from(s),
        Err(e) => Value::Bytes(e.into_bytes().into()),
    })
}

fn decrypt_aes(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    aes_method(call, &recv, Direction::Decrypt).map(|out| Value::Bytes(out.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        super::super::codec::hex_decode(s.as_bytes()).unwrap()
    }

    #[test]
    fn gcm_test_vector() {
        // NIST GCM test case 3 (AES-128, 96-bit IV).
        let key = unhex("feffe9928665731c6d6a8f9467308308");
        let iv = unhex("cafebabefacedbaddecaf888");
        let pt = unhex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
        );
        let c = Aes::new(&key).unwrap();
        let sealed = Gcm::new(&c, &iv).seal(&pt);
        let hex = super::super::codec::hex_encode(&sealed);
        assert!(hex.ends_with("4d5c2af327cd64a62cf35abd2ba6fab4"), "{hex}");
        assert!(hex.starts_with("42831ec2217774244b7221b784d0d49c"));
        assert_eq!(Gcm::new(&c, &iv).open(&sealed).unwrap(), pt);
    }

    #[test]
    fn cbc_round_trip() {
        let c = Aes::new(&[7u8; 32]).unwrap();
        let data = [1u8; 48];
        let enc = cbc_encrypt(&c, [9; 16], &data);
        assert_eq!(cbc_decrypt(&c, [9; 16], &enc), data);
    }
}
