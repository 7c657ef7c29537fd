//! Test definitions as typed configs: a definition file
//! (`foo_benthos_test.yaml`, with `parallel` and `tests`) or the `tests`
//! section of a config, checked against the schema derived from these
//! types (every problem located) and then read.

use super::SetupError;
use crate::component::Registry;
use crate::config::node::{self, Node, NodeKind, Pos, Style};
use crate::config::shape::Shape;
use crate::config::types::{Mapping, Pattern, ProcessorKind, ProcessorNode, RawNode, Sandbox};
use crate::config::validate::Checker;
use crate::config::{Problem, de::from_node};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// The processors a test runs when it names none.
pub const DEFAULT_TARGET: &str = "/pipeline/processors";

/// A test definition file of its own (`foo_benthos_test.yaml`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinitionFile {
    /// Run the tests of this file concurrently (their results are still
    /// reported in file order).
    #[serde(default)]
    pub parallel: bool,
    /// The tests.
    #[serde(default)]
    pub tests: Vec<Case>,
}

/// One test: messages in, processors run, conditions on what comes out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the test checks, shown in the report.
    pub name: String,
    /// Variables that `${NAME}` references in the config under test read
    /// (before the process environment) for this test only.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// The processors to run: a JSON Pointer (`/pipeline/processors`,
    /// `/pipeline/processors/0`), a processor label, or either after
    /// `other.yaml#` to test another config (relative to this file).
    /// Default `/pipeline/processors`.
    pub target_processors: Option<String>,
    /// A Bloblang file (relative to this file) to run as the test's only
    /// processor, instead of `target_processors`.
    pub target_mapping: Option<String>,
    /// Processors replaced for this test: keys are labels or JSON Pointers
    /// (`/pipeline/processors/1`; `/pipeline/processors/-` appends),
    /// values the processors put in their place.
    #[serde(default)]
    pub mocks: BTreeMap<String, ProcessorNode>,
    /// One batch of messages to send (after any `input_batches`).
    #[serde(default)]
    pub input_batch: Vec<InputMessage>,
    /// Batches of messages to send, in order.
    #[serde(default)]
    pub input_batches: Vec<Vec<InputMessage>>,
    /// The batches expected out: for each message, the conditions it must
    /// meet.
    #[serde(default)]
    pub output_batches: Vec<Vec<Conditions>>,
}

/// A message to send.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputMessage {
    /// The raw content.
    pub content: Option<String>,
    /// A document (written as YAML or JSON) whose JSON text is the content.
    #[serde(default, deserialize_with = "given")]
    pub json_content: Option<YamlValue>,
    /// A file (relative to the test file) whose bytes are the content.
    pub file_content: Option<String>,
    /// Metadata keys and values.
    #[serde(default)]
    pub metadata: BTreeMap<String, YamlValue>,
}

/// What one output message must satisfy; every condition given is
/// checked.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// A Bloblang query on the message that must give `true`.
    pub bloblang: Option<Mapping>,
    /// The exact content (empty when written as null).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub content_equals: Option<String>,
    /// A regular expression (RE2) the content must match somewhere.
    pub content_matches: Option<Pattern>,
    /// Metadata keys that must be present with these values.
    pub metadata_equals: Option<BTreeMap<String, YamlValue>>,
    /// A file (relative to the test file) whose bytes the content must equal.
    pub file_equals: Option<String>,
    /// A JSON file (relative to the test file) the content must equal as a
    /// document (formatting and key order aside).
    pub file_json_equals: Option<String>,
    /// A JSON file (relative to the test file) the content must contain:
    /// every key and array element of the file, with equal values.
    pub file_json_contains: Option<String>,
    /// A document the content must equal as JSON (a string is read as
    /// JSON text; YAML structure is converted).
    #[serde(default, deserialize_with = "given")]
    pub json_equals: Option<YamlValue>,
    /// A document the content must contain as JSON.
    #[serde(default, deserialize_with = "given")]
    pub json_contains: Option<YamlValue>,
}

/// A value that is written, even as null (which is then JSON `null`).
fn given<'de, D: Deserializer<'de>>(d: D) -> Result<Option<YamlValue>, D::Error> {
    YamlValue::deserialize(d).map(Some)
}

/// A text that is written; null reads as empty.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d).map(|s| Some(s.unwrap_or_default()))
}

