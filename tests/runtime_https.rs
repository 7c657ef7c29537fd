//! End-to-end tests of HTTPS, basic authentication and CORS on the real
//! `tarn` binary: certificates made with rcgen in the test, a rustls
//! client that trusts only the test CA, requests over 127.0.0.1.
//!
//! Password hashes come from other tools: sha256 from
//! `printf hunter2 | openssl dgst -sha256 -binary | base64`, bcrypt from
//! `htpasswd -nbB -C 5 user hunter2` (then base64, as Benthos wants),
//! scrypt from Python's `hashlib.scrypt(b"hunter2",
//! salt=b"tarn-salt-1234", n=32768, r=8, p=1, dklen=32)`.

mod common;
mod https_support;

use common::{free_port, http, temp_dir};
use https_support::{Pki, Tarn, header, https};
use std::process::{Command, Stdio};

const SHA256_HUNTER2: &str = "9S+9MrKzuG/4jvbEkGKChfSCrxXdyylUH5S89Saj9sc=";
const BCRYPT_HUNTER2: &str =
    "JDJ5JDA1JG5obEVyeEY1NUxFWDlqZkJ5MHpacWVCT3AvMUVWdXpWZHBpS0JQMkZFdURoemNMMUpEVlY2";
const SCRYPT_SALT: &str = "dGFybi1zYWx0LTEyMzQ=";
const SCRYPT_HUNTER2: &str = "mQ4CkDSNND/PqwbwbJU09aK6uA6aY6T+/XDBT627bC8=";
/// `Basic base64("tarn:hunter2")`.
const RIGHT: &str = "Basic dGFybjpodW50ZXIy";
/// `Basic base64("tarn:hunter3")`.
const WRONG: &str = "Basic dGFybjpodW50ZXIz";

