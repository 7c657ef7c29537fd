//! The value model: every Bloblang value is a 16-byte [`Value`].
//!
//! Containers are reference counted and copy-on-write (`Arc::make_mut`), so
//! `root = this` costs a reference-count bump and a write copies only the
//! containers along the path it changes.

mod compare;
mod json_read;
mod json_write;
mod map;
mod number;
mod scan;
mod shapes;
mod text;
mod timestamp;

pub use compare::{compare_values, num_cmp, values_equal};
pub use json_read::{NumberMode, ParseJsonError, parse_document, parse_json, parse_json_prefix};
pub use json_write::{JsonStyle, JsonWriteError, to_json, write_json, write_string};
pub use map::Map;
pub use number::{
    Num, format_float_g, format_float_json, format_float32_g, format_float32_json, write_float_json,
};
pub use text::{Blob, Str};
pub use timestamp::Timestamp;

pub use triomphe::Arc;

/// A number read from input JSON whose text differs from how the number
/// would print again (`1.0`, `1e3`, integers beyond 64 bits…): the text is
/// kept so the number re-serialises untouched.
#[derive(Debug, Clone, PartialEq)]
pub struct RawNumber {
    /// The source text.
    pub text: Box<str>,
    /// The value arithmetic sees (int64 when the text parses as one).
    pub value: Num,
}

/// The narrow numeric types produced by `.int32()`, `.float32()` and
/// friends. They behave as numbers but keep their Go type (which matters
/// for formatting of `float32` and for a few operator quirks).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Narrow {
    /// int32
    I32(i32),
    /// int16
    I16(i16),
    /// int8
    I8(i8),
    /// uint32
    U32(u32),
    /// uint16
    U16(u16),
    /// uint8
    U8(u8),
    /// float32
    F32(f32),
}

impl Narrow {
    /// The value widened for arithmetic.
    pub fn num(self) -> Num {
        match self {
            Narrow::I32(v) => Num::Int(v.into()),
            Narrow::I16(v) => Num::Int(v.into()),
            Narrow::I8(v) => Num::Int(v.into()),
            Narrow::U32(v) => Num::Int(v.into()),
            Narrow::U16(v) => Num::Int(v.into()),
            Narrow::U8(v) => Num::Int(v.into()),
            Narrow::F32(v) => Num::Float(v.into()),
        }
    }

    /// Go's name of the type.
    pub fn go_type(self) -> &'static str {
        match self {
            Narrow::I32(_) => "int32",
            Narrow::I16(_) => "int16",
            Narrow::I8(_) => "int8",
            Narrow::U32(_) => "uint32",
            Narrow::U16(_) => "uint16",
            Narrow::U8(_) => "uint8",
            Narrow::F32(_) => "float32",
        }
    }
}

