//! Functions over the outside world and process state: `hostname`, `env`,
//! `file`, `file_rel`, `counter`, `count`; and the generators `range` and
//! `bytes`.

use super::math::get_int;
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::value::Value;
use crate::vm::Call;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "hostname",
        category: Category::Environment,
        impure: true,
        doc: "The hostname of the machine running the mapping.",
        examples: &[Example {
            mapping: "root.ok = hostname().type()",
            cases: &[("{}", Out(r#"{"ok":"string"}"#))],
        }],
        imp: Impl::Function(hostname),
        ..Spec::FUNCTION
    },
    Spec {
        name: "env",
        params: &[
            Param::req("name", Kind::Str).doc("The variable's name."),
            Param::with("no_cache", Kind::Bool, Default::Bool(false))
                .doc("Read the variable on every call instead of once."),
        ],
        category: Category::Environment,
        impure: true,
        doc: "The value of an environment variable as a string, or null when it is unset.",
        examples: &[Example {
            mapping: "root.v = env(\"TARN_SURELY_UNSET_VARIABLE\")\nroot.w = env(name: \"TARN_SURELY_UNSET_VARIABLE\", no_cache: true).or(\"default\")",
            cases: &[("{}", Out(r#"{"v":null,"w":"default"}"#))],
        }],
        imp: Impl::Function(env),
        ..Spec::FUNCTION
    },
    Spec {
        name: "file",
        params: &[
            Param::req("path", Kind::Str)
                .doc("The file's path, relative to the working directory."),
            Param::with("no_cache", Kind::Bool, Default::Bool(false))
                .doc("Read the file on every call instead of once."),
        ],
        category: Category::Environment,
        impure: true,
        doc: "The contents of a file as bytes, read once and cached unless `no_cache` is set.",
        examples: &[Example {
            mapping: "root = file(\"/nonexistent/tarn/file.json\")",
            cases: &[(
                "{}",
                Fails("open /nonexistent/tarn/file.json: no such file or directory"),
            )],
        }],
        imp: Impl::Function(file),
        ..Spec::FUNCTION
    },
    Spec {
        name: "file_rel",
        params: &[
            Param::req("path", Kind::Str).doc("The file's path, relative to the mapping file."),
            Param::with("no_cache", Kind::Bool, Default::Bool(false))
                .doc("Read the file on every call instead of once."),
        ],
        category: Category::Environment,
        impure: true,
        doc: "The contents of a file as bytes, with relative paths resolved against the mapping file's directory.",
        examples: &[Example {
            mapping: "root = file_rel(path: \"/nonexistent/tarn/rules.yaml\", no_cache: true)",
            cases: &[(
                "{}",
                Fails("open /nonexistent/tarn/rules.yaml: no such file or directory"),
            )],
        }],
        imp: Impl::Function(file_rel),
        ..Spec::FUNCTION
    },
    Spec {
        name: "range",
        params: &[
            Param::req("start", Kind::Int).doc("First value."),
            Param::req("stop", Kind::Int).doc("Bound that is not reached."),
            Param::with("step", Kind::Int, Default::Int(1)).doc("Distance between values."),
        ],
        doc: "An array of integers from `start` up to (not including) `stop` by `step`.",
        examples: &[
            Example {
                mapping: "root.a = range(0, 10)\nroot.b = range(start: 0, stop: this.max, step: 2) # Using named params\nroot.c = range(0, -this.max, -2)",
                cases: &[(
                    r#"{"max":10}"#,
                    Out(r#"{"a":[0,1,2,3,4,5,6,7,8,9],"b":[0,2,4,6,8],"c":[0,-2,-4,-6,-8]}"#),
                )],
            },
            Example {
                mapping: "root = range(0, this.total_items, 100)",
                cases: &[(r#"{"total_items":250}"#, Out("[0,100]"))],
            },
            Example {
                mapping: "root = range(0, this.n)",
                cases: &[(
                    r#"{"n":0}"#,
                    Fails("with positive step arg start (0) must be < stop (0)"),
                )],
            },
        ],
        imp: Impl::Function(range),
        compile: Some(range_fold),
        ..Spec::FUNCTION
    },
    Spec {
        name: "bytes",
        params: &[Param::req("length", Kind::Int).doc("Number of zero bytes.")],
        doc: "A byte array of the given length filled with zeros.",
        examples: &[Example {
            mapping: "root.data = bytes(5)",
            cases: &[("{}", Out(r#"{"data":"AAAAAAA="}"#))],
        }],
        imp: Impl::Function(zero_bytes),
        ..Spec::FUNCTION
    },
    Spec {
        name: "counter",
        params: &[
            Param::with("min", Kind::Lazy, Default::Int(1))
                .doc("First value; evaluated once, on the first call."),
            Param::with("max", Kind::Lazy, Default::Int(i64::MAX))
                .doc("Last value before starting over at `min`; evaluated once."),
            Param::opt("set", Kind::Lazy).doc(
                "Per call: an integer sets the counter, null reads it, `deleted()` resets it.",
            ),
        ],
        status: Status::Experimental,
        doc: "An incrementing integer kept per call site: `min`, `min+1`, … up to `max`, then `min` again.",
        examples: &[
            Example {
                mapping: "root.id = counter()",
                cases: &[("{}", Out(r#"{"id":1}"#)), ("{}", Out(r#"{"id":2}"#))],
            },
            Example {
                mapping: "root.batch_num = counter(min: 100, max: 101)",
                cases: &[
                    ("{}", Out(r#"{"batch_num":100}"#)),
                    ("{}", Out(r#"{"batch_num":101}"#)),
                    ("{}", Out(r#"{"batch_num":100}"#)),
                ],
            },
            Example {
                mapping: "map increment {\n  root = counter()\n}\n\nroot.first_id = null.apply(\"increment\")\nroot.second_id = null.apply(\"increment\")",
                cases: &[
                    ("{}", Out(r#"{"first_id":1,"second_id":2}"#)),
                    ("{}", Out(r#"{"first_id":3,"second_id":4}"#)),
                ],
            },
            Example {
                mapping: "root.streak = counter(set: if this.status != \"success\" { 0 })",
                cases: &[
                    (r#"{"status":"success"}"#, Out(r#"{"streak":1}"#)),
                    (r#"{"status":"success"}"#, Out(r#"{"streak":2}"#)),
                    (r#"{"status":"failure"}"#, Out(r#"{"streak":0}"#)),
                    (r#"{"status":"success"}"#, Out(r#"{"streak":1}"#)),
                ],
            },
            Example {
                mapping: "root.count = counter(set: if this.peek { null })",
                cases: &[
                    (r#"{"peek":false}"#, Out(r#"{"count":1}"#)),
                    (r#"{"peek":false}"#, Out(r#"{"count":2}"#)),
                    (r#"{"peek":true}"#, Out(r#"{"count":2}"#)),
                    (r#"{"peek":false}"#, Out(r#"{"count":3}"#)),
                ],
            },
            Example {
                mapping: "root.n = counter(set: if this.reset { deleted() })",
                cases: &[
                    (r#"{"reset":false}"#, Out(r#"{"n":1}"#)),
                    (r#"{"reset":false}"#, Out(r#"{"n":2}"#)),
                    (r#"{"reset":true}"#, Out(r#"{"n":1}"#)),
                ],
            },
        ],
        imp: Impl::Function(counter),
        ..Spec::FUNCTION
    },
    Spec {
        name: "count",
        params: &[Param::req("name", Kind::Str).doc("The counter's name.")],
        status: Status::Deprecated,
        impure: true,
        doc: "A process-wide counter by name, starting at 1 and incremented on every call; prefer `counter()`.",
        examples: &[Example {
            mapping: "root = this\nroot.id = count(\"tarn_numbers_count_example\")",
            cases: &[
                (r#"{"message":"foo"}"#, Out(r#"{"id":1,"message":"foo"}"#)),
                (r#"{"message":"bar"}"#, Out(r#"{"id":2,"message":"bar"}"#)),
            ],
        }],
        imp: Impl::Function(count),
        ..Spec::FUNCTION
    },
];

fn hostname(_: &mut Call<'_, '_>) -> Result<Value> {
    for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(path) {
            let name = s.trim();
            if !name.is_empty() {
                return Ok(Value::str(name));
            }
        }
    }
    match std::env::var("HOSTNAME") {
        Ok(h) if !h.is_empty() => Ok(Value::from(h)),
        _ => Err(Error::msg("unable to determine the hostname")),
    }
}

fn read_env(name: &str) -> Value {
    std::env::var_os(name).map_or(Value::Null, |v| {
        Value::from(v.to_string_lossy().into_owned())
    })
}

/// A value read once per call site and argument.
#[derive(Default)]
struct Cached {
    entry: Option<(String, Value)>,
}

fn cached(call: &Call<'_, '_>, key: &str, read: impl FnOnce() -> Result<Value>) -> Result<Value> {
    if call.bool(1) {
        return read();
    }
    let hit = call.site_state(|c: &mut Cached| match &c.entry {
        Some((k, v)) if k == key => Some(v.clone()),
        _ => None,
    });
    if let Some(v) = hit {
        return Ok(v);
    }
    let v = read()?;
    call.site_state(|c: &mut Cached| c.entry = Some((key.to_string(), v.clone())));
    Ok(v)
}

fn env(call: &mut Call<'_, '_>) -> Result<Value> {
    let name = call.str(0).to_string();
    cached(call, &name, || Ok(read_env(&name)))
}

/// Go's wording of a failed `os.ReadFile`.
fn read_error(path: &str, e: &std::io::Error) -> Error {
    use std::io::ErrorKind;
    let (op, why) = match e.kind() {
        ErrorKind::NotFound => ("open", "no such file or directory".to_string()),
        ErrorKind::PermissionDenied => ("open", "permission denied".to_string()),
        ErrorKind::IsADirectory => ("read", "is a directory".to_string()),
        _ => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text);
            ("open", text.to_lowercase())
        }
    };
    Error::msg(format!("{op} {path}: {why}"))
}

fn file(call: &mut Call<'_, '_>) -> Result<Value> {
    let path = call.str(0).to_string();
    read_file(call, &path)
}

/// Reads `path` (once per call site unless `no_cache`).
fn read_file(call: &mut Call<'_, '_>, path: &str) -> Result<Value> {
    cached(call, path, || {
        std::fs::read(path)
            .map(|b| Value::Bytes(b.into()))
            .map_err(|e| read_error(path, &e))
    })
}

fn file_rel(call: &mut Call<'_, '_>) -> Result<Value> {
    let given = call.str(0).to_string();
    let path = match call.mapping_dir() {
        Some(dir) if !std::path::Path::new(&given).is_absolute() => {
            dir.join(&given).to_string_lossy().into_owned()
        }
        _ => given,
    };
    read_file(call, &path)
}

/// The most elements `range` and `bytes` will allocate.
const MAX_LEN: i64 = 1 << 26;

fn make_range(start: i64, stop: i64, step: i64) -> std::result::Result<Value, String> {
    if step == 0 {
        return Err("step must be greater than or less than 0".into());
    }
    if step < 0 {
        if stop > start {
            return Err(format!(
                "with negative step arg stop ({stop}) must be <= start ({start})"
            ));
        }
    } else if start >= stop {
        return Err(format!(
            "with positive step arg start ({start}) must be < stop ({stop})"
        ));
    }
    let len = (i128::from(stop) - i128::from(start)) / i128::from(step);
    if len > i128::from(MAX_LEN) {
        return Err(format!(
            "range of {len} elements exceeds the limit of {MAX_LEN}"
        ));
    }
    let items = (0..len as i64)
        .map(|i| Value::Int(start.wrapping_add(step.wrapping_mul(i))))
        .collect();
    Ok(Value::array(items))
}

fn range_fold(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    let int = |i: usize| match args.get(i).copied().flatten() {
        Some(Value::Int(v)) => Some(*v),
        _ => None,
    };
    match (int(0), int(1), int(2)) {
        (Some(start), Some(stop), Some(step)) => make_range(start, stop, step).map(Some),
        _ => Ok(None),
    }
}

fn range(call: &mut Call<'_, '_>) -> Result<Value> {
    make_range(call.int(0), call.int(1), call.int(2)).map_err(Error::msg)
}

fn zero_bytes(call: &mut Call<'_, '_>) -> Result<Value> {
    let n = call.int(0);
    if n < 0 {
        return Err(Error::msg(format!("length must not be negative, got {n}")));
    }
    if n > MAX_LEN {
        return Err(Error::msg(format!(
            "length {n} exceeds the limit of {MAX_LEN}"
        )));
    }
    Ok(Value::Bytes(vec![0u8; n as usize].into()))
}

/// The state of one `counter()` call site.
#[derive(Default)]
struct Counter {
    /// `(min, max, current)` once initialised.
    state: Option<(i64, i64, i64)>,
}

fn resolve_int(call: &mut Call<'_, '_>, i: usize, what: &str) -> Result<i64> {
    let v = call.query(i, Value::Null).map_err(|e| {
        Error::msg(format!(
            "failed to resolve {what} argument: {}",
            e.message()
        ))
    })?;
    get_int(&v).ok_or_else(|| {
        Error::msg(format!(
            "failed to resolve {what} argument: {}",
            Error::type_mismatch("number", &v).message()
        ))
    })
}

fn counter(call: &mut Call<'_, '_>) -> Result<Value> {
    if call.site_state(|c: &mut Counter| c.state.is_none()) {
        let min = resolve_int(call, 0, "min")?;
        if min < 0 {
            return Err(Error::msg(format!("min argument must be >0, got {min}")));
        }
        let max = resolve_int(call, 1, "max")?;
        if max < 0 || max <= min {
            return Err(Error::msg(format!(
                "max argument must be >0 and >min, got {max}"
            )));
        }
        call.site_state(|c: &mut Counter| {
            c.state.get_or_insert((min, max, min - 1));
        });
    }
    // What the `set` argument asks for on this call.
    enum Set {
        Increment,
        Peek,
        Reset,
        To(i64),
    }
    let set = if call.given(2) {
        let v = call
            .query(2, Value::Null)
            .map_err(|e| Error::msg(format!("failed to resolve set argument: {}", e.message())))?;
        match v {
            Value::Null => Set::Peek,
            Value::Delete => Set::Reset,
            Value::Nothing => Set::Increment,
            other => Set::To(get_int(&other).ok_or_else(|| {
                Error::msg(format!(
                    "failed to resolve set argument: {}",
                    Error::type_mismatch("number", &other).message()
                ))
            })?),
        }
    } else {
        Set::Increment
    };
    let v = call.site_state(|c: &mut Counter| {
        let (min, max, cur) = c.state.get_or_insert((1, i64::MAX, 0));
        match set {
            Set::Peek => return *cur,
            Set::To(v) => {
                *cur = v;
                return v;
            }
            Set::Reset => *cur = *min - 1,
            Set::Increment => {}
        }
        *cur = cur.wrapping_add(1);
        let v = *cur;
        if v >= *max {
            *cur = *min - 1;
        }
        v
    });
    Ok(Value::Int(v))
}

fn count(call: &mut Call<'_, '_>) -> Result<Value> {
    static COUNTERS: OnceLock<Mutex<HashMap<String, i64>>> = OnceLock::new();
    let counters = COUNTERS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = match counters.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let n = guard.entry(call.str(0).to_string()).or_insert(0);
    *n = n.wrapping_add(1);
    Ok(Value::Int(*n))
}
