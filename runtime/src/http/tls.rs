//! TLS for the HTTP servers: a PEM certificate chain and private key read
//! from the `cert_file` / `key_file` fields, checked and turned into a
//! rustls server configuration (ring provider, TLS 1.2 and 1.3).
//!
//! [`TlsFiles::load`] reads and validates without binding anything, so a
//! linter can report a bad file exactly as `tarn run` would.

use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest certificate or key file read, in bytes. A real chain is a
/// few kilobytes; the cap keeps a mistaken path (a device, a huge log)
/// from filling memory.
pub const MAX_PEM_FILE_BYTES: u64 = 1024 * 1024;

/// Which of the two files an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsField {
    /// `cert_file`: the PEM certificate chain.
    CertFile,
    /// `key_file`: the PEM private key.
    KeyFile,
}

impl TlsField {
    /// The config field's name.
    pub fn name(self) -> &'static str {
        match self {
            TlsField::CertFile => "cert_file",
            TlsField::KeyFile => "key_file",
        }
    }
}

/// Why a TLS setting cannot be used. Every variant names the config
/// section (`http`, `input.http_server`) and, where one is at fault, the
/// field and the file.
#[derive(Debug)]
pub enum TlsError {
    /// One of `cert_file` / `key_file` is set and the other is not.
    Incomplete {
        /// The config section, e.g. `http`.
        section: String,
        /// The field left empty.
        missing: TlsField,
    },
    /// The file cannot be read.
    Read {
        /// The config section.
        section: String,
        /// The field naming the file.
        field: TlsField,
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_PEM_FILE_BYTES`].
    TooLarge {
        /// The config section.
        section: String,
        /// The field naming the file.
        field: TlsField,
        /// The file.
        path: PathBuf,
    },
    /// The file is not well-formed PEM.
    Pem {
        /// The config section.
        section: String,
        /// The field naming the file.
        field: TlsField,
        /// The file.
        path: PathBuf,
        /// What the PEM reader found wrong.
        detail: String,
    },
    /// `cert_file` holds no `CERTIFICATE` block.
    NoCertificate {
        /// The config section.
        section: String,
        /// The file.
        path: PathBuf,
    },
    /// `key_file` holds no usable private key block.
    NoPrivateKey {
        /// The config section.
        section: String,
        /// The file.
        path: PathBuf,
        /// The file holds an encrypted key, which cannot be used.
        encrypted: bool,
    },
    /// rustls refused the pair: a key it cannot use, a certificate it
    /// cannot parse, or a key that does not belong to the certificate.
    Rejected {
        /// The config section.
        section: String,
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        source: Box<rustls::Error>,
    },
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Incomplete { section, missing } => write!(
                f,
                "{section}.{}: both cert_file and key_file must be specified, or neither",
                missing.name()
            ),
            TlsError::Read {
                section,
                field,
                path,
                source,
            } => write!(
                f,
                "{section}.{}: cannot read `{}`: {source}",
                field.name(),
                path.display()
            ),
            TlsError::TooLarge {
                section,
                field,
                path,
            } => write!(
                f,
                "{section}.{}: `{}` is larger than {MAX_PEM_FILE_BYTES} bytes; it is not a PEM file",
                field.name(),
                path.display()
            ),
            TlsError::Pem {
                section,
                field,
                path,
                detail,
            } => write!(
                f,
                "{section}.{}: `{}` is not valid PEM: {detail}",
                field.name(),
                path.display()
            ),
            TlsError::NoCertificate { section, path } => write!(
                f,
                "{section}.cert_file: `{}` holds no PEM `CERTIFICATE` block",
                path.display()
            ),
            TlsError::NoPrivateKey {
                section,
                path,
                encrypted: true,
            } => write!(
                f,
                "{section}.key_file: `{}` holds an encrypted private key; give an unencrypted PKCS#8, RSA or SEC1 key",
                path.display()
            ),
            TlsError::NoPrivateKey { section, path, .. } => write!(
                f,
                "{section}.key_file: `{}` holds no PEM private key (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`)",
                path.display()
            ),
            TlsError::Rejected {
                section,
                cert,
                key,
                source,
            } => {
                let why = match &**source {
                    rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                        "the private key does not belong to the first certificate".to_string()
                    }
                    other => other.to_string(),
                };
                write!(
                    f,
                    "{section}: cert_file `{}` and key_file `{}` cannot be used: {why}",
                    cert.display(),
                    key.display()
                )
            }
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::Read { source, .. } => Some(source),
            TlsError::Rejected { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

/// The two files that turn a server into an HTTPS server, as named by a
/// config section's `cert_file` and `key_file` fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The section the fields belong to (for error messages).
    pub section: String,
    /// PEM certificate chain, the server's own certificate first.
    pub cert_file: PathBuf,
    /// PEM private key of the first certificate.
    pub key_file: PathBuf,
}

