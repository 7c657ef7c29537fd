//! The registry of component types the config accepts, with the fields of
//! each (runtime.md §3–5).

use super::schema::{ComponentKind, ComponentSpec, Field, Ty, field};

const fn input(name: &'static str, body: Ty, doc: &'static str) -> ComponentSpec {
    ComponentSpec {
        name,
        kind: ComponentKind::Input,
        body,
        doc,
    }
}

const fn processor(name: &'static str, body: Ty, doc: &'static str) -> ComponentSpec {
    ComponentSpec {
        name,
        kind: ComponentKind::Processor,
        body,
        doc,
    }
}

const fn output(name: &'static str, body: Ty, doc: &'static str) -> ComponentSpec {
    ComponentSpec {
        name,
        kind: ComponentKind::Output,
        body,
        doc,
    }
}

const SYNC_RESPONSE_FIELDS: &[Field] = &[
    field("status", Ty::Interp),
    field("headers", Ty::Dict(&Ty::Interp)),
    field(
        "metadata_headers",
        Ty::Object(&[
            field("include_prefixes", Ty::List(&Ty::Str)),
            field("include_patterns", Ty::List(&Ty::Str)),
        ]),
    ),
];

/// The fields of one `rate_limit_resources` item (only `local` so far).
pub const RATE_LIMIT_RESOURCE_FIELDS: &[Field] = &[
    field("label", Ty::Str),
    field(
        "local",
        Ty::Object(&[field("count", Ty::Int), field("interval", Ty::Duration)]),
    ),
];

const HTTP_SERVER_FIELDS: &[Field] = &[
    field("address", Ty::Str),
    field("path", Ty::Str),
    field("ws_path", Ty::Str),
    field("ws_welcome_message", Ty::Str),
    field("ws_rate_limit_message", Ty::Str),
    field("allowed_verbs", Ty::List(&Ty::Str)),
    field("timeout", Ty::Duration),
    field("rate_limit", Ty::Str),
    field("cert_file", Ty::Str),
    field("key_file", Ty::Str),
    field("cors", Ty::Any),
    field("sync_response", Ty::Object(SYNC_RESPONSE_FIELDS)),
];

const HTTP_CLIENT_FIELDS: &[Field] = &[
    field("url", Ty::Interp),
    field("verb", Ty::Str),
    field("headers", Ty::Dict(&Ty::Interp)),
    field("metadata", Ty::Any),
    field("dump_request_log_level", Ty::Str),
    field("oauth", Ty::Any),
    field("oauth2", Ty::Any),
    field("basic_auth", Ty::Any),
    field("jwt", Ty::Any),
    field("tls", Ty::Any),
    field("extract_headers", Ty::Any),
    field("rate_limit", Ty::Str),
    field("timeout", Ty::Duration),
    field("retry_period", Ty::Duration),
    field("max_retry_backoff", Ty::Duration),
    field("retries", Ty::Int),
    field("follow_redirects", Ty::Bool),
    field("backoff_on", Ty::List(&Ty::Int)),
    field("drop_on", Ty::List(&Ty::Int)),
    field("successful_on", Ty::List(&Ty::Int)),
    field("proxy_url", Ty::Str),
    field("batch_as_multipart", Ty::Bool),
    field("propagate_response", Ty::Bool),
    field("max_in_flight", Ty::Int),
    field("batching", Ty::Any),
    field("multipart", Ty::Any),
];

