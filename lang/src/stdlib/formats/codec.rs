//! Byte codecs shared by `encode` and `decode`, written to match Go's
//! `encoding/base64`, `encoding/hex` and `encoding/ascii85` (including their
//! error texts) and the Z85 variant.

/// A base64 alphabet with or without padding.
#[derive(Clone, Copy)]
pub struct B64 {
    alphabet: &'static [u8; 64],
    pad: bool,
}

const STD_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Go's `base64.StdEncoding`.
pub const STD: B64 = B64 {
    alphabet: STD_ALPHABET,
    pad: true,
};
/// Go's `base64.URLEncoding`.
pub const URL: B64 = B64 {
    alphabet: URL_ALPHABET,
    pad: true,
};
/// Go's `base64.RawURLEncoding`.
pub const RAW_URL: B64 = B64 {
    alphabet: URL_ALPHABET,
    pad: false,
};

impl B64 {
    /// Encodes `src`.
    pub fn encode(&self, src: &[u8]) -> String {
        let mut out = String::with_capacity(src.len().div_ceil(3) * 4);
        for chunk in src.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let chars = chunk.len() + 1;
            for i in 0..4 {
                if i < chars {
                    let idx = ((v >> (18 - 6 * i)) & 0x3f) as usize;
                    out.push(char::from(self.alphabet[idx]));
                } else if self.pad {
                    out.push('=');
                }
            }
        }
        out
    }

    fn value_of(&self, c: u8) -> Option<u8> {
        self.alphabet
            .iter()
            .position(|&a| a == c)
            .and_then(|p| u8::try_from(p).ok())
    }

    /// Decodes like Go's streaming decoder: CR and LF are skipped; padded
    /// encodings fail with `unexpected EOF` on a truncated last quantum.
    pub fn decode(&self, src: &[u8]) -> Result<Vec<u8>, String> {
        let filtered: Vec<u8> = src
            .iter()
            .copied()
            .filter(|&c| c != b'\n' && c != b'\r')
            .collect();
        let whole = if self.pad {
            filtered.len() / 4 * 4
        } else {
            filtered.len()
        };
        let out = self.decode_block(&filtered[..whole])?;
        if whole < filtered.len() {
            return Err("unexpected EOF".into());
        }
        Ok(out)
    }

    /// Go's `Encoding.Decode` over newline-free input.
    fn decode_block(&self, src: &[u8]) -> Result<Vec<u8>, String> {
        let corrupt = |at: usize| format!("illegal base64 data at input byte {at}");
        let mut out = Vec::with_capacity(src.len() / 4 * 3 + 3);
        let mut si = 0;
        while si < src.len() {
            let mut dbuf = [0u8; 4];
            let mut dlen = 4;
            let mut j = 0;
            let mut trailing: Option<usize> = None;
            while j < 4 {
                if si == src.len() {
                    if j == 1 || self.pad {
                        return Err(corrupt(si - j));
                    }
                    dlen = j;
                    break;
                }
                let c = src[si];
                si += 1;
                if let Some(v) = self.value_of(c) {
                    dbuf[j] = v;
                    j += 1;
                    continue;
                }
                if !(self.pad && c == b'=') {
                    return Err(corrupt(si - 1));
                }
                match j {
                    0 | 1 => return Err(corrupt(si - 1)),
                    2 => {
                        if si == src.len() {
                            return Err(corrupt(src.len()));
                        }
                        if src[si] != b'=' {
                            return Err(corrupt(si - 1));
                        }
                        si += 1;
                    }
                    _ => {}
                }
                if si < src.len() {
                    trailing = Some(si);
                }
                dlen = j;
                break;
            }
            let v = (u32::from(dbuf[0]) << 18)
                | (u32::from(dbuf[1]) << 12)
                | (u32::from(dbuf[2]) << 6)
                | u32::from(dbuf[3]);
            let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
            out.extend_from_slice(&bytes[..dlen.saturating_sub(1)]);
            if let Some(at) = trailing {
                return Err(corrupt(at));
            }
        }
        Ok(out)
    }
}

