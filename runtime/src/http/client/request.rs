//! Turning a batch into a request, as Benthos does: the URL and headers
//! are rendered against the first message; one message is the body as
//! it is (`application/octet-stream` unless a `Content-Type` header is
//! configured); several make a `multipart/form-data` body with one part
//! per message (its own `Content-Type` and selected metadata as part
//! headers); explicit `multipart` parts replace the body altogether.

use super::config::MetadataFilterConfig;
use super::multipart;
use crate::component::Error;
use crate::config::types::Interp;
use axum::body::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tarn_lang::convert::to_display_string;
use tarn_lang::{Message, Vm};

/// Selects metadata keys (or response header names) by prefix or
/// regular expression; selects nothing when both lists are empty.
#[derive(Debug, Clone, Default)]
pub struct MetaFilter {
    prefixes: Vec<String>,
    patterns: Vec<regex::Regex>,
}

impl MetaFilter {
    /// The filter a config describes.
    pub fn new(cfg: MetadataFilterConfig) -> MetaFilter {
        MetaFilter {
            prefixes: cfg.include_prefixes,
            patterns: cfg.include_patterns.into_iter().map(|p| p.0).collect(),
        }
    }

    /// Whether it selects nothing.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && self.patterns.is_empty()
    }

    /// Whether `key` is selected.
    pub fn matches(&self, key: &str) -> bool {
        self.prefixes.iter().any(|p| key.starts_with(p.as_str()))
            || self.patterns.iter().any(|p| p.is_match(key))
    }

    /// The selected metadata of `msg`, as text.
    pub fn pairs(&self, msg: &Message) -> Vec<(String, String)> {
        if self.is_empty() {
            return Vec::new();
        }
        msg.meta()
            .iter()
            .filter(|(k, _)| self.matches(k))
            .map(|(k, v)| (k.to_string(), to_display_string(v)))
            .collect()
    }
}

/// One explicit part of a multipart body (the output's `multipart`).
#[derive(Debug)]
pub struct ExplicitPart {
    /// The part's `Content-Type` (interpolated).
    pub content_type: Interp,
    /// The part's `Content-Disposition` (interpolated).
    pub content_disposition: Interp,
    /// The part's body (interpolated).
    pub body: Interp,
}

/// How requests are made from batches.
#[derive(Debug)]
pub struct RequestTemplate {
    /// The URL.
    pub url: Interp,
    /// The method.
    pub method: Method,
    /// Configured headers, `Content-Type` and `Host` included.
    pub headers: Vec<(HeaderName, Interp)>,
    /// Metadata sent as headers (and as part headers of a multipart body).
    pub metadata: MetaFilter,
    /// Explicit multipart parts; empty: the body comes from the batch.
    pub parts: Vec<ExplicitPart>,
}

/// A request ready to be sent (and sent again on a retry).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Where to.
    pub url: reqwest::Url,
    /// The method.
    pub method: Method,
    /// The headers (authentication is added per attempt).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// A request that cannot be made: sending it again would not help.
fn rejected(what: impl std::fmt::Display) -> Error {
    Error::rejected(format!("cannot make the HTTP request: {what}"))
}

impl RequestTemplate {
    /// The request for `batch` (one message, or several as multipart).
    pub fn prepare(&self, batch: &[Message]) -> Result<Prepared, Error> {
        if batch.is_empty() {
            return Err(rejected("the batch is empty"));
        }
        let mut vm = Vm::new();
        let text = self
            .url
            .render(&mut vm, batch, 0)
            .map_err(|e| rejected(format!("url: {e}")))?;
        let url = reqwest::Url::parse(text.trim())
            .map_err(|e| rejected(format!("`{text}` is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(rejected(format!("`{text}` is not an http or https URL")));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let text = value
                .render(&mut vm, batch, 0)
                .map_err(|e| rejected(format!("header {name}: {e}")))?;
            headers.append(name.clone(), header_value(name.as_str(), &text)?);
        }
        for (key, value) in self.metadata.pairs(&batch[0]) {
            let name = HeaderName::from_bytes(key.as_bytes())
                .map_err(|_| rejected(format!("metadata key `{key}` is not a header name")))?;
            headers.append(name, header_value(&key, &value)?);
        }
        let body = if !self.parts.is_empty() {
            let mut parts = Vec::with_capacity(self.parts.len());
            for (i, p) in self.parts.iter().enumerate() {
                let render = |interp: &Interp, vm: &mut Vm, field: &str| {
                    interp
                        .render(vm, batch, 0)
                        .map_err(|e| rejected(format!("multipart.{i}.{field}: {e}")))
                };
                let content_type = render(&p.content_type, &mut vm, "content_type")?;
                let disposition = render(&p.content_disposition, &mut vm, "content_disposition")?;
                let body = render(&p.body, &mut vm, "body")?;
                parts.push(multipart::Part {
                    headers: vec![
                        ("Content-Disposition".to_string(), disposition),
                        ("Content-Type".to_string(), content_type),
                    ],
                    body: body.into_bytes(),
                });
            }
            self.set_multipart(&mut headers, &parts)
        } else if batch.len() == 1 {
            if !headers.contains_key(CONTENT_TYPE) {
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/octet-stream"),
                );
            }
            Bytes::copy_from_slice(batch[0].content().as_bytes())
        } else {
            let content_type = self
                .headers
                .iter()
                .find(|(n, _)| *n == CONTENT_TYPE)
                .map(|(_, v)| v);
            let mut parts = Vec::with_capacity(batch.len());
            for (i, msg) in batch.iter().enumerate() {
                let part_type = match content_type {
                    Some(v) => v
                        .render(&mut vm, batch, i)
                        .map_err(|e| rejected(format!("header Content-Type: {e}")))?,
                    None => "application/octet-stream".to_string(),
                };
                let mut part_headers = vec![("Content-Type".to_string(), part_type)];
                part_headers.extend(self.metadata.pairs(msg));
                parts.push(multipart::Part {
                    headers: part_headers,
                    body: msg.content().as_bytes().to_vec(),
                });
            }
            self.set_multipart(&mut headers, &parts)
        };
        Ok(Prepared {
            url,
            method: self.method.clone(),
            headers,
            body,
        })
    }

    /// Encodes `parts` and sets the multipart `Content-Type`.
    fn set_multipart(&self, headers: &mut HeaderMap, parts: &[multipart::Part]) -> Bytes {
        let boundary = multipart::boundary();
        let body = multipart::encode(&boundary, parts);
        let value = format!("multipart/form-data; boundary={boundary}");
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(CONTENT_TYPE, v);
        }
        Bytes::from(body)
    }
}

