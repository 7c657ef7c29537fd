//! Loading certificate and key files: the key formats, and errors that
//! name the field and the file.

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
    let key = include_str!("../testdata/rsa_pkcs1_key.pem");
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let c = write(&dir, "c.pem", include_str!("../testdata/rsa_cert.pem"));
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