/// Lower-case hex.
pub fn hex_encode(src: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(src.len() * 2);
    for &b in src {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Go's `%#U` of a byte read as a rune.
fn go_rune_u(c: u8) -> String {
    let ch = char::from(c);
    let printable = (0x20..0x7f).contains(&c) || (c >= 0xa1 && c != 0xad);
    if printable {
        format!("U+{:04X} '{ch}'", u32::from(c))
    } else {
        format!("U+{:04X}", u32::from(c))
    }
}

/// Hex decoding with Go's `hex.NewDecoder` errors.
pub fn hex_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let invalid = |c: u8| format!("encoding/hex: invalid byte: {}", go_rune_u(c));
    let mut out = Vec::with_capacity(src.len() / 2);
    let mut pairs = src.chunks_exact(2);
    for pair in pairs.by_ref() {
        let hi = hex_val(pair[0]).ok_or_else(|| invalid(pair[0]))?;
        let lo = hex_val(pair[1]).ok_or_else(|| invalid(pair[1]))?;
        out.push(hi << 4 | lo);
    }
    if let [last] = pairs.remainder() {
        if hex_val(*last).is_none() {
            return Err(invalid(*last));
        }
        return Err("unexpected EOF".into());
    }
    Ok(out)
}

/// Ascii85 as Go's encoder writes it (no delimiters, `z` for zero groups).
pub fn ascii85_encode(src: &[u8]) -> String {
    let mut out = String::with_capacity(src.len() / 4 * 5 + 5);
    for chunk in src.chunks(4) {
        let mut b = [0u8; 4];
        b[..chunk.len()].copy_from_slice(chunk);
        let mut v = u32::from_be_bytes(b);
        if v == 0 && chunk.len() == 4 {
            out.push('z');
            continue;
        }
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = (v % 85) as u8 + b'!';
            v /= 85;
        }
        for &d in &digits[..chunk.len() + 1] {
            out.push(char::from(d));
        }
    }
    out
}

/// Ascii85 decoding with Go's rules: bytes up to space are skipped.
pub fn ascii85_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let corrupt = |at: usize| format!("illegal ascii85 data at input byte {at}");
    let mut out = Vec::with_capacity(src.len() / 5 * 4 + 4);
    let mut v: u32 = 0;
    let mut nb = 0;
    for (i, &c) in src.iter().enumerate() {
        match c {
            c if c <= b' ' => continue,
            b'z' if nb == 0 => {
                nb = 5;
                v = 0;
            }
            b'!'..=b'u' => {
                v = v.wrapping_mul(85).wrapping_add(u32::from(c - b'!'));
                nb += 1;
            }
            _ => return Err(corrupt(i)),
        }
        if nb == 5 {
            out.extend_from_slice(&v.to_be_bytes());
            nb = 0;
            v = 0;
        }
    }
    if nb > 0 {
        if nb == 1 {
            return Err(corrupt(src.len()));
        }
        for _ in nb..5 {
            v = v.wrapping_mul(85).wrapping_add(84);
        }
        out.extend_from_slice(&v.to_be_bytes()[..nb - 1]);
    }
    Ok(out)
}

const Z85: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Z85 encoding; the input length must be a multiple of 4.
pub fn z85_encode(src: &[u8]) -> Result<String, String> {
    if !src.len().is_multiple_of(4) {
        return Err("z85: wrongly aligned input data".into());
    }
    let mut out = String::with_capacity(src.len() / 4 * 5);
    for chunk in src.chunks_exact(4) {
        let mut v = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = Z85[(v % 85) as usize];
            v /= 85;
        }
        out.extend(digits.iter().map(|&d| char::from(d)));
    }
    Ok(out)
}

/// Z85 decoding; the input length must be a multiple of 5.
pub fn z85_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    if !src.len().is_multiple_of(5) {
        return Err("z85: wrongly aligned input data".into());
    }
    let mut out = Vec::with_capacity(src.len() / 5 * 4);
    for chunk in src.chunks_exact(5) {
        let mut v: u32 = 0;
        for &c in chunk {
            let Some(d) = Z85.iter().position(|&z| z == c) else {
                return Err(format!("z85: invalid input byte: {}", go_rune_u(c)));
            };
            v = v.wrapping_mul(85).wrapping_add(d as u32);
        }
        out.extend_from_slice(&v.to_be_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_errors() {
        assert_eq!(STD.encode(b"hello"), "aGVsbG8=");
        assert_eq!(RAW_URL.encode(b"hello"), "aGVsbG8");
        assert_eq!(STD.decode(b"aGVs\nbG8=").unwrap(), b"hello");
        assert_eq!(RAW_URL.decode(b"aGVsbG8").unwrap(), b"hello");
        assert_eq!(STD.decode(b"aGVsbG8").unwrap_err(), "unexpected EOF");
        assert_eq!(
            STD.decode(b"aG!s").unwrap_err(),
            "illegal base64 data at input byte 2"
        );
        assert_eq!(
            STD.decode(b"aGVsbG8=aGVs").unwrap_err(),
            "illegal base64 data at input byte 8"
        );
    }

    #[test]
    fn hex_errors() {
        assert_eq!(
            hex_decode(b"zz").unwrap_err(),
            "encoding/hex: invalid byte: U+007A 'z'"
        );
        assert_eq!(hex_decode(b"abc").unwrap_err(), "unexpected EOF");
    }

    #[test]
    fn ascii85_round_trip() {
        let data = b"this is totally unstructured data\0\0\0\0";
        assert_eq!(
            ascii85_decode(ascii85_encode(data).as_bytes()).unwrap(),
            data
        );
    }

    #[test]
    fn z85_known() {
        let raw = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        assert_eq!(z85_encode(&raw).unwrap(), "HelloWorld");
        assert_eq!(z85_decode(b"HelloWorld").unwrap(), raw);
    }
}
