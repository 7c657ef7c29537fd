//! Basic authentication over real sockets, with hashes made by other
//! implementations:
//! - sha256 / md5: `printf hunter2 | openssl dgst -sha256 -binary | base64`;
//! - bcrypt: `htpasswd -nbB -C 5 user hunter2` (Apache's APR), and the
//!   `U*U` vector of OpenBSD's / Openwall's bcrypt test suite;
//! - scrypt: Python's `hashlib.scrypt(b"hunter2", salt=b"tarn-salt-1234",
//!   n=32768, r=8, p=1, dklen=32)` (OpenSSL).

use super::*;
use crate::http::server::{ServerOptions, serve};
use crate::http::test_support::plain_request;
use axum::routing::get;

const SHA256_HUNTER2: &str = "9S+9MrKzuG/4jvbEkGKChfSCrxXdyylUH5S89Saj9sc=";
const MD5_HUNTER2: &str = "KrljkMfb40Od500MmwsXZw==";
/// base64 of `$2y$05$nhlErxF55LEX9jfBy0zZqeBOp/1EVuzVdpiKBP2FEuDhzcL1JDVV6`.
const BCRYPT_HUNTER2: &str =
    "JDJ5JDA1JG5obEVyeEY1NUxFWDlqZkJ5MHpacWVCT3AvMUVWdXpWZHBpS0JQMkZFdURoemNMMUpEVlY2";
/// base64 of `$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW`,
/// the hash of `U*U`.
const BCRYPT_U_STAR_U: &str =
    "JDJhJDA1JENDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQy5FNVlQTzlrbXl1Ukd5aDBYb3VRWWI0WU1KS3Z5T2VX";
const SCRYPT_SALT: &str = "dGFybi1zYWx0LTEyMzQ=";
const SCRYPT_HUNTER2: &str = "mQ4CkDSNND/PqwbwbJU09aK6uA6aY6T+/XDBT627bC8=";

fn config(algorithm: HashAlgorithm, hash: &str, salt: &str) -> BasicAuthConfig {
    BasicAuthConfig {
        enabled: true,
        realm: "restricted".to_string(),
        username: "tarn".to_string(),
        password_hash: hash.to_string(),
        algorithm,
        salt: salt.to_string(),
    }
}

fn auth(config: &BasicAuthConfig) -> BasicAuth {
    BasicAuth::from_config(config, "http.basic_auth")
        .expect("valid")
        .expect("enabled")
}

fn error(config: &BasicAuthConfig) -> String {
    BasicAuth::from_config(config, "http.basic_auth")
        .expect_err("refused")
        .to_string()
}

fn basic(user_password: &str) -> String {
    format!("Basic {}", STANDARD.encode(user_password))
}

/// Starts a server whose `/x` answers `secret` behind `auth`; returns
/// a function giving the raw reply for an optional Authorization value.
async fn guarded(auth: BasicAuth) -> crate::http::server::RunningServer {
    let app = auth.wrap(Router::new().route("/x", get(|| async { "secret" })));
    serve("127.0.0.1:0", app, ServerOptions::default())
        .await
        .expect("binds")
}

async fn ask(server: &crate::http::server::RunningServer, authorization: Option<&str>) -> String {
    let header = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let request = format!("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{header}\r\n");
    plain_request(server.local_addr(), &request)
        .await
        .expect("reply")
}

fn assert_401(reply: &str, realm: &str) {
    assert!(
        reply.starts_with("HTTP/1.1 401 Unauthorized\r\n"),
        "{reply}"
    );
    let challenge = format!("www-authenticate: Basic realm=\"{realm}\", charset=\"UTF-8\"\r\n");
    assert!(
        reply.to_lowercase().contains(&challenge.to_lowercase()),
        "{reply}"
    );
    assert!(reply.ends_with("\r\n\r\nUnauthorized"), "{reply}");
    assert!(!reply.contains("secret"));
}

fn assert_200(reply: &str) {
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert!(reply.ends_with("\r\n\r\nsecret"), "{reply}");
}

#[tokio::test]
async fn sha256_challenges_refuses_and_admits() {
    let server = guarded(auth(&config(HashAlgorithm::Sha256, SHA256_HUNTER2, ""))).await;
    assert_401(&ask(&server, None).await, "restricted");
    assert_401(
        &ask(&server, Some(&basic("tarn:hunter3"))).await,
        "restricted",
    );
    assert_401(
        &ask(&server, Some(&basic("someone:hunter2"))).await,
        "restricted",
    );
    assert_401(&ask(&server, Some(&basic("tarn"))).await, "restricted");
    assert_401(&ask(&server, Some("Bearer hunter2")).await, "restricted");
    assert_401(
        &ask(&server, Some("Basic !!!not-base64")).await,
        "restricted",
    );
    assert_200(&ask(&server, Some(&basic("tarn:hunter2"))).await);
    // The scheme is case-insensitive, as in Go.
    let lower = basic("tarn:hunter2").replacen("Basic", "bAsIc", 1);
    assert_200(&ask(&server, Some(&lower)).await);
    server.shutdown().await;
}

