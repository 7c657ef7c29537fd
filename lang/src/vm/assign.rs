//! Writes into a document along a path (reference §3.4).

use crate::value::{Arc, Str, Value};

/// Sets `path` below `root` to `v`, creating objects for missing or null
/// parents. `deleted()` removes the target; arrays need an in-range index
/// (`-` appends). Errors carry upstream's wording.
pub fn set_path(root: &mut Value, path: &[Str], v: Value) -> Result<(), String> {
    set_path_hinted(root, path, v, &mut [])
}

/// [`set_path`] with insertion-position hints for the first segments
/// (see [`crate::value::Map::insert_hinted`]); segments without a hint
/// search as usual.
pub(crate) fn set_path_hinted(
    root: &mut Value,
    path: &[Str],
    v: Value,
    hints: &mut [u8],
) -> Result<(), String> {
    if path.is_empty() {
        *root = v;
        return Ok(());
    }
    if matches!(root, Value::Null | Value::Nothing | Value::Delete) {
        if matches!(v, Value::Delete) {
            return Ok(());
        }
        *root = Value::empty_object();
    }
    let mut cur = root;
    for (depth, seg) in path.iter().enumerate() {
        let last = depth + 1 == path.len();
        match cur {
            Value::Object(obj) => {
                if last {
                    let obj = Arc::make_mut(obj);
                    if matches!(v, Value::Delete) {
                        obj.remove(seg);
                    } else if let Some(hint) = hints.get_mut(depth) {
                        obj.insert_hinted(seg, v, hint);
                    } else {
                        obj.insert(seg.clone(), v);
                    }
                    return Ok(());
                }
                if matches!(v, Value::Delete) && obj.get(seg).is_none_or(Value::is_nullish) {
                    return Ok(());
                }
                let obj = Arc::make_mut(obj);
                let child = obj.entry_or_insert_with(seg, Value::empty_object);
                if matches!(child, Value::Null) {
                    *child = Value::empty_object();
                }
                cur = child;
            }
            Value::Array(items) => {
                let len = items.len();
                let index = if seg.as_str() == "-" {
                    len
                } else {
                    match seg.parse::<usize>() {
                        Ok(i) if i < len => i,
                        Ok(i) => {
                            if matches!(v, Value::Delete) {
                                return Ok(());
                            }
                            return Err(format!(
                                "unable to set target path {}: index {i} is out of bounds for array of length {len}",
                                join(path)
                            ));
                        }
                        Err(_) => {
                            return Err(format!(
                                "unable to set target path {}: cannot use key {} on an array",
                                join(path),
                                seg
                            ));
                        }
                    }
                };
                let items = Arc::make_mut(items);
                if last {
                    if matches!(v, Value::Delete) {
                        if index < items.len() {
                            items.remove(index);
                        }
                    } else if index == items.len() {
                        items.push(v);
                    } else {
                        items[index] = v;
                    }
                    return Ok(());
                }
                if index == items.len() {
                    items.push(Value::empty_object());
                }
                let child = &mut items[index];
                if matches!(child, Value::Null) {
                    *child = Value::empty_object();
                }
                cur = child;
            }
            other => {
                let parent = if depth == 0 {
                    "the root".to_string()
                } else {
                    join(&path[..depth])
                };
                return Err(format!(
                    "unable to set target path {} as the value of {parent} was a non-object type ({})",
                    join(path),
                    other.type_name()
                ));
            }
        }
    }
    Ok(())
}

fn join(path: &[Str]) -> String {
    path.iter().map(Str::as_str).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{JsonStyle, parse_json, to_json};

    fn path(s: &str) -> Vec<Str> {
        s.split('.').map(Str::new).collect()
    }

    fn set(doc: &str, p: &str, v: Value) -> Result<String, String> {
        let mut root = parse_json(doc.as_bytes()).unwrap();
        set_path(&mut root, &path(p), v)?;
        Ok(to_json(&root, JsonStyle::MESSAGE).unwrap())
    }

    #[test]
    fn writes() {
        assert_eq!(set("{}", "a.b", Value::Int(1)).unwrap(), r#"{"a":{"b":1}}"#);
        assert_eq!(
            set(r#"{"a":null}"#, "a.b", Value::Int(1)).unwrap(),
            r#"{"a":{"b":1}}"#
        );
        assert_eq!(
            set(r#"{"a":[1,2]}"#, "a.1", Value::Int(5)).unwrap(),
            r#"{"a":[1,5]}"#
        );
        assert_eq!(
            set(r#"{"a":[1,2]}"#, "a.-", Value::Int(5)).unwrap(),
            r#"{"a":[1,2,5]}"#
        );
        assert_eq!(
            set(r#"{"a":{"b":1,"c":2}}"#, "a.b", Value::Delete).unwrap(),
            r#"{"a":{"c":2}}"#
        );
        assert_eq!(
            set(r#"{"a":1}"#, "x.y", Value::Delete).unwrap(),
            r#"{"a":1}"#
        );
        assert_eq!(
            set(r#"{"a":"s"}"#, "a.b", Value::Int(1)).unwrap_err(),
            "unable to set target path a.b as the value of a was a non-object type (string)"
        );
        assert_eq!(
            set(r#""s""#, "a", Value::Int(1)).unwrap_err(),
            "unable to set target path a as the value of the root was a non-object type (string)"
        );
    }

    #[test]
    fn copy_on_write_leaves_the_original() {
        let original = parse_json(br#"{"a":{"b":1},"c":[1]}"#).unwrap();
        let mut copy = original.clone();
        set_path(&mut copy, &path("a.b"), Value::Int(2)).unwrap();
        assert_eq!(
            to_json(&original, JsonStyle::MESSAGE).unwrap(),
            r#"{"a":{"b":1},"c":[1]}"#
        );
        assert_eq!(
            to_json(&copy, JsonStyle::MESSAGE).unwrap(),
            r#"{"a":{"b":2},"c":[1]}"#
        );
        // The untouched branch is still shared.
        match (&original, &copy) {
            (Value::Object(o), Value::Object(c)) => match (o.get("c"), c.get("c")) {
                (Some(Value::Array(x)), Some(Value::Array(y))) => assert!(Arc::ptr_eq(x, y)),
                _ => panic!(),
            },
            _ => panic!(),
        }
    }
}
