//! The line-oriented and whole-stream scanners, decompression, BOMs,
//! `switch`, codec strings and the typed config.

use super::*;
use crate::codec::{CodecError, ScannerConfig};
use std::sync::atomic::Ordering;

fn lines_spec(delim: Option<&str>, max: usize, omit_empty: bool) -> ScannerSpec {
    ScannerSpec::Lines(crate::codec::LinesSpec {
        delimiter: delim.map(|d| d.as_bytes().to_vec()),
        max_buffer_size: max,
        omit_empty,
        limit_setting: "max_buffer_size",
    })
}

#[test]
fn lines_split_at_newlines_and_drop_one_carriage_return() {
    let spec = config(r#"{"lines": {}}"#);
    let got = scan(&spec, b"a\nb\r\n\n\r\nc\r\r\nlast").expect("scans");
    assert_eq!(texts(&got), ["a", "b", "", "", "c\r", "last"]);
    assert_eq!(texts(&scan(&spec, b"x\n").expect("scans")), ["x"]);
    assert!(scan(&spec, b"").expect("scans").is_empty());
    assert_eq!(texts(&scan(&spec, b"\n").expect("scans")), [""]);
    assert_eq!(texts(&scan(&spec, b"end\r").expect("scans")), ["end"]);
}

#[test]
fn custom_delimiters_match_exactly_even_across_reads() {
    let spec = lines_spec(Some("---END---"), 1000, false);
    let data = b"one---END---two--END---still two---END------END---three";
    for sizes in [&[1][..], &[2, 5], &[7], &[1000]] {
        let got = scan_pieces(&spec, data, sizes).expect("scans");
        assert_eq!(texts(&got), ["one", "two--END---still two", "", "three"]);
    }
    // A custom "\n" keeps carriage returns.
    let spec = lines_spec(Some("\n"), 1000, false);
    assert_eq!(texts(&scan(&spec, b"a\r\nb").expect("scans")), ["a\r", "b"]);
}

#[test]
fn omit_empty_drops_empty_lines_only() {
    let spec = config(r#"{"lines": {"omit_empty": true}}"#);
    let got = scan(&spec, b"\n\na\n\r\n \nb\n\n").expect("scans");
    assert_eq!(texts(&got), ["a", " ", "b"]);
}

#[test]
fn a_line_over_max_buffer_size_is_an_error_naming_the_limit() {
    let spec = lines_spec(None, 8, false);
    // Seven bytes and the newline fit in eight.
    assert_eq!(
        texts(&scan(&spec, b"1234567\nab").expect("fits")),
        ["1234567", "ab"]
    );
    let err = scan_pieces(&spec, b"ok\n12345678\nafter\n", &[3]).expect_err("too long");
    assert!(
        matches!(err, CodecError::TooLong { limit: 8, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("8 bytes"), "{err}");
    assert!(err.to_string().contains("max_buffer_size"), "{err}");
    // An unterminated last line must be shorter than the limit, as in Go.
    assert_eq!(texts(&scan(&spec, b"1234567").expect("fits")), ["1234567"]);
    assert!(scan(&spec, b"12345678").is_err());
    // A line never ending is refused once the limit is reached, not
    // buffered without end.
    let endless = vec![b'x'; 5_000_000];
    let spec = lines_spec(None, 1000, false);
    let err = scan_pieces(&spec, &endless, &[4096]).expect_err("too long");
    assert!(matches!(err, CodecError::TooLong { limit: 1000, .. }));
}

#[test]
fn codec_lines_use_max_buffer() {
    let spec = ScannerSpec::from_codec("lines", 5).expect("parses");
    let err = scan(&spec, b"123456\n").expect_err("too long");
    assert!(err.to_string().contains("`max_buffer`"), "{err}");
    // Benthos's default max_buffer (1000000) applies to 0.
    let spec = codec("lines");
    let long = [vec![b'y'; 900_000], b"\n".to_vec()].concat();
    assert_eq!(scan(&spec, &long).expect("fits").len(), 1);
}

#[test]
fn lines_read_big_blocks_not_a_read_per_line() {
    let line = b"{\"id\":12345,\"name\":\"some name\"}\n";
    let data: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(line.len() * 100_000)
        .collect();
    let reader = Pieces::new(&data, &[usize::MAX]);
    let reads = reader.reads.clone();
    let spec = config(r#"{"lines": {}}"#);
    let got = scan_reader(&spec, Box::new(reader), "", &ScannerLimits::default()).expect("scans");
    assert_eq!(got.len(), 100_000);
    let blocks = data.len() / crate::codec::source::READ_BLOCK + 2;
    let reads = reads.load(Ordering::Relaxed);
    assert!(reads <= blocks, "{reads} reads for {blocks} blocks");
}

#[test]
fn chunker_cuts_fixed_sizes() {
    let spec = config(r#"{"chunker": {"size": 4}}"#);
    assert_eq!(
        texts(&scan(&spec, b"abcdefghij").expect("scans")),
        ["abcd", "efgh", "ij"]
    );
    assert_eq!(
        texts(&scan_pieces(&spec, b"abcdefgh", &[3]).expect("scans")),
        ["abcd", "efgh"]
    );
    assert!(scan(&spec, b"").expect("scans").is_empty());
    assert_eq!(
        texts(&scan(&codec("chunker:3"), b"1234").expect("scans")),
        ["123", "4"]
    );
    let limits = ScannerLimits {
        max_message_bytes: 3,
    };
    let too_big = scan_reader(&spec, Box::new(io::Cursor::new(vec![])), "", &limits);
    assert!(matches!(too_big, Err(CodecError::TooLong { .. })));
}

#[test]
fn to_the_end_reads_everything_up_to_the_limit() {
    let spec = config(r#"{"to_the_end": {}}"#);
    let data = vec![7u8; 1_000_000];
    let got = scan_pieces(&spec, &data, &[65536]).expect("scans");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].content().as_bytes(), &data[..]);
    // An empty stream is one empty message.
    assert_eq!(texts(&scan(&codec("all-bytes"), b"").expect("scans")), [""]);
    let limits = ScannerLimits {
        max_message_bytes: 999_999,
    };
    let err = scan_reader(&spec, Box::new(io::Cursor::new(data)), "", &limits).expect_err("big");
    assert!(err.to_string().contains("999999"), "{err}");
}

#[test]
fn re_match_starts_a_message_at_each_match() {
    let spec = config(r#"{"re_match": {"pattern": "(?m)^\\d\\d:\\d\\d:\\d\\d"}}"#);
    let data = b"preamble\n10:00:00 one\nmore\n10:00:01 two\n10:00:02 three";
    for sizes in [&[1][..], &[5], &[4096]] {
        let got = scan_pieces(&spec, data, sizes).expect("scans");
        assert_eq!(
            texts(&got),
            [
                "preamble\n",
                "10:00:00 one\nmore\n",
                "10:00:01 two\n",
                "10:00:02 three"
            ]
        );
    }
    let spec = codec("regex:X");
    assert_eq!(
        texts(&scan(&spec, b"XaXbX").expect("scans")),
        ["Xa", "Xb", "X"]
    );
    let spec = config(r#"{"re_match": {"pattern": "X", "max_buffer_size": 4}}"#);
    assert!(matches!(
        scan(&spec, b"Xabcdef"),
        Err(CodecError::TooLong { limit: 4, .. })
    ));
    let bad: ScannerConfig =
        serde_json::from_str(r#"{"re_match": {"pattern": "("}}"#).expect("json");
    assert!(matches!(
        ScannerSpec::try_from(bad),
        Err(CodecError::Config(_))
    ));
}

#[test]
fn skip_bom_drops_one_mark() {
    let spec = config(r#"{"skip_bom": {"into": {"lines": {}}}}"#);
    for (data, want) in [
        (&b"\xEF\xBB\xBFa\nb"[..], vec!["a", "b"]),
        (b"\xFF\xFEx", vec!["x"]),
        (b"\x00\x00\xFE\xFFy", vec!["y"]),
        (b"\xEF\xBB", vec!["\u{FFFD}"]),
        (b"plain", vec!["plain"]),
        (b"", vec![]),
    ] {
        for sizes in [&[1][..], &[100]] {
            let got = scan_pieces(&spec, data, sizes).expect("scans");
            assert_eq!(texts(&got), want, "{data:?}");
        }
    }
    // Only one mark goes; the default child reads to the end.
    let spec = config(r#"{"skip_bom": {}}"#);
    let got = scan(&spec, b"\xEF\xBB\xBF\xEF\xBB\xBFz").expect("scans");
    assert_eq!(got[0].content().as_bytes(), b"\xEF\xBB\xBFz");
    assert_eq!(
        texts(&scan(&codec("skipbom/lines"), b"\xEF\xBB\xBFq\n").expect("scans")),
        ["q"]
    );
}

#[test]
fn switch_picks_the_first_matching_case_by_source_name() {
    let spec = config(
        r#"{"switch": [
            {"re_match_name": "\\.csv$", "scanner": {"csv": {}}},
            {"re_match_name": "\\.txt$", "scanner": {"lines": {}}}
        ]}"#,
    );
    let open = |name: &str, data: &[u8]| {
        let reader = Box::new(io::Cursor::new(data.to_vec()));
        scan_reader(&spec, reader, name, &ScannerLimits::default())
    };
    assert_eq!(texts(&open("a.txt", b"x\ny").expect("lines")), ["x", "y"]);
    assert_eq!(
        texts(&open("a.csv", b"k\nv").expect("csv")),
        [r#"{"k":"v"}"#]
    );
    let err = open("a.bin", b"").expect_err("no case");
    assert!(err.to_string().contains("a.bin"), "{err}");
}

#[test]
fn auto_codec_chooses_by_extension() {
    let spec = codec("auto");
    let open = |name: &str, data: &[u8]| {
        let reader = Box::new(io::Cursor::new(data.to_vec()));
        scan_reader(&spec, reader, name, &ScannerLimits::default())
    };
    assert_eq!(
        texts(&open("x.csv", b"a\n1").expect("csv")),
        [r#"{"a":"1"}"#]
    );
    assert_eq!(texts(&open("x.bin", b"a\n1").expect("bytes")), ["a\n1"]);
    assert!(matches!(
        open("x.avro", b""),
        Err(CodecError::Unsupported(_))
    ));
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(crc32fast::hash(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[test]
fn decompress_gzip_zlib_and_flate_into_a_child_scanner() {
    let text: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    let want: Vec<String> = (0..20_000).map(|i| format!("line {i}")).collect();
    let cases = [
        ("gzip", gzip(&text)),
        ("pgzip", gzip(&text)),
        ("zlib", miniz_oxide::deflate::compress_to_vec_zlib(&text, 6)),
        ("flate", miniz_oxide::deflate::compress_to_vec(&text, 6)),
    ];
    for (algorithm, packed) in cases {
        let spec = config(&format!(
            r#"{{"decompress": {{"algorithm": "{algorithm}", "into": {{"lines": {{}}}}}}}}"#
        ));
        for sizes in [&[1][..], &[333], &[1 << 20]] {
            let got = scan_pieces(&spec, &packed, sizes).expect(algorithm);
            assert_eq!(texts(&got), want, "{algorithm} {sizes:?}");
        }
    }
    // Members in a row are one stream; the default child reads it all.
    let spec = config(r#"{"decompress": {"algorithm": "gzip"}}"#);
    let two = [gzip(b"first "), gzip(b"second")].concat();
    assert_eq!(texts(&scan(&spec, &two).expect("scans")), ["first second"]);
    assert_eq!(
        texts(&scan(&codec("gzip"), &two).expect("scans")),
        ["first second"]
    );
    assert_eq!(
        texts(&scan(&codec("gzip/lines"), &gzip(b"a\nb")).expect("scans")),
        ["a", "b"]
    );
}

#[test]
fn broken_compressed_streams_are_errors() {
    let spec = config(r#"{"decompress": {"algorithm": "gzip", "into": {"lines": {}}}}"#);
    let good = gzip(b"hello\nworld\n");
    let mut bad_crc = good.clone();
    let n = bad_crc.len();
    bad_crc[n - 6] ^= 1;
    let err = scan(&spec, &bad_crc).expect_err("crc");
    assert!(err.to_string().contains("invalid checksum"), "{err}");
    for cut in [1, 5, 12, good.len() - 3] {
        assert!(scan(&spec, &good[..cut]).is_err(), "cut at {cut}");
    }
    assert!(scan(&spec, b"not gzip at all").is_err());
    assert!(scan(&spec, b"").is_err());
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"junk after");
    assert!(scan(&spec, &trailing).is_err());
    let mut corrupt = good;
    corrupt[12] ^= 0xff;
    assert!(scan(&spec, &corrupt).is_err());
    let zlib = config(r#"{"decompress": {"algorithm": "zlib"}}"#);
    let mut packed = miniz_oxide::deflate::compress_to_vec_zlib(b"abcdef", 6);
    let n = packed.len();
    packed[n - 1] ^= 1;
    assert!(scan(&zlib, &packed).is_err(), "adler32 is checked");
}

#[test]
fn unsupported_scanners_and_algorithms_say_so() {
    for (json, name) in [
        (r#"{"avro": {}}"#, "scanner `avro`"),
        (r#"{"json_documents": {}}"#, "scanner `json_documents`"),
        (r#"{"json_array": null}"#, "scanner `json_array`"),
        (
            r#"{"decompress": {"algorithm": "zstd"}}"#,
            "algorithm `zstd`",
        ),
        (r#"{"skip_bom": {"into": {"avro": {}}}}"#, "scanner `avro`"),
    ] {
        let config: ScannerConfig = serde_json::from_str(json).expect("accepted by the schema");
        let err = ScannerSpec::try_from(config).expect_err("not built");
        assert!(matches!(err, CodecError::Unsupported(_)), "{err:?}");
        assert!(err.to_string().contains(name), "{err}");
        assert!(err.to_string().contains("not supported yet"), "{err}");
    }
}

#[test]
fn config_is_strict_and_defaults_like_benthos() {
    for bad in [
        r#"{"lines": {"max_buffer": 10}}"#,
        r#"{"nope": {}}"#,
        r#"{"lines": {}, "csv": {}}"#,
        r#"{"decompress": {}}"#,
        r#"{"decompress": {"algorithm": "rar"}}"#,
        r#"{"chunker": {}}"#,
        r#"{"switch": [{"scanner": {"tar": {}}, "extra": 1}]}"#,
    ] {
        assert!(serde_json::from_str::<ScannerConfig>(bad).is_err(), "{bad}");
    }
    let Ok(ScannerConfig::Lines(lines)) = serde_json::from_str(r#"{"lines": null}"#) else {
        panic!("lines: null is the defaults");
    };
    assert_eq!(lines.max_buffer_size, 65536);
    let Ok(ScannerConfig::Csv(csv)) = serde_json::from_str(r#"{"csv": {}}"#) else {
        panic!("csv: {{}}");
    };
    assert!(csv.parse_header_row && !csv.lazy_quotes && !csv.continue_on_error);
    for zero in [
        r#"{"lines": {"max_buffer_size": 0}}"#,
        r#"{"chunker": {"size": -1}}"#,
    ] {
        let config: ScannerConfig = serde_json::from_str(zero).expect("json");
        assert!(matches!(
            ScannerSpec::try_from(config),
            Err(CodecError::Config(_))
        ));
    }
    let schema = schemars::schema_for!(ScannerConfig);
    let text = serde_json::to_string(&schema).expect("schema serialises");
    for name in [
        "lines",
        "custom_delimiter",
        "re_match",
        "skip_bom",
        "to_the_end",
        "algorithm",
    ] {
        assert!(text.contains(name), "schema lacks {name}");
    }
}

#[test]
fn codec_strings_parse_like_benthos() {
    assert!(matches!(codec("gzip/csv"), ScannerSpec::Decompress { .. }));
    assert!(matches!(codec("tar-gzip"), ScannerSpec::Decompress { .. }));
    assert!(matches!(
        codec("skipbom/gzip/tar"),
        ScannerSpec::SkipBom { .. }
    ));
    assert!(matches!(codec("delim:\t"), ScannerSpec::Lines(_)));
    assert!(matches!(codec("csv:;"), ScannerSpec::Csv(_)));
    for (bad, text) in [
        ("lines/gzip", "unable to follow codec 'lines' with 'gzip'"),
        ("lines/csv", "unable to follow codec 'lines' with 'csv'"),
        ("delim:", "non-empty delimiter"),
        ("csv:ab", "single character"),
        ("csv:\"", "invalid field delimiter"),
        ("chunker:x", "invalid chunk size"),
        ("chunker:0", "at least 1"),
        ("regex:(", "invalid pattern"),
        ("what", "codec was not recognised: what"),
        ("lines/multipart", "not supported yet"),
        ("csv-safe", "not supported yet"),
        ("avro-ocf:marshaler=json", "not supported yet"),
    ] {
        let err = ScannerSpec::from_codec(bad, 0).expect_err(bad);
        assert!(err.to_string().contains(text), "{bad}: {err}");
    }
    assert!(ScannerSpec::from_codec("lines", -5).is_err());
}

#[test]
fn inputs_take_codec_or_scanner_but_not_both() {
    let lines = ScannerSpec::for_input(None, None, None).expect("default");
    assert!(matches!(&lines, ScannerSpec::Lines(l) if l.max_buffer_size == 65536));
    let old = ScannerSpec::for_input(Some("lines"), Some(10), None).expect("codec");
    assert!(matches!(&old, ScannerSpec::Lines(l) if l.max_buffer_size == 10));
    let old = ScannerSpec::for_input(Some("lines"), None, None).expect("codec");
    assert!(matches!(&old, ScannerSpec::Lines(l) if l.max_buffer_size == 1_000_000));
    let tar = || serde_json::from_str::<ScannerConfig>(r#"{"tar": {}}"#).expect("json");
    assert!(matches!(
        ScannerSpec::for_input(None, None, Some(tar())),
        Ok(ScannerSpec::Tar {
            name_metadata: true
        })
    ));
    let both = ScannerSpec::for_input(Some("lines"), None, Some(tar())).expect_err("both");
    assert!(both.to_string().contains("cannot both be set"), "{both}");
    let stray = ScannerSpec::for_input(None, Some(5), Some(tar())).expect_err("stray");
    assert!(
        stray
            .to_string()
            .contains("`max_buffer` applies only with `codec`"),
        "{stray}"
    );
}

#[test]
fn dropping_a_pending_next_message_loses_nothing() {
    use std::future::Future;
    let csv_gz = gzip(b"k,v\n1,2\n3,4\n");
    let cases: [(ScannerSpec, Vec<u8>, Vec<&str>); 3] = [
        (
            config(r#"{"lines": {}}"#),
            b"a\nbb\n\nccc".to_vec(),
            vec!["a", "bb", "", "ccc"],
        ),
        (
            codec("gzip/csv"),
            csv_gz,
            vec![r#"{"k":"1","v":"2"}"#, r#"{"k":"3","v":"4"}"#],
        ),
        (
            config(r#"{"chunker": {"size": 3}}"#),
            b"1234567".to_vec(),
            vec!["123", "456", "7"],
        ),
    ];
    for (spec, data, want) in cases {
        let reader = Box::new(Pieces::new(&data, &[2]));
        let mut scanner = spec.open(reader, "").expect("opens");
        let mut got = Vec::new();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            // Poll once and give up, then ask again until a message comes.
            let mut fut = Box::pin(scanner.next_message());
            let polled = fut.as_mut().poll(&mut cx);
            drop(fut);
            match polled {
                std::task::Poll::Ready(Ok(Some(msg))) => got.push(msg),
                std::task::Poll::Ready(Ok(None)) => break,
                std::task::Poll::Ready(Err(e)) => panic!("{e}"),
                std::task::Poll::Pending => {}
            }
        }
        assert_eq!(texts(&got), want);
    }
}
