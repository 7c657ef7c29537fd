//! `json_schema`: a JSON Schema (draft-07 subset) validator whose messages
//! follow the English texts of the validator upstream uses, joined the way
//! upstream joins them (`<field> <lower-cased description>`, one per line).

use super::schema_fmt::format_ok;
use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::value::{Arc, JsonStyle, Map, Value, parse_json, to_json};
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[Spec {
    name: "json_schema",
    params: &[Param::req("schema", Kind::Str).doc("The JSON schema document, as text.")],
    category: Category::Structured,
    status: Status::Beta,
    doc: "Returns the receiver when it validates against a JSON schema (draft-07 subset), else fails listing each violation.",
    examples: &[
        Example {
            mapping: "root = this.json_schema(\"\"\"{\n  \"type\":\"object\",\n  \"properties\":{\n    \"foo\":{\n      \"type\":\"string\"\n    }\n  }\n}\"\"\")",
            cases: &[
                (r#"{"foo":"bar"}"#, Out(r#"{"foo":"bar"}"#)),
                (
                    r#"{"foo":5}"#,
                    Fails(
                        "failed assignment (line 1): field `this`: foo invalid type. expected: string, given: integer",
                    ),
                ),
            ],
        },
        Example {
            mapping: r#"root = this.json_schema("{\"required\":[\"id\"],\"properties\":{\"n\":{\"minimum\":3}}}")"#,
            cases: &[
                (r#"{"id":1,"n":4}"#, Out(r#"{"id":1,"n":4}"#)),
                (
                    r#"{"n":2}"#,
                    Fails(
                        "field `this`: (root) id is required\nn must be greater than or equal to 3",
                    ),
                ),
            ],
        },
    ],
    imp: Impl::Method(json_schema),
    annotate: false,
    compile: Some(check_schema),
    ..Spec::METHOD
}];

fn parse_schema(text: &str) -> std::result::Result<Value, String> {
    parse_json(text.as_bytes()).map_err(|e| format!("failed to parse json schema definition: {e}"))
}

fn check_schema(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    if let Some(Some(Value::Str(s))) = args.first() {
        parse_schema(s)?;
    }
    Ok(None)
}

/// The parsed schema of the last text seen at a call site.
#[derive(Default)]
struct Cached {
    text: String,
    schema: Option<Arc<Value>>,
}

fn json_schema(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let text = call.str(0).to_string();
    let schema = call.site_state(
        |c: &mut Cached| -> std::result::Result<Arc<Value>, String> {
            if c.text == text
                && let Some(s) = &c.schema
            {
                return Ok(s.clone());
            }
            let parsed = Arc::new(parse_schema(&text)?);
            c.text = text.clone();
            c.schema = Some(parsed.clone());
            Ok(parsed)
        },
    );
    let schema = schema.map_err(Error::msg)?;
    let mut v = Validator {
        root: &schema,
        call,
        errors: Vec::new(),
        depth: 0,
    };
    let mut ctx = Vec::new();
    v.validate(&schema, &recv, &mut ctx);
    let errors = v.errors;
    if errors.is_empty() {
        return Ok(recv);
    }
    let lines: Vec<String> = errors.iter().map(Violation::render).collect();
    Err(call.annotate(Error::msg(lines.join("\n"))))
}

/// One violation.
struct Violation {
    field: String,
    description: String,
    property: Option<String>,
}

impl Violation {
    fn render(&self) -> String {
        let mut d = self.description.to_lowercase();
        if let Some(p) = &self.property {
            let lp = p.to_lowercase();
            d = format!("{p}{}", d.strip_prefix(lp.as_str()).unwrap_or(&d));
        }
        format!("{} {d}", self.field)
    }
}

const MAX_DEPTH: usize = 200;

struct Validator<'s, 'c, 'x, 'y> {
    root: &'s Value,
    call: &'c mut Call<'x, 'y>,
    errors: Vec<Violation>,
    depth: usize,
}

/// The JSON type name of a value as the validator reports it.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null | Value::Delete | Value::Nothing => "null",
        Value::Bool(_) => "boolean",
        Value::Str(_) | Value::Bytes(_) | Value::Timestamp(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        n => {
            if is_integer(n) {
                "integer"
            } else {
                "number"
            }
        }
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Int(_) | Value::UInt(_) => true,
        other => other
            .as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0),
    }
}

/// A number as the validator prints it (Go's `FormatFloat(f, 'f', -1, 64)`).
fn num_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        other => other.as_f64().map_or_else(String::new, |f| format!("{f}")),
    }
}

