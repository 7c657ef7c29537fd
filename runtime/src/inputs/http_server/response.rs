//! Building `http_server` responses: the stored sync response (one
//! message or a multipart body), error replies (plain or JSON), and gzip.

use super::HttpServerInput;
use super::multipart::{self, Part};
use axum::body::Body;
use axum::http::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use crate::config::types::Interp;
use std::time::Duration;
use tarn_lang::{Message, Vm};

/// A response before it is encoded for the client.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, not yet compressed.
    pub body: Vec<u8>,
}

/// What the client said it accepts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accepts {
    /// `Accept` names `application/json`.
    pub json: bool,
    /// `Accept-Encoding` allows gzip.
    pub gzip: bool,
}

impl Accepts {
    /// Reads the request's `Accept` and `Accept-Encoding` headers.
    pub fn of(headers: &HeaderMap) -> Accepts {
        let listed = |name, wanted: &[&str]| {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|item| {
                    let mut bits = item.split(';');
                    let token = bits.next().unwrap_or("").trim();
                    let refused = bits.any(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.trim().parse::<f64>().ok())
                            .is_some_and(|q| q <= 0.0)
                    });
                    !refused && wanted.iter().any(|w| token.eq_ignore_ascii_case(w))
                })
        };
        Accepts {
            json: listed(ACCEPT, &["application/json"]),
            gzip: listed(ACCEPT_ENCODING, &["gzip", "x-gzip"]),
        }
    }
}

