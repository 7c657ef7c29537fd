//! Stdlib family: formats (see language.md §4): encodings, hashes,
//! encryption, compression and the parse/format methods of data formats.

use super::Spec;

mod codec;
mod compress;
mod crypto;
mod csv_logfmt;
pub(crate) mod digest_util;
mod encoding;
mod json;
mod url;
mod yaml;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[
    encoding::SPECS,
    crypto::SPECS,
    json::SPECS,
    csv_logfmt::SPECS,
    url::SPECS,
    compress::SPECS,
];

#[cfg(test)]
mod robustness {
    //! Arbitrary bytes must never panic any parser or decoder of this family.

    use crate::{Env, Vm, map_line};

    fn bytes(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| (crate::stdlib::util::xorshift(seed) >> 24) as u8)
            .collect()
    }

    #[test]
    fn garbage_in_no_panic() {
        let env = Env::standard();
        let methods = [
            r#"decode("base64")"#,
            r#"decode("hex")"#,
            r#"decode("ascii85")"#,
            r#"decode("z85")"#,
            r#"decompress("gzip")"#,
            r#"decompress("zlib")"#,
            r#"decompress("flate")"#,
            r#"decompress("snappy")"#,
            r#"decompress("lz4")"#,
            r#"decompress("zstd")"#,
            r#"decompress("bzip2")"#,
            "parse_json()",
            "parse_yaml()",
            "parse_csv()",
            "parse_logfmt()",
            "parse_url()",
            "parse_form_url_encoded()",
            "parse_yaml().format_yaml()",
            r#"compress("lz4").decompress("lz4")"#,
            r#"compress("gzip").decompress("gzip")"#,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for m in methods {
            let prog = env
                .compile(&format!("root = content().{m}"))
                .expect("compiles");
            for round in 0..2000 {
                let mut input = bytes(&mut seed, round % 97);
                if round % 3 == 0 {
                    // Mostly printable input exercises the text parsers deeper.
                    for b in &mut input {
                        *b = b" :-\"'#&=%[]{}\nab1.\t,|>"[usize::from(*b) % 22];
                    }
                }
                if round % 4 == 1 {
                    const MAGIC: [&[u8]; 5] = [
                        &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff],
                        &[0x78, 0x9c],
                        b"BZh91AY&SY",
                        &[0x04, 0x22, 0x4d, 0x18, 0x64, 0x70, 0xb9],
                        &[0x28, 0xb5, 0x2f, 0xfd],
                    ];
                    let mut prefixed = MAGIC[(round / 4) % 5].to_vec();
                    prefixed.extend_from_slice(&input);
                    input = prefixed;
                }
                let mut out = Vec::new();
                let _ = map_line(&prog, &mut Vm::new(), &input, &mut out);
            }
        }
    }
}