/// Any YAML value, kept as written (with its position) so scalars keep
/// their YAML type: `5` is a number, `'5'` a string.
#[derive(Debug, Clone)]
pub struct YamlValue(pub Node);

impl<'de> Deserialize<'de> for YamlValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawNode::<ProcessorKind>::deserialize(d).map(|raw| YamlValue(raw.node))
    }
}

impl JsonSchema for YamlValue {
    fn schema_name() -> Cow<'static, str> {
        "AnyValue".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({})
    }
}

impl YamlValue {
    /// The value as JSON: plain scalars that read as null, booleans or
    /// numbers become those, as YAML types them.
    pub fn to_json(&self) -> serde_json::Value {
        yaml_to_json(&self.0)
    }

    /// The JSON text a JSON condition compares with: a string is taken
    /// as JSON text itself, anything else is converted.
    pub fn json_text(&self) -> String {
        match &self.0.kind {
            NodeKind::Scalar(text, style) if *style != Style::Plain || !is_typed_plain(text) => {
                text.clone()
            }
            _ => self.to_json().to_string(),
        }
    }
}

/// Whether a plain scalar reads as something other than a string.
fn is_typed_plain(text: &str) -> bool {
    !matches!(plain_scalar(text), serde_json::Value::String(_))
}

/// A YAML node as JSON.
pub fn yaml_to_json(node: &Node) -> serde_json::Value {
    match &node.kind {
        NodeKind::Scalar(text, Style::Plain) => plain_scalar(text),
        NodeKind::Scalar(text, _) => serde_json::Value::String(text.clone()),
        NodeKind::Seq(items) => items.iter().map(yaml_to_json).collect(),
        NodeKind::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), yaml_to_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// An unquoted YAML scalar as the core schema types it.
fn plain_scalar(text: &str) -> serde_json::Value {
    use serde_json::Value as J;
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return J::Null,
        "true" | "True" | "TRUE" => return J::Bool(true),
        "false" | "False" | "FALSE" => return J::Bool(false),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return J::from(i);
        }
        if let Ok(u) = text.trim_start_matches('+').parse::<u64>() {
            return J::from(u);
        }
    }
    let looks_float = !digits.is_empty()
        && digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_float
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return J::Number(n);
    }
    J::String(text.to_string())
}

/// Reads a `|` or `>` block scalar that ends the file without a line
/// break as Benthos's YAML reader does: without a final newline (the
/// parser gives it one, reading the end of the file as a line break).
fn clip_at_end(root: &mut Node, text: &str) {
    // Only comments could follow the last node: the file's last line is
    // the scalar's own unless it is one (or blank).
    let ends_with_content = !text.ends_with('\n')
        && text
            .lines()
            .last()
            .is_some_and(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if !ends_with_content {
        return;
    }
    let mut steps = Vec::new();
    let mut probe: &Node = root;
    while let Some((i, next)) = last_child(probe) {
        steps.push(i);
        probe = next;
    }
    let mut last = root;
    for i in steps {
        last = match &mut last.kind {
            NodeKind::Map(pairs) => &mut pairs[i].1,
            NodeKind::Seq(items) => &mut items[i],
            NodeKind::Scalar(..) => return,
        };
    }
    if let NodeKind::Scalar(value, Style::Block) = &mut last.kind
        && value.ends_with('\n')
    {
        value.pop();
    }
}

/// The index and node of the last child of an object or list.
fn last_child(node: &Node) -> Option<(usize, &Node)> {
    match &node.kind {
        NodeKind::Map(pairs) => pairs.last().map(|(_, v)| (pairs.len() - 1, v)),
        NodeKind::Seq(items) => items.last().map(|v| (items.len() - 1, v)),
        NodeKind::Scalar(..) => None,
    }
}

/// A test with where it is written.
#[derive(Debug)]
pub struct LocatedCase {
    /// The test.
    pub case: Case,
    /// Its index in `tests`.
    pub index: usize,
    /// Its object in the definition file.
    pub node: Node,
}

impl LocatedCase {
    /// Where the test starts.
    pub fn pos(&self) -> Pos {
        self.node.pos
    }

    /// The field path of `field` of this test (`tests.2.mocks`).
    pub fn path(&self, field: &str) -> String {
        format!("tests.{}.{field}", self.index)
    }

    /// Where `field` (a key of the test object, or a dotted path below it
    /// such as `input_batch.0.content`) is written, else where the nearest
    /// written part of it is.
    pub fn pos_of(&self, field: &str) -> Pos {
        let mut here = &self.node;
        let mut pos = self.node.pos;
        for segment in field.split('.') {
            let next = match &here.kind {
                NodeKind::Map(pairs) => pairs
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(segment))
                    .map(|(k, v)| (k.pos, v)),
                NodeKind::Seq(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|v| (v.pos, v)),
                NodeKind::Scalar(..) => None,
            };
            match next {
                Some((p, v)) => {
                    pos = p;
                    here = v;
                }
                None => break,
            }
        }
        pos
    }

    /// Where mock `key` is written.
    pub fn mock_pos(&self, key: &str) -> Pos {
        let Some(NodeKind::Map(pairs)) = self.node.get("mocks").map(|m| &m.kind) else {
            return self.pos_of("mocks");
        };
        pairs
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map_or(self.pos_of("mocks"), |(k, _)| k.pos)
    }
}