impl TlsFiles {
    /// The files named by a section's `cert_file` and `key_file` values:
    /// `None` when both are empty (plain HTTP), an error when only one
    /// is set (as Benthos: both or neither).
    pub fn from_fields(
        section: &str,
        cert_file: &str,
        key_file: &str,
    ) -> Result<Option<TlsFiles>, TlsError> {
        match (cert_file.is_empty(), key_file.is_empty()) {
            (true, true) => Ok(None),
            (false, false) => Ok(Some(TlsFiles {
                section: section.to_string(),
                cert_file: PathBuf::from(cert_file),
                key_file: PathBuf::from(key_file),
            })),
            (cert_missing, _) => Err(TlsError::Incomplete {
                section: section.to_string(),
                missing: if cert_missing {
                    TlsField::CertFile
                } else {
                    TlsField::KeyFile
                },
            }),
        }
    }

    /// Reads both files and builds the server configuration: the lint
    /// check and the start-up step are this one function. Blocking file
    /// I/O: from async code, call it through `spawn_blocking`.
    pub fn load(&self) -> Result<TlsConfig, TlsError> {
        let cert_pem = self.read(TlsField::CertFile, &self.cert_file)?;
        let key_pem = self.read(TlsField::KeyFile, &self.key_file)?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.pem_error(TlsField::CertFile, &self.cert_file, e))?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate {
                section: self.section.clone(),
                path: self.cert_file.clone(),
            });
        }
        let key = match PrivateKeyDer::from_pem_slice(&key_pem) {
            Ok(key) => key,
            Err(pem::Error::NoItemsFound) => {
                return Err(TlsError::NoPrivateKey {
                    section: self.section.clone(),
                    path: self.key_file.clone(),
                    encrypted: memchr_encrypted(&key_pem),
                });
            }
            Err(e) => return Err(self.pem_error(TlsField::KeyFile, &self.key_file, e)),
        };
        let rejected = |source| TlsError::Rejected {
            section: self.section.clone(),
            cert: self.cert_file.clone(),
            key: self.key_file.clone(),
            source: Box::new(source),
        };
        let mut config = ServerConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(rejected)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(rejected)?;
        // HTTP/1.1 only: the servers speak no HTTP/2.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConfig {
            server: Arc::new(config),
        })
    }

    /// [`TlsFiles::load`] on the blocking thread pool.
    pub async fn load_async(&self) -> Result<TlsConfig, TlsError> {
        let files = self.clone();
        match tokio::task::spawn_blocking(move || files.load()).await {
            Ok(result) => result,
            Err(join) => Err(TlsError::Read {
                section: self.section.clone(),
                field: TlsField::CertFile,
                path: self.cert_file.clone(),
                source: std::io::Error::other(join.to_string()),
            }),
        }
    }

    fn read(&self, field: TlsField, path: &Path) -> Result<Vec<u8>, TlsError> {
        let read_error = |source| TlsError::Read {
            section: self.section.clone(),
            field,
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut bytes = Vec::new();
        file.take(MAX_PEM_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() as u64 > MAX_PEM_FILE_BYTES {
            return Err(TlsError::TooLarge {
                section: self.section.clone(),
                field,
                path: path.to_path_buf(),
            });
        }
        Ok(bytes)
    }

    fn pem_error(&self, field: TlsField, path: &Path, e: pem::Error) -> TlsError {
        let detail = match e {
            pem::Error::MissingSectionEnd { end_marker } => {
                let label = String::from_utf8_lossy(&end_marker);
                format!("a `{label}` section has no `-----END {label}-----` line")
            }
            pem::Error::IllegalSectionStart { line } => format!(
                "malformed section start `{}`",
                String::from_utf8_lossy(&line)
            ),
            other => other.to_string(),
        };
        TlsError::Pem {
            section: self.section.clone(),
            field,
            path: path.to_path_buf(),
            detail,
        }
    }
}

/// The crypto provider of every TLS configuration: *ring*, chosen over
/// aws-lc-rs to keep the build light (no C/CMake toolchain). rustls
/// 0.23.48 deprecates it because it lacks the post-quantum hybrid key
/// exchange (X25519MLKEM768); connections use X25519 or the NIST curves.
#[allow(deprecated)]
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Whether a PEM text holds an encrypted private key block.
fn memchr_encrypted(pem: &[u8]) -> bool {
    const MARKER: &[u8] = b"-----BEGIN ENCRYPTED PRIVATE KEY-----";
    pem.windows(MARKER.len()).any(|w| w == MARKER) || {
        // Legacy OpenSSL encryption marks the headers of an RSA/EC block.
        const LEGACY: &[u8] = b"Proc-Type: 4,ENCRYPTED";
        pem.windows(LEGACY.len()).any(|w| w == LEGACY)
    }
}

/// A checked TLS server configuration, ready for the accept loop.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    server: Arc<ServerConfig>,
}

