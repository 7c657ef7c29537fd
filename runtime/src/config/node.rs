//! A YAML document as a tree of nodes that remember where they stand in
//! the file, so every config problem can name its line and column.

use saphyr_parser::{Event, Parser, ScalarStyle, Span, StrInput};
use std::collections::HashMap;

/// A 1-based line and column in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it holds.
    pub kind: NodeKind,
    /// Where it starts.
    pub pos: Pos,
}

/// The shapes a node can have. Scalars stay text: the schema decides
/// whether a field reads it as a number, a bool or a duration.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar and how it was written.
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>),
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// In single or double quotes.
    Quoted,
    /// A `|` or `>` block; the node's position is its first content line.
    Block,
}

impl Node {
    /// The scalar text, when the node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// True for an unquoted `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s, Style::Plain) if s.is_empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    }

    /// The value of key `name` in a mapping node.
    pub fn get(&self, name: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.as_str() == Some(name))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short description of the node's shape for error messages.
    pub fn shape(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(..) if self.is_null() => "null",
            NodeKind::Scalar(..) => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "an object",
        }
    }
}

/// A YAML syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
}

const MAX_DEPTH: usize = 256;

/// Parses the first document of `text`. An empty file is an empty mapping.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut r = Reader {
        events: Parser::new_from_str(text),
        anchors: HashMap::new(),
    };
    loop {
        match r.next()? {
            None | Some((Event::StreamEnd, _)) => return Ok(empty_map()),
            Some((Event::DocumentStart(_), _)) => break,
            Some(_) => {}
        }
    }
    match r.next()? {
        Some((Event::DocumentEnd, _)) | None => Ok(empty_map()),
        Some((ev, span)) => r.node(ev, span, 0),
    }
}

fn empty_map() -> Node {
    Node {
        kind: NodeKind::Map(Vec::new()),
        pos: Pos { line: 1, col: 1 },
    }
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        col: span.start.col() + 1,
    }
}

struct Reader<'a> {
    events: Parser<'a, StrInput<'a>>,
    anchors: HashMap<usize, Node>,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, YamlError> {
        match self.events.next() {
            None => Ok(None),
            Some(Ok(ev)) => Ok(Some(ev)),
            Some(Err(e)) => Err(YamlError {
                pos: Pos {
                    line: e.marker().line(),
                    col: e.marker().col() + 1,
                },
                message: e.info().to_string(),
            }),
        }
    }

    fn expect_next(&mut self, at: Pos) -> Result<(Event<'a>, Span), YamlError> {
        self.next()?.ok_or(YamlError {
            pos: at,
            message: "unexpected end of the document".into(),
        })
    }

    fn node(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Node, YamlError> {
        let pos = pos_of(&span);
        if depth > MAX_DEPTH {
            return Err(YamlError {
                pos,
                message: "the document is nested too deeply".into(),
            });
        }
        let (kind, anchor) = match ev {
            Event::Scalar(text, style, anchor, _) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                    _ => Style::Quoted,
                };
                (NodeKind::Scalar(text.into_owned(), style), anchor)
            }
            Event::Alias(id) => {
                return self.anchors.get(&id).cloned().ok_or(YamlError {
                    pos,
                    message: "unknown anchor".into(),
                });
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, sp) = self.expect_next(pos)?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, sp, depth + 1)?);
                }
                (NodeKind::Seq(items), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut pairs: Vec<(Node, Node)> = Vec::new();
                loop {
                    let (ev, sp) = self.expect_next(pos)?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(ev, sp, depth + 1)?;
                    let (vev, vsp) = self.expect_next(key.pos)?;
                    let value = self.node(vev, vsp, depth + 1)?;
                    if let Some(name) = key.as_str()
                        && pairs.iter().any(|(k, _)| k.as_str() == Some(name))
                    {
                        return Err(YamlError {
                            pos: key.pos,
                            message: format!("the key `{name}` appears twice"),
                        });
                    }
                    pairs.push((key, value));
                }
                (NodeKind::Map(pairs), anchor)
            }
            other => {
                return Err(YamlError {
                    pos,
                    message: format!("unexpected YAML event {other:?}"),
                });
            }
        };
        let node = Node { kind, pos };
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let doc = parse("input:\n  stdin: {}\noutput:\n  drop: {}\n").expect("parses");
        let input = doc.get("input").expect("input");
        assert_eq!(input.pos, Pos { line: 2, col: 3 });
        let out = doc.get("output").and_then(|o| o.get("drop")).expect("drop");
        assert_eq!(out.pos.line, 4);
    }

    #[test]
    fn block_scalars_are_marked() {
        let doc = parse("m: |\n  root = this\n").expect("parses");
        let m = doc.get("m").expect("m");
        assert_eq!(
            m.kind,
            NodeKind::Scalar("root = this\n".into(), Style::Block)
        );
        assert_eq!(m.pos.line, 2, "a block starts at its first content line");
    }

    #[test]
    fn duplicate_keys_and_syntax_errors_are_located() {
        let e = parse("a: 1\na: 2\n").expect_err("duplicate");
        assert_eq!(e.pos.line, 2);
        let e = parse("a: [1, 2\nb: 3\n").expect_err("unclosed");
        assert!(e.pos.line >= 2, "{e:?}");
    }

    #[test]
    fn empty_documents_are_empty_maps() {
        assert_eq!(parse("").expect("parses").kind, NodeKind::Map(Vec::new()));
    }
}
