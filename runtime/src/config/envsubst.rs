//! Environment variable substitution in config text, done before the YAML
//! is parsed: `${VAR}`, `${VAR:default}` (the default applies when the
//! variable is unset or empty) and `$${VAR}` for a literal `${VAR}`.
//! `${! … }` Bloblang interpolations are left alone.

/// A `${VAR}` with no default whose variable is not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVar {
    /// The variable's name.
    pub name: String,
    /// The 1-based line it is referenced on.
    pub line: usize,
    /// Set when the variable is there but its value does not decode.
    pub undecodable: bool,
}

/// Replaces every reference in `text`, reading variables through `lookup`.
/// Returns the new text, or every reference that could not be resolved.
pub fn substitute(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, Vec<MissingVar>> {
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut line = 1;
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let (before, from) = rest.split_at(at);
        line += before.matches('\n').count();
        out.push_str(before);
        if let Some(escaped) = from.strip_prefix("$${") {
            out.push_str("${");
            rest = escaped;
            continue;
        }
        match parse_reference(from) {
            Some((name, default, len, decode)) => {
                match lookup(name).filter(|v| !v.is_empty()) {
                    Some(value) if decode => match base64_text(&value) {
                        Some(text) => out.push_str(&text),
                        None => missing.push(MissingVar {
                            name: name.to_string(),
                            line,
                            undecodable: true,
                        }),
                    },
                    Some(value) => out.push_str(&value),
                    None => match default {
                        Some(d) => out.push_str(d),
                        None => missing.push(MissingVar {
                            name: name.to_string(),
                            line,
                            undecodable: false,
                        }),
                    },
                }
                rest = &from[len..];
            }
            None => {
                out.push('$');
                rest = &from[1..];
            }
        }
    }
    out.push_str(rest);
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

/// Decodes standard base64 into UTF-8 text.
fn base64_text(value: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Reads `${NAME}`, `${NAME:default}` or `${NAME|base64decode}` at the
/// start of `s`: the name, the default, the length of the whole reference
/// and whether the value is to be base64-decoded.
fn parse_reference(s: &str) -> Option<(&str, Option<&str>, usize, bool)> {
    let body = s.strip_prefix("${")?;
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    if name_len == 0 {
        return None;
    }
    let name = &body[..name_len];
    let after = &body[name_len..];
    if after.starts_with('}') {
        return Some((name, None, 2 + name_len + 1, false));
    }
    if after.starts_with("|base64decode}") {
        return Some((name, None, 2 + name_len + "|base64decode}".len(), true));
    }
    let default_and_rest = after.strip_prefix(':')?;
    let end = default_and_rest.find('}')?;
    let default = &default_and_rest[..end];
    if default.contains('\n') {
        return None;
    }
    Some((name, Some(default), 2 + name_len + 1 + end + 1, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("example.com".into()),
            "EMPTY" => Some(String::new()),
            "SECRET" => Some("aHVudGVyMg==".into()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_values_and_defaults() {
        let got = substitute("url: http://${HOST}:${PORT:4195}/x", vars);
        assert_eq!(got, Ok("url: http://example.com:4195/x".to_string()));
        assert_eq!(
            substitute("a: ${EMPTY:fallback}", vars),
            Ok("a: fallback".into())
        );
        assert_eq!(substitute("a: ${EMPTY:}", vars), Ok("a: ".into()));
        assert_eq!(
            substitute("p: ${SECRET|base64decode}", vars),
            Ok("p: hunter2".into())
        );
        let bad = substitute("p: ${HOST|base64decode}", vars).expect_err("not base64");
        assert!(bad[0].undecodable);
    }

    #[test]
    fn leaves_interpolations_and_escapes() {
        let src = "u: ${! meta(\"x\") }\nv: $${HOST}\nw: cost $5";
        assert_eq!(
            substitute(src, vars),
            Ok("u: ${! meta(\"x\") }\nv: ${HOST}\nw: cost $5".into())
        );
    }

    #[test]
    fn reports_every_missing_variable_with_its_line() {
        let got = substitute("a: ${NOPE}\nb: ok\nc: ${ALSO_NOPE}", vars);
        assert_eq!(
            got,
            Err(vec![
                MissingVar {
                    name: "NOPE".into(),
                    line: 1,
                    undecodable: false
                },
                MissingVar {
                    name: "ALSO_NOPE".into(),
                    line: 3,
                    undecodable: false
                },
            ])
        );
    }
}
