//! The declarative shape of a config: field types, component specs and
//! the top-level layout. The same data drives validation, `tarn lint` and
//! (later) `tarn list` for components.

/// What a config field accepts.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// Any scalar text.
    Str,
    /// A whole number.
    Int,
    /// `true` or `false`.
    Bool,
    /// A number.
    Float,
    /// A Go duration (`5s`, `1m30s`, `250ms`).
    Duration,
    /// A duration, a cron schedule, or empty (as fast as possible).
    Schedule,
    /// A Bloblang mapping, compiled when the config is checked.
    Mapping,
    /// A string that may hold `${! … }` interpolations.
    Interp,
    /// A list of values of one type.
    List(&'static Ty),
    /// An object with free keys and values of one type.
    Dict(&'static Ty),
    /// An object with known fields.
    Object(&'static [Field]),
    /// An input component.
    Input,
    /// A processor component.
    Processor,
    /// An output component.
    Output,
    /// Anything (not checked yet).
    Any,
}

impl Ty {
    /// A short type name for listings.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Str => "string",
            Ty::Interp => "interpolated string",
            Ty::Int => "int",
            Ty::Bool => "bool",
            Ty::Float => "float",
            Ty::Duration => "duration",
            Ty::Schedule => "duration or cron schedule",
            Ty::Mapping => "mapping",
            Ty::List(_) => "list",
            Ty::Dict(_) | Ty::Object(_) => "object",
            Ty::Input => "input",
            Ty::Processor => "processor",
            Ty::Output => "output",
            Ty::Any => "any",
        }
    }

    /// How the type is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Ty::Str | Ty::Interp => "a string",
            Ty::Int => "an integer",
            Ty::Bool => "true or false",
            Ty::Float => "a number",
            Ty::Duration => "a duration such as 5s or 1m30s",
            Ty::Schedule => "a duration, a cron schedule such as `*/5 * * * *`, or empty",
            Ty::Mapping => "a Bloblang mapping",
            Ty::List(_) => "a list",
            Ty::Dict(_) | Ty::Object(_) => "an object",
            Ty::Input => "an input",
            Ty::Processor => "a processor",
            Ty::Output => "an output",
            Ty::Any => "any value",
        }
    }
}

/// One named field of an object.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its key.
    pub name: &'static str,
    /// What it accepts.
    pub ty: Ty,
}

/// Shorthand for a [`Field`].
pub const fn field(name: &'static str, ty: Ty) -> Field {
    Field { name, ty }
}

/// The three kinds of pipeline components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    /// Where messages come from.
    Input,
    /// What changes them.
    Processor,
    /// Where they go.
    Output,
}

impl ComponentKind {
    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::Input => "input",
            ComponentKind::Processor => "processor",
            ComponentKind::Output => "output",
        }
    }

    /// Keys a component object may hold besides its type: every component
    /// has a label; inputs and outputs also take their own processors.
    pub fn extra_keys(self) -> &'static [Field] {
        const LABEL: &[Field] = &[field("label", Ty::Str)];
        const WITH_PROCESSORS: &[Field] = &[
            field("label", Ty::Str),
            field("processors", Ty::List(&Ty::Processor)),
        ];
        match self {
            ComponentKind::Processor => LABEL,
            _ => WITH_PROCESSORS,
        }
    }
}

/// One component type (`http_server`, `mapping`, `broker` …).
#[derive(Debug, Clone, Copy)]
pub struct ComponentSpec {
    /// The type name used as the config key.
    pub name: &'static str,
    /// Input, processor or output.
    pub kind: ComponentKind,
    /// The shape of its config body.
    pub body: Ty,
    /// One line of documentation.
    pub doc: &'static str,
}

/// The fields of the `http` section.
pub const HTTP_FIELDS: &[Field] = &[
    field("enabled", Ty::Bool),
    field("address", Ty::Str),
    field("root_path", Ty::Str),
    field("debug_endpoints", Ty::Bool),
    field("cert_file", Ty::Str),
    field("key_file", Ty::Str),
    field(
        "cors",
        Ty::Object(&[
            field("enabled", Ty::Bool),
            field("allowed_origins", Ty::List(&Ty::Str)),
        ]),
    ),
    field("basic_auth", Ty::Any),
];

