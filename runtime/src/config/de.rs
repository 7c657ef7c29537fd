//! Reading typed component configs from a YAML [`Node`] with serde. Every
//! error carries the line and column of the node it is about and the
//! field path, so `tarn lint` and `tarn run` can point at it.
//!
//! Scalars stay text in the tree; the target type decides how a scalar
//! reads (a number, a bool, a duration …). A child component (a processor
//! inside `catch`, an output inside `broker`) is captured whole as a
//! [`RawNode`](super::types::RawNode) and built later by the registry.

use super::node::{Node, NodeKind, Pos, Style};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::cell::RefCell;
use std::fmt;
use tarn_lang::diag::suggest;

/// A config value that does not fit its type: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// Where in the file; `None` until the node it is about is known.
    pub pos: Option<Pos>,
    /// The field path (`output.http_client.url`); `None` until known.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// A field that is missing: the path gets it appended.
    missing: Option<String>,
    /// For an error inside an embedded mapping or interpolation: the byte
    /// offset in the scalar's text, turned into a file position by the
    /// node that holds the text.
    pub(crate) offset: Option<usize>,
}

impl DeError {
    /// An error with a message and nothing located yet.
    pub fn new(message: impl Into<String>) -> DeError {
        DeError {
            pos: None,
            path: None,
            message: message.into(),
            missing: None,
            offset: None,
        }
    }

