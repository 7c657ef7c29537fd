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
mod tests;
