//! OAuth 2 client credentials, as Go's `clientcredentials` does it for
//! Benthos: a form POST to `token_url` (`grant_type=client_credentials`,
//! `scope` joined by spaces, the `endpoint_params`), the client's
//! credentials sent first as HTTP basic authentication and, if the
//! endpoint refuses that, as form fields (whichever works is kept). The
//! token is cached and fetched again 10 seconds before it expires; one
//! fetch at a time. Token requests go through the component's own client
//! (its TLS, proxy and timeout).

use super::config::OAuth2Config;
use super::response::read_body;
use crate::component::{Build, BuildError, Error};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long before its expiry a token is replaced.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);

/// The largest token response read.
const MAX_TOKEN_RESPONSE_BYTES: usize = 1024 * 1024;

/// Where the client credentials go in a token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Not known yet: try the header, then the form.
    Unknown,
    /// `Authorization: Basic …`.
    Header,
    /// `client_id` and `client_secret` form fields.
    Form,
}

/// A token and when it stops being usable.
#[derive(Debug, Clone)]
struct Token {
    authorization: HeaderValue,
    expires: Option<Instant>,
}

/// A client credentials token source.
#[derive(Debug)]
pub struct OAuth2 {
    client_id: String,
    client_secret: String,
    token_url: reqwest::Url,
    form: Vec<(String, String)>,
    state: Mutex<(Option<Token>, Style)>,
}

impl OAuth2 {
    /// The source `cfg` describes (`None` when disabled).
    pub fn from_config(cfg: &OAuth2Config, ctx: &Build<'_>) -> Result<Option<OAuth2>, BuildError> {
        if !cfg.enabled {
            return Ok(None);
        }
        let token_url = reqwest::Url::parse(&cfg.token_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                ctx.field_error(
                    "oauth2.token_url",
                    format!("`{}` is not an http or https URL", cfg.token_url),
                )
            })?;
        let mut form = vec![("grant_type".to_string(), "client_credentials".to_string())];
        if !cfg.scopes.is_empty() {
            form.push(("scope".to_string(), cfg.scopes.join(" ")));
        }
        for (k, values) in &cfg.endpoint_params {
            for v in values {
                form.push((k.clone(), v.clone()));
            }
        }
        Ok(Some(OAuth2 {
            client_id: cfg.client_key.clone(),
            client_secret: cfg.client_secret.clone(),
            token_url,
            form,
            state: Mutex::new((None, Style::Unknown)),
        }))
    }

    /// The `Authorization` value to send: the cached token, or a new one.
    pub async fn authorization(&self, client: &reqwest::Client) -> Result<HeaderValue, Error> {
        let mut state = self.state.lock().await;
        if let Some(token) = &state.0
            && token
                .expires
                .is_none_or(|e| Instant::now() + EXPIRY_MARGIN < e)
        {
            return Ok(token.authorization.clone());
        }
        let (token, style) = match state.1 {
            Style::Unknown => match self.fetch(client, Style::Header).await {
                Ok(t) => (t, Style::Header),
                Err(first) => match self.fetch(client, Style::Form).await {
                    Ok(t) => (t, Style::Form),
                    Err(_) => return Err(first),
                },
            },
            style => (self.fetch(client, style).await?, style),
        };
        let value = token.authorization.clone();
        *state = (Some(token), style);
        Ok(value)
    }

    async fn fetch(&self, client: &reqwest::Client, style: Style) -> Result<Token, Error> {
        let mut form = self.form.clone();
        let mut request = client
            .post(self.token_url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json");
        if style == Style::Form {
            form.push(("client_id".to_string(), self.client_id.clone()));
            if !self.client_secret.is_empty() {
                form.push(("client_secret".to_string(), self.client_secret.clone()));
            }
        } else {
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let value =
                super::auth::basic_authorization(&enc(&self.client_id), &enc(&self.client_secret));
            request = request.header(AUTHORIZATION, value);
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let failed = |why: String| {
            Error::retryable(format!(
                "oauth2: cannot fetch token from {}: {why}",
                self.token_url
            ))
        };
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = read_body(response, MAX_TOKEN_RESPONSE_BYTES)
            .await
            .map_err(|e| failed(e.message))?;
        if !status.is_success() {
            return Err(failed(format!(
                "{status}, response: {}",
                String::from_utf8_lossy(&body).trim()
            )));
        }
        parse_token(&content_type, &body).map_err(failed)
    }
}

/// Reads a token response: JSON, or a form (`text/plain` and
/// `application/x-www-form-urlencoded`, as some providers answer).
fn parse_token(content_type: &str, body: &[u8]) -> Result<Token, String> {
    let (access, kind, expires_in) = if content_type
        .starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("text/plain")
    {
        let mut access = String::new();
        let mut kind = String::new();
        let mut expires = None;
        for (k, v) in url::form_urlencoded::parse(body) {
            match &*k {
                "access_token" => access = v.into_owned(),
                "token_type" => kind = v.into_owned(),
                "expires_in" => expires = v.parse::<u64>().ok(),
                _ => {}
            }
        }
        (access, kind, expires)
    } else {
        let json: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| format!("the response is not JSON: {e}"))?;
        let text = |k: &str| {
            json.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let expires = match json.get("expires_in") {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        (text("access_token"), text("token_type"), expires)
    };
    if access.is_empty() {
        return Err("the response has no access_token".to_string());
    }
    let kind = match kind.to_ascii_lowercase().as_str() {
        "" | "bearer" => "Bearer".to_string(),
        "mac" => "MAC".to_string(),
        "basic" => "Basic".to_string(),
        _ => kind,
    };
    let authorization = HeaderValue::from_str(&format!("{kind} {access}"))
        .map_err(|_| "the access token is not valid header text".to_string())?;
    Ok(Token {
        authorization,
        expires: expires_in
            .filter(|s| *s > 0)
            .map(|s| Instant::now() + Duration::from_secs(s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_responses_are_read_as_json_or_form() {
        let t = parse_token(
            "application/json",
            br#"{"access_token":"abc","token_type":"bearer","expires_in":3600}"#,
        )
        .expect("token");
        assert_eq!(t.authorization, "Bearer abc");
        assert!(t.expires.is_some());
        let t = parse_token("text/plain", b"access_token=xyz&token_type=mac").expect("token");
        assert_eq!(t.authorization, "MAC xyz");
        assert!(t.expires.is_none());
        let t = parse_token(
            "application/json",
            br#"{"access_token":"q","expires_in":"60"}"#,
        )
        .expect("token");
        assert_eq!(t.authorization, "Bearer q");
        assert!(t.expires.is_some());
        assert!(parse_token("application/json", b"{}").is_err());
        assert!(parse_token("application/json", b"<html>").is_err());
    }
}
