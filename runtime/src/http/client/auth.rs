//! Request signing: `basic_auth`, `jwt` (a bearer token signed once with
//! the configured key: its header and claims never change, and RS256/
//! 384/512 and EdDSA signatures are deterministic, so every request
//! carries the same token Benthos would sign for it) and `oauth` (OAuth
//! 1.0a HMAC-SHA1, RFC 5849, signed per attempt with a fresh nonce).
//! `oauth2` lives in [`super::oauth2`]. Each sets `Authorization`, so at
//! most one of them may be enabled.

use super::config::{BasicAuthConfig, JwtConfig, OAuthConfig};
use super::request::Prepared;
use super::tls::read_pem_file;
use crate::component::{Build, BuildError, Error};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use ring::rand::{SecureRandom, SystemRandom};
use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject;
use std::fmt::Write as _;

/// How requests are signed (besides OAuth 2).
#[derive(Debug, Clone)]
pub enum Signer {
    /// Not at all.
    None,
    /// A fixed `Authorization` value (basic authentication, a JWT).
    Fixed(HeaderValue),
    /// OAuth 1 signatures.
    OAuth1(OAuth1),
}

/// OAuth 1 credentials.
#[derive(Debug, Clone)]
pub struct OAuth1 {
    consumer_key: String,
    consumer_secret: String,
    token: String,
    token_secret: String,
}

impl Signer {
    /// The signer the auth blocks describe.
    pub fn from_config(
        basic: &BasicAuthConfig,
        oauth: &OAuthConfig,
        jwt: &JwtConfig,
        ctx: &Build<'_>,
    ) -> Result<Signer, BuildError> {
        if basic.enabled {
            let value = basic_authorization(&basic.username, &basic.password);
            return HeaderValue::from_str(&value)
                .map(Signer::Fixed)
                .map_err(|_| {
                    ctx.field_error("basic_auth", "the credentials are not valid header text")
                });
        }
        if oauth.enabled {
            return Ok(Signer::OAuth1(OAuth1 {
                consumer_key: oauth.consumer_key.clone(),
                consumer_secret: oauth.consumer_secret.clone(),
                token: oauth.access_token.clone(),
                token_secret: oauth.access_token_secret.clone(),
            }));
        }
        if jwt.enabled {
            let token =
                jwt_token(jwt).map_err(|(field, e)| ctx.field_error(&format!("jwt.{field}"), e))?;
            return HeaderValue::from_str(&format!("Bearer {token}"))
                .map(Signer::Fixed)
                .map_err(|_| ctx.field_error("jwt", "the token is not valid header text"));
        }
        Ok(Signer::None)
    }

    /// Adds `Authorization` to a request about to be sent.
    pub fn sign(&self, request: &mut Prepared) -> Result<(), Error> {
        match self {
            Signer::None => Ok(()),
            Signer::Fixed(value) => {
                request.headers.insert(AUTHORIZATION, value.clone());
                Ok(())
            }
            Signer::OAuth1(o) => {
                let value = o.authorization(request, &nonce(), unix_now());
                let value = HeaderValue::from_str(&value)
                    .map_err(|_| Error::rejected("the OAuth 1 header is not valid header text"))?;
                request.headers.insert(AUTHORIZATION, value);
                Ok(())
            }
        }
    }
}

