//! Every field of every registered component is read by its builder: for
//! each field (nested fields included), a config that sets it to another
//! valid-looking value must either build a different component or be
//! refused. A field that changes nothing is accepted and ignored, which
//! the project does not allow.

use super::registry::{Built, Kind, Registry};
use crate::config::shape::{Field, Shape, StrKind};
use crate::testing;
use serde_json::{Value as Json, json};

/// A config each component builds from: its required fields and the
/// resources it names. A new component needs a line here (the test says
/// so) when the empty config does not build.
fn base(kind: Kind, name: &str) -> Option<Json> {
    Some(match (kind, name) {
        (Kind::Input, "broker") => json!({"inputs": [{"generate": {"mapping": "root = 1"}}]}),
        (Kind::Input, "file") => json!({"paths": ["/tmp/tarn-fields-test/*.txt"]}),
        (Kind::Input, "generate") => json!({"mapping": "root = 1"}),
        (Kind::Input | Kind::Output | Kind::Processor, "resource") => return None,
        (Kind::Output, "broker") => json!({"outputs": [{"drop": {}}]}),
        (Kind::Output, "file") => json!({"path": "/tmp/tarn-fields-test/out.txt"}),
        (Kind::Output, "http_client") => json!({"url": "http://127.0.0.1:9/x"}),
        (Kind::Processor, "http") => json!({"url": "http://127.0.0.1:9/x"}),
        (Kind::Processor, "mapping" | "bloblang" | "mutation") => json!("root = this"),
        (Kind::Processor, "cache") => json!({"resource": "c", "operator": "get", "key": "k"}),
        (Kind::Processor, "dedupe") => json!({"cache": "c", "key": "k"}),
        (Kind::Processor, "rate_limit") => json!({"resource": "r"}),
        (Kind::Processor, "sleep") => json!({"duration": "1ms"}),
        (Kind::Processor, "archive" | "unarchive") => json!({"format": "lines"}),
        (Kind::Processor, "catch" | "try" | "for_each") => json!([{"noop": {}}]),
        (Kind::Processor, "switch") => json!([{"check": "true", "processors": [{"noop": {}}]}]),
        (Kind::Processor, "branch" | "parallel") => json!({"processors": [{"noop": {}}]}),
        (Kind::Processor, "retry") => json!({"processors": [{"noop": {}}]}),
        (Kind::Processor, "while") => json!({"check": "false", "processors": [{"noop": {}}]}),
        _ => json!({}),
    })
}

/// A block that needs more than `enabled: true` to build, filled so it
/// does (its fields are then checked one by one like the others).
fn block_base(block: &str) -> Option<Json> {
    let key = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/http/testdata/rsa_pkcs1_key.pem"
    );
    Some(match block {
        "oauth2" => json!({"enabled": true, "token_url": "http://127.0.0.1:9/token"}),
        "jwt" => json!({"enabled": true, "private_key_file": key, "signing_method": "RS256"}),
        "cors" => json!({"enabled": true, "allowed_origins": ["https://a.example"]}),
        _ => return None,
    })
}

const RESOURCES: &str = "cache_resources:\n  - label: c\n    memory: {}\n  - label: c2\n    memory: {}\nrate_limit_resources:\n  - label: r\n    local: {}\n  - label: r2\n    local: {}\n";

/// Another value of `shape` than `current`, or `None` when none is
/// worth trying.
fn other_value(shape: &Shape, current: Option<&Json>, field: &str) -> Option<Json> {
    Some(match shape {
        Shape::Any | Shape::OneOf(_) => return None,
        Shape::Nullable(inner) => return other_value(inner, current, field),
        Shape::Bool => json!(!current.and_then(Json::as_bool).unwrap_or(false)),
        Shape::Int(_) => json!(current.and_then(Json::as_i64).unwrap_or(0) + 3),
        Shape::Float => json!(current.and_then(Json::as_f64).unwrap_or(0.0) + 0.5),
        Shape::Str(StrKind::Duration | StrKind::OptionalDuration | StrKind::Schedule) => {
            json!("7s")
        }
        Shape::Str(StrKind::Interpolation) => json!("changed ${! 7 }"),
        Shape::Str(StrKind::Mapping) => json!("root = 7"),
        Shape::Str(StrKind::Regex) => json!("ch.*"),
        // Names of resources get the other declared one.
        Shape::Str(StrKind::Plain) if matches!(field, "cache" | "resource") => json!("c2"),
        Shape::Str(StrKind::Plain) if field == "rate_limit" => json!("r2"),
        Shape::Str(StrKind::Plain) => json!("changed-7"),
        Shape::Enum(choices) => {
            let now = current.and_then(Json::as_str);
            json!(choices.iter().find(|c| Some(c.name.as_str()) != now)?.name)
        }
        Shape::List(item) => {
            let first = current.and_then(Json::as_array).and_then(|a| a.first());
            let one = other_value(item, first, field).or_else(|| sample(item))?;
            // One more item than now, so the list differs whatever it held.
            let len = current.and_then(Json::as_array).map_or(0, Vec::len);
            Json::Array(vec![one; len + 1])
        }
        Shape::Dict(value) => {
            json!({"k": other_value(value, None, field).or_else(|| sample(value))?})
        }
        Shape::Object(..) => return None,
        Shape::Component(kind) => match kind.as_str() {
            "processor" => json!({"mapping": "root = 7"}),
            "output" => json!({"drop": {}}),
            "input" => json!({"generate": {"mapping": "root = 2", "count": 1}}),
            _ => return None,
        },
    })
}