/// An error reply: `{"error": …}` when the client asked for JSON, else
/// the message as plain text.
pub fn error(status: StatusCode, message: &str, accepts: Accepts) -> Reply {
    let mut headers = HeaderMap::new();
    let body = if accepts.json {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        serde_json::json!({ "error": message })
            .to_string()
            .into_bytes()
    } else {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        message.as_bytes().to_vec()
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// 429 with `Retry-After` (whole seconds, rounded up).
pub fn too_many(wait: Duration, accepts: Accepts) -> Reply {
    let mut reply = error(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", accepts);
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    reply
        .headers
        .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
    reply
}

/// An empty 200.
pub fn ok() -> Reply {
    Reply {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: Vec::new(),
    }
}

/// What the sync response's status and configured headers are when none
/// has a query: worked out once, not for every request.
#[derive(Debug, Default)]
pub struct Fixed {
    status: Option<StatusCode>,
    headers: Option<HeaderMap>,
}

impl Fixed {
    /// The fixed parts of a response with `status` and `headers`.
    pub fn of(status: &Interp, headers: &[(String, Interp)]) -> Fixed {
        let mut vm = Vm::new();
        // A status that is not a code is left to the request, which
        // reports it.
        let status = status
            .get()
            .is_static()
            .then(|| status.render(&mut vm, &[], 0).ok())
            .flatten()
            .and_then(|text| status_code(&text));
        let headers = headers
            .iter()
            .all(|(_, v)| v.get().is_static())
            .then(|| {
                let mut map = HeaderMap::new();
                for (name, value) in headers {
                    if let Ok(text) = value.render(&mut vm, &[], 0) {
                        insert_header(&mut map, name, &text);
                    }
                }
                map
            });
        Fixed { status, headers }
    }
}

/// `text` as a status code, if it is one.
fn status_code(text: &str) -> Option<StatusCode> {
    text.trim()
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
}

/// Sets header `name` to `value` when both are valid (others are left
/// out).
fn insert_header(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(n, v);
    }
}

/// The VM that renders queries, made when the first one needs it.
fn vm(slot: &mut Option<Vm>) -> &mut Vm {
    slot.get_or_insert_with(Vm::new)
}

/// Renders the configured headers against message `index`.
fn rendered_headers(
    input: &HttpServerInput,
    vm_slot: &mut Option<Vm>,
    batch: &[Message],
    index: usize,
) -> HeaderMap {
    let mut headers = match &input.fixed.headers {
        Some(fixed) => fixed.clone(),
        None => {
            let mut headers = HeaderMap::new();
            for (name, value) in &input.headers {
                if let Ok(text) = value.render(vm(vm_slot), batch, index) {
                    insert_header(&mut headers, name, &text);
                }
            }
            headers
        }
    };
    let copies = !input.metadata_prefixes.is_empty() || !input.metadata_patterns.is_empty();
    if let Some(msg) = batch.get(index).filter(|_| copies) {
        for (k, v) in msg.meta().iter() {
            if input.copies_metadata(k) {
                insert_header(&mut headers, k, &tarn_lang::convert::to_display_string(v));
            }
        }
    }
    headers
}

/// The reply for a stored response: status and headers from message 0;
/// one message is the body, several make a `multipart/mixed` body whose
/// parts carry the headers rendered against each message.
pub fn stored(input: &HttpServerInput, batch: &[Message], accepts: Accepts) -> Reply {
    let mut vm_slot = None;
    let status = match input.fixed.status {
        Some(status) => status,
        None => {
            let text = match input.status.render(vm(&mut vm_slot), batch, 0) {
                Ok(s) => s,
                Err(e) => return error(StatusCode::BAD_GATEWAY, &format!("status: {e}"), accepts),
            };
            let Some(status) = status_code(&text) else {
                return error(
                    StatusCode::BAD_GATEWAY,
                    &format!("status: `{text}` is not an HTTP status code"),
                    accepts,
                );
            };
            status
        }
    };
    let mut headers = rendered_headers(input, &mut vm_slot, batch, 0);
    let body = if let [only] = batch {
        only.content().as_bytes().to_vec()
    } else {
        let parts: Vec<Part> = (0..batch.len())
            .map(|i| Part {
                headers: rendered_headers(input, &mut vm_slot, batch, i)
                    .iter()
                    .filter_map(|(k, v)| {
                        Some((k.as_str().to_string(), v.to_str().ok()?.to_string()))
                    })
                    .collect(),
                body: batch[i].content().as_bytes().to_vec(),
            })
            .collect();
        let (boundary, bytes) = multipart::encode(&parts);
        if let Ok(v) = HeaderValue::from_str(&format!("multipart/mixed; boundary={boundary}")) {
            headers.insert(CONTENT_TYPE, v);
        }
        bytes
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// Encodes the reply for the client: gzip when accepted and worth it.
pub fn finish(mut reply: Reply, accepts: Accepts) -> Response {
    if accepts.gzip && !reply.body.is_empty() && !reply.headers.contains_key(CONTENT_ENCODING) {
        reply.body = gzip(&reply.body);
        reply
            .headers
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        reply
            .headers
            .append(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    (reply.status, reply.headers, Body::from(reply.body)).into_response()
}

/// A gzip member (RFC 1952) holding `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    // ISIZE is the length modulo 2^32.
    out.extend_from_slice(&((data.len() & 0xffff_ffff) as u32).to_le_bytes());
    out
}

/// CRC-32 with the IEEE polynomial, as gzip uses it.
fn crc32(data: &[u8]) -> u32 {
    tarn_lang::checksum::crc32(0xEDB8_8320, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn accept_headers_are_read_with_q_values() {
        let a = Accepts::of(&headers(&[
            ("accept", "text/html, Application/JSON;q=0.5"),
            ("accept-encoding", "br, gzip;q=0.8"),
        ]));
        assert!(a.json && a.gzip);
        let a = Accepts::of(&headers(&[("accept-encoding", "gzip;q=0, deflate")]));
        assert!(!a.json && !a.gzip);
        let a = Accepts::of(&headers(&[("accept-encoding", "gzipped")]));
        assert!(!a.gzip);
    }

    #[test]
    fn gzip_members_inflate_back_and_carry_the_crc() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let data = b"hello hello hello hello".repeat(20);
        let z = gzip(&data);
        assert_eq!(&z[..3], &[0x1f, 0x8b, 8]);
        let inflated =
            miniz_oxide::inflate::decompress_to_vec(&z[10..z.len() - 8]).expect("inflates");
        assert_eq!(inflated, data);
        assert_eq!(&z[z.len() - 4..], &(data.len() as u32).to_le_bytes());
    }

    #[test]
    fn errors_are_json_when_asked() {
        let r = error(
            StatusCode::BAD_GATEWAY,
            "bad \"thing\"",
            Accepts {
                json: true,
                gzip: false,
            },
        );
        assert_eq!(r.body, br#"{"error":"bad \"thing\""}"#);
        assert_eq!(r.headers[CONTENT_TYPE], "application/json");
        let r = too_many(Duration::from_millis(1500), Accepts::default());
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers[RETRY_AFTER], "2");
        assert_eq!(r.body, b"Too Many Requests");
    }
}