    /// An error inside the text of a scalar, at byte `offset`.
    pub fn in_text(offset: usize, message: impl Into<String>) -> DeError {
        DeError {
            offset: Some(offset),
            ..DeError::new(message)
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path
            && !path.is_empty()
        {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError::new(msg.to_string())
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> DeError {
        DeError::new(format!("expected {exp}, found {}", unexpected(&unexp)))
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> DeError {
        DeError::new(format!("expected {exp}, found {}", unexpected(&unexp)))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> DeError {
        let hint = suggest(variant, expected.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        DeError::new(format!(
            "`{variant}` is not one of {}{hint}",
            one_of(expected)
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> DeError {
        let hint = suggest(field, expected.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        DeError::new(format!("unknown field `{field}`{hint}"))
    }

    fn missing_field(field: &'static str) -> DeError {
        DeError {
            missing: Some(field.to_string()),
            ..DeError::new(format!("the field `{field}` is required"))
        }
    }
}

fn one_of(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unexpected(u: &de::Unexpected<'_>) -> String {
    match u {
        de::Unexpected::Str(s) => format!("`{s}`"),
        de::Unexpected::Unit => "null".to_string(),
        de::Unexpected::Map => "an object".to_string(),
        de::Unexpected::Seq => "a list".to_string(),
        other => other.to_string(),
    }
}

thread_local! {
    /// A node captured whole for a [`RawNode`](super::types::RawNode): set
    /// by the deserializer right before the visitor takes it.
    static CAPTURED: RefCell<Option<(Node, String)>> = const { RefCell::new(None) };
}

/// The newtype name by which [`RawNode`](super::types::RawNode) asks for
/// the node itself.
pub(crate) const RAW_NODE: &str = "$tarn::RawNode";

/// Takes the node the deserializer captured for a raw node.
pub(crate) fn take_captured() -> Option<(Node, String)> {
    CAPTURED.with(|c| c.borrow_mut().take())
}

/// Reads `T` from `node`, whose field path is `path`. `lines` are the
/// config text's lines, used to place errors inside block scalars.
pub fn from_node<'de, T: de::Deserialize<'de>>(
    node: &Node,
    path: &str,
    lines: &[&str],
) -> Result<T, DeError> {
    T::deserialize(NodeDe {
        node,
        path: path.to_string(),
        lines,
    })
}

/// The deserializer for one node.
struct NodeDe<'a, 'l> {
    node: &'a Node,
    path: String,
    lines: &'a [&'l str],
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl NodeDe<'_, '_> {
    /// Places an error that has no position yet at this node.
    fn locate(&self, mut e: DeError) -> DeError {
        if e.pos.is_some() {
            return e;
        }
        if e.offset.is_none() {
            e.offset = super::types::take_embedded_offset();
        }
        e.pos = Some(match e.offset.take() {
            Some(offset) => self.text_pos(offset),
            None => self.node.pos,
        });
        if e.path.is_none() {
            e.path = Some(match e.missing.take() {
                Some(field) => join(&self.path, &field),
                None => self.path.clone(),
            });
        }
        e
    }

    /// The file position of byte `offset` in this scalar's text.
    fn text_pos(&self, offset: usize) -> Pos {
        let NodeKind::Scalar(src, style) = &self.node.kind else {
            return self.node.pos;
        };
        locate_in_scalar(self.node.pos, *style, src, offset, self.lines)
    }

    /// The same deserializer again (to keep one for placing errors).
    fn dup(&self) -> NodeDe<'_, '_> {
        NodeDe {
            node: self.node,
            path: self.path.clone(),
            lines: self.lines,
        }
    }

    fn scalar(&self) -> Option<&str> {
        match &self.node.kind {
            NodeKind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    fn unexpected(&self) -> de::Unexpected<'_> {
        match &self.node.kind {
            _ if self.node.is_null() => de::Unexpected::Unit,
            NodeKind::Scalar(s, _) => de::Unexpected::Str(s),
            NodeKind::Seq(_) => de::Unexpected::Seq,
            NodeKind::Map(_) => de::Unexpected::Map,
        }
    }

    fn mismatch(&self, expected: &str) -> DeError {
        self.locate(DeError::new(format!(
            "expected {expected}, found {}",
            unexpected(&self.unexpected())
        )))
    }

    fn parse<T: std::str::FromStr>(&self, what: &str) -> Result<T, DeError> {
        let text = self.scalar().ok_or_else(|| self.mismatch(what))?;
        text.trim().parse().map_err(|_| self.mismatch(what))
    }

    fn child<'b>(&'b self, node: &'b Node, key: &str) -> NodeDe<'b, 'b>
    where
        Self: 'b,
    {
        NodeDe {
            node,
            path: join(&self.path, key),
            lines: self.lines,
        }
    }
}

/// Where byte `offset` of a scalar's text `src` is in the file, for a
/// scalar written at `pos` in `style`.
pub fn locate_in_scalar(pos: Pos, style: Style, src: &str, offset: usize, lines: &[&str]) -> Pos {
    let start = offset.min(src.len());
    let before = src.get(..start).unwrap_or("");
    let line_in_src = before.matches('\n').count();
    let col_in_src = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
    match style {
        Style::Block => {
            // The node starts at the block's first content line.
            let indent = lines
                .get(pos.line.saturating_sub(1))
                .map_or(0, |l| l.len() - l.trim_start().len());
            Pos {
                line: pos.line + line_in_src,
                col: indent + col_in_src + 1,
            }
        }
        Style::Plain | Style::Quoted => {
            let quote = usize::from(style == Style::Quoted);
            let col = if line_in_src == 0 {
                pos.col + quote + col_in_src
            } else {
                col_in_src + 1
            };
            Pos {
                line: pos.line + line_in_src,
                col,
            }
        }
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

macro_rules! number {
    ($method:ident, $visit:ident, $ty:ty, $what:literal) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let n: $ty = self.parse($what)?;
            visitor.$visit(n).map_err(|e| self.locate(e))
        }
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.kind {
            _ if self.node.is_null() => visitor.visit_unit(),
            NodeKind::Scalar(s, Style::Plain) => {
                if let Some(b) = parse_bool(s) {
                    visitor.visit_bool(b)
                } else if let Ok(i) = s.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Ok(f) = s.parse::<f64>() {
                    visitor.visit_f64(f)
                } else {
                    visitor.visit_str(s)
                }
            }
            NodeKind::Scalar(s, _) => visitor.visit_str(s),
            NodeKind::Seq(_) => return self.deserialize_seq(visitor),
            NodeKind::Map(_) => return self.deserialize_map(visitor),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let b = self
            .scalar()
            .and_then(parse_bool)
            .ok_or_else(|| self.mismatch("true or false"))?;
        visitor.visit_bool(b).map_err(|e| self.locate(e))
    }

    number!(deserialize_i8, visit_i8, i8, "an integer");
    number!(deserialize_i16, visit_i16, i16, "an integer");
    number!(deserialize_i32, visit_i32, i32, "an integer");
    number!(deserialize_i64, visit_i64, i64, "an integer");
    number!(deserialize_u8, visit_u8, u8, "a non-negative integer");
    number!(deserialize_u16, visit_u16, u16, "a non-negative integer");
    number!(deserialize_u32, visit_u32, u32, "a non-negative integer");
    number!(deserialize_u64, visit_u64, u64, "a non-negative integer");
    number!(deserialize_f32, visit_f32, f32, "a number");
    number!(deserialize_f64, visit_f64, f64, "a number");

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let text = match &self.node.kind {
            NodeKind::Scalar(s, _) => s.as_str(),
            _ => return Err(self.mismatch("a string")),
        };
        visitor.visit_str(text).map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_none().map_err(|e| self.locate(e))
        } else {
            let (node, path, lines) = (self.node, self.path.clone(), self.lines);
            visitor
                .visit_some(NodeDe { node, path, lines })
                .map_err(|e| self.locate(e))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if !self.node.is_null() {
            return Err(self.mismatch("null"));
        }
        visitor.visit_unit().map_err(|e| self.locate(e))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == RAW_NODE {
            CAPTURED.with(|c| *c.borrow_mut() = Some((self.node.clone(), self.path.clone())));
            return visitor.visit_unit().map_err(|e| self.locate(e));
        }
        let (node, path, lines) = (self.node, self.path.clone(), self.lines);
        visitor
            .visit_newtype_struct(NodeDe { node, path, lines })
            .map_err(|e| self.locate(e))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let items: &[Node] = match &self.node.kind {
            NodeKind::Seq(items) => items,
            _ if self.node.is_null() => &[],
            _ => return Err(self.mismatch("a list")),
        };
        let access = Items {
            de: &self,
            items: items.iter().enumerate(),
        };
        visitor.visit_seq(access).map_err(|e| self.locate(e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let pairs: &[(Node, Node)] = match &self.node.kind {
            NodeKind::Map(pairs) => pairs,
            _ if self.node.is_null() => &[],
            _ => return Err(self.mismatch("an object")),
        };
        let access = Pairs {
            de: &self,
            pairs: pairs.iter(),
            value: None,
        };
        visitor.visit_map(access).map_err(|e| self.locate(e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if !super::types::lenient() {
            return self.deserialize_map(visitor);
        }
        // Unknown keys are left out (and said so) rather than refused.
        let pairs: &[(Node, Node)] = match &self.node.kind {
            NodeKind::Map(pairs) => pairs,
            _ => return self.deserialize_map(visitor),
        };
        let path = self.path.clone();
        let known = pairs.iter().filter(|(k, _)| {
            let key = k.as_str().unwrap_or_default();
            let ok = fields.contains(&key);
            if !ok {
                crate::log::warn(&format!(
                    "ignoring the unknown field `{}` (the config was not linted)",
                    join(&path, key)
                ));
            }
            ok
        });
        let access = Pairs {
            de: &self,
            pairs: known,
            value: None,
        };
        visitor.visit_map(access).map_err(|e| self.locate(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Scalar(s, _) => visitor
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: DeError| self.locate(e)),
            NodeKind::Map(pairs) if pairs.len() == 1 => {
                let (key, value) = &pairs[0];
                let name = key.as_str().unwrap_or_default();
                let access = Variant {
                    de: &self,
                    key,
                    name,
                    value,
                };
                visitor.visit_enum(access).map_err(|e| self.locate(e))
            }
            _ => Err(self.mismatch(&format!("one of {}", one_of(variants)))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct Items<'a, 'b, 'l, I> {
    de: &'a NodeDe<'b, 'l>,
    items: I,
}

impl<'de, 'a, I: Iterator<Item = (usize, &'a Node)>> de::SeqAccess<'de> for Items<'a, '_, '_, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((i, item)) = self.items.next() else {
            return Ok(None);
        };
        let child = self.de.child(item, &i.to_string());
        seed.deserialize(child.dup())
            .map(Some)
            .map_err(|e| child.locate(e))
    }
}

struct Pairs<'a, 'b, 'l, I> {
    de: &'a NodeDe<'b, 'l>,
    pairs: I,
    value: Option<(&'a Node, String)>,
}

impl<'de, 'a, I: Iterator<Item = &'a (Node, Node)>> de::MapAccess<'de> for Pairs<'a, '_, '_, I> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.pairs.next() else {
            return Ok(None);
        };
        let name = key.as_str().unwrap_or_default().to_string();
        let key_de = self.de.child(key, &name);
        let out = seed.deserialize(NodeDe {
            node: key,
            path: key_de.path.clone(),
            lines: self.de.lines,
        });
        self.value = Some((value, name));
        out.map(Some).map_err(|e| key_de.locate(e))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((value, name)) = self.value.take() else {
            return Err(DeError::new("a value was asked for before its key"));
        };
        let child = self.de.child(value, &name);
        seed.deserialize(child.dup()).map_err(|e| child.locate(e))
    }
}

struct Variant<'a, 'b, 'l> {
    de: &'a NodeDe<'b, 'l>,
    key: &'a Node,
    name: &'a str,
    value: &'a Node,
}

impl<'de, 'a> de::EnumAccess<'de> for Variant<'a, '_, '_> {
    type Error = DeError;
    type Variant = NodeDe<'a, 'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, NodeDe<'a, 'a>), DeError> {
        let key_de = NodeDe {
            node: self.key,
            path: join(&self.de.path, self.name),
            lines: self.de.lines,
        };
        let tag = seed
            .deserialize(NodeDe {
                node: self.key,
                path: key_de.path.clone(),
                lines: self.de.lines,
            })
            .map_err(|e| key_de.locate(e))?;
        Ok((
            tag,
            NodeDe {
                node: self.value,
                path: key_de.path,
                lines: self.de.lines,
            },
        ))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDe<'_, '_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        if self.node.is_null() || matches!(&self.node.kind, NodeKind::Map(p) if p.is_empty()) {
            Ok(())
        } else {
            Err(self.mismatch("nothing (`{}` or null)"))
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::node::parse;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(default)]
        on: bool,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "snake_case")]
    enum Pattern {
        FanOut,
        RoundRobin,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Cfg {
        url: String,
        #[serde(default)]
        retries: u32,
        #[serde(default)]
        list: Vec<i64>,
        #[serde(default)]
        inner: Option<Inner>,
        pattern: Option<Pattern>,
    }

    fn read(yaml: &str) -> Result<Cfg, DeError> {
        let doc = parse(yaml).expect("yaml");
        let lines: Vec<&str> = yaml.lines().collect();
        from_node(doc.get("c").expect("c"), "c", &lines)
    }

    #[test]
    fn typed_values_and_defaults() {
        let cfg = read("c:\n  url: http://x\n  retries: 3\n  list: [1, 2]\n  inner: {on: true}\n  pattern: round_robin\n").expect("reads");
        assert_eq!(cfg.retries, 3);
        assert_eq!(cfg.list, vec![1, 2]);
        assert_eq!(cfg.inner, Some(Inner { on: true }));
        assert_eq!(cfg.pattern, Some(Pattern::RoundRobin));
        let cfg = read("c:\n  url: ''\n").expect("reads");
        assert_eq!(cfg.retries, 0);
        assert_eq!(cfg.pattern, None);
    }

    #[test]
    fn errors_are_located_with_paths_and_hints() {
        let e = read("c:\n  url: x\n  retires: 3\n").expect_err("unknown");
        assert_eq!(e.pos, Some(Pos { line: 3, col: 3 }));
        assert_eq!(e.path.as_deref(), Some("c.retires"));
        assert!(e.message.contains("did you mean `retries`?"), "{e}");

        let e = read("c:\n  url: x\n  retries: many\n").expect_err("bad int");
        assert_eq!(e.pos, Some(Pos { line: 3, col: 12 }));
        assert_eq!(e.path.as_deref(), Some("c.retries"));
        assert!(e.message.contains("integer"), "{e}");

        let e = read("c:\n  retries: 1\n").expect_err("missing");
        assert_eq!(e.path.as_deref(), Some("c.url"));
        assert!(e.message.contains("required"), "{e}");

        let e = read("c:\n  url: x\n  pattern: bogus\n").expect_err("variant");
        assert_eq!(e.path.as_deref(), Some("c.pattern"));
        assert_eq!(e.pos, Some(Pos { line: 3, col: 12 }));
        assert!(e.message.contains("`fan_out`"), "{e}");

        let e = read("c:\n  url: x\n  list: [1, x]\n").expect_err("item");
        assert_eq!(e.path.as_deref(), Some("c.list.1"));
        let e = read("c:\n  url: x\n  inner: {of: true}\n").expect_err("nested");
        assert_eq!(e.path.as_deref(), Some("c.inner.of"));
        assert!(e.message.contains("did you mean `on`?"), "{e}");
    }

    #[test]
    fn positions_inside_block_scalars() {
        let lines = ["m: |", "  line one", "    two"];
        let pos = locate_in_scalar(
            Pos { line: 2, col: 3 },
            Style::Block,
            "line one\n  two\n",
            11,
            &lines,
        );
        assert_eq!(pos, Pos { line: 3, col: 5 });
    }
}
