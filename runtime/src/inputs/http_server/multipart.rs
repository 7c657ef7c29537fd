//! `multipart/*` bodies: reading a request into parts, and writing a
//! multi-message response as one (RFC 2046 §5.1).

/// One part: its headers (names as sent) and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The part's header lines, in order.
    pub headers: Vec<(String, String)>,
    /// The part's content.
    pub body: Vec<u8>,
}

/// The boundary of a `multipart/*` content type, or `None` for any other
/// type. A multipart type without a boundary gives `Some(Err)`.
pub fn boundary(content_type: &str) -> Option<Result<String, String>> {
    let found = crate::http::client::multipart::boundary_param(content_type, 200)?;
    Some(found.ok_or_else(|| {
        let media = content_type.split(';').next().unwrap_or("");
        format!("`{}` without a boundary", media.trim().to_ascii_lowercase())
    }))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Splits a multipart body into its parts.
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let dash = format!("--{boundary}");
    let delim = format!("\r\n--{boundary}");
    // The first delimiter opens the body or follows the preamble.
    let mut at = if body.starts_with(dash.as_bytes()) {
        dash.len()
    } else {
        find(body, delim.as_bytes(), 0)
            .map(|p| p + delim.len())
            .ok_or("no multipart boundary in the body")?
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break ending the delimiter.
        let line_end = find(body, b"\r\n", at).ok_or("a multipart delimiter line is not ended")?;
        if body[at..line_end]
            .iter()
            .any(|b| !matches!(b, b' ' | b'\t'))
        {
            return Err("junk after a multipart boundary".into());
        }
        let start = line_end + 2;
        let end = find(body, delim.as_bytes(), start)
            .ok_or("the multipart body ends without its closing boundary")?;
        parts.push(part(&body[start..end])?);
        at = end + delim.len();
    }
}

/// Reads one part: header lines, an empty line, the content.
fn part(raw: &[u8]) -> Result<Part, String> {
    let (head, body) = if let Some(rest) = raw.strip_prefix(b"\r\n") {
        (&[][..], rest)
    } else {
        let split = find(raw, b"\r\n\r\n", 0).ok_or("a multipart part has no header end")?;
        (&raw[..split], &raw[split + 4..])
    };
    let head = std::str::from_utf8(head).map_err(|_| "a part header is not UTF-8")?;
    let mut headers = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| format!("bad part header line `{line}`"))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(Part {
        headers,
        body: body.to_vec(),
    })
}

/// Writes `parts` as a multipart body: the boundary used (one that no
/// part contains) and the bytes.
pub fn encode(parts: &[Part]) -> (String, Vec<u8>) {
    let mut n = 0u64;
    let boundary = loop {
        let candidate = format!("tarn-boundary-{n:016x}");
        let needle = candidate.as_bytes();
        if !parts.iter().any(|p| find(&p.body, needle, 0).is_some()) {
            break candidate;
        }
        n += 1;
    };
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (k, v) in &p.headers {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&p.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (boundary, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part_of(headers: &[(&str, &str)], body: &[u8]) -> Part {
        Part {
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn boundaries_come_from_multipart_types_only() {
        assert_eq!(
            boundary("multipart/mixed; boundary=\"ab c\""),
            Some(Ok("ab c".to_string()))
        );
        assert_eq!(
            boundary("Multipart/Form-Data;charset=x; BOUNDARY=q"),
            Some(Ok("q".to_string()))
        );
        assert!(matches!(boundary("multipart/mixed"), Some(Err(_))));
        assert_eq!(boundary("application/json"), None);
    }

    #[test]
    fn parts_are_read_with_preamble_and_epilogue() {
        let body = b"preamble\r\n--xx\r\nContent-Type: text/plain\r\nX-Id: 1\r\n\r\nfirst\r\nline\r\n--xx  \r\n\r\nsecond\r\n--xx--\r\nepilogue";
        let parts = parse(body, "xx").expect("parsed");
        assert_eq!(
            parts,
            vec![
                part_of(
                    &[("Content-Type", "text/plain"), ("X-Id", "1")],
                    b"first\r\nline"
                ),
                part_of(&[], b"second"),
            ]
        );
    }

    #[test]
    fn broken_bodies_are_errors() {
        assert!(parse(b"no boundary here", "xx").is_err());
        assert!(parse(b"--xx\r\n\r\nunterminated", "xx").is_err());
        assert!(parse(b"--xx\r\nno header end", "xx").is_err());
        assert!(parse(b"--xxjunk\r\n\r\na\r\n--xx--", "xx").is_err());
        assert_eq!(parse(b"--xx--", "xx"), Ok(vec![]));
    }

    #[test]
    fn encoded_bodies_read_back_and_avoid_colliding_boundaries() {
        let parts = vec![
            part_of(
                &[("Content-Type", "text/plain")],
                b"tarn-boundary-0000000000000000",
            ),
            part_of(&[], b""),
        ];
        let (boundary, bytes) = encode(&parts);
        assert_eq!(boundary, "tarn-boundary-0000000000000001");
        assert_eq!(parse(&bytes, &boundary), Ok(parts));
    }
}