impl TlsConfig {
    /// The rustls configuration.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        self.server.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write test file");
        path.display().to_string()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tarn-tls-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    fn self_signed(alg: &'static rcgen::SignatureAlgorithm) -> (String, String) {
        let key = rcgen::KeyPair::generate_for(alg).expect("key");
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        let cert = params.self_signed(&key).expect("cert");
        (cert.pem(), key.serialize_pem())
    }

    fn load(section: &str, cert: &str, key: &str) -> Result<TlsConfig, TlsError> {
        TlsFiles::from_fields(section, cert, key)
            .expect("both set")
            .expect("tls")
            .load()
    }

    #[test]
    fn both_or_neither() {
        assert_eq!(TlsFiles::from_fields("http", "", "").expect("ok"), None);
        let e = TlsFiles::from_fields("http", "a.pem", "").expect_err("half");
        assert_eq!(
            e.to_string(),
            "http.key_file: both cert_file and key_file must be specified, or neither"
        );
        let e = TlsFiles::from_fields("input.http_server", "", "k.pem").expect_err("half");
        assert!(e.to_string().starts_with("input.http_server.cert_file: "));
    }

    #[test]
    fn pkcs8_ecdsa_and_ed25519_keys_load() {
        let dir = temp_dir("algs");
        for (i, alg) in [&rcgen::PKCS_ECDSA_P256_SHA256, &rcgen::PKCS_ED25519]
            .into_iter()
            .enumerate()
        {
            let (cert, key) = self_signed(alg);
            let c = write(&dir, &format!("c{i}.pem"), &cert);
            let k = write(&dir, &format!("k{i}.pem"), &key);
            let config = load("http", &c, &k).expect("loads");
            assert_eq!(
                config.server_config().alpn_protocols,
                vec![b"http/1.1".to_vec()]
            );
        }
    }

    #[test]
    fn rsa_pkcs1_key_loads() {
        // Made once with `openssl genrsa -traditional 2048` and
        // `openssl req -x509 -new -subj /CN=localhost` (rcgen's ring
        // backend cannot make RSA keys).
        let dir = temp_dir("rsa");
        let key = include_str!("testdata/rsa_pkcs1_key.pem");
        assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let c = write(&dir, "c.pem", include_str!("testdata/rsa_cert.pem"));
        let k = write(&dir, "k.pem", key);
        load("http", &c, &k).expect("a PKCS#1 RSA key loads");
    }

    #[test]
    fn sec1_ec_key_loads() {
        let dir = temp_dir("sec1");
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        // rcgen writes PKCS#8; re-wrap the inner SEC1 ECPrivateKey (the
        // OCTET STRING at the end of the PKCS#8 structure for P-256).
        let pkcs8 = key.serialize_der();
        let sec1 = sec1_from_p256_pkcs8(&pkcs8);
        let sec1_pem = pem_block("EC PRIVATE KEY", &sec1);
        let c = write(&dir, "c.pem", &cert.pem());
        let k = write(&dir, "k.pem", &sec1_pem);
        load("http", &c, &k).expect("a SEC1 key loads");
    }

