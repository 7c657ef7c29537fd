//! `dump_request_log_level`: every attempt logged at that level as one
//! `http request log` line with an `access_log` field, as Benthos writes
//! it — the elapsed time, the request (URL, method, headers, body) and
//! the response (status, length, headers, body) or the error. Bodies
//! that are JSON are logged as JSON values. A URL's password and the
//! `Authorization` header are masked.

use super::request::Prepared;
use crate::component::{Build, BuildError};
use crate::log::Level;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use tarn_lang::Value;
use tarn_lang::value::{Map, parse_json};

/// The level of the dump, when enabled.
#[derive(Debug, Clone, Copy)]
pub struct Dump(Level);

/// What came back for one attempt.
#[derive(Debug)]
pub enum Exchange<'a> {
    /// A response.
    Response {
        /// Its status code.
        status: u16,
        /// Its headers.
        headers: &'a HeaderMap,
        /// Its body (as read).
        body: &'a [u8],
    },
    /// No response.
    Error(&'a str),
}

impl Dump {
    /// The dump `level` asks for (`""`: none).
    pub fn from_config(level: &str, ctx: &Build<'_>) -> Result<Option<Dump>, BuildError> {
        let text = level.trim();
        if text.is_empty() {
            return Ok(None);
        }
        match text.to_ascii_uppercase().as_str() {
            "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL" => {
                Ok(Level::parse(text).map(Dump))
            }
            _ => Err(ctx.field_error(
                "dump_request_log_level",
                format!("`{level}` is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL"),
            )),
        }
    }

    /// Logs one attempt.
    pub fn log(&self, request: &Prepared, exchange: Exchange<'_>, elapsed: std::time::Duration) {
        let mut log = Map::new();
        log.insert(
            "elapsed_ns",
            Value::Int(i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX)),
        );
        let mut req = Map::new();
        let mut url = request.url.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("xxxxx"));
        }
        req.insert("url", Value::str(url.as_str()));
        req.insert("method", Value::str(request.method.as_str()));
        req.insert("header", headers(&request.headers));
        req.insert("body", body(&request.body));
        log.insert("request", Value::object(req));
        match exchange {
            Exchange::Response {
                status,
                headers: h,
                body: b,
            } => {
                let mut resp = Map::new();
                resp.insert("status_code", Value::Int(status.into()));
                resp.insert(
                    "content_length",
                    Value::Int(i64::try_from(b.len()).unwrap_or(i64::MAX)),
                );
                resp.insert("header", headers(h));
                resp.insert("body", body(b));
                log.insert("response", Value::object(resp));
            }
            Exchange::Error(e) => {
                log.insert("error", Value::str(e));
            }
        }
        crate::log::log(
            self.0,
            "http request log",
            &[("access_log", Value::object(log))],
        );
    }
}

fn headers(h: &HeaderMap) -> Value {
    let mut out = Map::new();
    for name in h.keys() {
        let values: Vec<String> = if *name == AUTHORIZATION {
            vec!["<redacted>".to_string()]
        } else {
            h.get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect()
        };
        out.insert(name.as_str(), Value::str(&values.join(" ")));
    }
    Value::object(out)
}

fn body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    parse_json(bytes).unwrap_or_else(|_| Value::str(&String::from_utf8_lossy(bytes)))
}