/// The words of an enumeration (optional or not).
fn enum_choices(shape: &Shape) -> Option<&[crate::config::shape::Choice]> {
    match shape {
        Shape::Enum(choices) => Some(choices),
        Shape::Nullable(inner) => enum_choices(inner),
        _ => None,
    }
}

/// Some valid value of `shape`.
fn sample(shape: &Shape) -> Option<Json> {
    other_value(shape, None, "")
}

/// Debug text of what `body` builds for component `name` of `kind`, or
/// the build error.
fn build(kind: Kind, name: &str, body: &Json) -> Result<String, String> {
    let yaml = json!({ name: body }).to_string();
    testing::build_with_endpoints(kind, &yaml, RESOURCES).map(|b| describe(&b))
}

fn describe(built: &(Built, Vec<crate::component::build::Endpoint>)) -> String {
    // Addresses differ between builds; everything else must not.
    let text = format!("{built:?}");
    let addr = regex::Regex::new("0x[0-9a-f]+").expect("regex");
    addr.replace_all(&text, "0x").into_owned()
}

/// Every (dotted path, field) of an object shape, nested objects included.
fn fields<'a>(prefix: &str, shape: &'a Shape, out: &mut Vec<(String, &'a Field)>) {
    for f in shape.fields() {
        let path = if prefix.is_empty() {
            f.name.clone()
        } else {
            format!("{prefix}.{}", f.name)
        };
        out.push((path.clone(), f));
        fields(&path, &f.shape, out);
    }
}

fn set(body: &mut Json, path: &str, value: Json) {
    let mut here = body;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !here.is_object() {
            *here = json!({});
        }
        let Some(map) = here.as_object_mut() else {
            return;
        };
        if parts.peek().is_none() {
            map.insert(part.to_string(), value);
            return;
        }
        here = map.entry(part.to_string()).or_insert_with(|| json!({}));
    }
}

#[test]
fn every_field_of_every_component_changes_what_is_built() {
    let mut ignored = Vec::new();
    let mut unbuilt = Vec::new();
    let mut checked = 0;
    for entry in Registry::standard().all() {
        let Some(base_body) = base(entry.kind, entry.name) else {
            continue;
        };
        let before = match build(entry.kind, entry.name, &base_body) {
            Ok(b) => b,
            Err(e) => panic!(
                "{} `{}` does not build from its test config {base_body}: {e} (add one to `base`)",
                entry.kind.name(),
                entry.name
            ),
        };
        let mut all = Vec::new();
        fields("", entry.shape(), &mut all);
        for (path, field) in &all {
            // A block's `enabled` switch is tried through its other
            // fields (each set with the block on); those need it on.
            let parent = path.rsplit_once('.').map(|(p, _)| p);
            let switch = parent.map(|p| format!("{p}.enabled"));
            let switched = switch
                .as_ref()
                .is_some_and(|s| all.iter().any(|(p, _)| p == s));
            let leaf = path.rsplit('.').next().unwrap_or(path);
            if leaf == "enabled" && parent.is_some() {
                continue;
            }
            let mut start = base_body.clone();
            if switched && let (Some(s), Some(p)) = (&switch, parent) {
                match block_base(p.rsplit('.').next().unwrap_or(p)) {
                    Some(filled) => set(&mut start, p, filled),
                    None => set(&mut start, s, json!(true)),
                }
                // CORS and TLS of an input need its own address.
                if entry.name == "http_server" {
                    set(&mut start, "address", json!("127.0.0.1:9"));
                }
            }
            let Ok(reference) = build(entry.kind, entry.name, &start) else {
                // The block on but unfilled does not build (it needs a
                // token URL, a key …): its fields are checked by that.
                unbuilt.push(format!("{} `{}`: {path}", entry.kind.name(), entry.name));
                continue;
            };
            let reference = if switched { reference } else { before.clone() };
            let current = start
                .pointer(&format!("/{}", path.replace('.', "/")))
                .or(field.default.as_ref());
            let candidates: Vec<Json> = match enum_choices(&field.shape) {
                // Every word but the current one: one of them must count.
                Some(choices) => choices
                    .iter()
                    .map(|c| json!(c.name))
                    .filter(|c| Some(c) != current)
                    .collect(),
                None => other_value(&field.shape, current, leaf)
                    .into_iter()
                    .collect(),
            };
            if candidates.is_empty() {
                continue;
            }
            checked += 1;
            let read = candidates.iter().any(|value| {
                let mut body = start.clone();
                set(&mut body, path, value.clone());
                build(entry.kind, entry.name, &body).is_err_and(|_| true)
                    || build(entry.kind, entry.name, &body).is_ok_and(|after| after != reference)
            });
            if !read {
                ignored.push(format!(
                    "{} `{}`: `{path}` set to {} builds the same component",
                    entry.kind.name(),
                    entry.name,
                    candidates
                        .iter()
                        .map(Json::to_string)
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
            }
        }
    }
    eprintln!(
        "{checked} fields checked; {} in blocks that do not build when merely switched on:\n  {}",
        unbuilt.len(),
        unbuilt.join("\n  ")
    );
    assert!(checked > 100, "only {checked} fields were tried");
    assert!(
        ignored.is_empty(),
        "fields accepted and ignored:\n{}",
        ignored.join("\n")
    );
}
