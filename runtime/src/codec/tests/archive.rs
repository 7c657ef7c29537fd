//! `archive` and `unarchive` formats: round trips, Benthos's shapes and
//! metadata, malformed inputs and expansion limits.

use super::*;
use crate::codec::archive::{
    ArchiveError, ArchiveFormat, ArchiveLimits, UnarchiveFormat, archive, unarchive,
};
use tarn_lang::Value;

fn msg(text: &str) -> Message {
    Message::new(text.as_bytes()).with_meta("source", Value::str("orig"))
}

fn un(format: &str, content: &[u8]) -> Result<Vec<Message>, ArchiveError> {
    let format = UnarchiveFormat::parse(format).expect("format");
    let original = Message::new(content).with_meta("source", Value::str("orig"));
    unarchive(format, &original, &ArchiveLimits::default())
}

fn pack(format: &str, msgs: &[Message]) -> Message {
    let format = ArchiveFormat::parse(format).expect("format");
    archive(format, msgs, |i| {
        Ok::<_, std::fmt::Error>(format!("m{i}.txt"))
    })
    .expect("archives")
    .expect("one message")
}

#[test]
fn round_trips_keep_contents_and_metadata() {
    let msgs: Vec<Message> = ["first", "", "third\nwith newline", "{\"a\":1}"]
        .iter()
        .map(|t| msg(t))
        .collect();
    for format in ["binary", "tar", "zip"] {
        let packed = pack(format, &msgs);
        assert_eq!(meta(&packed, "source").as_deref(), Some("orig"), "{format}");
        let back = un(format, packed.content().as_bytes()).expect(format);
        assert_eq!(texts(&back), texts(&msgs), "{format}");
        assert!(
            back.iter()
                .all(|m| meta(m, "source").as_deref() == Some("orig"))
        );
        if format != "binary" {
            let names: Vec<_> = back.iter().map(|m| meta(m, "archive_filename")).collect();
            assert_eq!(
                names,
                (0..4)
                    .map(|i| Some(format!("m{i}.txt")))
                    .collect::<Vec<_>>()
            );
        }
    }
    let joined = pack("lines", &msgs);
    assert_eq!(
        texts(&un("lines", joined.content().as_bytes()).expect("lines")),
        ["first", "", "third", "with newline", "{\"a\":1}"]
    );
    let concatenated = pack("concatenate", &[msg("ab"), msg("cd")]);
    assert_eq!(concatenated.content().as_bytes(), b"abcd");
}

#[test]
fn binary_format_matches_benthos_bytes() {
    let packed = pack("binary", &[msg("hello"), msg("world")]);
    assert_eq!(
        packed.content().as_bytes(),
        b"\x00\x00\x00\x02\x00\x00\x00\x05hello\x00\x00\x00\x05world"
    );
    for bad in [
        &b""[..],
        b"\x00\x00\x00",
        b"\x00\x00\x00\x09abcd",
        b"\x00\x00\x00\x01\x00\x00\x00\x09ab",
        b"\x00\x00\x00\x01\x00\x00",
    ] {
        let err = un("binary", bad).expect_err("malformed");
        assert!(err.to_string().contains("unexpected format"), "{err}");
    }
    assert!(
        un("binary", b"\x00\x00\x00\x00")
            .expect("empty batch")
            .is_empty()
    );
}

#[test]
fn lines_split_like_go_bytes_split() {
    assert_eq!(
        texts(&un("lines", b"a\nb\n").expect("lines")),
        ["a", "b", ""]
    );
    assert_eq!(texts(&un("lines", b"").expect("lines")), [""]);
    assert_eq!(texts(&un("lines", b"x\r\ny").expect("lines")), ["x\r", "y"]);
}