/// The fields of the `logger` section.
pub const LOGGER_FIELDS: &[Field] = &[
    field("level", Ty::Str),
    field("format", Ty::Str),
    field("add_timestamp", Ty::Bool),
    field("level_name", Ty::Str),
    field("timestamp_name", Ty::Str),
    field("message_name", Ty::Str),
    field("static_fields", Ty::Dict(&Ty::Str)),
    field("file", Ty::Any),
];

/// The fields of the `pipeline` section.
pub const PIPELINE_FIELDS: &[Field] = &[
    field("threads", Ty::Int),
    field("processors", Ty::List(&Ty::Processor)),
];

/// The top level of a stream file in streams mode: only the pipeline;
/// `http`, `logger`, `metrics` and resources come from the root config.
pub const STREAM_FIELDS: &[Field] = &[
    field("input", Ty::Input),
    field("buffer", Ty::Any),
    field("pipeline", Ty::Object(PIPELINE_FIELDS)),
    field("output", Ty::Output),
];

/// The fields of the `metrics` section: the mapping applied to every
/// series, and the exporters (not checked yet).
pub const METRICS_FIELDS: &[Field] = &[
    field("mapping", Ty::Mapping),
    field("prometheus", Ty::Any),
    field("json_api", Ty::Any),
    field("none", Ty::Any),
    field("logger", Ty::Any),
    field("statsd", Ty::Any),
    field("influxdb", Ty::Any),
    field("cloudwatch", Ty::Any),
    field("aws_cloudwatch", Ty::Any),
];

/// The top level of a config file.
pub const ROOT_FIELDS: &[Field] = &[
    field("http", Ty::Object(HTTP_FIELDS)),
    field("input", Ty::Input),
    field("buffer", Ty::Any),
    field("pipeline", Ty::Object(PIPELINE_FIELDS)),
    field("output", Ty::Output),
    field("input_resources", Ty::List(&Ty::Input)),
    field("processor_resources", Ty::List(&Ty::Processor)),
    field("output_resources", Ty::List(&Ty::Output)),
    field("cache_resources", Ty::List(&Ty::Any)),
    field(
        "rate_limit_resources",
        Ty::List(&Ty::Object(super::components::RATE_LIMIT_RESOURCE_FIELDS)),
    ),
    field("logger", Ty::Object(LOGGER_FIELDS)),
    field("metrics", Ty::Object(METRICS_FIELDS)),
    field("tracer", Ty::Any),
    field("shutdown_delay", Ty::Duration),
    field("shutdown_timeout", Ty::Duration),
    field("tests", Ty::Any),
];

/// Reads Go duration text: an optional sign, then one or more
/// `<number><unit>` groups with units ns, us, µs, ms, s, m, h; or `0`.
/// Negative durations read as zero.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let negative = text.starts_with('-');
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    if s == "0" {
        return Some(std::time::Duration::ZERO);
    }
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let amount: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, seconds) = [
            ("ns", 1e-9),
            ("us", 1e-6),
            ("µs", 1e-6),
            ("μs", 1e-6),
            ("ms", 1e-3),
            ("s", 1.0),
            ("m", 60.0),
            ("h", 3600.0),
        ]
        .into_iter()
        .find(|(u, _)| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total += amount * seconds;
    }
    if negative || !total.is_finite() {
        return Some(std::time::Duration::ZERO);
    }
    std::time::Duration::try_from_secs_f64(total).ok()
}

/// True when `text` is a valid Go duration.
pub fn is_duration(text: &str) -> bool {
    parse_duration(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["5s", "1m30s", "250ms", "0", "1.5h", "-2us", "0s"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "5", "s", "5 s", "1x", "1..5s"] {
            assert!(!is_duration(bad), "{bad}");
        }
        let d = |t| parse_duration(t).map(|d| d.as_millis());
        assert_eq!(d("1m30s"), Some(90_000));
        assert_eq!(d("250ms"), Some(250));
        assert_eq!(d("1.5h"), Some(5_400_000));
    }
}
