//! The shape of a config value — what the lint walker checks a YAML
//! node against, and what `tarn list` and the language server show —
//! derived from the JSON Schema of a typed config, so there is no second
//! table to keep in step with the config types.

use super::types::KIND_KEY;
use serde_json::{Map, Value as Json, json};

/// Tarn's kinds of string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    /// Any text.
    Plain,
    /// A Go duration.
    Duration,
    /// A Go duration, or empty for none.
    OptionalDuration,
    /// A duration, a cron expression, or empty.
    Schedule,
    /// A string with `${! … }` interpolations.
    Interpolation,
    /// A Bloblang mapping.
    Mapping,
    /// A regular expression.
    Regex,
}

/// One value of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The value as written in configs.
    pub name: String,
    /// What it means.
    pub doc: String,
}

/// One field of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its key.
    pub name: String,
    /// What it holds.
    pub shape: Shape,
    /// What it is for.
    pub doc: String,
    /// Its default, when it has one that can be shown.
    pub default: Option<Json>,
    /// Whether the config must give it.
    pub required: bool,
}

/// What a config value may be.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Anything.
    Any,
    /// A string of some kind.
    Str(StrKind),
    /// A whole number; `true` when it may not be negative.
    Int(bool),
    /// A number.
    Float,
    /// `true` or `false`.
    Bool,
    /// One of these words.
    Enum(Vec<Choice>),
    /// A list of values of one shape.
    List(Box<Shape>),
    /// An object with free keys and values of one shape.
    Dict(Box<Shape>),
    /// An object with known fields; `true` when other keys are refused.
    Object(Vec<Field>, bool),
    /// A component of a kind (`input`, `processor`, `output`).
    Component(String),
    /// The value may also be null.
    Nullable(Box<Shape>),
    /// One of several shapes (e.g. a word, or an object keyed by a word).
    OneOf(Vec<Shape>),
}

impl Shape {
    /// Reads the shape from a root JSON Schema (with its `$defs`).
    pub fn from_root_schema(root: &Json) -> Shape {
        let empty = Map::new();
        let defs = root
            .get("$defs")
            .and_then(Json::as_object)
            .unwrap_or(&empty);
        Reader {
            defs,
            depth: 0,
            expanding: Vec::new(),
        }
        .shape(root)
    }

    /// A short name of the shape for listings.
    pub fn type_name(&self) -> String {
        match self {
            Shape::Any => "any".into(),
            Shape::Str(StrKind::Plain) => "string".into(),
            Shape::Str(StrKind::Duration) => "duration".into(),
            Shape::Str(StrKind::OptionalDuration) => "duration (or empty)".into(),
            Shape::Str(StrKind::Schedule) => "duration or cron".into(),
            Shape::Str(StrKind::Interpolation) => "interpolated string".into(),
            Shape::Str(StrKind::Mapping) => "mapping".into(),
            Shape::Str(StrKind::Regex) => "regex".into(),
            Shape::Int(_) => "int".into(),
            Shape::Float => "float".into(),
            Shape::Bool => "bool".into(),
            Shape::Enum(_) => "enum".into(),
            Shape::List(item) => format!("list of {}", item.type_name()),
            Shape::Dict(v) => format!("object of {}", v.type_name()),
            Shape::Object(..) => "object".into(),
            Shape::Component(kind) => kind.clone(),
            Shape::Nullable(inner) => inner.type_name(),
            Shape::OneOf(_) => "one of several".into(),
        }
    }

    /// The object fields of this shape, looking through `Nullable`.
    pub fn fields(&self) -> &[Field] {
        match self {
            Shape::Object(fields, _) => fields,
            Shape::Nullable(inner) => inner.fields(),
            _ => &[],
        }
    }

    /// The shape as JSON, for `tarn list --format json` and editors.
    pub fn to_json(&self) -> Json {
        let mut out = json!({ "type": self.type_name() });
        match self {
            Shape::Enum(choices) => {
                out["values"] = choices
                    .iter()
                    .map(|c| json!({"value": c.name, "doc": c.doc}))
                    .collect();
            }
            Shape::List(item) | Shape::Dict(item) => out["items"] = item.to_json(),
            Shape::Object(fields, _) => {
                out["fields"] = fields
                    .iter()
                    .map(|f| {
                        let mut j = f.shape.to_json();
                        j["name"] = json!(f.name);
                        j["doc"] = json!(f.doc);
                        j["required"] = json!(f.required);
                        if let Some(d) = &f.default {
                            j["default"] = d.clone();
                        }
                        j
                    })
                    .collect();
            }
            Shape::Nullable(inner) => return inner.to_json(),
            Shape::OneOf(options) => {
                out["options"] = options.iter().map(Shape::to_json).collect();
            }
            _ => {}
        }
        out
    }
}

