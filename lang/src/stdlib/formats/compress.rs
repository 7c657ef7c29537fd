//! `compress` and `decompress`: deflate (raw, gzip, zlib), snappy, LZ4
//! frames, zstd and bzip2 (decompression only).
//!
//! The gzip/zlib/LZ4 containers are written here so that their headers
//! match the Go libraries Benthos uses; small deflate inputs are stored
//! uncompressed the way `klauspost/compress` does, larger ones go through
//! `miniz_oxide` (so their bytes differ from upstream, their content not).

use super::digest_util::{crc32, xxhash32};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;
use std::io::Read;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "compress",
        params: &[
            Param::req("algorithm", Kind::Str)
                .doc("One of `flate`, `gzip`, `pgzip`, `lz4`, `snappy`, `zlib`, `zstd`."),
            Param::with("level", Kind::Int, Default::Int(-1))
                .doc("The compression level, where the algorithm has one."),
        ],
        category: Category::Encoding,
        doc: "Compresses a string or byte array with the chosen algorithm.",
        examples: &[
            Example {
                mapping: r#"root.compressed = content().compress("gzip").encode("base64")"#,
                cases: &[(
                    r#"{"message":"hello world I love space"}"#,
                    Out(
                        r#"{"compressed":"H4sIAAAJbogA/wAmANn/eyJtZXNzYWdlIjoiaGVsbG8gd29ybGQgSSBsb3ZlIHNwYWNlIn0DAHEvdwomAAAA"}"#,
                    ),
                )],
            },
            Example {
                mapping: r#"root.compressed = content().compress("lz4").encode("base64")"#,
                cases: &[(
                    "hello world I love space",
                    Out(
                        r#"{"compressed":"BCJNGGRwuRgAAIBoZWxsbyB3b3JsZCBJIGxvdmUgc3BhY2UAAAAAGoETLg=="}"#,
                    ),
                )],
            },
            Example {
                mapping: r#"root = content().compress("zstd").decompress("zstd")"#,
                cases: &[("hello hello hello hello", Out("hello hello hello hello"))],
            },
        ],
        imp: Impl::Method(compress),
        compile: Some(check_compress),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "decompress",
        params: &[Param::req("algorithm", Kind::Str)
            .doc("One of `gzip`, `pgzip`, `zlib`, `bzip2`, `flate`, `snappy`, `lz4`, `zstd`.")],
        category: Category::Encoding,
        doc: "Decompresses a string or byte array with the chosen algorithm and returns the bytes.",
        examples: &[
            Example {
                mapping: r#"root = this.compressed.decode("base64").decompress("gzip")"#,
                cases: &[(
                    r#"{"compressed":"H4sIAN12MWkAA8tIzcnJVyjPL8pJUfBUyMkvS1UoLkhMTgUAQpDxbxgAAAA="}"#,
                    Out("hello world I love space"),
                )],
            },
            Example {
                mapping: r#"root = this.compressed.decode("base64").decompress("lz4")"#,
                cases: &[(
                    r#"{"compressed":"BCJNGGRwuRgAAIBoZWxsbyB3b3JsZCBJIGxvdmUgc3BhY2UAAAAAGoETLg=="}"#,
                    Out("hello world I love space"),
                )],
            },
            Example {
                mapping: r#"root = content().compress("zlib").decompress("zlib")"#,
                cases: &[("abc", Out("abc"))],
            },
            Example {
                mapping: r#"root = content().decompress("gzip")"#,
                cases: &[("this is not gzip data", Fails("gzip: invalid header"))],
            },
        ],
        imp: Impl::Method(decompress),
        compile: Some(check_decompress),
        annotate: false,
        ..Spec::METHOD
    },
];

const COMPRESSORS: [&str; 7] = ["flate", "gzip", "pgzip", "zlib", "lz4", "snappy", "zstd"];

fn check_compress(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    match args.first().copied().flatten().and_then(Value::as_str) {
        Some(a) if !COMPRESSORS.contains(&a) => {
            Err(format!("compression type not recognised: {a}"))
        }
        _ => Ok(None),
    }
}

fn check_decompress(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    match args.first().copied().flatten().and_then(Value::as_str) {
        Some(a) if !COMPRESSORS.contains(&a) && a != "bzip2" => {
            Err(format!("compression type not recognised: {a}"))
        }
        _ => Ok(None),
    }
}

/// The receiver as bytes: strings, bytes and (as RFC 3339 text) timestamps.
fn input(v: &Value) -> Result<std::borrow::Cow<'_, [u8]>> {
    match v {
        Value::Timestamp(t) => Ok(std::borrow::Cow::Owned(t.rfc3339_nano().into_bytes())),
        other => other
            .as_bytes()
            .map(std::borrow::Cow::Borrowed)
            .ok_or_else(|| Error::type_mismatch("bytes", other)),
    }
}

