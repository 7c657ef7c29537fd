//! The client side of TLS, as Benthos's `tls` block sets it up (only when
//! `enabled`): the system's roots by default; `root_cas` / `root_cas_file`
//! *replace* them (Go starts a fresh pool, so the system roots are then
//! no longer trusted); `client_certs` for mutual TLS (the first one whose
//! key suits the server's signature schemes is sent); TLS 1.2 and 1.3.
//! `skip_cert_verify` really skips the certificate check (handshake
//! signatures are still checked) and is logged as a warning when the
//! client is made. Nothing ever falls back to insecure on its own. As in
//! Benthos, the block is ignored while `enabled` is false (a warning
//! says so when it holds settings).
//!
//! Files are read when the component is built, so `tarn lint` reports
//! them; the system roots are read once per process, off the async
//! workers, when the first client needs them.

use super::config::{ClientCertConfig, TlsConfig};
use crate::component::{Build, BuildError, Error};
use crate::http::tls::{MAX_PEM_FILE_BYTES, crypto_provider};
use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::io::Read;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// How the server's certificate is checked.
#[derive(Debug, Clone)]
enum Trust {
    /// Against the system's roots.
    System,
    /// Against these roots only.
    Roots(Arc<RootCertStore>),
    /// Not at all (`skip_cert_verify`).
    Skip,
}

/// Checked client TLS settings, ready to make a rustls configuration.
#[derive(Debug, Clone)]
pub struct ClientTls {
    trust: Trust,
    certs: Vec<Arc<CertifiedKey>>,
}

impl ClientTls {
    /// The settings of `cfg` (read and checked; files are read now).
    /// Errors are placed at the field at fault under `field` (`tls`).
    pub fn from_config(
        cfg: &TlsConfig,
        field: &str,
        ctx: &Build<'_>,
    ) -> Result<ClientTls, BuildError> {
        let at = |name: &str| format!("{field}.{name}");
        if !cfg.enabled {
            // Benthos ignores the block when it is off; Tarn says so.
            let set = [
                ("skip_cert_verify", cfg.skip_cert_verify),
                ("enable_renegotiation", cfg.enable_renegotiation),
                ("root_cas", !cfg.root_cas.is_empty()),
                ("root_cas_file", !cfg.root_cas_file.is_empty()),
                ("client_certs", !cfg.client_certs.is_empty()),
            ];
            if let Some((name, _)) = set.iter().find(|(_, on)| *on) {
                super::warn_disabled(ctx, &at(name), &at("enabled"));
            }
            return Ok(ClientTls::system());
        }
        if cfg.enable_renegotiation {
            return Err(ctx.unsupported(
                &at("enable_renegotiation"),
                "TLS renegotiation (rustls never renegotiates)",
            ));
        }
        if !cfg.root_cas.is_empty() && !cfg.root_cas_file.is_empty() {
            return Err(ctx.field_error(
                &at("root_cas_file"),
                "only one of root_cas and root_cas_file can be given",
            ));
        }
        let trust = if cfg.skip_cert_verify {
            Trust::Skip
        } else if !cfg.root_cas.is_empty() {
            Trust::Roots(
                roots(cfg.root_cas.as_bytes()).map_err(|e| ctx.field_error(&at("root_cas"), e))?,
            )
        } else if !cfg.root_cas_file.is_empty() {
            let pem = read_pem_file(&cfg.root_cas_file)
                .map_err(|e| ctx.field_error(&at("root_cas_file"), e))?;
            let store = roots(&pem).map_err(|e| {
                ctx.field_error(
                    &at("root_cas_file"),
                    format!("`{}`: {e}", cfg.root_cas_file),
                )
            })?;
            Trust::Roots(store)
        } else {
            Trust::System
        };
        let provider = crypto_provider();
        let mut certs = Vec::with_capacity(cfg.client_certs.len());
        for (i, c) in cfg.client_certs.iter().enumerate() {
            let here = at(&format!("client_certs.{i}"));
            certs.push(Arc::new(client_cert(c, &provider).map_err(|(f, e)| {
                let path = if f.is_empty() {
                    here.clone()
                } else {
                    format!("{here}.{f}")
                };
                ctx.field_error(&path, e)
            })?));
        }
        Ok(ClientTls { trust, certs })
    }

    /// The default: the system's roots, no client certificate.
    pub fn system() -> ClientTls {
        ClientTls {
            trust: Trust::System,
            certs: Vec::new(),
        }
    }

    /// Whether server certificates go unchecked.
    pub fn skips_verification(&self) -> bool {
        matches!(self.trust, Trust::Skip)
    }

    /// The rustls configuration, offering `alpn` protocols. Reads the
    /// system's roots on first need (off the async workers).
    pub async fn rustls_config(&self, alpn: Vec<Vec<u8>>) -> Result<rustls::ClientConfig, Error> {
        let provider = crypto_provider();
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::fatal(format!("TLS: {e}")))?;
        let builder = match &self.trust {
            Trust::System => builder.with_root_certificates(system_roots().await),
            Trust::Roots(roots) => builder.with_root_certificates(roots.clone()),
            Trust::Skip => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoCertificateCheck(provider))),
        };
        let mut config = if self.certs.is_empty() {
            builder.with_no_client_auth()
        } else {
            builder.with_client_cert_resolver(Arc::new(FirstUsable(self.certs.clone())))
        };
        config.alpn_protocols = alpn;
        Ok(config)
    }
}