fn json_text(v: &Value) -> String {
    to_json(v, JsonStyle::MESSAGE).unwrap_or_default()
}

fn field_of(ctx: &[String]) -> String {
    if ctx.is_empty() {
        "(root)".into()
    } else {
        ctx.join(".")
    }
}

fn count(v: Option<&Value>) -> Option<usize> {
    v.and_then(Value::as_f64)
        .filter(|f| *f >= 0.0)
        .map(|f| f as usize)
}

impl Validator<'_, '_, '_, '_> {
    fn fail(&mut self, ctx: &[String], description: String) {
        self.errors.push(Violation {
            field: field_of(ctx),
            description,
            property: None,
        });
    }

    fn fail_prop(&mut self, ctx: &[String], description: String, property: &str) {
        self.errors.push(Violation {
            field: field_of(ctx),
            description,
            property: Some(property.to_string()),
        });
    }

    /// Validates against a sub-schema in isolation, returning its
    /// violations.
    fn sub(&mut self, schema: &Value, value: &Value, ctx: &mut Vec<String>) -> Vec<Violation> {
        let saved = std::mem::take(&mut self.errors);
        self.validate(schema, value, ctx);
        std::mem::replace(&mut self.errors, saved)
    }

    fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        let mut cur = self.root;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            cur = match cur {
                Value::Object(o) => o.get(&seg)?,
                Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Validates a child (an array index or a property) with its key on
    /// the context path.
    fn validate_at(&mut self, key: String, schema: &Value, value: &Value, ctx: &mut Vec<String>) {
        ctx.push(key);
        self.validate(schema, value, ctx);
        ctx.pop();
    }

    fn validate(&mut self, schema: &Value, value: &Value, ctx: &mut Vec<String>) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.validate_inner(schema, value, ctx);
        self.depth -= 1;
    }