fn compress(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let algorithm = call.str(0).to_string();
    let level = call.int(1);
    if !matches!(
        algorithm.as_str(),
        "flate" | "gzip" | "pgzip" | "zlib" | "lz4" | "snappy" | "zstd"
    ) {
        return Err(Error::msg(format!(
            "compression type not recognised: {algorithm}"
        )));
    }
    let data = input(&recv)?;
    let data: &[u8] = &data;
    let out = match algorithm.as_str() {
        "flate" => {
            if !(-2..=9).contains(&level) {
                return Err(Error::msg(format!(
                    "flate: invalid compression level {level}: want value in range [-2, 9]"
                )));
            }
            deflate(data, level)
        }
        "gzip" | "pgzip" => {
            if !(-2..=9).contains(&level) {
                return Err(Error::msg(format!(
                    "gzip: invalid compression level: {level}"
                )));
            }
            gzip(data, level, algorithm == "gzip")
        }
        "zlib" => {
            if !(-2..=9).contains(&level) {
                return Err(Error::msg(format!(
                    "zlib: invalid compression level: {level}"
                )));
            }
            zlib(data, level)
        }
        "lz4" => lz4_frame(data, level),
        "snappy" => snap::raw::Encoder::new()
            .compress_vec(data)
            .map_err(|e| Error::msg(format!("snappy: {e}")))?,
        _ => ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest),
    };
    Ok(Value::Bytes(out.into()))
}

fn decompress(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let algorithm = call.str(0).to_string();
    if !matches!(
        algorithm.as_str(),
        "flate" | "gzip" | "pgzip" | "zlib" | "lz4" | "snappy" | "zstd" | "bzip2"
    ) {
        return Err(Error::msg(format!(
            "compression type not recognised: {algorithm}"
        )));
    }
    let data = input(&recv)?;
    let data: &[u8] = &data;
    let out = match algorithm.as_str() {
        "flate" => inflate(data).map(|(v, _)| v),
        "gzip" | "pgzip" => gunzip(data),
        "zlib" => unzlib(data),
        "snappy" => snap::raw::Decoder::new()
            .decompress_vec(data)
            .map_err(|_| "snappy: corrupt input".to_string()),
        "lz4" => {
            let mut out = Vec::new();
            lz4_flex::frame::FrameDecoder::new(data)
                .read_to_end(&mut out)
                .map(|_| out)
                .map_err(|e| format!("lz4: {e}"))
        }
        "zstd" => ruzstd::decoding::StreamingDecoder::new(data)
            .map_err(|e| format!("zstd: {e}"))
            .and_then(|mut d| {
                let mut out = Vec::new();
                d.read_to_end(&mut out)
                    .map(|_| out)
                    .map_err(|e| format!("zstd: {e}"))
            }),
        _ => {
            let mut out = Vec::new();
            bzip2_rs::DecoderReader::new(data)
                .read_to_end(&mut out)
                .map(|_| out)
                .map_err(|e| format!("bzip2 data invalid: {e}"))
        }
    }
    .map_err(Error::msg)?;
    Ok(Value::Bytes(out.into()))
}

// ---------------------------------------------------------------------------
// Deflate

/// A raw deflate stream.
fn deflate(data: &[u8], level: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 16);
    if level == 0 || data.len() < 128 {
        // Stored blocks followed by an empty final fixed-Huffman block, as
        // `klauspost/compress` writes small inputs.
        for chunk in data.chunks(65_535) {
            out.push(0);
            let n = chunk.len() as u16;
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&(!n).to_le_bytes());
            out.extend_from_slice(chunk);
        }
        out.extend_from_slice(&[0x03, 0x00]);
        return out;
    }
    let miniz_level = match level {
        -1 => 6,
        -2 => 1,
        l => u8::try_from(l).unwrap_or(6),
    };
    miniz_oxide::deflate::compress_to_vec(data, miniz_level)
}

/// Inflates a raw deflate stream; returns the output and the number of
/// input bytes the stream used.
fn inflate(data: &[u8]) -> std::result::Result<(Vec<u8>, usize), String> {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
    let mut state = Box::<DecompressorOxide>::default();
    let mut out = vec![0u8; (data.len() * 4).clamp(64, 1 << 20)];
    let mut in_pos = 0;
    let mut out_pos = 0;
    loop {
        let (status, read, written) = decompress(
            &mut state,
            &data[in_pos..],
            &mut out,
            out_pos,
            inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        in_pos += read;
        out_pos += written;
        match status {
            TINFLStatus::Done => {
                out.truncate(out_pos);
                return Ok((out, in_pos));
            }
            TINFLStatus::HasMoreOutput => {
                let grow = out.len().max(64);
                out.resize(out.len() + grow, 0);
            }
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                return Err("unexpected EOF".into());
            }
            _ => return Err(format!("flate: corrupt input before offset {in_pos}")),
        }
    }
}

