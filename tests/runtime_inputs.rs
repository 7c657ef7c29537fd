//! `tarn run` end to end for the `stdin` and `file` inputs with the codec
//! scanners: CSV rows from standard input, gzip files, a message over its
//! size limit, and `delete_on_finish` waiting for the output's answer.

mod common;

use common::temp_dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;

/// Runs `config` on `stdin`: whether it exited cleanly, stdout, stderr.
fn run_pipeline(name: &str, config: &str, stdin: &str) -> (bool, String, String) {
    let (status, stdout, stderr) = common::run_config(name, config, stdin);
    (status.success(), stdout, stderr)
}

#[test]
fn stdin_with_the_csv_scanner_gives_one_json_object_per_row() {
    let config = r#"
input:
  stdin:
    scanner:
      csv: {}
pipeline:
  threads: 1
  processors:
    - mutation: 'root.row = @csv_row'
output:
  stdout: {}
"#;
    let input = "name,age,city\nada,36,\"London, UK\"\nbob,41,Paris\n";
    let (ok, stdout, stderr) = run_pipeline("csv", config, input);
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout,
        concat!(
            "{\"age\":\"36\",\"city\":\"London, UK\",\"name\":\"ada\",\"row\":0}\n",
            "{\"age\":\"41\",\"city\":\"Paris\",\"name\":\"bob\",\"row\":1}\n",
        )
    );
}

#[test]
fn stdin_codec_strings_and_custom_delimiters_still_work() {
    let config =
        "input:\n  stdin:\n    codec: 'delim:|'\npipeline:\n  threads: 1\noutput:\n  stdout: {}\n";
    let (ok, stdout, stderr) = run_pipeline("delim", config, "a|b|c");
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "a\nb\nc\n");
    let config = "input:\n  stdin:\n    scanner:\n      to_the_end: {}\npipeline:\n  threads: 1\n  processors:\n    - mapping: root = content().length()\noutput:\n  stdout: {}\n";
    let (ok, stdout, stderr) = run_pipeline("whole", config, "one\ntwo\n");
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "8\n");
}

#[test]
fn a_line_over_max_buffer_is_a_clear_error() {
    let config = "input:\n  stdin:\n    codec: lines\n    max_buffer: 16\noutput:\n  stdout: {}\n";
    let input = "short\nthis line is far longer than sixteen bytes\nnever read\n";
    let (_, stdout, stderr) = run_pipeline("too-long", config, input);
    assert_eq!(stdout, "short\n", "lines before the long one are delivered");
    assert!(
        stderr.contains("a line is longer than the limit of 16 bytes (`max_buffer`)"),
        "{stderr}"
    );
    let config = "input:\n  stdin:\n    scanner:\n      lines:\n        max_buffer_size: 8\noutput:\n  stdout: {}\n";
    let (_, _, stderr) = run_pipeline("too-long-scanner", config, "123456789\n");
    assert!(
        stderr.contains("the limit of 8 bytes (`max_buffer_size`)"),
        "{stderr}"
    );
}

/// Writes `text` gzipped to `path` with the system's `gzip`.
fn gzip_to(text: &str, path: &Path) {
    let plain = path.with_extension("plain");
    std::fs::write(&plain, text).expect("write");
    let out = Command::new("gzip")
        .arg("-c")
        .arg(&plain)
        .output()
        .expect("gzip runs");
    assert!(out.status.success());
    std::fs::write(path, out.stdout).expect("write gzip");
    std::fs::remove_file(plain).expect("remove");
}