    fn validate_inner(&mut self, schema: &Value, value: &Value, ctx: &mut Vec<String>) {
        let s = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => {
                self.fail(ctx, "False always fails validation".into());
                return;
            }
            Value::Object(o) => o.clone(),
            _ => return,
        };
        if let Some(Value::Str(r)) = s.get("$ref") {
            if let Some(target) = self.resolve(r) {
                let target = target.clone();
                self.validate(&target, value, ctx);
            }
            return;
        }
        if let Some(types) = s.get("type") {
            let names: Vec<&str> = match types {
                Value::Str(t) => vec![t.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !names.is_empty() {
                let given = json_type(value);
                let ok = names
                    .iter()
                    .any(|t| *t == given || (*t == "number" && given == "integer"));
                if !ok {
                    let expected = if names.len() == 1 {
                        names[0].to_string()
                    } else {
                        format!("[{}]", names.join(" "))
                    };
                    self.fail(
                        ctx,
                        format!("Invalid type. Expected: {expected}, given: {given}"),
                    );
                    return;
                }
            }
        }
        self.combinators(&s, value, ctx);
        match value {
            Value::Array(a) => self.array(&s, a, ctx),
            Value::Object(o) => self.object(&s, o, ctx),
            Value::Str(_) | Value::Bytes(_) => self.string(&s, value, ctx),
            v if v.is_number() => self.number(&s, v, ctx),
            _ => {}
        }
        self.common(&s, value, ctx);
        if let (Value::Object(o), Some(Value::Object(props))) = (value, s.get("properties")) {
            for (k, sub) in props.iter() {
                if let Some(child) = o.get(k) {
                    self.validate_at(k.to_string(), sub, child, ctx);
                }
            }
        }
    }

    fn combinators(&mut self, s: &Map, value: &Value, ctx: &mut Vec<String>) {
        if let Some(Value::Array(any_of)) = s.get("anyOf") {
            let mut best: Option<Vec<Violation>> = None;
            let mut matched = false;
            for sub in any_of.iter() {
                let errs = self.sub(sub, value, ctx);
                if errs.is_empty() {
                    matched = true;
                    break;
                }
                if best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                    best = Some(errs);
                }
            }
            if !matched {
                self.fail(ctx, "Must validate at least one schema (anyOf)".into());
                self.errors.extend(best.unwrap_or_default());
            }
        }
        if let Some(Value::Array(one_of)) = s.get("oneOf") {
            let mut best: Option<Vec<Violation>> = None;
            let mut valid = 0;
            for sub in one_of.iter() {
                let errs = self.sub(sub, value, ctx);
                if errs.is_empty() {
                    valid += 1;
                } else if valid == 0 && best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                    best = Some(errs);
                }
            }
            if valid != 1 {
                self.fail(ctx, "Must validate one and only one schema (oneOf)".into());
                if valid == 0 {
                    self.errors.extend(best.unwrap_or_default());
                }
            }
        }
        if let Some(Value::Array(all_of)) = s.get("allOf") {
            let mut failed = false;
            for sub in all_of.iter() {
                let errs = self.sub(sub, value, ctx);
                failed |= !errs.is_empty();
                self.errors.extend(errs);
            }
            if failed {
                self.fail(ctx, "Must validate all the schemas (allOf)".into());
            }
        }
        if let Some(not) = s.get("not")
            && self.sub(not, value, ctx).is_empty()
        {
            self.fail(ctx, "Must not validate the schema (not)".into());
        }
        if let (Some(Value::Object(deps)), Value::Object(o)) = (s.get("dependencies"), value) {
            for (k, dep) in deps.iter() {
                if !o.contains_key(k) {
                    continue;
                }
                match dep {
                    Value::Array(names) => {
                        for n in names.iter().filter_map(Value::as_str) {
                            if !o.contains_key(n) {
                                self.fail(ctx, format!("Has a dependency on {n}"));
                            }
                        }
                    }
                    other => self.validate(other, value, ctx),
                }
            }
        }
        if let Some(cond) = s.get("if") {
            let holds = self.sub(cond, value, ctx).is_empty();
            let (branch, text) = if holds {
                (s.get("then"), "Must validate \"then\" as \"if\" was valid")
            } else {
                (
                    s.get("else"),
                    "Must validate \"else\" as \"if\" was invalid",
                )
            };
            if let Some(branch) = branch {
                let errs = self.sub(branch, value, ctx);
                if !errs.is_empty() {
                    self.fail(ctx, text.into());
                    self.errors.extend(errs);
                }
            }
        }
    }

    fn array(&mut self, s: &Map, a: &[Value], ctx: &mut Vec<String>) {
        if let Some(min) = count(s.get("minItems"))
            && a.len() < min
        {
            self.fail(ctx, format!("Array must have at least {min} items"));
        }
        if let Some(max) = count(s.get("maxItems"))
            && a.len() > max
        {
            self.fail(ctx, format!("Array must have at most {max} items"));
        }
        if matches!(s.get("uniqueItems"), Some(Value::Bool(true))) {
            let texts: Vec<String> = a.iter().map(json_text).collect();
            'outer: for j in 1..texts.len() {
                for i in 0..j {
                    if texts[i] == texts[j] {
                        self.fail(ctx, format!("array items[{i},{j}] must be unique"));
                        break 'outer;
                    }
                }
            }
        }
        match s.get("items") {
            Some(Value::Array(tuple)) => {
                for (i, (sub, v)) in tuple.iter().zip(a.iter()).enumerate() {
                    self.validate_at(i.to_string(), sub, v, ctx);
                }
                if a.len() > tuple.len() {
                    match s.get("additionalItems") {
                        Some(Value::Bool(false)) => {
                            self.fail(ctx, "No additional items allowed on array".into());
                        }
                        Some(extra @ Value::Object(_)) => {
                            for (i, v) in a.iter().enumerate().skip(tuple.len()) {
                                self.validate_at(i.to_string(), extra, v, ctx);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Some(items) => {
                for (i, v) in a.iter().enumerate() {
                    self.validate_at(i.to_string(), items, v, ctx);
                }
            }
            None => {}
        }
        if let Some(contains) = s.get("contains") {
            let mut found = false;
            for v in a {
                if self.sub(contains, v, ctx).is_empty() {
                    found = true;
                    break;
                }
            }
            if !found {
                self.fail(ctx, "At least one of the items must match".into());
            }
        }
    }

    fn object(&mut self, s: &Map, o: &Map, ctx: &mut Vec<String>) {
        if let Some(min) = count(s.get("minProperties"))
            && o.len() < min
        {
            self.fail(ctx, format!("Must have at least {min} properties"));
        }
        if let Some(max) = count(s.get("maxProperties"))
            && o.len() > max
        {
            self.fail(ctx, format!("Must have at most {max} properties"));
        }
        if let Some(Value::Array(req)) = s.get("required") {
            for name in req.iter().filter_map(Value::as_str) {
                if !o.contains_key(name) {
                    self.fail_prop(ctx, format!("{name} is required"), name);
                }
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        let patterns = s.get("patternProperties").and_then(Value::as_object);
        let additional = s.get("additionalProperties");
        for (k, v) in o.iter() {
            let mut matched = props.is_some_and(|p| p.contains_key(k));
            if let Some(patterns) = patterns {
                for (pat, sub) in patterns.iter() {
                    let Ok(re) = self.call.regex(pat) else {
                        continue;
                    };
                    if re.is_match(k) {
                        matched = true;
                        self.validate_at(k.to_string(), sub, v, ctx);
                    }
                }
            }
            if matched {
                continue;
            }
            match additional {
                Some(Value::Bool(false)) => {
                    self.fail_prop(ctx, format!("Additional property {k} is not allowed"), k);
                }
                Some(extra @ Value::Object(_)) => {
                    self.validate_at(k.to_string(), extra, v, ctx);
                }
                _ => {}
            }
        }
        if let Some(names) = s.get("propertyNames") {
            for k in o.keys() {
                if !self.sub(names, &Value::Str(k.clone()), ctx).is_empty() {
                    self.fail_prop(ctx, format!("Property name of \"{k}\" does not match"), k);
                }
            }
        }
    }

    fn string(&mut self, s: &Map, v: &Value, ctx: &[String]) {
        let text = match v {
            Value::Str(t) => t.to_string(),
            other => String::from_utf8_lossy(other.as_bytes().unwrap_or_default()).into_owned(),
        };
        let len = text.chars().count();
        if let Some(min) = count(s.get("minLength"))
            && len < min
        {
            self.fail(
                ctx,
                format!("String length must be greater than or equal to {min}"),
            );
        }
        if let Some(max) = count(s.get("maxLength"))
            && len > max
        {
            self.fail(
                ctx,
                format!("String length must be less than or equal to {max}"),
            );
        }
        if let Some(Value::Str(pat)) = s.get("pattern")
            && let Ok(re) = self.call.regex(pat)
            && !re.is_match(&text)
        {
            self.fail(ctx, format!("Does not match pattern '{pat}'"));
        }
        if let Some(Value::Str(format)) = s.get("format")
            && !format_ok(format, &text)
        {
            self.fail(ctx, format!("Does not match format '{format}'"));
        }
    }

    fn number(&mut self, s: &Map, v: &Value, ctx: &[String]) {
        let Some(f) = v.as_f64() else { return };
        if let Some(m) = s.get("multipleOf")
            && let Some(mf) = m.as_f64()
            && mf > 0.0
        {
            let q = f / mf;
            if (q - q.round()).abs() > 1e-9 * q.abs().max(1.0) {
                self.fail(ctx, format!("Must be a multiple of {}", num_text(m)));
            }
        }
        let excl_max_flag = matches!(s.get("exclusiveMaximum"), Some(Value::Bool(true)));
        let excl_min_flag = matches!(s.get("exclusiveMinimum"), Some(Value::Bool(true)));
        if let Some(max) = s.get("maximum")
            && let Some(mf) = max.as_f64()
        {
            if excl_max_flag && f >= mf {
                self.fail(ctx, format!("Must be less than {}", num_text(max)));
            } else if !excl_max_flag && f > mf {
                self.fail(
                    ctx,
                    format!("Must be less than or equal to {}", num_text(max)),
                );
            }
        }
        if let Some(max) = s.get("exclusiveMaximum")
            && let Some(mf) = max.as_f64()
            && f >= mf
        {
            self.fail(ctx, format!("Must be less than {}", num_text(max)));
        }
        if let Some(min) = s.get("minimum")
            && let Some(mf) = min.as_f64()
        {
            if excl_min_flag && f <= mf {
                self.fail(ctx, format!("Must be greater than {}", num_text(min)));
            } else if !excl_min_flag && f < mf {
                self.fail(
                    ctx,
                    format!("Must be greater than or equal to {}", num_text(min)),
                );
            }
        }
        if let Some(min) = s.get("exclusiveMinimum")
            && let Some(mf) = min.as_f64()
            && f <= mf
        {
            self.fail(ctx, format!("Must be greater than {}", num_text(min)));
        }
    }

    fn common(&mut self, s: &Map, v: &Value, ctx: &[String]) {
        if let Some(c) = s.get("const")
            && c != v
        {
            let field = field_of(ctx);
            self.fail(ctx, format!("{field} does not match: {}", json_text(c)));
        }
        if let Some(Value::Array(options)) = s.get("enum")
            && !options.iter().any(|o| o == v)
        {
            let field = field_of(ctx);
            let allowed: Vec<String> = options.iter().map(json_text).collect();
            self.fail(
                ctx,
                format!(
                    "{field} must be one of the following: {}",
                    allowed.join(", ")
                ),
            );
        }
    }
}
