//! Helpers shared by the end-to-end tests. Each test file uses a part of
//! them, so unused ones are expected.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the `tarn` binary with `args`, feeding `stdin`, and collects its
/// output. A command that fails before reading its input may close the
/// pipe early; that is not a test failure.
pub fn run_tarn<S: AsRef<OsStr>>(args: &[S], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tarn"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tarn starts");
    // Written from another thread: a large input and a large output
    // would otherwise fill both pipes and wait on each other.
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.as_bytes().to_vec();
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let output = child.wait_with_output().expect("tarn finishes");
    if let Err(e) = writer.join().expect("the stdin writer does not panic") {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
    }
    output
}

/// Runs `tarn run` on `config` (with `http: enabled: false` put first)
/// feeding `stdin`: its exit status, stdout and stderr.
pub fn run_config(
    name: &str,
    config: &str,
    stdin: &str,
) -> (std::process::ExitStatus, String, String) {
    let path = temp_dir(&format!("config-{name}")).join("config.yaml");
    std::fs::write(&path, format!("http:\n  enabled: false\n{config}")).expect("write config");
    let out = run_tarn(&["run".as_ref(), path.as_os_str()], stdin);
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Like [`run_config`], checking that the run succeeded: stdout and
/// stderr.
pub fn run_config_ok(name: &str, config: &str, stdin: &str) -> (String, String) {
    let (status, stdout, stderr) = run_config(name, config, stdin);
    assert!(status.success(), "tarn run failed: {stderr}");
    (stdout, stderr)
}

/// A `tarn run` or `tarn streams` process serving HTTP on a free local
/// port; stopped with SIGTERM when dropped.
pub struct Pipeline {
    child: std::process::Child,
    /// `127.0.0.1:PORT` of its HTTP server.
    pub addr: String,
}

/// A fresh, empty temporary directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tarn-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Pipeline {
    /// Writes `config` (where `{ADDR}` stands for the listen address) to a
    /// temporary file, starts `tarn run` on it and waits for `/ping`.
    pub fn start(name: &str, config: &str) -> Pipeline {
        let addr = format!("127.0.0.1:{}", free_port());
        let dir = temp_dir(&format!("run-{name}"));
        let path = dir.join("config.yaml");
        std::fs::write(&path, config.replace("{ADDR}", &addr)).expect("write config");
        Pipeline::spawn(&[OsStr::new("run"), path.as_os_str()], addr)
    }

    /// Starts `tarn ARGS…`, which serves HTTP at `addr`, and waits for
    /// `/ping`.
    pub fn spawn<S: AsRef<OsStr>>(args: &[S], addr: String) -> Pipeline {
        let child = Command::new(env!("CARGO_BIN_EXE_tarn"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tarn starts");
        let mut p = Pipeline { child, addr };
        for _ in 0..400 {
            if let Ok((200, _, body)) = http(&p.addr, "GET", "/ping", &[], b"")
                && body == b"pong"
            {
                return p;
            }
            if let Ok(Some(_)) = p.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = p.child.kill();
        let out = p.take_output();
        panic!("tarn did not come up: {out}");
    }

    /// Sends SIGTERM and waits for the process; returns its exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().ok().and_then(|s| s.code())
    }

    /// Whatever the process wrote on stderr (after it ended).
    pub fn take_output(&mut self) -> String {
        use std::io::Read;
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        err
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// An HTTP reply: status, headers (lower-cased names) and body.
pub type Reply = (u16, Vec<(String, String)>, Vec<u8>);

/// A raw HTTP/1.1 exchange over a fresh TCP connection: status, headers
/// (lower-cased names) and body.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_reply(&raw)
}

/// Sends `request` (raw bytes, sent as given) over a fresh TCP
/// connection, closes the sending side, and reads the reply.
pub fn http_raw(addr: &str, request: &[u8]) -> std::io::Result<Reply> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    stream.write_all(request)?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_reply(&raw)
}

/// The content of a single-member gzip body (RFC 1952, no optional
/// header fields), checked against its length trailer.
pub fn gunzip(body: &[u8]) -> Vec<u8> {
    assert!(body.len() >= 18, "too short for gzip: {body:?}");
    assert_eq!(&body[..4], &[0x1f, 0x8b, 8, 0], "gzip header");
    let data = miniz_oxide::inflate::decompress_to_vec(&body[10..body.len() - 8])
        .expect("deflate data inflates");
    let size = u32::from_le_bytes([
        body[body.len() - 4],
        body[body.len() - 3],
        body[body.len() - 2],
        body[body.len() - 1],
    ]);
    assert_eq!(size as usize, data.len(), "gzip ISIZE");
    data
}

/// Splits a raw HTTP/1.1 reply into status, headers and body.
fn parse_reply(raw: &[u8]) -> std::io::Result<Reply> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, raw[split + 4..].to_vec()))
}