#[test]
fn the_file_input_decompresses_gzip_files() {
    let dir = temp_dir("inputs-gzip");
    let rows: String = (0..20_000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
    gzip_to(&rows, &dir.join("rows.gz"));
    gzip_to("{\"n\":-1}", &dir.join("more.gz"));
    let config = format!(
        r#"
input:
  file:
    paths: [ "{d}/*.gz" ]
    scanner:
      decompress:
        algorithm: gzip
        into:
          lines: {{}}
pipeline:
  threads: 1
  processors:
    - mapping: 'root = "%s %v".format(@path.filepath_split().index(-1), this.n)'
output:
  stdout: {{}}
"#,
        d = dir.display()
    );
    let (ok, stdout, stderr) = run_pipeline("gzip-run", &config, "");
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 20_001, "{stderr}");
    assert_eq!(lines[0], "more.gz -1", "files in sorted order");
    assert_eq!(lines[1], "rows.gz 0");
    assert_eq!(lines[20_000], "rows.gz 19999");
    // Without `into`, each file is one message.
    let config = format!(
        "input:\n  file:\n    paths: [ \"{d}/more.gz\" ]\n    scanner:\n      decompress:\n        algorithm: gzip\noutput:\n  stdout: {{}}\n",
        d = dir.display()
    );
    let (ok, stdout, stderr) = run_pipeline("gzip-whole", &config, "");
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "{\"n\":-1}\n");
}

/// Reads one HTTP/1.1 request (headers and a `Content-Length` body) from
/// `reader`; `None` when the client closed the connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}

#[test]
fn delete_on_finish_waits_until_the_output_has_delivered_every_message() {
    let dir = temp_dir("inputs-delete");
    let file = dir.join("in.txt");
    std::fs::write(&file, "one\ntwo\n").expect("write");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Polled, so a tarn that fails early ends the test instead of hanging it.
    listener.set_nonblocking(true).expect("nonblocking");
    let config = format!(
        r#"
input:
  file:
    paths: [ "{f}" ]
    delete_on_finish: true
output:
  http_client:
    url: http://{addr}/in
    verb: POST
"#,
        f = file.display()
    );
    let config_path = dir.join("config.yaml");
    std::fs::write(&config_path, format!("http:\n  enabled: false\n{config}")).expect("write");
    let mut tarn = Command::new(env!("CARGO_BIN_EXE_tarn"))
        .arg("run")
        .arg(&config_path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("tarn starts");
    // The server answers each request only after checking the file is
    // still there: until the output has its answer, nothing is delivered.
    let mut bodies = Vec::new();
    let mut seen_while_waiting = Vec::new();
    while bodies.len() < 2 {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Some(status) = tarn.try_wait().expect("tarn status") {
                    let out = tarn.wait_with_output().expect("output");
                    panic!(
                        "tarn ended ({status}) before sending: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
            Err(e) => panic!("accept: {e}"),
        };
        stream.set_nonblocking(false).expect("blocking");
        let mut writer = stream.try_clone().expect("clone");
        let mut reader = BufReader::new(stream);
        while let Some(body) = read_request(&mut reader) {
            seen_while_waiting.push(file.exists());
            bodies.push(String::from_utf8_lossy(&body).into_owned());
            writer
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .expect("answer");
            if bodies.len() == 2 {
                break;
            }
        }
    }
    let out = tarn.wait_with_output().expect("tarn ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(bodies, ["one", "two"]);
    assert_eq!(seen_while_waiting, [true, true], "kept until delivered");
    assert!(!file.exists(), "deleted once both were delivered: {stderr}");
}

#[test]
fn an_input_resource_is_closed_when_the_pipeline_stops() {
    let config = "http:\n  address: {ADDR}\nshutdown_timeout: 5s\ninput:\n  resource: ticks\ninput_resources:\n  - label: ticks\n    generate:\n      interval: 5ms\n      mapping: root = \"tick\"\noutput:\n  drop: {}\n";
    let mut p = common::Pipeline::start("resource-close", config);
    std::thread::sleep(std::time::Duration::from_millis(200));
    // An endless input that is never closed ends the stop in a timeout
    // (exit code 1, "shutdown timed out").
    let code = p.terminate();
    let stderr = p.take_output();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("timed out"), "{stderr}");
}
