//! `parse_url` and `parse_form_url_encoded`, following Go's `net/url`
//! (`url.Parse`, `url.ParseQuery`) including its error texts.

use super::encoding::recv_bytes;
use crate::error::{Error, Result};
use crate::stdlib::percent::{self, Invalid, Mode};
use crate::stdlib::{Category, Example, Expect::*, Impl, Spec};
use crate::value::{Map, Value};
use crate::vm::Call;
use tarn_syntax::strings::quote;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "parse_url",
        category: Category::Parsing,
        doc: "Parses a URL into its parts: scheme, opaque, host, path, raw_path, raw_query, fragment, raw_fragment and user.",
        examples: &[
            Example {
                mapping: r#"root.foo_url = this.foo_url.parse_url()"#,
                cases: &[(
                    r#"{"foo_url":"https://docs.redpanda.com/redpanda-connect/guides/bloblang/about/"}"#,
                    Out(
                        r#"{"foo_url":{"fragment":"","host":"docs.redpanda.com","opaque":"","path":"/redpanda-connect/guides/bloblang/about/","raw_fragment":"","raw_path":"","raw_query":"","scheme":"https"}}"#,
                    ),
                )],
            },
            Example {
                mapping: r#"root.username = this.url.parse_url().user.name | "unknown""#,
                cases: &[
                    (
                        r#"{"url":"amqp://foo:bar@127.0.0.1:5672/"}"#,
                        Out(r#"{"username":"foo"}"#),
                    ),
                    (
                        r#"{"url":"redis://localhost:6379"}"#,
                        Out(r#"{"username":"unknown"}"#),
                    ),
                ],
            },
            Example {
                mapping: r#"root.url = this.url.parse_url().catch(err -> {"error":err,"input":this.url})"#,
                cases: &[(
                    r#"{"url":"invalid %&# url"}"#,
                    Out(
                        r#"{"url":{"error":"field `this.url`: parse \"invalid %&\": invalid URL escape \"%&\"","input":"invalid %&# url"}}"#,
                    ),
                )],
            },
            Example {
                mapping: r#"root = this.url.parse_url()"#,
                cases: &[(
                    r#"{"url":"http://u%20x@h/a%2Fb?q=1#f%21"}"#,
                    Out(
                        r#"{"fragment":"f!","host":"h","opaque":"","path":"/a/b","raw_fragment":"f%21","raw_path":"/a%2Fb","raw_query":"q=1","scheme":"http","user":{"name":"u x"}}"#,
                    ),
                )],
            },
        ],
        imp: Impl::Method(parse_url),
        ..Spec::METHOD
    },
    Spec {
        name: "parse_form_url_encoded",
        category: Category::Parsing,
        doc: "Parses a URL query string into an object; repeated keys collect their values in an array.",
        examples: &[Example {
            mapping: r#"root.values = this.body.parse_form_url_encoded()"#,
            cases: &[
                (
                    r#"{"body":"noise=meow&animal=cat&fur=orange&fur=fluffy"}"#,
                    Out(r#"{"values":{"animal":"cat","fur":["orange","fluffy"],"noise":"meow"}}"#),
                ),
                (r#"{"body":"a=%zz"}"#, Fails(r#"invalid URL escape "%zz""#)),
            ],
        }],
        imp: Impl::Method(parse_form_url_encoded),
        annotate: false,
        ..Spec::METHOD
    },
];

/// Go's `unescape` with `net/url`'s error texts.
fn unescape(s: &str, mode: Mode) -> std::result::Result<String, String> {
    percent::unescape(s, mode).map_err(|e| match e {
        Invalid::Escape(bad) => format!("invalid URL escape {}", quote(&bad)),
        Invalid::HostChar(c) => format!("invalid character {} in host name", quote(&c.to_string())),
    })
}

#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    raw_path: String,
    raw_query: String,
    fragment: String,
    raw_fragment: String,
}

fn get_scheme(raw: &str) -> std::result::Result<(String, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok((String::new(), raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((raw[..i].to_string(), &raw[i + 1..]));
            }
            _ => return Ok((String::new(), raw)),
        }
    }
    Ok((String::new(), raw))
}