#[tokio::test]
async fn md5_bcrypt_and_scrypt_hashes_from_other_tools_verify() {
    let cases = [
        config(HashAlgorithm::Md5, MD5_HUNTER2, ""),
        config(HashAlgorithm::Bcrypt, BCRYPT_HUNTER2, ""),
        config(HashAlgorithm::Scrypt, SCRYPT_HUNTER2, SCRYPT_SALT),
    ];
    for case in cases {
        let server = guarded(auth(&case)).await;
        assert_401(
            &ask(&server, Some(&basic("tarn:hunter1"))).await,
            "restricted",
        );
        assert_200(&ask(&server, Some(&basic("tarn:hunter2"))).await);
        server.shutdown().await;
    }
    let openwall = auth(&config(HashAlgorithm::Bcrypt, BCRYPT_U_STAR_U, ""));
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&basic("tarn:U*U")).expect("header");
    headers.insert(AUTHORIZATION, value);
    assert_eq!(openwall.admits(&headers).await, Ok(true));
    let value = HeaderValue::from_str(&basic("tarn:U*U*")).expect("header");
    headers.insert(AUTHORIZATION, value);
    assert_eq!(openwall.admits(&headers).await, Ok(false));
}

#[tokio::test]
async fn passwords_may_hold_colons_and_the_realm_is_quoted() {
    let mut c = config(HashAlgorithm::Sha256, "", "");
    // sha256("pa:ss") — the password is everything after the first colon.
    c.password_hash = STANDARD.encode(sha2::Sha256::digest(b"pa:ss"));
    c.realm = "my \"special\" realm".to_string();
    let server = guarded(auth(&c)).await;
    assert_200(&ask(&server, Some(&basic("tarn:pa:ss"))).await);
    assert_401(&ask(&server, None).await, "my \\\"special\\\" realm");
    server.shutdown().await;
}

#[test]
fn disabled_is_none_whatever_the_other_fields() {
    let c = BasicAuthConfig {
        enabled: false,
        password_hash: "not base64".to_string(),
        ..BasicAuthConfig::default()
    };
    assert!(
        BasicAuth::from_config(&c, "http.basic_auth")
            .expect("ok")
            .is_none()
    );
}

#[test]
fn config_errors_name_the_field() {
    let mut c = config(HashAlgorithm::Sha256, SHA256_HUNTER2, "");
    c.username.clear();
    assert_eq!(
        error(&c),
        "http.basic_auth.username: both username and password_hash are required when basic_auth is enabled"
    );
    let c = config(HashAlgorithm::Sha256, "", "");
    assert!(error(&c).starts_with("http.basic_auth.password_hash: both username"));

    let c = config(HashAlgorithm::Sha256, "@@@", "");
    assert!(error(&c).starts_with("http.basic_auth.password_hash: not valid base64"));
    let c = config(HashAlgorithm::Sha256, MD5_HUNTER2, "");
    assert_eq!(
        error(&c),
        "http.basic_auth.password_hash: decodes to 16 bytes, but a sha256 hash has 32"
    );
    let c = config(HashAlgorithm::Md5, SHA256_HUNTER2, "");
    assert!(error(&c).ends_with("decodes to 32 bytes, but a md5 hash has 16"));
    let c = config(HashAlgorithm::Sha256, SHA256_HUNTER2, SCRYPT_SALT);
    assert!(error(&c).starts_with("http.basic_auth.salt: only the scrypt algorithm takes a salt"));
    let c = config(HashAlgorithm::Scrypt, SCRYPT_HUNTER2, "");
    assert_eq!(error(&c), "http.basic_auth.salt: is required for scrypt");
    let c = config(HashAlgorithm::Scrypt, SCRYPT_HUNTER2, "%%");
    assert!(error(&c).starts_with("http.basic_auth.salt: not valid base64"));
    let c = config(HashAlgorithm::Bcrypt, SHA256_HUNTER2, "");
    assert!(error(&c).starts_with("http.basic_auth.password_hash: does not decode to a bcrypt"));
    // A raw (not base64-encoded) bcrypt string is the classic mistake.
    let c = config(
        HashAlgorithm::Bcrypt,
        "$2y$05$nhlErxF55LEX9jfBy0zZqeBOp/1EVuzVdpiKBP2FEuDhzcL1JDVV6",
        "",
    );
    assert!(error(&c).starts_with("http.basic_auth.password_hash: not valid base64"));
    let mut c = config(HashAlgorithm::Sha256, SHA256_HUNTER2, "");
    c.realm = "bad\nrealm".to_string();
    assert_eq!(
        error(&c),
        "http.basic_auth.realm: must not contain control characters"
    );
}

#[test]
fn go_base64_line_breaks_are_ignored_and_debug_hides_secrets() {
    let wrapped = format!("{}\n{}", &SHA256_HUNTER2[..20], &SHA256_HUNTER2[20..]);
    let a = auth(&config(HashAlgorithm::Sha256, &wrapped, ""));
    let shown = format!("{a:?}");
    assert!(
        !shown.contains("tarn") && !shown.contains("9S+9"),
        "{shown}"
    );
}
