//! Percent-encoding as Go's `net/url` does it (`shouldEscape`, `escape`
//! and `unescape`), shared by the URL string methods and `parse_url`.

/// Which part of a URL is encoded (Go's `encoding` modes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A whole path (`url.URL.EscapedPath`).
    Path,
    /// One path segment (`url.PathEscape`).
    PathSegment,
    /// A host name.
    Host,
    /// The user name or password of the user info.
    UserPassword,
    /// A query key or value (`url.QueryEscape`).
    QueryComponent,
    /// A fragment.
    Fragment,
}

/// Go's `shouldEscape`: true when `c` must be percent-encoded in `mode`.
pub fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::PathSegment => return matches!(c, b'/' | b';' | b',' | b'?'),
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::QueryComponent => return true,
            Mode::Fragment => return false,
            Mode::Host => {}
        },
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

/// Go's `escape`: percent-encodes what `mode` requires, a space in a
/// query component becoming `+`.
pub fn escape(s: &[u8], mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if c == b' ' && mode == Mode::QueryComponent {
            out.push('+');
        } else if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

/// Why [`unescape`] failed. The caller words (and quotes) the message.
#[derive(Debug, PartialEq, Eq)]
pub enum Invalid {
    /// A malformed escape (or, in a host, an escaped ASCII byte other
    /// than `%25`): its text, at most three bytes.
    Escape(String),
    /// An ASCII character a host name may not hold.
    HostChar(char),
}

fn unhex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Go's `unescape`: decodes `%XX` escapes (and, in a query component,
/// `+` as a space); invalid UTF-8 in the result is decoded lossily.
pub fn unescape(s: &str, mode: Mode) -> Result<String, Invalid> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let digits = b
                    .get(i + 1..i + 3)
                    .and_then(|h| Some((unhex(h[0])?, unhex(h[1])?)));
                let Some((hi, lo)) = digits else {
                    let end = (i + 3).min(b.len());
                    return Err(Invalid::Escape(
                        String::from_utf8_lossy(&b[i..end]).into_owned(),
                    ));
                };
                if mode == Mode::Host && hi < 8 && &b[i..i + 3] != b"%25" {
                    return Err(Invalid::Escape(
                        String::from_utf8_lossy(&b[i..i + 3]).into_owned(),
                    ));
                }
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(if mode == Mode::QueryComponent {
                    b' '
                } else {
                    b'+'
                });
                i += 1;
            }
            c => {
                if mode == Mode::Host && c < 0x80 && should_escape(c, mode) {
                    return Err(Invalid::HostChar(char::from(c)));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let s = "a b/c?d;e,f&g=h+é%";
        assert_eq!(
            escape(s.as_bytes(), Mode::QueryComponent),
            "a+b%2Fc%3Fd%3Be%2Cf%26g%3Dh%2B%C3%A9%25"
        );
        assert_eq!(
            escape(s.as_bytes(), Mode::PathSegment),
            "a%20b%2Fc%3Fd%3Be%2Cf&g=h+%C3%A9%25"
        );
        for mode in [
            Mode::QueryComponent,
            Mode::PathSegment,
            Mode::Path,
            Mode::Fragment,
        ] {
            assert_eq!(
                unescape(&escape(s.as_bytes(), mode), mode).as_deref(),
                Ok(s)
            );
        }
        assert_eq!(
            unescape("%4", Mode::Path),
            Err(Invalid::Escape("%4".into()))
        );
        assert_eq!(
            unescape("%41b", Mode::Host),
            Err(Invalid::Escape("%41".into()))
        );
        assert_eq!(unescape("a b", Mode::Host), Err(Invalid::HostChar(' ')));
    }
}