/// The tests of one file.
#[derive(Debug)]
pub struct Definition {
    /// The file the tests are written in.
    pub file: PathBuf,
    /// Its text.
    pub text: Arc<str>,
    /// Whether the tests run concurrently.
    pub parallel: bool,
    /// The tests, in file order.
    pub cases: Vec<LocatedCase>,
}

impl Definition {
    /// The folder relative paths of the tests are read from.
    pub fn dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    /// An error located in the definition file.
    pub fn error(&self, pos: Pos, path: String, message: impl Into<String>) -> SetupError {
        SetupError::Located {
            file: self.file.clone(),
            text: self.text.clone(),
            problems: vec![Problem {
                pos,
                path,
                message: message.into(),
            }],
        }
    }
}

fn shape_of<T: JsonSchema>() -> Shape {
    Shape::from_root_schema(
        SchemaGenerator::default()
            .into_root_schema_for::<T>()
            .as_value(),
    )
}

static FILE_SHAPE: LazyLock<Shape> = LazyLock::new(shape_of::<DefinitionFile>);
static TESTS_SHAPE: LazyLock<Shape> = LazyLock::new(shape_of::<Vec<Case>>);

/// Reads the tests of `file` (text `text`): the whole file when it is a
/// definition file of its own, else its `tests` section. `None` when it
/// has no tests.
pub fn read(file: &Path, text: &str, own_file: bool) -> Result<Option<Definition>, SetupError> {
    let located = |problems: Vec<Problem>| SetupError::Located {
        file: file.to_path_buf(),
        text: Arc::from(text),
        problems,
    };
    let mut root = node::parse(text).map_err(|e| {
        located(vec![Problem {
            pos: e.pos,
            path: String::new(),
            message: format!("invalid YAML: {}", e.message),
        }])
    })?;
    clip_at_end(&mut root, text);
    let (node, path, shape) = if own_file {
        (&root, "", &*FILE_SHAPE)
    } else {
        match root.get("tests") {
            Some(tests) if !tests.is_null() => (tests, "tests", &*TESTS_SHAPE),
            _ => return Ok(None),
        }
    };
    let mut checker = Checker::new(text, Registry::standard(), Sandbox::Standard);
    checker.check(node, shape, path);
    let mut problems = checker.problems;
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.pos.line, p.pos.col));
        return Err(located(problems));
    }
    let lines: Vec<&str> = text.lines().collect();
    let typed = if own_file {
        from_node::<DefinitionFile>(node, path, &lines)
    } else {
        from_node::<Vec<Case>>(node, path, &lines).map(|tests| DefinitionFile {
            parallel: false,
            tests,
        })
    };
    let typed = typed.map_err(|e| {
        located(vec![Problem {
            pos: e.pos.unwrap_or(node.pos),
            path: e.path.unwrap_or_default(),
            message: e.message,
        }])
    })?;
    if typed.tests.is_empty() {
        return Ok(None);
    }
    let items: &[Node] = match root.get("tests").map(|t| &t.kind) {
        Some(NodeKind::Seq(items)) => items,
        _ => &[],
    };
    let cases = typed
        .tests
        .into_iter()
        .enumerate()
        .map(|(index, case)| LocatedCase {
            case,
            index,
            node: items.get(index).cloned().unwrap_or_else(|| root.clone()),
        })
        .collect();
    Ok(Some(Definition {
        file: file.to_path_buf(),
        text: Arc::from(text),
        parallel: typed.parallel,
        cases,
    }))
}
