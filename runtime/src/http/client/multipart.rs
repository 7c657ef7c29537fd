//! Multipart bodies (RFC 2046): the request body a batch makes, and the
//! parts of a `multipart/*` response, one message each.

use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;

/// One part: its headers and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Header names and values (names lower-cased when decoded).
    pub headers: Vec<(String, String)>,
    /// The content.
    pub body: Vec<u8>,
}

/// A multipart body that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartError(pub String);

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed multipart body: {}", self.0)
    }
}

impl std::error::Error for MultipartError {}

/// A fresh random boundary: 60 hex digits, as Go's writer makes.
pub fn boundary() -> String {
    let mut bytes = [0u8; 30];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        // The system source failed: still unique enough for a boundary.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes[..16].copy_from_slice(&nanos.to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Encodes `parts` between `boundary` lines.
pub fn encode(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let size: usize = parts
        .iter()
        .map(|p| p.body.len() + boundary.len() + 64)
        .sum();
    let mut out = Vec::with_capacity(size);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &part.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.body);
    }
    if !parts.is_empty() {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(b"--\r\n");
    out
}

/// The `boundary` parameter of a `multipart/*` content type; `None` for
/// any other type.
pub fn boundary_of(content_type: &str) -> Option<Result<String, MultipartError>> {
    let found = boundary_param(content_type, 70)?;
    Some(found.ok_or_else(|| MultipartError(format!("`{content_type}` has no valid boundary"))))
}

/// The `boundary` parameter of a `multipart/*` content type when it is 1
/// to `max_len` bytes long (`Some(None)` otherwise); `None` for any other
/// type. Shared by the client and the `http_server` input.
pub fn boundary_param(content_type: &str, max_len: usize) -> Option<Option<String>> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim().to_ascii_lowercase();
    if !media.starts_with("multipart/") {
        return None;
    }
    let found = params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    });
    Some(found.filter(|b| !b.is_empty() && b.len() <= max_len))
}

/// Splits a multipart `body` at `boundary` lines. The preamble and the
/// epilogue are ignored.
pub fn decode(boundary: &str, body: &[u8]) -> Result<Vec<Part>, MultipartError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find_line_start(body, delimiter, 0)
        .ok_or_else(|| MultipartError("no boundary line".to_string()))?;
    let mut parts = Vec::new();
    loop {
        let after = at + delimiter.len();
        let rest = &body[after..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // The rest of the boundary line (transport padding) and its end.
        let line_end = memchr::memchr(b'\n', rest)
            .ok_or_else(|| MultipartError("a boundary line has no end".to_string()))?;
        let start = after + line_end + 1;
        let next = find_line_start(body, delimiter, start)
            .ok_or_else(|| MultipartError("the closing boundary is missing".to_string()))?;
        // The part ends before the line break that precedes the boundary.
        let mut end = next;
        if end > start && body[end - 1] == b'\n' {
            end -= 1;
            if end > start && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        parts.push(parse_part(&body[start..end.max(start)])?);
        at = next;
    }
}

/// The offset of the next `delimiter` at the start of a line, from `from`.
fn find_line_start(body: &[u8], delimiter: &[u8], from: usize) -> Option<usize> {
    let mut from = from;
    loop {
        let found = memchr::memmem::find(body.get(from..)?, delimiter)? + from;
        if found == 0 || body[found - 1] == b'\n' {
            return Some(found);
        }
        from = found + 1;
    }
}

fn parse_part(raw: &[u8]) -> Result<Part, MultipartError> {
    let (head, body) = match memchr::memmem::find(raw, b"\r\n\r\n") {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None if raw.starts_with(b"\r\n") => (&raw[..0], &raw[2..]),
        None => match memchr::memmem::find(raw, b"\n\n") {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None => return Err(MultipartError("a part has no header end".to_string())),
        },
    };
    let mut headers = Vec::new();
    for line in String::from_utf8_lossy(head).lines() {
        if line.trim().is_empty() {
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| MultipartError(format!("bad part header `{line}`")))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    Ok(Part {
        headers,
        body: body.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(body: &str) -> Part {
        Part {
            headers: vec![("Content-Type".to_string(), "text/plain".to_string())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn encoded_parts_decode_back() {
        let b = boundary();
        assert_eq!(b.len(), 60);
        let parts = vec![part("one"), part(""), part("three\r\n--not-a-boundary")];
        let encoded = encode(&b, &parts);
        let decoded = decode(&b, &encoded).expect("decodes");
        assert_eq!(decoded.len(), 3);
        for (d, p) in decoded.iter().zip(&parts) {
            assert_eq!(d.body, p.body);
            assert_eq!(
                d.headers,
                vec![("content-type".to_string(), "text/plain".to_string())]
            );
        }
    }

    #[test]
    fn a_go_style_body_with_preamble_decodes() {
        let body = b"preamble\r\n--XyZ\r\nContent-Type: a/b\r\n\r\nfirst\r\n--XyZ\r\n\r\nsecond\r\n--XyZ--\r\nepilogue";
        let parts = decode("XyZ", body).expect("decodes");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].body, b"first");
        assert_eq!(parts[1].body, b"second");
        assert!(parts[1].headers.is_empty());
    }

    #[test]
    fn boundaries_are_read_from_the_content_type() {
        assert_eq!(
            boundary_of("multipart/mixed; boundary=\"abc\""),
            Some(Ok("abc".to_string()))
        );
        assert_eq!(boundary_of("text/plain"), None);
        assert!(matches!(boundary_of("multipart/mixed"), Some(Err(_))));
        assert!(decode("abc", b"--abc\r\nno end").is_err());
    }
}