fn valid_optional_port(port: &str) -> bool {
    if port.is_empty() {
        return true;
    }
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

fn parse_host(host: &str) -> std::result::Result<String, String> {
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[i + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", quote(port)));
        }
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c) || c >= 0x80)
}

type Auth = (Option<(String, Option<String>)>, String);

fn parse_authority(auth: &str) -> std::result::Result<Auth, String> {
    let at = auth.rfind('@');
    let host = parse_host(match at {
        Some(i) => &auth[i + 1..],
        None => auth,
    })?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let info = &auth[..i];
    if !valid_userinfo(info) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match info.split_once(':') {
        None => (unescape(info, Mode::UserPassword)?, None),
        Some((u, p)) => (
            unescape(u, Mode::UserPassword)?,
            Some(unescape(p, Mode::UserPassword)?),
        ),
    };
    Ok((Some(user), host))
}

fn parse_inner(raw: &str) -> std::result::Result<Url, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    let mut rest = rest.to_string();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest.pop();
    } else if let Some((r, q)) = rest.clone().split_once('?') {
        url.raw_query = q.to_string();
        rest = r.to_string();
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest;
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (auth, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let (user, host) = parse_authority(auth)?;
        url.user = user;
        url.host = host;
        rest = path.to_string();
    }
    url.path = unescape(&rest, Mode::Path)?;
    if percent::escape(url.path.as_bytes(), Mode::Path) != rest {
        url.raw_path = rest;
    }
    Ok(url)
}

fn parse_go_url(raw: &str) -> std::result::Result<Url, String> {
    let (u, frag) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let mut url = parse_inner(u).map_err(|e| format!("parse {}: {e}", quote(u)))?;
    if let Some(f) = frag {
        url.fragment =
            unescape(f, Mode::Fragment).map_err(|e| format!("parse {}: {e}", quote(raw)))?;
        if percent::escape(url.fragment.as_bytes(), Mode::Fragment) != f {
            url.raw_fragment = f.to_string();
        }
    }
    Ok(url)
}

fn parse_url(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let text = match &recv {
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b.as_bytes()).into_owned(),
        other => return Err(Error::type_mismatch("string", other)),
    };
    let url = parse_go_url(&text).map_err(Error::msg)?;
    let mut m = Map::new();
    m.insert("scheme", Value::from(url.scheme));
    m.insert("opaque", Value::from(url.opaque));
    m.insert("host", Value::from(url.host));
    m.insert("path", Value::from(url.path));
    m.insert("raw_path", Value::from(url.raw_path));
    m.insert("raw_query", Value::from(url.raw_query));
    m.insert("fragment", Value::from(url.fragment));
    m.insert("raw_fragment", Value::from(url.raw_fragment));
    if let Some((name, password)) = url.user {
        let mut u = Map::new();
        u.insert("name", Value::from(name));
        if let Some(p) = password {
            u.insert("password", Value::from(p));
        }
        m.insert("user", Value::object(u));
    }
    Ok(Value::object(m))
}

fn parse_form_url_encoded(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let data = recv_bytes(&recv)?;
    let text = String::from_utf8_lossy(data);
    let mut values: Vec<(String, Vec<String>)> = Vec::new();
    let mut first_err: Option<String> = None;
    for part in text.split('&') {
        if part.contains(';') {
            first_err.get_or_insert_with(|| "invalid semicolon separator in query".into());
            continue;
        }
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let k = match unescape(k, Mode::QueryComponent) {
            Ok(k) => k,
            Err(e) => {
                first_err.get_or_insert(e);
                continue;
            }
        };
        let v = match unescape(v, Mode::QueryComponent) {
            Ok(v) => v,
            Err(e) => {
                first_err.get_or_insert(e);
                continue;
            }
        };
        match values.iter_mut().find(|(key, _)| *key == k) {
            Some((_, list)) => list.push(v),
            None => values.push((k, vec![v])),
        }
    }
    if let Some(e) = first_err {
        return Err(Error::msg(e));
    }
    let mut m = Map::new();
    for (k, mut list) in values {
        let v = if list.len() == 1 {
            Value::from(list.remove(0))
        } else {
            Value::array(list.into_iter().map(Value::from).collect())
        };
        m.insert(k.as_str(), v);
    }
    Ok(Value::object(m))
}