/// Runs `tarn run` on `config` and expects it to fail at start-up:
/// its stderr.
fn run_fails(name: &str, config: &str) -> String {
    let dir = temp_dir(&format!("https-fail-{name}"));
    let path = dir.join("config.yaml");
    std::fs::write(&path, config).expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_tarn"))
        .args(["run", &path.display().to_string()])
        .stdin(Stdio::null())
        .output()
        .expect("tarn runs");
    assert!(!out.status.success(), "tarn run should fail on {config}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn local(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

fn write_config(name: &str, text: &str) -> String {
    let path = temp_dir(&format!("https-{name}")).join("config.yaml");
    std::fs::write(&path, text).expect("write config");
    path.display().to_string()
}

#[test]
fn service_and_input_servers_speak_verified_https_only() {
    let dir = temp_dir("https-pki");
    let pki = Pki::new(&dir, "tarn e2e CA");
    let (service, input) = (local(free_port()), local(free_port()));
    let (cert, key) = (pki.cert_file.display(), pki.key_file.display());
    let config = format!(
        "http:\n  address: {service}\n  cert_file: {cert}\n  key_file: {key}\n\
         input:\n  http_server:\n    address: {input}\n    path: /in\n    cert_file: {cert}\n    key_file: {key}\n    \
         sync_response:\n      metadata_headers:\n        include_prefixes: [http_server_tls_]\n\
         pipeline:\n  processors:\n    - mapping: root = content().uppercase()\n\
         output:\n  sync_response: {{}}\n"
    );
    let path = write_config("tls", &config);
    let client = pki.client();
    let ping = || https(&client, &service, "localhost", ("GET", "/ping"), &[], "");
    let _tarn = Tarn::start(&["run", &path], || ping().is_ok());

    let reply = ping().expect("service over HTTPS");
    assert_eq!((reply.0, reply.2.as_str()), (200, "pong"));
    let reply = https(
        &client,
        &service,
        "127.0.0.1",
        ("GET", "/benthos/ping"),
        &[],
        "",
    )
    .expect("by IP, under root_path");
    assert_eq!((reply.0, reply.2.as_str()), (200, "pong"));

    let reply = https(
        &client,
        &input,
        "localhost",
        ("POST", "/in"),
        &[],
        "hello tls",
    )
    .expect("input over HTTPS");
    assert_eq!((reply.0, reply.2.as_str()), (200, "HELLO TLS"));
    assert_eq!(header(&reply, "http_server_tls_version"), Some("TLSv1.3"));
    let suite = header(&reply, "http_server_tls_cipher_suite").expect("cipher suite metadata");
    assert!(
        suite.starts_with("TLS_AES_") || suite.starts_with("TLS_CHACHA20_"),
        "{suite}"
    );

    // Plain HTTP gets no answer from either port.
    for addr in [&service, &input] {
        match http(addr, "GET", "/ping", &[], b"") {
            Ok((status, _, body)) => panic!("plain HTTP answered {status}: {body:?}"),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }

    // A client trusting another CA refuses the certificate.
    let other = Pki::new(&temp_dir("https-other-ca"), "another CA");
    for addr in [&service, &input] {
        let err = https(
            &other.client(),
            addr,
            "localhost",
            ("GET", "/ping"),
            &[],
            "",
        )
        .expect_err("unknown issuer");
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    }
    // And a name the certificate is not for.
    let err = https(&client, &service, "tarn.example", ("GET", "/ping"), &[], "")
        .expect_err("wrong name");
    assert!(err.to_string().contains("not valid for name"), "{err}");
}

#[test]
fn tls_problems_stop_tarn_run_with_the_field_named() {
    let dir = temp_dir("https-bad-files");
    let pki = Pki::new(&dir, "tarn e2e CA");
    let missing = dir.join("missing.pem");
    let stderr = run_fails(
        "missing",
        &format!(
            "http:\n  address: {}\n  cert_file: {}\n  key_file: {}\n",
            local(free_port()),
            missing.display(),
            pki.key_file.display()
        ),
    );
    assert!(
        stderr.contains(&format!(
            "`http.cert_file`: cannot read `{}`",
            missing.display()
        )),
        "{stderr}"
    );
    let stderr = run_fails(
        "half",
        &format!(
            "http:\n  address: {}\n  key_file: {}\n",
            local(free_port()),
            pki.key_file.display()
        ),
    );
    assert!(
        stderr.contains(
            "`http.cert_file`: both cert_file and key_file must be specified, or neither"
        ),
        "{stderr}"
    );
    let stderr = run_fails(
        "swapped",
        &format!(
            "input:\n  http_server:\n    address: {}\n    cert_file: {}\n    key_file: {}\noutput:\n  drop: {{}}\n",
            local(free_port()),
            pki.key_file.display(),
            pki.cert_file.display()
        ),
    );
    assert!(
        stderr.contains("`input.http_server.cert_file`: `")
            && stderr.contains("holds no PEM `CERTIFICATE` block"),
        "{stderr}"
    );
    let stderr = run_fails(
        "no-address",
        &format!(
            "http:\n  address: {}\ninput:\n  http_server:\n    cert_file: {}\n    key_file: {}\noutput:\n  drop: {{}}\n",
            local(free_port()),
            pki.cert_file.display(),
            pki.key_file.display()
        ),
    );
    assert!(
        stderr.contains("`input.http_server.cert_file`: only valid with a custom `address`"),
        "{stderr}"
    );
}

/// `tarn run` with basic auth on the service server, which also serves
/// the `http_server` input's `/post`.
fn auth_config(addr: &str, auth: &str) -> String {
    format!(
        "http:\n  address: {addr}\n  basic_auth:\n    enabled: true\n    realm: tarn\n    username: tarn\n{auth}\
         input:\n  http_server:\n    path: /post\n\
         pipeline:\n  processors:\n    - mapping: root = \"got \" + content()\n\
         output:\n  sync_response: {{}}\n"
    )
}

fn assert_refused(addr: &str, method: &str, path: &str, authorization: Option<&str>) {
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| ("Authorization", a))
        .into_iter()
        .collect();
    let (status, h, body) = http(addr, method, path, &headers, b"x").expect("reply");
    assert_eq!(
        status,
        401,
        "{method} {path}: {}",
        String::from_utf8_lossy(&body)
    );
    let challenge = h
        .iter()
        .find(|(k, _)| k == "www-authenticate")
        .map(|(_, v)| v.as_str());
    assert_eq!(challenge, Some("Basic realm=\"tarn\", charset=\"UTF-8\""));
    assert!(!String::from_utf8_lossy(&body).contains("got"));
}

#[test]
fn basic_auth_guards_tarn_run_with_sha256_bcrypt_and_scrypt() {
    let cases = [
        format!("    password_hash: {SHA256_HUNTER2}\n"),
        format!("    algorithm: bcrypt\n    password_hash: {BCRYPT_HUNTER2}\n"),
        format!(
            "    algorithm: scrypt\n    salt: {SCRYPT_SALT}\n    password_hash: {SCRYPT_HUNTER2}\n"
        ),
    ];
    for (i, auth) in cases.iter().enumerate() {
        let addr = local(free_port());
        let path = write_config(&format!("auth-{i}"), &auth_config(&addr, auth));
        let probe = addr.clone();
        let _tarn = Tarn::start(&["run", &path], || {
            http(&probe, "GET", "/ping", &[], b"").is_ok_and(|r| r.0 == 401)
        });
        assert_refused(&addr, "POST", "/post", None);
        assert_refused(&addr, "POST", "/post", Some(WRONG));
        assert_refused(&addr, "GET", "/ping", None);
        assert_refused(&addr, "GET", "/metrics", Some(WRONG));
        let (status, _, body) =
            http(&addr, "POST", "/post", &[("Authorization", RIGHT)], b"hi").expect("reply");
        assert_eq!(
            (status, body.as_slice()),
            (200, b"got hi".as_slice()),
            "case {i}"
        );
        let (status, _, body) =
            http(&addr, "GET", "/ping", &[("Authorization", RIGHT)], b"").expect("reply");
        assert_eq!((status, body.as_slice()), (200, b"pong".as_slice()));
    }
}

#[test]
fn basic_auth_config_errors_stop_tarn_run() {
    let addr = local(free_port());
    let salted_sha = format!("    password_hash: {SHA256_HUNTER2}\n    salt: {SCRYPT_SALT}\n");
    let stderr = run_fails("salted-sha", &auth_config(&addr, &salted_sha));
    assert!(
        stderr.contains("`http.basic_auth.salt`: only the scrypt algorithm takes a salt"),
        "{stderr}"
    );
    let stderr = run_fails("no-hash", &auth_config(&addr, ""));
    assert!(
        stderr.contains(
            "`http.basic_auth.password_hash`: both username and password_hash are required"
        ),
        "{stderr}"
    );
    let bad_algorithm = format!("    algorithm: sha1\n    password_hash: {SHA256_HUNTER2}\n");
    let stderr = run_fails("sha1", &auth_config(&addr, &bad_algorithm));
    assert!(stderr.contains("`sha1` is not one of"), "{stderr}");
    let stderr = run_fails(
        "debug",
        &format!("http:\n  address: {addr}\n  debug_endpoints: true\n"),
    );
    assert!(
        stderr.contains("`http.debug_endpoints`: `true` is not supported yet"),
        "{stderr}"
    );
}

const STREAM: &str = "input:\n  http_server:\n    path: /meow\npipeline:\n  processors:\n    - mapping: root = \"meow \" + content()\noutput:\n  sync_response: {}\n";

#[test]
fn basic_auth_guards_the_streams_api_over_https() {
    let dir = temp_dir("https-streams");
    let pki = Pki::new(&dir, "tarn e2e CA");
    let addr = local(free_port());
    let root = dir.join("root.yaml");
    std::fs::write(
        &root,
        format!(
            "http:\n  address: {addr}\n  cert_file: {}\n  key_file: {}\n  basic_auth:\n    enabled: true\n    username: tarn\n    algorithm: bcrypt\n    password_hash: {BCRYPT_HUNTER2}\n",
            pki.cert_file.display(),
            pki.key_file.display()
        ),
    )
    .expect("root config");
    let client = pki.client();
    let call = |method: &str, path: &str, auth: Option<&str>, body: &str| {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        https(&client, &addr, "localhost", (method, path), &headers, body).expect("HTTPS reply")
    };
    let root = root.display().to_string();
    let _tarn = Tarn::start(&["streams", "-o", &root], || {
        let headers = [("Authorization", RIGHT)];
        https(&client, &addr, "localhost", ("GET", "/ping"), &headers, "").is_ok_and(|r| r.0 == 200)
    });

    let refused = call("POST", "/streams/cat", None, STREAM);
    assert_eq!(refused.0, 401, "unauthenticated create: {refused:?}");
    assert_eq!(
        header(&refused, "www-authenticate"),
        Some("Basic realm=\"restricted\", charset=\"UTF-8\"")
    );
    assert_eq!(call("POST", "/streams/cat", Some(WRONG), STREAM).0, 401);
    assert_eq!(call("GET", "/streams", None, "").0, 401);
    // Nothing was created.
    let list = call("GET", "/streams", Some(RIGHT), "");
    assert_eq!((list.0, list.2.as_str()), (200, "{}"));

    let created = call("POST", "/streams/cat", Some(RIGHT), STREAM);
    assert_eq!((created.0, created.2.as_str()), (200, "OK"));
    let one = call("GET", "/streams/cat", Some(RIGHT), "");
    assert_eq!(one.0, 200);
    let one: serde_json::Value = serde_json::from_str(&one.2).expect("json");
    assert_eq!(one["active"], true);
    // The stream's own route is behind the same guard.
    assert_eq!(call("POST", "/cat/meow", None, "hi").0, 401);
    let meow = call("POST", "/cat/meow", Some(RIGHT), "hi");
    assert_eq!((meow.0, meow.2.as_str()), (200, "meow hi"));
    assert_eq!(call("DELETE", "/streams/cat", None, "").0, 401);
    assert_eq!(call("DELETE", "/streams/cat", Some(RIGHT), "").0, 200);
}

#[test]
fn cors_answers_allowed_origins_only() {
    let (service, input) = (local(free_port()), local(free_port()));
    let config = format!(
        "http:\n  address: {service}\n  cors:\n    enabled: true\n    allowed_origins: [https://app.example]\n\
         input:\n  http_server:\n    address: {input}\n    path: /in\n    allowed_verbs: [POST, PUT]\n    \
         cors:\n      enabled: true\n      allowed_origins: [https://app.example, https://admin.example]\n      allowed_headers: [Content-Type]\n\
         output:\n  sync_response: {{}}\n"
    );
    let path = write_config("cors", &config);
    let probe = service.clone();
    let _tarn = Tarn::start(&["run", &path], || {
        http(&probe, "GET", "/ping", &[], b"").is_ok_and(|r| r.0 == 200)
    });
    let allowed = ("Origin", "https://app.example");
    let other = ("Origin", "https://evil.example");
    let get = |addr: &str, method: &str, path: &str, headers: &[(&str, &str)]| {
        let (status, h, body) = http(addr, method, path, headers, b"data").expect("reply");
        let find = |name: &str| h.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        (
            status,
            find("access-control-allow-origin"),
            find("access-control-allow-headers"),
            find("access-control-allow-methods"),
            find("vary"),
            body,
        )
    };

    // Simple requests.
    let (status, origin, _, _, _, body) = get(&service, "GET", "/ping", &[allowed]);
    assert_eq!(
        (status, origin.as_deref(), body.as_slice()),
        (200, Some("https://app.example"), b"pong".as_slice())
    );
    let (status, origin, ..) = get(&service, "GET", "/ping", &[other]);
    assert_eq!((status, origin), (200, None));
    let (status, origin, _, _, vary, body) = get(&input, "POST", "/in", &[allowed]);
    assert_eq!((status, body.as_slice()), (200, b"data".as_slice()));
    assert_eq!(origin.as_deref(), Some("https://app.example"));
    assert_eq!(vary.as_deref(), Some("Origin"), "two origins configured");
    let (_, origin, ..) = get(&input, "POST", "/in", &[other]);
    assert_eq!(origin, None);

    // Preflights.
    let preflight = [
        allowed,
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type"),
    ];
    let (status, origin, headers, methods, _, body) = get(&input, "OPTIONS", "/in", &preflight);
    assert_eq!((status, body.as_slice()), (200, b"".as_slice()));
    assert_eq!(origin.as_deref(), Some("https://app.example"));
    assert_eq!(headers.as_deref(), Some("Content-Type"));
    assert_eq!(methods.as_deref(), Some("PUT"));
    let (status, origin, ..) = get(
        &input,
        "OPTIONS",
        "/in",
        &[other, ("Access-Control-Request-Method", "PUT")],
    );
    assert_eq!((status, origin), (200, None));
    let (status, ..) = get(
        &input,
        "OPTIONS",
        "/in",
        &[
            allowed,
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "X-Secret"),
        ],
    );
    assert_eq!(status, 403, "a header not in allowed_headers");
    let (status, origin, _, methods, ..) = get(
        &service,
        "OPTIONS",
        "/ping",
        &[allowed, ("Access-Control-Request-Method", "GET")],
    );
    assert_eq!(
        (status, origin.as_deref(), methods),
        (200, Some("https://app.example"), None)
    );

    let stderr = run_fails(
        "cors-empty",
        &format!(
            "http:\n  address: {}\n  cors:\n    enabled: true\n",
            local(free_port())
        ),
    );
    assert!(
        stderr.contains("`http.cors.allowed_origins`: must specify at least one allowed origin"),
        "{stderr}"
    );
}
