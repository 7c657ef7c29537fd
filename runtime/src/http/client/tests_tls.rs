//! Client TLS against a real rustls server: a test CA trusted through
//! `root_cas`, no silent fallback when the CA is not trusted,
//! `skip_cert_verify`, and client certificates (inline and files) for
//! mutual TLS.

use super::processor;
use crate::http::tls::crypto_provider;
use crate::testing;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A CA, a server certificate and a client certificate it signed.
struct Pki {
    ca_pem: String,
    server: (String, String),
    client: (String, String),
}

fn issue(
    ca: &rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    names: &[&str],
    client: bool,
) -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("params");
    if client {
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "tarn client");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    }
    let cert = params.signed_by(&key, ca).expect("cert");
    (cert.pem(), key.serialize_pem())
}

impl Pki {
    fn new(name: &str) -> Pki {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca =
            rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().expect("key"))
                .expect("CA");
        Pki {
            ca_pem: ca.pem(),
            server: issue(&ca, &["localhost", "127.0.0.1"], false),
            client: issue(&ca, &[], true),
        }
    }
}

/// A TLS server answering every request with `cert` when the client
/// presented a certificate its CA signed, `none` otherwise.
async fn mtls_server(pki: &Pki) -> std::net::SocketAddr {
    let roots = {
        let mut r = rustls::RootCertStore::empty();
        r.add(CertificateDer::from_pem_slice(pki.ca_pem.as_bytes()).expect("ca"))
            .expect("root");
        Arc::new(r)
    };
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(roots, crypto_provider())
            .allow_unauthenticated()
            .build()
            .expect("verifier");
    let chain = CertificateDer::pem_slice_iter(pki.server.0.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("chain");
    let key = PrivateKeyDer::from_pem_slice(pki.server.1.as_bytes()).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let body = if tls.get_ref().1.peer_certificates().is_some() {
                    "cert"
                } else {
                    "none"
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}

/// `text` as the lines of a YAML block scalar indented by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    text.lines().map(|l| format!("{:n$}{l}\n", "")).collect()
}

fn indented(text: &str) -> String {
    indent(text, 6)
}

async fn answer(addr: std::net::SocketAddr, tls: &str) -> Result<String, String> {
    let p = processor(&format!(
        "http:\n  url: https://localhost:{}/\n  retries: 0\n{tls}",
        addr.port()
    ));
    let out = testing::run_one(&*p, testing::batch(&["x"])).await;
    match out[0].error() {
        Some(e) => Err(e.to_string()),
        None => Ok(testing::contents(&out).remove(0)),
    }
}

#[tokio::test]
async fn root_cas_client_certs_and_skip_cert_verify() {
    let pki = Pki::new("tarn client-test CA");
    let addr = mtls_server(&pki).await;
    let trust = format!(
        "  tls:\n    enabled: true\n    root_cas: |\n{}",
        indented(&pki.ca_pem)
    );
    assert_eq!(answer(addr, &trust).await, Ok("none".to_string()));
    // Not trusted: the request fails, nothing falls back to insecure.
    let e = answer(addr, "").await.expect_err("untrusted");
    assert!(e.contains("certificate"), "{e}");
    let other = Pki::new("another CA");
    let e = answer(
        addr,
        &format!(
            "  tls:\n    enabled: true\n    root_cas: |\n{}",
            indented(&other.ca_pem)
        ),
    )
    .await
    .expect_err("wrong CA");
    assert!(e.contains("certificate"), "{e}");
    assert_eq!(
        answer(
            addr,
            "  tls:\n    enabled: true\n    skip_cert_verify: true\n"
        )
        .await,
        Ok("none".to_string())
    );
    let inline = format!(
        "{trust}    client_certs:\n      - cert: |\n{}        key: |\n{}",
        indent(&pki.client.0, 10),
        indent(&pki.client.1, 10),
    );
    assert_eq!(
        answer(addr, &inline).await,
        Ok("cert".to_string()),
        "{inline}"
    );
    let dir = std::env::temp_dir().join(format!("tarn-mtls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (cert, key) = (dir.join("client.crt"), dir.join("client.key"));
    std::fs::write(&cert, &pki.client.0).expect("cert");
    std::fs::write(&key, &pki.client.1).expect("key");
    let files = format!(
        "{trust}    client_certs:\n      - cert_file: {}\n        key_file: {}\n",
        cert.display(),
        key.display()
    );
    assert_eq!(answer(addr, &files).await, Ok("cert".to_string()));
    // A key that is not the certificate's is a located build error.
    std::fs::write(&key, &pki.server.1).expect("key");
    let e = testing::build(
        crate::component::Kind::Processor,
        &format!("http:\n  url: https://localhost/\n{files}"),
        "",
    )
    .expect_err("mismatch");
    assert!(
        e.contains("tls.client_certs.0.key_file") && e.contains("does not belong"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
