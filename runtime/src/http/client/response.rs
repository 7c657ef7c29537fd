//! Responses: reading a body within the configured cap, classifying the
//! status as Benthos does, and turning a successful response into
//! messages (one per part of a `multipart/*` body) carrying
//! `http_status_code` and the extracted headers as metadata.

use super::multipart;
use super::request::MetaFilter;
use crate::component::Error;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use tarn_lang::value::Blob;
use tarn_lang::{Message, Value};

/// The most of a failed response's body quoted in its error.
const QUOTED_BODY_BYTES: usize = 1024;

/// Reads the body of `response`, failing once it passes `limit` bytes.
pub async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, Error> {
    let url = response.url().as_str().to_string();
    let too_large = || {
        Error::rejected(format!(
            "the response body from {url} is larger than max_response_bytes ({limit} bytes)"
        ))
    };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(0, |n| n as usize)
            .min(limit),
    );
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(transport_error(&e)),
        }
    }
}

/// A failure to exchange the request (connect, TLS, timeout, a broken
/// body) as a component error: a timeout is [`ErrorKind::Timeout`],
/// anything else retryable.
///
/// [`ErrorKind::Timeout`]: crate::component::ErrorKind::Timeout
pub fn transport_error(e: &reqwest::Error) -> Error {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        Error::timeout(text)
    } else {
        Error::retryable(text)
    }
}

/// What a status code means for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Done.
    Success,
    /// Failed; do not retry (`drop_on`).
    Drop,
    /// Failed; retry after a growing pause (`backoff_on`).
    Backoff,
    /// Failed; retry after `retry_period`.
    Retry,
}

/// The status classification: `drop_on`, then `backoff_on`, then
/// `successful_on`, then any 2xx succeeds, and anything else retries.
#[derive(Debug, Clone, Default)]
pub struct StatusPolicy {
    /// Codes that fail at once.
    pub drop_on: Vec<u16>,
    /// Codes retried with backoff.
    pub backoff_on: Vec<u16>,
    /// Codes that succeed besides 2xx.
    pub successful_on: Vec<u16>,
}

impl StatusPolicy {
    /// The verdict on `code`.
    pub fn classify(&self, code: u16) -> Verdict {
        if self.drop_on.contains(&code) {
            Verdict::Drop
        } else if self.backoff_on.contains(&code) {
            Verdict::Backoff
        } else if self.successful_on.contains(&code) || (200..300).contains(&code) {
            Verdict::Success
        } else {
            Verdict::Retry
        }
    }
}

/// Benthos's text for an unexpected status: the URL, the code, its
/// reason and the body (without line breaks, quoted up to 1 KiB).
pub fn unexpected_status(url: &str, code: u16, body: &[u8]) -> String {
    let reason = reqwest::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let quoted = &body[..body.len().min(QUOTED_BODY_BYTES)];
    let mut text = String::from_utf8_lossy(quoted).replace(['\n', '\r'], "");
    if body.len() > QUOTED_BODY_BYTES {
        text.push('…');
    }
    format!(
        "{url}: HTTP request returned unexpected response code ({code}): {code} {reason}, Error: {text}"
    )
}

/// The messages a successful response makes: its body (or each part of
/// a `multipart/*` body), with `http_status_code` and the headers
/// `extract` selects (lower-cased names, first value) as metadata.
pub fn to_messages(
    code: u16,
    headers: &HeaderMap,
    body: Vec<u8>,
    extract: &MetaFilter,
) -> Result<Vec<Message>, Error> {
    let mut meta: Vec<(String, Value)> =
        vec![("http_status_code".to_string(), Value::Int(code.into()))];
    if !extract.is_empty() {
        for name in headers.keys() {
            let key = name.as_str().to_ascii_lowercase();
            if extract.matches(&key)
                && let Some(v) = headers.get(name).and_then(|v| v.to_str().ok())
            {
                meta.push((key, Value::str(v)));
            }
        }
    }
    let annotate = |mut msg: Message| {
        let m = msg.meta_mut();
        for (k, v) in &meta {
            m.insert(k.as_str(), v.clone());
        }
        msg
    };
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match multipart::boundary_of(content_type) {
        None => Ok(vec![annotate(Message::new(&body))]),
        Some(boundary) => {
            let boundary = boundary.map_err(|e| Error::rejected(e.to_string()))?;
            let parts =
                multipart::decode(&boundary, &body).map_err(|e| Error::rejected(e.to_string()))?;
            Ok(parts
                .into_iter()
                .map(|p| annotate(Message::new(&p.body)))
                .collect())
        }
    }
}

/// The messages of `batch` with the response's content and metadata:
/// response `i` replaces the content of message `i` (or of a copy of
/// the first message, for responses beyond the batch) and adds its
/// metadata. There are as many results as responses.
pub fn merge(batch: &[Message], responses: Vec<Message>) -> Vec<Message> {
    let Some(first) = batch.first() else {
        return responses;
    };
    responses
        .into_iter()
        .enumerate()
        .map(|(i, response)| {
            let mut msg = batch.get(i).unwrap_or(first).clone();
            msg.set_content(Blob::new(response.content().as_bytes()));
            let meta = msg.meta_mut();
            for (k, v) in response.meta().iter() {
                meta.insert(k.as_str(), v.clone());
            }
            msg
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::client::config::MetadataFilterConfig;
    use reqwest::header::HeaderValue;

    #[test]
    fn statuses_are_classified_in_benthos_order() {
        let p = StatusPolicy {
            drop_on: vec![400, 429],
            backoff_on: vec![429, 503],
            successful_on: vec![302],
        };
        assert_eq!(p.classify(429), Verdict::Drop);
        assert_eq!(p.classify(503), Verdict::Backoff);
        assert_eq!(p.classify(302), Verdict::Success);
        assert_eq!(p.classify(204), Verdict::Success);
        assert_eq!(p.classify(500), Verdict::Retry);
        assert_eq!(p.classify(301), Verdict::Retry);
    }

    #[test]
    fn responses_become_messages_with_status_and_extracted_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-trace", HeaderValue::from_static("t1"));
        headers.insert("server", HeaderValue::from_static("s"));
        let extract = MetaFilter::new(MetadataFilterConfig {
            include_prefixes: vec!["x-".to_string()],
            include_patterns: Vec::new(),
        });
        let out = to_messages(201, &headers, b"body".to_vec(), &extract).expect("messages");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].content().as_bytes(), b"body");
        assert_eq!(
            out[0].meta().get("http_status_code"),
            Some(&Value::Int(201))
        );
        assert_eq!(out[0].meta().get("x-trace"), Some(&Value::str("t1")));
        assert!(out[0].meta().get("server").is_none());
        let parts = [
            multipart::Part {
                headers: vec![],
                body: b"a".to_vec(),
            },
            multipart::Part {
                headers: vec![],
                body: b"b".to_vec(),
            },
        ];
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/mixed; boundary=zz"),
        );
        let out =
            to_messages(200, &headers, multipart::encode("zz", &parts), &extract).expect("parts");
        assert_eq!(out.len(), 2);
        let merged = merge(
            &[Message::new(b"orig").with_meta("k", Value::str("v"))],
            out,
        );
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[1].content().as_bytes(), b"b");
        assert_eq!(merged[1].meta().get("k"), Some(&Value::str("v")));
    }

    #[test]
    fn failure_texts_quote_the_body_on_one_line() {
        let t = unexpected_status("http://x/y", 500, b"bad\nthing");
        assert_eq!(
            t,
            "http://x/y: HTTP request returned unexpected response code (500): 500 Internal Server Error, Error: badthing"
        );
    }
}