/// The `Authorization` value for HTTP basic authentication.
pub fn basic_authorization(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{username}:{password}"))
    )
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A random nonce (hex); the time when the system source fails.
fn nonce() -> String {
    let mut bytes = [0u8; 16];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// RFC 3986 percent-encoding, as OAuth 1 requires (unreserved kept).
fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

impl OAuth1 {
    /// The `Authorization` value for `request`.
    fn authorization(&self, request: &Prepared, nonce: &str, timestamp: u64) -> String {
        let mut oauth = vec![
            ("oauth_consumer_key", self.consumer_key.clone()),
            ("oauth_nonce", nonce.to_string()),
            ("oauth_signature_method", "HMAC-SHA1".to_string()),
            ("oauth_timestamp", timestamp.to_string()),
        ];
        if !self.token.is_empty() {
            oauth.push(("oauth_token", self.token.clone()));
        }
        oauth.push(("oauth_version", "1.0".to_string()));
        let form = request
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let body: &[u8] = if form { &request.body } else { b"" };
        let signature = self.signature(request.method.as_str(), &request.url, body, &oauth);
        oauth.push(("oauth_signature", signature));
        let fields: Vec<String> = oauth
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", percent(v)))
            .collect();
        format!("OAuth {}", fields.join(", "))
    }

    /// The HMAC-SHA1 signature (base64) of a request: the method, the
    /// base URL and every parameter (OAuth's, the query's and a form
    /// body's), normalised as RFC 5849 section 3.4.1 says.
    fn signature(
        &self,
        method: &str,
        url: &reqwest::Url,
        form_body: &[u8],
        oauth: &[(&str, String)],
    ) -> String {
        let mut params: Vec<(String, String)> = oauth
            .iter()
            .map(|(k, v)| (percent(k), percent(v)))
            .collect();
        for (k, v) in url.query_pairs() {
            params.push((percent(&k), percent(&v)));
        }
        for (k, v) in url::form_urlencoded::parse(form_body) {
            params.push((percent(&k), percent(&v)));
        }
        params.sort();
        let normalized: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut base_url = format!(
            "{}://{}",
            url.scheme().to_ascii_lowercase(),
            url.host_str().unwrap_or_default().to_ascii_lowercase()
        );
        if let Some(port) = url.port() {
            let _ = write!(base_url, ":{port}");
        }
        base_url.push_str(url.path());
        let base = format!(
            "{}&{}&{}",
            method.to_ascii_uppercase(),
            percent(&base_url),
            percent(&normalized.join("&"))
        );
        let key = format!(
            "{}&{}",
            percent(&self.consumer_secret),
            percent(&self.token_secret)
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
        STANDARD.encode(ring::hmac::sign(&key, base.as_bytes()).as_ref())
    }
}

/// Signs the configured JWT; errors name the field at fault.
fn jwt_token(cfg: &JwtConfig) -> Result<String, (&'static str, String)> {
    let method = cfg.signing_method.as_str();
    if !matches!(method, "RS256" | "RS384" | "RS512" | "EdDSA") {
        return Err((
            "signing_method",
            format!("`{method}` is not one of RS256, RS384, RS512 or EdDSA"),
        ));
    }
    if cfg.private_key_file.is_empty() {
        return Err((
            "private_key_file",
            "a private key file is required".to_string(),
        ));
    }
    let pem = read_pem_file(&cfg.private_key_file).map_err(|e| ("private_key_file", e))?;
    let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|_| {
        (
            "private_key_file",
            format!(
                "`{}` holds no unencrypted PEM private key",
                cfg.private_key_file
            ),
        )
    })?;
    let mut header = serde_json::Map::new();
    header.insert("alg".to_string(), method.into());
    header.insert("typ".to_string(), "JWT".into());
    for (k, v) in &cfg.headers {
        header.insert(k.clone(), v.clone());
    }
    let header = serde_json::to_vec(&header).map_err(|e| ("headers", e.to_string()))?;
    let claims = serde_json::to_vec(&cfg.claims).map_err(|e| ("claims", e.to_string()))?;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let bad_key = |e: ring::error::KeyRejected| {
        (
            "private_key_file",
            format!(
                "`{}` is not a usable {method} key: {e}",
                cfg.private_key_file
            ),
        )
    };
    let signature = if method == "EdDSA" {
        let PrivateKeyDer::Pkcs8(der) = &key else {
            return Err((
                "private_key_file",
                "an EdDSA key must be a PKCS#8 `PRIVATE KEY`".to_string(),
            ));
        };
        let pair =
            ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.secret_pkcs8_der())
                .map_err(bad_key)?;
        pair.sign(signing_input.as_bytes()).as_ref().to_vec()
    } else {
        let pair = match &key {
            PrivateKeyDer::Pkcs1(der) => {
                ring::signature::RsaKeyPair::from_der(der.secret_pkcs1_der())
            }
            PrivateKeyDer::Pkcs8(der) => {
                ring::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
            }
            _ => {
                return Err((
                    "private_key_file",
                    format!("an {method} key must be an RSA key (PKCS#1 or PKCS#8)"),
                ));
            }
        }
        .map_err(bad_key)?;
        let padding = match method {
            "RS384" => &ring::signature::RSA_PKCS1_SHA384,
            "RS512" => &ring::signature::RSA_PKCS1_SHA512,
            _ => &ring::signature::RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0u8; pair.public().modulus_len()];
        pair.sign(
            padding,
            &SystemRandom::new(),
            signing_input.as_bytes(),
            &mut sig,
        )
        .map_err(|_| ("private_key_file", "signing failed".to_string()))?;
        sig
    };
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use reqwest::header::HeaderMap;

    fn request(url: &str) -> Prepared {
        Prepared {
            url: reqwest::Url::parse(url).expect("url"),
            method: reqwest::Method::GET,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// The example of RFC 5849 section 1.2.
    #[test]
    fn oauth1_signs_the_rfc_5849_example() {
        let o = OAuth1 {
            consumer_key: "dpf43f3p2l4k3l03".to_string(),
            consumer_secret: "kd94hf93k423kf44".to_string(),
            token: "nnch734d00sl2jdk".to_string(),
            token_secret: "pfkkdhi9sl3r4s00".to_string(),
        };
        let oauth = vec![
            ("oauth_consumer_key", o.consumer_key.clone()),
            ("oauth_token", o.token.clone()),
            ("oauth_signature_method", "HMAC-SHA1".to_string()),
            ("oauth_timestamp", "137131202".to_string()),
            ("oauth_nonce", "chapoH".to_string()),
        ];
        let url =
            reqwest::Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original")
                .expect("url");
        assert_eq!(
            o.signature("GET", &url, b"", &oauth),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
        let header = o.authorization(&request("http://photos.example.net/photos"), "n1", 7);
        assert!(header.starts_with("OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_nonce=\"n1\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"7\", oauth_token=\"nnch734d00sl2jdk\", oauth_version=\"1.0\", oauth_signature=\""), "{header}");
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent("a b+c~d/é"), "a%20b%2Bc~d%2F%C3%A9");
    }

    fn jwt(method: &str, key_file: &str) -> JwtConfig {
        JwtConfig {
            enabled: true,
            private_key_file: key_file.to_string(),
            signing_method: method.to_string(),
            claims: [("sub".to_string(), serde_json::json!("tarn"))].into(),
            headers: [("kid".to_string(), serde_json::json!("k1"))].into(),
        }
    }

    fn parts(token: &str) -> (serde_json::Value, serde_json::Value, Vec<u8>, String) {
        let mut it = token.split('.');
        let (h, c, s) = (
            it.next().expect("header"),
            it.next().expect("claims"),
            it.next().expect("signature"),
        );
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).expect("base64url");
        (
            serde_json::from_slice(&decode(h)).expect("json"),
            serde_json::from_slice(&decode(c)).expect("json"),
            decode(s),
            format!("{h}.{c}"),
        )
    }

    #[test]
    fn jwt_rs256_tokens_verify_with_the_public_key() {
        let key_file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/http/testdata/rsa_pkcs1_key.pem"
        );
        let token = jwt_token(&jwt("RS256", key_file)).expect("signed");
        let (header, claims, sig, input) = parts(&token);
        assert_eq!(
            header,
            serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})
        );
        assert_eq!(claims, serde_json::json!({"sub": "tarn"}));
        let pem = std::fs::read(key_file).expect("key");
        let PrivateKeyDer::Pkcs1(der) = PrivateKeyDer::from_pem_slice(&pem).expect("pem") else {
            panic!("a PKCS#1 key");
        };
        let pair = ring::signature::RsaKeyPair::from_der(der.secret_pkcs1_der()).expect("rsa");
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            pair.public().as_ref(),
        );
        public
            .verify(input.as_bytes(), &sig)
            .expect("valid signature");
    }

    #[test]
    fn jwt_eddsa_tokens_verify_and_bad_settings_are_named() {
        let rng = SystemRandom::new();
        let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("key");
        let dir = std::env::temp_dir().join(format!("tarn-jwt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("ed.pem");
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(pkcs8.as_ref())
        );
        std::fs::write(&path, pem).expect("write");
        let token = jwt_token(&jwt("EdDSA", path.to_str().expect("utf-8"))).expect("signed");
        let (_, _, sig, input) = parts(&token);
        let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("pair");
        use ring::signature::KeyPair;
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ED25519,
            pair.public_key().as_ref(),
        )
        .verify(input.as_bytes(), &sig)
        .expect("valid signature");
        let err = jwt_token(&jwt("HS256", "x")).expect_err("method");
        assert_eq!(err.0, "signing_method");
        let err = jwt_token(&jwt("RS256", path.to_str().expect("utf-8"))).expect_err("not rsa");
        assert_eq!(err.0, "private_key_file");
        let _ = std::fs::remove_dir_all(dir);
    }
}
