//! `tarn run` end to end: a pipeline whose mapping comes from the request
//! (the `bloblang` method's documented example) must survive a request
//! whose mapping hands itself to `bloblang` without end. Before the VM
//! counted nested mappings, such a request overflowed a worker's stack
//! and killed the process.

mod common;

use common::{Pipeline, http};

/// The documented example as the pipeline's mapping, answering over HTTP.
const CONFIG: &str = "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /post\npipeline:\n  processors:\n    - mapping: root.body = this.body.bloblang(this.mapping)\noutput:\n  sync_response: {}\n";

#[test]
fn a_self_recursive_mapping_is_answered_and_the_process_lives_on() {
    let mut p = Pipeline::start("nested-bloblang", CONFIG);

    // The mapping runs `bloblang` on itself: unbounded recursion.
    let recursive = br#"{"body":{"m":"root = this.bloblang(this.m)"},"mapping":"root = this.bloblang(this.m)"}"#;
    let (status, _, body) =
        http(&p.addr, "POST", "/post", &[], recursive).expect("the request is answered");
    // A failed mapping leaves the message as it came (as upstream does),
    // so the answer is either the request itself or an error status.
    if status == 200 {
        assert_eq!(
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(recursive),
            "a 200 answer carries the unmapped message"
        );
    } else {
        assert!(
            (400..600).contains(&status),
            "an error answer: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }

    // A normal request afterwards gets its mapped answer.
    let normal = br#"{"body":{"foo":"hello world"},"mapping":"root.foo = this.foo.uppercase()"}"#;
    let (status, _, body) =
        http(&p.addr, "POST", "/post", &[], normal).expect("the process still answers");
    assert_eq!(
        (status, String::from_utf8_lossy(&body).as_ref()),
        (200, r#"{"body":{"foo":"HELLO WORLD"}}"#)
    );

    // Bounded nesting (a mapping counting down through `bloblang`) works.
    let countdown = r#"root = if this.n == 0 { \"done\" } else { {\"n\": this.n - 1, \"m\": this.m}.bloblang(this.m) }"#;
    let nested = format!(r#"{{"body":{{"n":10,"m":"{countdown}"}},"mapping":"{countdown}"}}"#);
    let (status, _, body) =
        http(&p.addr, "POST", "/post", &[], nested.as_bytes()).expect("answered");
    assert_eq!(
        (status, String::from_utf8_lossy(&body).as_ref()),
        (200, r#"{"body":"done"}"#)
    );

    // The process never exited: it stops cleanly on SIGTERM now.
    assert_eq!(p.terminate(), Some(0), "{}", p.take_output());
}
