//! Property tests: however a stream is cut into reads, scanners give the
//! same messages as a plain reference; malformed input gives errors, never
//! panics.

use super::*;
use crate::codec::archive::{ArchiveFormat, ArchiveLimits, UnarchiveFormat, archive, unarchive};
use crate::codec::tar::TarWriter;
use proptest::prelude::*;

/// Go's `bufio.ScanLines`: split at `\n`, drop one `\r` before it, no
/// empty token after a final newline.
fn reference_lines(data: &[u8], omit_empty: bool) -> Vec<Vec<u8>> {
    let mut parts: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
        .into_iter()
        .map(|p| p.strip_suffix(b"\r").unwrap_or(p).to_vec())
        .filter(|p| !(omit_empty && p.is_empty()))
        .collect()
}

/// Splitting at each leftmost occurrence of `delim`; a non-empty rest is
/// the last token.
fn reference_delimited(mut data: &[u8], delim: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        match data.windows(delim.len()).position(|w| w == delim) {
            Some(i) => {
                out.push(data[..i].to_vec());
                data = &data[i + delim.len()..];
            }
            None => {
                out.push(data.to_vec());
                break;
            }
        }
    }
    out
}

fn contents(messages: &[Message]) -> Vec<Vec<u8>> {
    messages
        .iter()
        .map(|m| m.content().as_bytes().to_vec())
        .collect()
}

fn bytes_from(alphabet: &'static [u8], max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(alphabet), 0..max)
}

fn pieces() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..40, 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn lines_match_the_reference_for_any_reads(
        data in bytes_from(b"ab\n\r", 300),
        sizes in pieces(),
        omit_empty in any::<bool>(),
    ) {
        let spec = ScannerSpec::Lines(crate::codec::LinesSpec {
            delimiter: None,
            max_buffer_size: 1 << 20,
            omit_empty,
            limit_setting: "max_buffer_size",
        });
        let got = scan_pieces(&spec, &data, &sizes).expect("scans");
        prop_assert_eq!(contents(&got), reference_lines(&data, omit_empty));
    }

    #[test]
    fn custom_delimiters_match_the_reference_for_any_reads(
        data in bytes_from(b"ab-\n", 300),
        delim in proptest::sample::select(vec!["--", "ab", "aa", "\n", "-a-", "b"]),
        sizes in pieces(),
    ) {
        let spec = ScannerSpec::Lines(crate::codec::LinesSpec {
            delimiter: Some(delim.as_bytes().to_vec()),
            max_buffer_size: 1 << 20,
            omit_empty: false,
            limit_setting: "max_buffer_size",
        });
        let got = scan_pieces(&spec, &data, &sizes).expect("scans");
        prop_assert_eq!(contents(&got), reference_delimited(&data, delim.as_bytes()));
    }

    #[test]
    fn csv_rows_do_not_depend_on_reads(
        data in bytes_from(b"ab,\"\n\r", 200),
        sizes in pieces(),
        lazy in any::<bool>(),
        header in any::<bool>(),
    ) {
        let spec = ScannerSpec::Csv(crate::codec::CsvSpec {
            delimiter: ',',
            parse_header_row: header,
            lazy_quotes: lazy,
            continue_on_error: true,
            row_metadata: true,
        });
        let whole = scan(&spec, &data);
        let cut = scan_pieces(&spec, &data, &sizes);
        match (whole, cut) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(texts(&a), texts(&b));
                let errors = |m: &[Message]| m.iter().map(|m| m.error().map(str::to_string)).collect::<Vec<_>>();
                prop_assert_eq!(errors(&a), errors(&b));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|m| texts(&m)), b.map(|m| texts(&m))),
        }
    }

    #[test]
    fn tar_entries_survive_any_reads(
        entries in proptest::collection::vec(
            ("[a-z/é]{0,130}", proptest::collection::vec(any::<u8>(), 0..1200)),
            0..5,
        ),
        sizes in proptest::collection::vec(1usize..700, 1..4),
    ) {
        let mut writer = TarWriter::new(0);
        for (name, data) in &entries {
            writer.add(name, data);
        }
        let packed = writer.finish();
        let spec = config(r#"{"tar": {}}"#);
        let got = scan_pieces(&spec, &packed, &sizes).expect("scans");
        let names: Vec<_> = got.iter().map(|m| meta(m, "tar_name").unwrap_or_default()).collect();
        let want: Vec<_> = entries.iter().map(|(n, _)| n.clone()).collect();
        prop_assert_eq!(names, want);
        let want: Vec<_> = entries.iter().map(|(_, d)| d.clone()).collect();
        prop_assert_eq!(contents(&got), want);
    }

    #[test]
    fn gzip_streams_inflate_for_any_reads(
        data in proptest::collection::vec(any::<u8>(), 0..3000),
        sizes in pieces(),
    ) {
        let mut packed = vec![0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 255];
        packed.extend_from_slice(b"name.txt\0");
        packed.extend(miniz_oxide::deflate::compress_to_vec(&data, 1));
        packed.extend(crc32fast::hash(&data).to_le_bytes());
        packed.extend((data.len() as u32).to_le_bytes());
        let got = scan_pieces(&codec("gzip"), &packed, &sizes).expect("inflates");
        prop_assert_eq!(contents(&got), vec![data]);
    }

    #[test]
    fn damaged_archives_are_errors_not_panics(
        count in 1usize..4,
        cut in any::<proptest::sample::Index>(),
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), 1u8..=255), 0..4),
    ) {
        let msgs: Vec<Message> = (0..count).map(|i| Message::new(format!("entry {i} ").repeat(50).as_bytes())).collect();
        for format in [ArchiveFormat::Tar, ArchiveFormat::Zip, ArchiveFormat::Binary] {
            let packed = archive(format, &msgs, |i| Ok::<_, std::fmt::Error>(format!("f{i}")))
                .expect("archives")
                .expect("message");
            let mut bytes = packed.content().as_bytes().to_vec();
            for (at, x) in &flips {
                let i = at.index(bytes.len());
                bytes[i] ^= x;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let damaged = Message::new(&bytes);
            for to in [UnarchiveFormat::Tar, UnarchiveFormat::Zip, UnarchiveFormat::Binary] {
                let _ = unarchive(to, &damaged, &ArchiveLimits::default());
            }
            let _ = scan(&config(r#"{"tar": {}}"#), &bytes);
        }
    }

    #[test]
    fn random_bytes_are_errors_not_panics(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let msg = Message::new(&data);
        for format in ["binary", "tar", "zip", "json_documents", "json_array", "json_map", "lines", "csv"] {
            let format = UnarchiveFormat::parse(format).expect("format");
            let _ = unarchive(format, &msg, &ArchiveLimits::default());
        }
        for spec in ["tar", "gzip", "csv", "zlib", "flate"] {
            let spec = match spec {
                "zlib" | "flate" => config(&format!(r#"{{"decompress": {{"algorithm": "{spec}"}}}}"#)),
                other => codec(other),
            };
            let _ = scan(&spec, &data);
        }
    }
}
