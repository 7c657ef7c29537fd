//! The `csv` scanner and codec, with Go `encoding/csv` behaviour.

use super::*;
use tarn_lang::Value;

#[test]
fn header_rows_become_objects_of_strings_with_csv_row() {
    let spec = config(r#"{"csv": {}}"#);
    let data = b"name,age,note\nalice,30,\"likes, commas\"\n\nbob,4,\"say \"\"hi\"\"\nthere\"\r\n";
    for sizes in [&[1][..], &[7], &[4096]] {
        let got = scan_pieces(&spec, data, sizes).expect("scans");
        assert_eq!(
            texts(&got),
            [
                r#"{"age":"30","name":"alice","note":"likes, commas"}"#,
                r#"{"age":"4","name":"bob","note":"say \"hi\"\nthere"}"#,
            ]
        );
        let rows: Vec<_> = got
            .iter()
            .map(|m| m.meta().get("csv_row").cloned())
            .collect();
        assert!(
            matches!(rows[..], [Some(Value::Int(0)), Some(Value::Int(1))]),
            "{rows:?}"
        );
        let structured = got[0].structured().expect("structured");
        assert_eq!(
            structured.get_path(&["age"]).and_then(|v| v.as_str()),
            Some("30")
        );
    }
}

#[test]
fn without_a_header_rows_are_arrays() {
    let spec = config(r#"{"csv": {"parse_header_row": false, "custom_delimiter": ";"}}"#);
    let got = scan(&spec, b"a;b\n1;\"2;3\"").expect("scans");
    assert_eq!(texts(&got), [r#"["a","b"]"#, r#"["1","2;3"]"#]);
    let two: crate::codec::ScannerConfig =
        serde_json::from_str(r#"{"csv": {"custom_delimiter": ";;"}}"#).expect("json");
    let err = ScannerSpec::try_from(two).expect_err("two characters");
    assert!(err.to_string().contains("single character"), "{err}");
    let tabs = codec("csv:\t");
    let got = scan(&tabs, b"k\tv\n1\t2\n").expect("scans");
    assert_eq!(texts(&got), [r#"{"k":"1","v":"2"}"#]);
    assert!(
        got[0].meta().get("csv_row").is_none(),
        "the codec sets no csv_row"
    );
}

#[test]
fn a_wrong_field_count_ends_the_stream_with_gos_error() {
    let spec = config(r#"{"csv": {}}"#);
    let err = scan(&spec, b"a,b\n1,2\n3\n4,5\n").expect_err("field count");
    assert!(
        err.to_string()
            .contains("record on line 3: wrong number of fields"),
        "{err}"
    );
    let err = scan(&spec, b"a,b\n1,x\"y\n").expect_err("bare quote");
    assert!(
        err.to_string()
            .contains("parse error on line 2, column 4: bare \" in non-quoted-field"),
        "{err}"
    );
    let err = scan(&spec, b"a\n\"open\nstill open").expect_err("quote");
    assert!(
        err.to_string()
            .contains("extraneous or missing \" in quoted-field"),
        "{err}"
    );
    assert!(err.to_string().contains("record on line 2;"), "{err}");
}

#[test]
fn continue_on_error_flags_bad_rows_and_goes_on() {
    let spec = config(r#"{"csv": {"continue_on_error": true}}"#);
    let got = scan(&spec, b"a,b\n1,2\n3\nx\"y,4\n5,6\n").expect("scans");
    assert_eq!(
        texts(&got),
        [
            r#"{"a":"1","b":"2"}"#,
            r#"{"a":"3"}"#,
            r#"{}"#,
            r#"{"a":"5","b":"6"}"#
        ]
    );
    let errors: Vec<_> = got.iter().map(|m| m.error().map(str::to_string)).collect();
    assert_eq!(errors[0], None);
    assert!(
        errors[1]
            .as_deref()
            .is_some_and(|e| e.contains("wrong number of fields"))
    );
    assert!(errors[2].as_deref().is_some_and(|e| e.contains("bare \"")));
    assert_eq!(errors[3], None);
    let rows: Vec<_> = got.iter().map(|m| meta(m, "csv_row")).collect();
    assert_eq!(rows, ["0", "1", "2", "3"].map(|s| Some(s.to_string())));
}

#[test]
fn lazy_quotes_accept_stray_quotes() {
    let spec = config(r#"{"csv": {"lazy_quotes": true, "parse_header_row": false}}"#);
    let got = scan(&spec, b"a\"b,\"c\"d\"\n\"e\",f").expect("scans");
    assert_eq!(texts(&got), [r#"["a\"b","c\"d"]"#, r#"["e","f"]"#]);
    // An unclosed quote at the end closes the field.
    assert_eq!(
        texts(&scan(&spec, b"\"open,x").expect("scans")),
        [r#"["open,x"]"#]
    );
}

#[test]
fn empty_input_has_no_rows_and_a_header_alone_neither() {
    let spec = config(r#"{"csv": {}}"#);
    assert!(scan(&spec, b"").expect("scans").is_empty());
    assert!(scan(&spec, b"\n\n").expect("scans").is_empty());
    assert!(scan(&spec, b"a,b\n").expect("scans").is_empty());
}

#[test]
fn a_row_over_the_limit_is_an_error() {
    let spec = config(r#"{"csv": {"parse_header_row": false}}"#);
    let limits = ScannerLimits {
        max_message_bytes: 100,
    };
    let mut data = b"\"".to_vec();
    data.extend(vec![b'x'; 100_000]);
    let reader = Box::new(Pieces::new(&data, &[10]));
    let err = scan_reader(&spec, reader, "", &limits).expect_err("too long");
    assert!(
        matches!(err, CodecError::TooLong { limit: 100, .. }),
        "{err:?}"
    );
}

#[test]
fn empty_lines_never_count_against_the_row_limit() {
    let spec = config(r#"{"csv": {"parse_header_row": false}}"#);
    let limits = ScannerLimits {
        max_message_bytes: 100,
    };
    let data = [vec![b'\n'; 10_000], b"a,b\n\r\n\nc,d".to_vec()].concat();
    let reader = Box::new(Pieces::new(&data, &[50]));
    let got = scan_reader(&spec, reader, "", &limits).expect("scans");
    assert_eq!(texts(&got), [r#"["a","b"]"#, r#"["c","d"]"#]);
    // Line numbers still count the skipped lines.
    let err = scan(&spec, &[vec![b'\n'; 5], b"a,b\nc\n".to_vec()].concat()).expect_err("count");
    assert!(err.to_string().contains("record on line 7"), "{err}");
}