/// Every component type, inputs first.
pub const COMPONENTS: &[ComponentSpec] = &[
    input(
        "http_server",
        Ty::Object(HTTP_SERVER_FIELDS),
        "Receives messages over HTTP and can answer each request synchronously.",
    ),
    input(
        "stdin",
        Ty::Object(&[
            field("codec", Ty::Str),
            field("scanner", Ty::Any),
            field("max_buffer", Ty::Int),
        ]),
        "Reads messages from standard input, one per line.",
    ),
    input(
        "generate",
        Ty::Object(&[
            field("mapping", Ty::Mapping),
            field("interval", Ty::Schedule),
            field("count", Ty::Int),
            field("batch_size", Ty::Int),
            field("auto_replay_nacks", Ty::Bool),
        ]),
        "Creates messages from a mapping, on an interval or as fast as possible.",
    ),
    input(
        "file",
        Ty::Object(&[
            field("paths", Ty::List(&Ty::Str)),
            field("scanner", Ty::Any),
            field("codec", Ty::Str),
            field("max_buffer", Ty::Int),
            field("delete_on_finish", Ty::Bool),
            field("auto_replay_nacks", Ty::Bool),
        ]),
        "Reads messages from files matched by glob patterns.",
    ),
    input(
        "broker",
        Ty::Object(&[
            field("inputs", Ty::List(&Ty::Input)),
            field("copies", Ty::Int),
            field("batching", Ty::Any),
        ]),
        "Merges several inputs into one stream.",
    ),
    processor(
        "mapping",
        Ty::Mapping,
        "Builds a new document from each message with a Bloblang mapping.",
    ),
    processor(
        "mutation",
        Ty::Mapping,
        "Edits each message in place with a Bloblang mapping.",
    ),
    processor(
        "bloblang",
        Ty::Mapping,
        "The older name of the mapping processor.",
    ),
    processor(
        "sync_response",
        Ty::Object(&[]),
        "Stores the message as it is now as the synchronous response.",
    ),
    processor(
        "switch",
        Ty::List(&Ty::Object(&[
            field("check", Ty::Mapping),
            field("processors", Ty::List(&Ty::Processor)),
            field("fallthrough", Ty::Bool),
        ])),
        "Runs the processors of the first case whose check passes.",
    ),
    processor(
        "branch",
        Ty::Object(&[
            field("request_map", Ty::Mapping),
            field("processors", Ty::List(&Ty::Processor)),
            field("result_map", Ty::Mapping),
        ]),
        "Runs processors on a copy of the message and maps the result back.",
    ),
    processor(
        "log",
        Ty::Object(&[
            field("level", Ty::Str),
            field("message", Ty::Interp),
            field("fields_mapping", Ty::Mapping),
            field("fields", Ty::Dict(&Ty::Interp)),
        ]),
        "Writes a log line for each message.",
    ),
    processor(
        "catch",
        Ty::List(&Ty::Processor),
        "Runs processors only on messages flagged with an error, then clears the flag.",
    ),
    output(
        "sync_response",
        Ty::Object(&[]),
        "Answers the input that produced the message with it.",
    ),
    output(
        "broker",
        Ty::Object(&[
            field("outputs", Ty::List(&Ty::Output)),
            field("pattern", Ty::Str),
            field("copies", Ty::Int),
            field("batching", Ty::Any),
        ]),
        "Sends messages to several outputs with a fan-out or balancing pattern.",
    ),
    output(
        "http_client",
        Ty::Object(HTTP_CLIENT_FIELDS),
        "Sends each message to an HTTP server, with retries.",
    ),
    output(
        "stdout",
        Ty::Object(&[field("codec", Ty::Str)]),
        "Writes messages to standard output, one per line.",
    ),
    output(
        "file",
        Ty::Object(&[field("path", Ty::Interp), field("codec", Ty::Str)]),
        "Writes messages to files.",
    ),
    output(
        "drop",
        Ty::Object(&[]),
        "Accepts messages and discards them.",
    ),
];

/// The component types of one kind.
pub fn of_kind(kind: ComponentKind) -> impl Iterator<Item = &'static ComponentSpec> {
    COMPONENTS.iter().filter(move |c| c.kind == kind)
}

/// The spec of component `name` of `kind`.
pub fn find(kind: ComponentKind, name: &str) -> Option<&'static ComponentSpec> {
    of_kind(kind).find(|c| c.name == name)
}
