//! The tar scanner and the tar reader and writer it shares with
//! `archive` / `unarchive`.

use super::*;
use crate::codec::archive::{ArchiveFormat, ArchiveLimits, UnarchiveFormat, archive, unarchive};
use crate::codec::tar::{BLOCK, TarWriter};

fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = TarWriter::new(1_700_000_000);
    for (name, data) in entries {
        w.add(name, data);
    }
    w.finish()
}

#[test]
fn each_entry_is_a_message_named_by_tar_name() {
    let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
    let longer = "n".repeat(300);
    let data = tar_of(&[
        ("a.txt", b"alpha"),
        ("empty", b""),
        (&long, b"split into prefix and name"),
        (&longer, b"needs a pax path"),
        ("ünïcode.json", &[0u8; 1000]),
    ]);
    let spec = config(r#"{"tar": {}}"#);
    for sizes in [&[1][..], &[511, 513], &[1 << 20]] {
        let got = scan_pieces(&spec, &data, sizes).expect("scans");
        let names: Vec<_> = got.iter().map(|m| meta(m, "tar_name")).collect();
        let want = ["a.txt", "empty", &long, &longer, "ünïcode.json"];
        assert_eq!(names, want.map(|n| Some(n.to_string())));
        assert_eq!(got[0].content().as_bytes(), b"alpha");
        assert_eq!(got[4].content().len(), 1000);
    }
    let got = scan(&codec("tar"), &data).expect("scans");
    assert_eq!(got.len(), 5);
    assert!(
        got[0].meta().get("tar_name").is_none(),
        "the codec sets no name"
    );
}

#[test]
fn truncated_and_corrupt_archives() {
    let data = tar_of(&[("a", b"0123456789"), ("b", b"xyz")]);
    let spec = config(r#"{"tar": {}}"#);
    // Cut inside a header or content: an error. Cut in the padding or the
    // end blocks: Go stops quietly.
    assert!(scan(&spec, &data[..100]).is_err());
    assert!(scan(&spec, &data[..BLOCK + 5]).is_err());
    assert_eq!(scan(&spec, &data[..BLOCK + 20]).expect("pad cut").len(), 1);
    assert_eq!(scan(&spec, &data[..3 * BLOCK + 3]).expect("ends").len(), 2);
    assert_eq!(
        scan(&spec, &data[..4 * BLOCK])
            .expect("one zero block")
            .len(),
        2
    );
    let mut bad_sum = data.clone();
    bad_sum[0] ^= 1;
    let err = scan(&spec, &bad_sum).expect_err("checksum");
    assert!(err.to_string().contains("invalid tar header"), "{err}");
    // A zero block followed by a header is corrupt.
    let mut zero_then = vec![0u8; BLOCK];
    zero_then.extend_from_slice(&data);
    assert!(scan(&spec, &zero_then).is_err());
    assert!(scan(&spec, b"").expect("empty archive").is_empty());
}

#[test]
fn a_tar_entry_over_the_limit_is_refused_before_it_is_read() {
    let data = tar_of(&[("big", &vec![1u8; 10_000])]);
    let limits = ScannerLimits {
        max_message_bytes: 9_999,
    };
    let spec = config(r#"{"tar": {}}"#);
    let reader = Box::new(io::Cursor::new(data.clone()));
    let err = scan_reader(&spec, reader, "", &limits).expect_err("too big");
    assert!(matches!(err, CodecError::TooLong { limit: 9_999, .. }));
    let msg = Message::new(&data);
    let limits = ArchiveLimits {
        max_entry_bytes: 9_999,
        ..ArchiveLimits::default()
    };
    assert!(unarchive(UnarchiveFormat::Tar, &msg, &limits).is_err());
}

#[test]
fn archive_tar_round_trips_through_unarchive() {
    let msgs: Vec<Message> = (0..5)
        .map(|i| Message::new(format!("content {i}").repeat(i * 100).as_bytes()))
        .collect();
    let first = msgs[0]
        .clone()
        .with_meta("kept", tarn_lang::Value::str("yes"));
    let msgs = [vec![first], msgs[1..].to_vec()].concat();
    let packed = archive(ArchiveFormat::Tar, &msgs, |i| {
        Ok::<_, std::fmt::Error>(format!("dir/file-{i}.txt"))
    })
    .expect("archives")
    .expect("a message");
    assert_eq!(meta(&packed, "kept").as_deref(), Some("yes"));
    let back = unarchive(UnarchiveFormat::Tar, &packed, &ArchiveLimits::default()).expect("reads");
    assert_eq!(texts(&back), texts(&msgs));
    for (i, m) in back.iter().enumerate() {
        assert_eq!(
            meta(m, "archive_filename"),
            Some(format!("dir/file-{i}.txt"))
        );
        assert_eq!(meta(m, "kept").as_deref(), Some("yes"));
    }
}