    /// The SEC1 `ECPrivateKey` inside a PKCS#8 `PrivateKeyInfo`: the
    /// content of its `privateKey` OCTET STRING.
    fn sec1_from_p256_pkcs8(der: &[u8]) -> Vec<u8> {
        // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING }
        let (_, body) = der_item(der);
        let mut cursor = body;
        let mut items = Vec::new();
        while !cursor.is_empty() {
            let (len, content) = der_item(cursor);
            items.push((cursor[0], content.to_vec()));
            cursor = &cursor[len..];
        }
        let (tag, octets) = items.into_iter().nth(2).expect("privateKey");
        assert_eq!(tag, 0x04, "OCTET STRING");
        octets
    }

    /// The total length and the content of the DER item at the start.
    fn der_item(der: &[u8]) -> (usize, &[u8]) {
        let first = der[1] as usize;
        let (len, header) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            let len = der[2..2 + n]
                .iter()
                .fold(0usize, |a, b| a << 8 | *b as usize);
            (len, 2 + n)
        };
        (header + len, &der[header..header + len])
    }

    fn pem_block(label: &str, der: &[u8]) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn errors_name_the_field_and_file() {
        let dir = temp_dir("errors");
        let (cert, key) = self_signed(&rcgen::PKCS_ECDSA_P256_SHA256);
        let c = write(&dir, "c.pem", &cert);
        let k = write(&dir, "k.pem", &key);
        let missing = dir.join("nope.pem").display().to_string();

        let e = load("http", &missing, &k).expect_err("missing cert");
        assert!(matches!(
            e,
            TlsError::Read {
                field: TlsField::CertFile,
                ..
            }
        ));
        assert!(
            e.to_string()
                .starts_with(&format!("http.cert_file: cannot read `{missing}`"))
        );

        let e = load("input.http_server", &c, &missing).expect_err("missing key");
        assert!(e.to_string().starts_with(&format!(
            "input.http_server.key_file: cannot read `{missing}`"
        )));

        let e = load("http", &k, &k).expect_err("a key is no certificate");
        assert_eq!(
            e.to_string(),
            format!("http.cert_file: `{k}` holds no PEM `CERTIFICATE` block")
        );

        let e = load("http", &c, &c).expect_err("a certificate is no key");
        assert!(
            matches!(
                e,
                TlsError::NoPrivateKey {
                    encrypted: false,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with(&format!("http.key_file: `{c}` holds no PEM private key"))
        );

        let enc = write(
            &dir,
            "enc.pem",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        let e = load("http", &c, &enc).expect_err("encrypted");
        assert!(e.to_string().contains("encrypted private key"), "{e}");

        let broken = write(&dir, "broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n");
        let e = load("http", &broken, &k).expect_err("unterminated");
        assert!(
            matches!(
                e,
                TlsError::Pem {
                    field: TlsField::CertFile,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string().ends_with(
                "is not valid PEM: a `CERTIFICATE` section has no `-----END CERTIFICATE-----` line"
            ),
            "{e}"
        );

        let (_, other_key) = self_signed(&rcgen::PKCS_ECDSA_P256_SHA256);
        let other = write(&dir, "other.pem", &other_key);
        let e = load("http", &c, &other).expect_err("mismatch");
        assert_eq!(
            e.to_string(),
            format!(
                "http: cert_file `{c}` and key_file `{other}` cannot be used: the private key does not belong to the first certificate"
            )
        );

        let garbage = write(&dir, "garbage.pem", &pem_block("CERTIFICATE", b"not der"));
        let e = load("http", &garbage, &k).expect_err("garbage certificate");
        assert!(matches!(e, TlsError::Rejected { .. }), "{e}");
    }

    #[test]
    fn oversized_files_are_refused() {
        let dir = temp_dir("large");
        let (_, key) = self_signed(&rcgen::PKCS_ECDSA_P256_SHA256);
        let big = dir.join("big.pem");
        std::fs::write(&big, vec![b'x'; MAX_PEM_FILE_BYTES as usize + 1]).expect("write");
        let k = write(&dir, "k.pem", &key);
        let e = load("http", &big.display().to_string(), &k).expect_err("too big");
        assert!(
            matches!(
                e,
                TlsError::TooLarge {
                    field: TlsField::CertFile,
                    ..
                }
            ),
            "{e}"
        );
    }
}