fn gzip(data: &[u8], level: i64, stamp: bool) -> Vec<u8> {
    let xfl = match level {
        9 => 2,
        1 => 4,
        _ => 0,
    };
    // Upstream's gzip writer stamps the zero `time.Time` truncated to 32
    // bits; pgzip leaves the field zero.
    let mtime: [u8; 4] = if stamp {
        [0x00, 0x09, 0x6e, 0x88]
    } else {
        [0; 4]
    };
    let mut out = vec![0x1f, 0x8b, 0x08, 0x00];
    out.extend_from_slice(&mtime);
    out.extend_from_slice(&[xfl, 0xff]);
    out.extend_from_slice(&deflate(data, level));
    out.extend_from_slice(&crc32(0xedb8_8320, data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn gunzip(data: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut first = true;
    loop {
        if rest.is_empty() && !first {
            return Ok(out);
        }
        if rest.is_empty() {
            return Err("EOF".into());
        }
        if rest.len() < 10 {
            return Err("unexpected EOF".into());
        }
        if rest[0] != 0x1f || rest[1] != 0x8b || rest[2] != 8 {
            return Err("gzip: invalid header".into());
        }
        let flags = rest[3];
        let mut pos = 10;
        let eof = || "unexpected EOF".to_string();
        if flags & 4 != 0 {
            let n = rest.get(pos..pos + 2).ok_or_else(eof)?;
            pos += 2 + usize::from(u16::from_le_bytes([n[0], n[1]]));
        }
        for bit in [8u8, 16] {
            if flags & bit != 0 {
                let z = rest.get(pos..).and_then(|r| r.iter().position(|&b| b == 0));
                pos += z.ok_or_else(eof)? + 1;
            }
        }
        if flags & 2 != 0 {
            pos += 2;
        }
        let body = rest.get(pos..).ok_or_else(eof)?;
        let (chunk, used) = inflate(body)?;
        let trailer = body.get(used..used + 8).ok_or_else(eof)?;
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if crc != crc32(0xedb8_8320, &chunk) || size != chunk.len() as u32 {
            return Err("gzip: invalid checksum".into());
        }
        out.extend_from_slice(&chunk);
        rest = &body[used + 8..];
        first = false;
    }
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

fn zlib(data: &[u8], level: i64) -> Vec<u8> {
    let flevel: u16 = match level {
        -2 | 0 | 1 => 0,
        2..=5 => 1,
        7..=9 => 3,
        _ => 2,
    };
    let head = (0x78u16 << 8) | (flevel << 6);
    let head = head + (31 - head % 31);
    let mut out = head.to_be_bytes().to_vec();
    out.extend_from_slice(&deflate(data, level));
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn unzlib(data: &[u8]) -> std::result::Result<Vec<u8>, String> {
    match data.len() {
        0 => return Err("EOF".into()),
        1 => return Err("unexpected EOF".into()),
        _ => {}
    }
    let h = u16::from_be_bytes([data[0], data[1]]);
    if data[0] & 0x0f != 8 || data[0] >> 4 > 7 || !h.is_multiple_of(31) {
        return Err("zlib: invalid header".into());
    }
    if data[1] & 0x20 != 0 {
        return Err("zlib: invalid dictionary".into());
    }
    let (out, used) = inflate(&data[2..])?;
    let sum = data
        .get(2 + used..2 + used + 4)
        .ok_or_else(|| "unexpected EOF".to_string())?;
    if u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]]) != adler32(&out) {
        return Err("zlib: invalid checksum".into());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// LZ4

/// An LZ4 frame laid out as `pierrec/lz4` writes it: independent 4 MiB
/// blocks, a content checksum, blocks stored raw when they do not shrink.
fn lz4_frame(data: &[u8], _level: i64) -> Vec<u8> {
    const BLOCK: usize = 4 << 20;
    let mut out = vec![0x04, 0x22, 0x4d, 0x18];
    let descriptor = [0x64u8, 0x70];
    out.extend_from_slice(&descriptor);
    out.push(((xxhash32(&descriptor, 0) >> 8) & 0xff) as u8);
    for chunk in data.chunks(BLOCK) {
        if let Some(packed) = lz4_block(chunk) {
            out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            out.extend_from_slice(&packed);
        } else {
            out.extend_from_slice(&(chunk.len() as u32 | 0x8000_0000).to_le_bytes());
            out.extend_from_slice(chunk);
        }
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&xxhash32(data, 0).to_le_bytes());
    out
}

/// Six-byte multiplicative hash of the fast LZ4 match finder.
fn lz4_hash(x: u64) -> usize {
    ((x << 16).wrapping_mul(227_718_039_650_203) >> 48) as usize
}

fn load_le(src: &[u8], at: usize, n: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = src.get(at..) {
        let k = s.len().min(n);
        b[..k].copy_from_slice(&s[..k]);
    }
    u64::from_le_bytes(b)
}

fn push_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}

/// One LZ4 block compressed with the fast strategy of `pierrec/lz4`
/// (three candidate positions per step, adaptive skipping, matches grown
/// eight bytes at a time), so block contents match upstream's. `None` when
/// the block does not shrink and must be stored raw.
fn lz4_block(src: &[u8]) -> Option<Vec<u8>> {
    const WIN: isize = 1 << 16;
    const MF_LIMIT: usize = 14;
    let mut table = vec![None::<u16>; 1 << 16];
    let get = |table: &[Option<u16>], h: usize, si: usize| -> isize {
        let mut i = table[h].map_or(0, |v| v as isize) + (si & !0xffff) as isize;
        if i >= si as isize {
            i -= WIN;
        }
        i
    };
    let put = |table: &mut [Option<u16>], h: usize, si: usize| table[h] = Some(si as u16);
    let word_at =
        |i: isize| -> Option<u32> { usize::try_from(i).ok().map(|i| load_le(src, i, 4) as u32) };
    let mut out = Vec::with_capacity(src.len());
    let mut si = 0usize;
    let mut anchor = 0usize;
    let sn = src.len().saturating_sub(MF_LIMIT);
    while si < sn {
        let m = load_le(src, si, 8);
        let mut h = lz4_hash(m);
        let h2 = lz4_hash(m >> 8);
        let r1 = get(&table, h, si);
        let r2 = get(&table, h2, si + 1);
        put(&mut table, h, si);
        put(&mut table, h2, si + 1);
        let bad = |si: usize, r: isize, w: u32| {
            let off = si as isize - r;
            off <= 0 || off >= WIN || word_at(r) != Some(w)
        };
        let mut offset = si as isize - r1;
        if bad(si, r1, m as u32) {
            h = lz4_hash(m >> 16);
            let r3 = get(&table, h, si + 2);
            si += 1;
            offset = si as isize - r2;
            if bad(si, r2, (m >> 8) as u32) {
                si += 1;
                offset = si as isize - r3;
                put(&mut table, h, si);
                if bad(si, r3, (m >> 16) as u32) {
                    si += 2 + ((si - anchor) >> 7);
                    continue;
                }
            }
        }
        let offset = offset as usize;
        let mut lit = si - anchor;
        let mut mlen = 4;
        while lit > 0 && si > offset && src[si - 1] == src[si - offset - 1] {
            si -= 1;
            lit -= 1;
            mlen += 1;
        }
        let base = si + 4;
        si += mlen;
        while si + 8 <= sn {
            let x = load_le(src, si, 8) ^ load_le(src, si - offset, 8);
            if x == 0 {
                si += 8;
            } else {
                si += (x.trailing_zeros() >> 3) as usize;
                break;
            }
        }
        let mlen = si - base;
        let token = (lit.min(15) << 4 | mlen.min(15)) as u8;
        out.push(token);
        if lit >= 15 {
            push_len(&mut out, lit - 15);
        }
        out.extend_from_slice(&src[anchor..anchor + lit]);
        out.extend_from_slice(&(offset as u16).to_le_bytes());
        if mlen >= 15 {
            push_len(&mut out, mlen - 15);
        }
        anchor = si;
        if out.len() >= src.len() {
            return None;
        }
        if si >= sn {
            break;
        }
        let h = lz4_hash(load_le(src, si - 2, 8));
        put(&mut table, h, si - 2);
    }
    if anchor == 0 {
        return None;
    }
    let lit = src.len() - anchor;
    out.push((lit.min(15) << 4) as u8);
    if lit >= 15 {
        push_len(&mut out, lit - 15);
    }
    if out.len() >= anchor || out.len() + lit > src.len() {
        return None;
    }
    out.extend_from_slice(&src[anchor..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 7 + i / 300) as u8).collect();
        for level in [-1, 0, 1, 9] {
            let z = zlib(&data, level);
            assert_eq!(unzlib(&z).unwrap(), data);
            let g = gzip(&data, level, true);
            assert_eq!(gunzip(&g).unwrap(), data);
        }
        let small = b"The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.";
        assert_eq!(gzip(small, -1, true).len(), 114);
        assert_eq!(lz4_frame(small, -1).len(), 85);
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| ((i % 251) ^ (i / 1000)) as u8)
            .collect();
        let mut back = Vec::new();
        lz4_flex::frame::FrameDecoder::new(&lz4_frame(&big, -1)[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, big);
    }
}
