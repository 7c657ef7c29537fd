//! Helpers of tests/runtime_https.rs: a test PKI made with rcgen, a
//! rustls HTTPS client, and a `tarn` process with a custom readiness
//! check.
#![allow(dead_code)]

use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A test CA and the server certificate it signed for `localhost` and
/// `127.0.0.1`, written to a directory.
pub struct Pki {
    pub ca: CertificateDer<'static>,
    /// The CA certificate, PEM (for `root_cas` / `root_cas_file`).
    pub ca_pem: String,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

impl Pki {
    pub fn new(dir: &Path, ca_name: &str) -> Pki {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, ca_name);
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).expect("CA cert");
        let key = rcgen::KeyPair::generate().expect("server key");
        let cert =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("params")
                .signed_by(&key, &ca)
                .expect("server cert");
        let cert_file = dir.join("server.crt");
        let key_file = dir.join("server.key");
        std::fs::write(&cert_file, cert.pem()).expect("write cert");
        std::fs::write(&key_file, key.serialize_pem()).expect("write key");
        Pki {
            ca: ca.der().clone(),
            ca_pem: ca.pem(),
            cert_file,
            key_file,
        }
    }

    /// A client configuration that trusts this CA only.
    pub fn client(&self) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca.clone()).expect("trust anchor");
        #[allow(deprecated)] // ring: see tarn_runtime::http::tls::crypto_provider
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }
}

/// Status, lower-cased headers and body.
pub type Reply = (u16, Vec<(String, String)>, String);

pub fn parse(raw: &[u8]) -> std::io::Result<Reply> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP reply: {text:?}")))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.strip_prefix("HTTP/1.1 "))
        .and_then(|l| l.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head:?}")))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, body.to_string()))
}

pub fn request_text(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> String {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    req
}

/// One HTTPS request with a rustls client using `client`, presenting
/// `name` as the server name.
pub fn https(
    client: &Arc<rustls::ClientConfig>,
    addr: &str,
    name: &str,
    (method, path): (&str, &str),
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Reply> {
    let server_name = ServerName::try_from(name.to_string()).map_err(std::io::Error::other)?;
    let conn = rustls::ClientConnection::new(client.clone(), server_name)
        .map_err(std::io::Error::other)?;
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(request_text(addr, method, path, headers, body).as_bytes())?;
    let mut raw = Vec::new();
    match tls.read_to_end(&mut raw) {
        Ok(_) => {}
        // A peer closing without close_notify after a full reply.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(e),
    }
    parse(&raw)
}

pub fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply
        .1
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A `tarn` process, stopped with SIGTERM when dropped.
pub struct Tarn {
    child: Child,
}

impl Tarn {
    /// Starts `tarn ARGS…` and waits until `ready` answers true.
    pub fn start(args: &[&str], mut ready: impl FnMut() -> bool) -> Tarn {
        let child = Command::new(env!("CARGO_BIN_EXE_tarn"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tarn starts");
        let mut t = Tarn { child };
        for _ in 0..400 {
            if ready() {
                return t;
            }
            if let Ok(Some(_)) = t.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = t.child.kill();
        let mut err = String::new();
        if let Some(mut e) = t.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        panic!("tarn did not come up: {err}");
    }
}

impl Drop for Tarn {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}