fn header_value(name: &str, text: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(text).map_err(|_| {
        rejected(format!(
            "the value of header {name} is not a valid header value"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(headers: &[(&str, &str)], meta: &[&str]) -> RequestTemplate {
        RequestTemplate {
            url: Interp::compile("http://h/${! @path }").expect("url"),
            method: Method::POST,
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        HeaderName::from_bytes(k.as_bytes()).expect("name"),
                        Interp::compile(v).expect("value"),
                    )
                })
                .collect(),
            metadata: MetaFilter {
                prefixes: meta.iter().map(|s| s.to_string()).collect(),
                patterns: Vec::new(),
            },
            parts: Vec::new(),
        }
    }

    fn msg(body: &str, path: &str) -> Message {
        Message::new(body.as_bytes())
            .with_meta("path", tarn_lang::Value::str(path))
            .with_meta("x-id", tarn_lang::Value::str(body))
    }

    #[test]
    fn one_message_is_the_body_with_its_url_headers_and_metadata() {
        let t = template(&[("X-Kind", "${! content() }")], &["x-"]);
        let p = t.prepare(&[msg("hello", "a")]).expect("prepared");
        assert_eq!(p.url.as_str(), "http://h/a");
        assert_eq!(&p.body[..], b"hello");
        assert_eq!(p.headers["x-kind"], "hello");
        assert_eq!(p.headers["x-id"], "hello");
        assert_eq!(p.headers["content-type"], "application/octet-stream");
        let t = template(&[("Content-Type", "text/plain")], &[]);
        let p = t.prepare(&[msg("hello", "a")]).expect("prepared");
        assert_eq!(p.headers["content-type"], "text/plain");
    }

    #[test]
    fn several_messages_make_a_multipart_body() {
        let t = template(&[("Content-Type", "text/${! @path }")], &["x-"]);
        let p = t
            .prepare(&[msg("one", "a"), msg("two", "b")])
            .expect("prepared");
        let ct = p.headers["content-type"].to_str().expect("text");
        let boundary = ct
            .strip_prefix("multipart/form-data; boundary=")
            .expect("multipart");
        let parts = multipart::decode(boundary, &p.body).expect("decodes");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].body, b"one");
        assert_eq!(parts[1].body, b"two");
        assert!(
            parts[1]
                .headers
                .contains(&("content-type".to_string(), "text/b".to_string()))
        );
        assert!(
            parts[0]
                .headers
                .contains(&("x-id".to_string(), "one".to_string()))
        );
    }

    #[test]
    fn explicit_parts_replace_the_body() {
        let mut t = template(&[], &[]);
        t.parts = vec![ExplicitPart {
            content_type: Interp::literal("text/plain"),
            content_disposition: Interp::compile("form-data; name=\"${! @path }\"")
                .expect("disposition"),
            body: Interp::compile("${! content().uppercase() }").expect("body"),
        }];
        let p = t
            .prepare(&[msg("one", "a"), msg("two", "b")])
            .expect("prepared");
        let ct = p.headers["content-type"].to_str().expect("text");
        let boundary = ct
            .strip_prefix("multipart/form-data; boundary=")
            .expect("multipart");
        let parts = multipart::decode(boundary, &p.body).expect("decodes");
        assert_eq!(
            parts.len(),
            1,
            "the parts as configured, not one per message"
        );
        assert_eq!(parts[0].body, b"ONE");
        assert!(parts[0].headers.contains(&(
            "content-disposition".to_string(),
            "form-data; name=\"a\"".to_string()
        )));
    }

    #[test]
    fn bad_urls_and_header_values_are_rejected() {
        let mut t = template(&[], &[]);
        t.url = Interp::literal("http://h:99999/");
        let e = t.prepare(&[msg("x", "")]).expect_err("bad url");
        assert_eq!(e.kind, crate::component::ErrorKind::Rejected);
        let mut t = template(&[], &[]);
        t.url = Interp::literal("ftp://h/x");
        assert!(t.prepare(&[msg("x", "")]).is_err());
        let t = template(&[("X-Bad", "${! \"a\\nb\" }")], &[]);
        let e = t.prepare(&[msg("x", "p")]).expect_err("bad header");
        assert!(
            e.message.contains("X-Bad") || e.message.contains("x-bad"),
            "{e}"
        );
    }
}