/// A Bloblang value.
#[derive(Clone, Default)]
pub enum Value {
    /// `null`, also the result of any missing path.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed 64-bit integer.
    Int(i64),
    /// An unsigned 64-bit integer.
    UInt(u64),
    /// A 64-bit float.
    Float(f64),
    /// A narrow numeric type.
    Narrow(Narrow),
    /// A number from input JSON with its original text.
    Number(Arc<RawNumber>),
    /// A UTF-8 string.
    Str(Str),
    /// A byte string.
    Bytes(Blob),
    /// An array.
    Array(Arc<Vec<Value>>),
    /// An object with keys in sorted order.
    Object(Arc<Map>),
    /// An instant with a zone.
    Timestamp(Arc<Timestamp>),
    /// The `deleted()` sentinel.
    Delete,
    /// The `nothing()` sentinel.
    Nothing,
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Str::new(s))
    }

    /// A bytes value.
    pub fn bytes(b: &[u8]) -> Value {
        Value::Bytes(Blob::new(b))
    }

    /// An array value.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    /// An object value.
    pub fn object(map: Map) -> Value {
        Value::Object(Arc::new(map))
    }

    /// An empty object.
    pub fn empty_object() -> Value {
        Value::Object(Arc::new(Map::new()))
    }

    /// A timestamp value.
    pub fn timestamp(ts: Timestamp) -> Value {
        Value::Timestamp(Arc::new(ts))
    }

    /// The name `.type()` reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_)
            | Value::UInt(_)
            | Value::Float(_)
            | Value::Narrow(_)
            | Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Timestamp(_) => "timestamp",
            Value::Delete => "delete",
            Value::Nothing => "nothing",
        }
    }

    /// Go's dynamic type name, as used in some upstream error texts.
    pub fn go_type_name(&self) -> &'static str {
        match self {
            Value::Null => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::UInt(_) => "uint64",
            Value::Float(_) => "float64",
            Value::Narrow(n) => n.go_type(),
            Value::Number(_) => "json.Number",
            Value::Str(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::Array(_) => "[]interface {}",
            Value::Object(_) => "map[string]interface {}",
            Value::Timestamp(_) => "time.Time",
            Value::Delete => "query.Delete",
            Value::Nothing => "query.Nothing",
        }
    }

    /// True for `null`, `deleted()` and `nothing()`.
    #[inline]
    pub fn is_nullish(&self) -> bool {
        matches!(self, Value::Null | Value::Delete | Value::Nothing)
    }

    /// True for any numeric variant.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::UInt(_) | Value::Float(_) | Value::Narrow(_) | Value::Number(_)
        )
    }

    /// The numeric value for arithmetic, if this is a number.
    #[inline]
    pub fn num(&self) -> Option<Num> {
        match self {
            Value::Int(i) => Some(Num::Int(*i)),
            Value::UInt(u) => Some(Num::UInt(*u)),
            Value::Float(f) => Some(Num::Float(*f)),
            Value::Narrow(n) => Some(n.num()),
            Value::Number(r) => Some(r.value),
            _ => None,
        }
    }

    /// The number as a float, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        self.num().map(Num::to_f64)
    }

    /// The text of a string, if this is one.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The bytes of a string or byte string.
    #[inline]
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            Value::Bytes(b) => Some(b.as_bytes()),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a.as_slice()),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Reads a field by key (objects) or index (arrays, numeric key);
    /// anything unresolvable is `None`.
    #[inline]
    pub fn get_segment(&self, seg: &str) -> Option<&Value> {
        match self {
            Value::Object(o) => o.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        }
    }

    /// Walks a path of segments by reference.
    pub fn get_path<'a, S: AsRef<str>>(&'a self, path: &[S]) -> Option<&'a Value> {
        let mut cur = self;
        for seg in path {
            cur = cur.get_segment(seg.as_ref())?;
        }
        Some(cur)
    }

    /// Walks a path like [`Value::get_path`], with a position hint for
    /// each of the first object lookups (see [`Map::get_hinted`]).
    #[inline]
    pub fn get_path_hinted<'a>(&'a self, path: &[Str], hints: &mut [u8]) -> Option<&'a Value> {
        let mut cur = self;
        for (i, seg) in path.iter().enumerate() {
            cur = match (cur, hints.get_mut(i)) {
                (Value::Object(o), Some(hint)) => o.get_hinted(seg, hint)?,
                _ => cur.get_segment(seg)?,
            };
        }
        Some(cur)
    }

    /// Takes the value out, leaving `null`.
    #[inline]
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::UInt(u) => write!(f, "{u}u"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Narrow(n) => write!(f, "{n:?}"),
            Value::Number(r) => write!(f, "#{}", r.text),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "{b:?}"),
            Value::Array(a) => f.debug_list().entries(a.iter()).finish(),
            Value::Object(o) => write!(f, "{:?}", &**o),
            Value::Timestamp(t) => write!(f, "{t:?}"),
            Value::Delete => f.write_str("<delete>"),
            Value::Nothing => f.write_str("<nothing>"),
        }
    }
}

impl PartialEq for Value {
    /// Symmetric structural equality: numbers by value, strings and bytes
    /// by content, containers element-wise. Bloblang's `==` (with its
    /// upstream quirks) is [`values_equal`].
    fn eq(&self, other: &Value) -> bool {
        compare::structural_eq(self, other)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(Str::new(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(Str::from(s))
    }
}

impl From<Str> for Value {
    fn from(s: Str) -> Value {
        Value::Str(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::array(v)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::object(m)
    }
}

impl From<Num> for Value {
    fn from(n: Num) -> Value {
        match n {
            Num::Int(i) => Value::Int(i),
            Num::UInt(u) => Value::UInt(u),
            Num::Float(f) => Value::Float(f),
        }
    }
}
