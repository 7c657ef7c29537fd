//! Test helpers for the HTTP modules: a certificate authority made with
//! rcgen, server TLS files signed by it, and a real rustls client.

use super::tls::{TlsConfig, TlsFiles};
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A CA and a server certificate for `localhost` / `127.0.0.1` it signed.
pub struct TestPki {
    /// The CA certificate (DER), for clients' trust stores.
    pub ca_der: CertificateDer<'static>,
    /// The server's certificate chain, PEM.
    pub server_cert_pem: String,
    /// The server's private key, PKCS#8 PEM.
    pub server_key_pem: String,
}

impl TestPki {
    /// A fresh CA and server certificate.
    pub fn new() -> TestPki {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "tarn test CA");
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).expect("CA cert");
        let key = rcgen::KeyPair::generate().expect("server key");
        let params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        let cert = params.signed_by(&key, &ca).expect("server cert");
        TestPki {
            ca_der: ca.der().clone(),
            server_cert_pem: cert.pem(),
            server_key_pem: key.serialize_pem(),
        }
    }

    /// Writes the server's files into a fresh directory named `name`.
    pub fn files(&self, name: &str) -> TlsFiles {
        let dir = std::env::temp_dir().join(format!("tarn-pki-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let cert: PathBuf = dir.join("cert.pem");
        let key: PathBuf = dir.join("key.pem");
        std::fs::write(&cert, &self.server_cert_pem).expect("write cert");
        std::fs::write(&key, &self.server_key_pem).expect("write key");
        TlsFiles {
            section: "http".to_string(),
            cert_file: cert,
            key_file: key,
        }
    }

    /// The loaded server configuration.
    pub fn server_config(&self, name: &str) -> TlsConfig {
        self.files(name).load().expect("test TLS files load")
    }

    /// A client that trusts this CA only.
    pub fn client(&self) -> tokio_rustls::TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.ca_der.clone())
            .expect("CA is a trust anchor");
        let config = rustls::ClientConfig::builder_with_provider(super::tls::crypto_provider())
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        tokio_rustls::TlsConnector::from(Arc::new(config))
    }
}

/// One `Connection: close` HTTP/1.1 request over TLS to `addr`, the
/// server name being `name`: the raw reply, or the TLS/IO error.
pub async fn https_request(
    client: &tokio_rustls::TlsConnector,
    addr: std::net::SocketAddr,
    name: &str,
    request_head: &str,
) -> std::io::Result<String> {
    let tcp = TcpStream::connect(addr).await?;
    let server_name = ServerName::try_from(name.to_string()).map_err(std::io::Error::other)?;
    let mut tls = client.connect(server_name, tcp).await?;
    tls.write_all(request_head.as_bytes()).await?;
    let mut reply = Vec::new();
    tls.read_to_end(&mut reply).await?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// One `Connection: close` HTTP/1.1 request over plain TCP: the raw
/// reply (possibly empty when the server hung up).
pub async fn plain_request(addr: std::net::SocketAddr, request: &str) -> std::io::Result<String> {
    let mut tcp = TcpStream::connect(addr).await?;
    tcp.write_all(request.as_bytes()).await?;
    let mut reply = Vec::new();
    tcp.read_to_end(&mut reply).await?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// A GET request head for `path` that closes the connection after.
pub fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
}