struct Reader<'a> {
    defs: &'a Map<String, Json>,
    depth: usize,
    /// The `$defs` being expanded on the way to the current schema: a
    /// recursive type (a scanner inside a scanner) is shown as `any` where
    /// it refers to itself, instead of being unfolded again and again.
    expanding: Vec<&'a str>,
}

fn text(schema: &Json, key: &str) -> String {
    schema
        .get(key)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

impl<'a> Reader<'a> {
    fn resolve<'s>(&self, schema: &'s Json) -> &'s Json
    where
        'a: 's,
    {
        match schema.get("$ref").and_then(Json::as_str) {
            Some(r) => r
                .strip_prefix("#/$defs/")
                .and_then(|name| self.defs.get(name))
                .unwrap_or(schema),
            None => schema,
        }
    }

    fn shape(&mut self, schema: &Json) -> Shape {
        if self.depth > 64 {
            return Shape::Any;
        }
        let def = schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .and_then(|name| self.defs.get_key_value(name))
            .map(|(name, _)| name.as_str());
        if let Some(name) = def {
            if self.expanding.contains(&name) {
                return Shape::Any;
            }
            self.expanding.push(name);
        }
        self.depth += 1;
        let shape = self.shape_inner(schema);
        self.depth -= 1;
        if def.is_some() {
            self.expanding.pop();
        }
        shape
    }

    fn shape_inner(&mut self, schema: &Json) -> Shape {
        let schema = self.resolve(schema);
        if let Some(kind) = schema.get("x-tarn-component").and_then(Json::as_str) {
            return Shape::Component(kind.to_string());
        }
        if let Some(kind) = schema.get(KIND_KEY).and_then(Json::as_str) {
            return Shape::Str(match kind {
                "duration" => StrKind::Duration,
                "optional_duration" => StrKind::OptionalDuration,
                "schedule" => StrKind::Schedule,
                "interpolation" => StrKind::Interpolation,
                "mapping" => StrKind::Mapping,
                "regex" => StrKind::Regex,
                _ => StrKind::Plain,
            });
        }
        if let Some(values) = schema.get("enum").and_then(Json::as_array) {
            return Shape::Enum(
                values
                    .iter()
                    .filter_map(Json::as_str)
                    .map(|v| Choice {
                        name: v.to_string(),
                        doc: String::new(),
                    })
                    .collect(),
            );
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema.get(key).and_then(Json::as_array) {
                return self.alternatives(options);
            }
        }
        if let Some([only]) = schema
            .get("allOf")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
        {
            return self.shape(only);
        }
        match schema.get("type") {
            Some(Json::Array(types)) => {
                let nullable = types.iter().any(|t| t == "null");
                let others: Vec<&Json> = types.iter().filter(|t| *t != "null").collect();
                let inner = match others.as_slice() {
                    [one] => {
                        let mut single = schema.clone();
                        single["type"] = (*one).clone();
                        self.shape(&single)
                    }
                    _ => Shape::Any,
                };
                if nullable {
                    Shape::Nullable(Box::new(inner))
                } else {
                    inner
                }
            }
            Some(Json::String(t)) => match t.as_str() {
                "string" => Shape::Str(StrKind::Plain),
                "integer" => Shape::Int(schema.get("minimum").and_then(Json::as_f64) == Some(0.0)),
                "number" => Shape::Float,
                "boolean" => Shape::Bool,
                "array" => Shape::List(Box::new(
                    schema
                        .get("items")
                        .map_or(Shape::Any, |items| self.shape(items)),
                )),
                "object" => self.object(schema),
                "null" => Shape::Nullable(Box::new(Shape::Any)),
                _ => Shape::Any,
            },
            _ => Shape::Any,
        }
    }

    fn alternatives(&mut self, options: &[Json]) -> Shape {
        let non_null: Vec<&Json> = options
            .iter()
            .filter(|o| o.get("type").and_then(Json::as_str) != Some("null"))
            .collect();
        let nullable = non_null.len() < options.len();
        let consts: Option<Vec<Choice>> = non_null
            .iter()
            .map(|o| {
                let o = self.resolve(o);
                let name = o
                    .get("const")
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .or_else(|| match o.get("enum").and_then(Json::as_array) {
                        Some(values) if values.len() == 1 => values[0].as_str().map(str::to_string),
                        _ => None,
                    })?;
                Some(Choice {
                    name,
                    doc: text(o, "description"),
                })
            })
            .collect();
        let shape = match consts {
            Some(choices) if !choices.is_empty() => Shape::Enum(choices),
            _ => match non_null.as_slice() {
                [one] => self.shape(one),
                many => Shape::OneOf(many.iter().map(|o| self.shape(o)).collect()),
            },
        };
        if nullable {
            Shape::Nullable(Box::new(shape))
        } else {
            shape
        }
    }

    fn object(&mut self, schema: &Json) -> Shape {
        let properties = schema.get("properties").and_then(Json::as_object);
        let closed = schema.get("additionalProperties") == Some(&Json::Bool(false));
        let Some(properties) = properties else {
            return match schema.get("additionalProperties") {
                Some(v @ Json::Object(_)) => Shape::Dict(Box::new(self.shape(v))),
                _ if closed => Shape::Object(Vec::new(), true),
                _ => Shape::Dict(Box::new(Shape::Any)),
            };
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let fields = properties
            .iter()
            .map(|(name, prop)| {
                let resolved = self.resolve(prop);
                let doc = match text(prop, "description") {
                    d if d.is_empty() => text(resolved, "description"),
                    d => d,
                };
                Field {
                    name: name.clone(),
                    shape: self.shape(prop),
                    doc,
                    default: prop.get("default").cloned(),
                    required: required.contains(&name.as_str()),
                }
            })
            .collect();
        Shape::Object(fields, closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::types::{Duration, Interp, ProcessorNode};
    use schemars::JsonSchema;
    use serde::Deserialize;

    /// How to spread.
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Spread {
        /// Every child.
        FanOut,
        /// One by one.
        RoundRobin,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        /// Where to.
        url: Interp,
        /// How long.
        #[serde(default = "five")]
        timeout: Duration,
        #[serde(default)]
        spread: Option<Spread>,
        #[serde(default)]
        steps: Vec<ProcessorNode>,
        #[serde(default)]
        codes: Vec<u16>,
    }

    fn five() -> Duration {
        Duration::secs(5)
    }

    fn field<'a>(shape: &'a Shape, name: &str) -> &'a Field {
        shape
            .fields()
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name} in {shape:?}"))
    }

    /// A type that contains itself.
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Nested {
        /// A leaf.
        Leaf(u8),
        /// Two more of the same.
        Pair(Box<Nested>, Box<Nested>),
        /// A list of more.
        Many(Vec<Nested>),
    }

    #[test]
    fn a_recursive_type_is_read_once_and_any_where_it_recurs() {
        let root = schemars::SchemaGenerator::default().into_root_schema_for::<Vec<Nested>>();
        let Shape::List(item) = Shape::from_root_schema(root.as_value()) else {
            panic!("a list");
        };
        let Shape::OneOf(options) = *item else {
            panic!("one of the variants: {item:?}");
        };
        let many = options
            .iter()
            .flat_map(Shape::fields)
            .find(|f| f.name == "many")
            .expect("the `many` variant");
        assert_eq!(many.shape, Shape::List(Box::new(Shape::Any)));
    }

    #[test]
    fn shapes_come_from_the_typed_config() {
        let root = schemars::SchemaGenerator::default().into_root_schema_for::<Sample>();
        let shape = Shape::from_root_schema(root.as_value());
        assert!(matches!(shape, Shape::Object(_, true)));
        let url = field(&shape, "url");
        assert_eq!(url.shape, Shape::Str(StrKind::Interpolation));
        assert!(url.required);
        assert_eq!(url.doc, "Where to.");
        let timeout = field(&shape, "timeout");
        assert_eq!(timeout.default, Some(json!("5s")));
        assert!(!timeout.required);
        let Shape::Nullable(spread) = &field(&shape, "spread").shape else {
            panic!("spread is optional");
        };
        let Shape::Enum(choices) = &**spread else {
            panic!("an enum: {spread:?}");
        };
        assert_eq!(choices[1].name, "round_robin");
        assert_eq!(choices[1].doc, "One by one.");
        assert_eq!(
            field(&shape, "steps").shape,
            Shape::List(Box::new(Shape::Component("processor".into())))
        );
        assert_eq!(
            field(&shape, "codes").shape,
            Shape::List(Box::new(Shape::Int(true)))
        );
    }
}