/// The system's roots, read once per process. An empty store (no
/// bundle found) makes every `https` request fail verification: never
/// insecure.
async fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceCell<Arc<RootCertStore>> = OnceCell::const_new();
    ROOTS
        .get_or_init(|| async {
            let loaded = tokio::task::spawn_blocking(|| {
                let found = rustls_native_certs::load_native_certs();
                let mut store = RootCertStore::empty();
                let (_, invalid) = store.add_parsable_certificates(found.certs);
                (store, found.errors.len(), invalid)
            })
            .await;
            let (store, errors, invalid) = loaded.unwrap_or_else(|_| (RootCertStore::empty(), 1, 0));
            if store.is_empty() {
                crate::log::warn(
                    "http client: no system root certificates were found; https requests will fail verification unless tls.root_cas is set",
                );
            } else if errors > 0 || invalid > 0 {
                crate::log::debug(&format!(
                    "http client: {} system root certificates loaded ({errors} read errors, {invalid} unusable)",
                    store.len()
                ));
            }
            Arc::new(store)
        })
        .await
        .clone()
}

/// Reads a PEM file of at most [`MAX_PEM_FILE_BYTES`].
pub fn read_pem_file(path: &str) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read `{path}`: {e}"))?;
    if bytes.len() as u64 > MAX_PEM_FILE_BYTES {
        return Err(format!(
            "`{path}` is larger than {MAX_PEM_FILE_BYTES} bytes; it is not a PEM file"
        ));
    }
    Ok(bytes)
}

/// A root store of every certificate in `pem`; an error when there is
/// none or one is unusable.
fn roots(pem: &[u8]) -> Result<Arc<RootCertStore>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("holds no PEM `CERTIFICATE` block".to_string());
    }
    let mut store = RootCertStore::empty();
    for (i, cert) in certs.into_iter().enumerate() {
        store
            .add(cert)
            .map_err(|e| format!("certificate {} cannot be a root: {e}", i + 1))?;
    }
    Ok(Arc::new(store))
}

/// One client certificate with its key; errors name the field at fault
/// (`""`: the entry as a whole).
fn client_cert(
    c: &ClientCertConfig,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, (&'static str, String)> {
    if !c.password.is_empty() {
        return Err((
            "password",
            "encrypted private keys (`password`) are not supported yet".to_string(),
        ));
    }
    let files = !c.cert_file.is_empty() || !c.key_file.is_empty();
    let inline = !c.cert.is_empty() || !c.key.is_empty();
    let (cert_pem, key_pem, key_field) = match (files, inline) {
        (true, true) => {
            return Err((
                "",
                "give either cert and key, or cert_file and key_file, not both".to_string(),
            ));
        }
        (false, false) => {
            return Err((
                "",
                "give cert and key, or cert_file and key_file".to_string(),
            ));
        }
        (true, false) => {
            if c.cert_file.is_empty() {
                return Err(("cert_file", "missing: key_file needs it".to_string()));
            }
            if c.key_file.is_empty() {
                return Err(("key_file", "missing: cert_file needs it".to_string()));
            }
            let cert = read_pem_file(&c.cert_file).map_err(|e| ("cert_file", e))?;
            let key = read_pem_file(&c.key_file).map_err(|e| ("key_file", e))?;
            (cert, key, "key_file")
        }
        (false, true) => {
            if c.cert.is_empty() {
                return Err(("cert", "missing: key needs it".to_string()));
            }
            if c.key.is_empty() {
                return Err(("key", "missing: cert needs it".to_string()));
            }
            (
                c.cert.clone().into_bytes(),
                c.key.clone().into_bytes(),
                "key",
            )
        }
    };
    let cert_field = if key_field == "key" {
        "cert"
    } else {
        "cert_file"
    };
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| (cert_field, format!("not valid PEM: {e}")))?;
    if chain.is_empty() {
        return Err((cert_field, "holds no PEM `CERTIFICATE` block".to_string()));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
        let encrypted = memchr::memmem::find(&key_pem, b"ENCRYPTED").is_some();
        let why = if encrypted {
            "holds an encrypted private key; encrypted keys are not supported yet"
        } else {
            "holds no PEM private key (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`)"
        };
        (key_field, why.to_string())
    })?;
    CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        let why = match e {
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                "the private key does not belong to the certificate".to_string()
            }
            other => other.to_string(),
        };
        (key_field, why)
    })
}

/// Sends the first client certificate whose key can sign with one of
/// the server's schemes.
#[derive(Debug)]
struct FirstUsable(Vec<Arc<CertifiedKey>>);

impl ResolvesClientCert for FirstUsable {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.0
            .iter()
            .find(|c| c.key.choose_scheme(sigschemes).is_some())
            .cloned()
    }

    fn has_certs(&self) -> bool {
        !self.0.is_empty()
    }
}

/// `skip_cert_verify: true`: any certificate is accepted; the handshake
/// signatures are still checked against it.
#[derive(Debug)]
struct NoCertificateCheck(Arc<CryptoProvider>);

impl ServerCertVerifier for NoCertificateCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