#[test]
fn json_formats_expand_documents_elements_and_values() {
    let docs = un("json_documents", b" {\"a\":1}\n[2,3]\"s\" 4.50 null{}").expect("docs");
    assert_eq!(
        texts(&docs),
        [r#"{"a":1}"#, "[2,3]", "\"s\"", "4.50", "null", "{}"]
    );
    assert!(
        docs.iter()
            .all(|m| meta(m, "source").as_deref() == Some("orig"))
    );
    assert!(un("json_documents", b"").expect("none").is_empty());
    let err = un("json_documents", b"{\"a\":1} {oops").expect_err("bad");
    assert!(err.to_string().contains("invalid character"), "{err}");

    let items = un("json_array", b"[1, {\"b\": [true]}, \"x\"]").expect("array");
    assert_eq!(texts(&items), ["1", r#"{"b":[true]}"#, "\"x\""]);
    assert!(matches!(items[1].structured(), Ok(Value::Object(_))));
    let err = un("json_array", b"{\"a\":1}").expect_err("not an array");
    assert!(
        err.to_string()
            .contains("failed to parse message into JSON array: invalid type"),
        "{err}"
    );
    assert!(un("json_array", b"[1,").is_err());

    let values = un("json_map", b"{\"z\": 1, \"a\": [2]}").expect("map");
    assert_eq!(texts(&values), ["[2]", "1"]);
    let keys: Vec<_> = values.iter().map(|m| meta(m, "archive_key")).collect();
    assert_eq!(keys, [Some("a".to_string()), Some("z".to_string())]);
    assert!(un("json_map", b"[1]").is_err());

    let packed = pack(
        "json_array",
        &[msg("{\"a\":1}"), msg("2"), msg("\"three\"")],
    );
    assert_eq!(packed.content().as_bytes(), br#"[{"a":1},2,"three"]"#);
    assert!(matches!(packed.structured(), Ok(Value::Array(_))));
    let format = ArchiveFormat::JsonArray;
    let err = archive(format, &[msg("not json")], |_| {
        Ok::<_, std::fmt::Error>(String::new())
    })
    .expect_err("bad json");
    assert!(
        err.to_string().contains("failed to parse message as JSON"),
        "{err}"
    );
}

#[test]
fn csv_rows_become_objects() {
    let rows = un("csv", b"id,name\n1,\"a, b\"\n\n2,c\n").expect("csv");
    assert_eq!(
        texts(&rows),
        [r#"{"id":"1","name":"a, b"}"#, r#"{"id":"2","name":"c"}"#]
    );
    assert!(
        rows.iter()
            .all(|m| meta(m, "source").as_deref() == Some("orig"))
    );
    let rows = un("csv:;", b"id;name\n1;x\n").expect("csv");
    assert_eq!(texts(&rows), [r#"{"id":"1","name":"x"}"#]);
    assert!(un("csv", b"").expect("empty").is_empty());
    let err = un("csv", b"a,b\n1\n").expect_err("short row");
    assert!(
        err.to_string()
            .contains("failed to parse message as csv: record on line 2: wrong number of fields"),
        "{err}"
    );
}

#[test]
fn formats_parse_and_reject_like_benthos() {
    assert!(UnarchiveFormat::parse("csv:").is_err());
    assert!(UnarchiveFormat::parse("csv:ab").is_err());
    assert!(UnarchiveFormat::parse("rar").is_err());
    assert!(ArchiveFormat::parse("json_map").is_err());
    assert_eq!(
        UnarchiveFormat::parse("csv:\t").expect("tab"),
        UnarchiveFormat::Csv { delimiter: '\t' }
    );
    let none = archive(ArchiveFormat::Lines, &[], |_| {
        Ok::<_, std::fmt::Error>(String::new())
    });
    assert!(none.expect("empty batch").is_none());
    let err =
        archive(ArchiveFormat::Tar, &[msg("x")], |_| Err(std::fmt::Error)).expect_err("path fails");
    assert!(matches!(err, ArchiveError::Path { index: 0, .. }));
}

/// A zip holding one deflated entry of `size` zero bytes.
fn zip_of_zeros(size: usize, entries: usize) -> Vec<u8> {
    let msgs: Vec<Message> = (0..entries)
        .map(|_| Message::new(&vec![0u8; size]))
        .collect();
    let packed = archive(ArchiveFormat::Zip, &msgs, |i| {
        Ok::<_, std::fmt::Error>(format!("z{i}"))
    })
    .expect("archives")
    .expect("message");
    packed.content().as_bytes().to_vec()
}

#[test]
fn decompression_bombs_hit_the_limits() {
    let bomb = zip_of_zeros(10 << 20, 1);
    assert!(bomb.len() < 100_000, "zeros deflate well: {}", bomb.len());
    let small = ArchiveLimits {
        max_entry_bytes: 1 << 20,
        ..ArchiveLimits::default()
    };
    let err = unarchive(UnarchiveFormat::Zip, &Message::new(&bomb), &small).expect_err("bomb");
    assert!(matches!(err, ArchiveError::TooLarge { limit, .. } if limit == 1 << 20));
    let many = zip_of_zeros(1 << 20, 5);
    let total = ArchiveLimits {
        max_total_bytes: 3 << 20,
        ..ArchiveLimits::default()
    };
    let err = unarchive(UnarchiveFormat::Zip, &Message::new(&many), &total).expect_err("total");
    assert!(err.to_string().contains("total"), "{err}");
    let count = ArchiveLimits {
        max_entries: 10,
        ..ArchiveLimits::default()
    };
    let lines = Message::new(&[b'\n'; 50]);
    let err = unarchive(UnarchiveFormat::Lines, &lines, &count).expect_err("count");
    assert!(
        err.to_string().contains("number of unarchived messages"),
        "{err}"
    );
}

#[test]
fn a_zip_entry_lying_about_its_size_or_crc_is_an_error() {
    let good = zip_of_zeros(1000, 1);
    // The central directory's size field of the only entry.
    let central = good.len() - 22 - (46 + 2 + 9);
    let mut short = good.clone();
    short[central + 24..central + 28].copy_from_slice(&999u32.to_le_bytes());
    let err = un("zip", &short).expect_err("size");
    assert!(err.to_string().contains("zip"), "{err}");
    let mut crc = good.clone();
    crc[central + 16] ^= 1;
    let err = un("zip", &crc).expect_err("crc");
    assert!(err.to_string().contains("checksum error"), "{err}");
    assert!(un("zip", b"PK\x05\x06").is_err());
    assert!(un("zip", b"").is_err());
}
