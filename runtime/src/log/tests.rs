use super::*;

fn parse(yaml: &str) -> Result<Logger, String> {
    let root = crate::config::node::parse(yaml).map_err(|e| e.message)?;
    Logger::from_config(root.get("logger"))
}
#[test]
fn levels_filter_and_parse() {
    let l = parse("logger:\n  level: warn\n").expect("valid");
    assert!(l.enabled(Level::Error) && l.enabled(Level::Warn));
    assert!(!l.enabled(Level::Info) && !l.enabled(Level::Off));
    let off = parse("logger:\n  level: OFF\n").expect("valid");
    assert!(!off.enabled(Level::Error));
    assert_eq!(Level::parse("Trace"), Some(Level::Trace));
    assert_eq!(Level::parse("FATAL"), Some(Level::Error));
    assert!(parse("logger:\n  level: LOUD\n").is_err());
    assert!(parse("logger:\n  format: xml\n").is_err());
    assert_eq!(parse("").expect("defaults").level, Level::Info);
}

#[test]
fn logfmt_lines_quote_when_needed() {
    let l = Logger::default();
    assert_eq!(
        l.format_line(
            Level::Info,
            "hello world",
            &[("path", Value::str("root.input")), ("n", Value::Int(3))]
        ),
        "level=info msg=\"hello world\" @service=tarn path=root.input n=3\n"
    );
    assert_eq!(
        l.format_line(Level::Error, "a=b", &[("e", Value::str(""))]),
        "level=error msg=\"a=b\" @service=tarn e=\"\"\n"
    );
}

#[test]
fn json_lines_with_custom_names_and_static_fields() {
    let l = parse(
        "logger:\n  format: json\n  level_name: severity\n  message_name: message\n  static_fields:\n    app: demo\n",
    )
    .expect("valid");
    assert_eq!(
        l.format_line(
            Level::Debug,
            "say \"hi\"",
            &[("n", Value::Int(2)), ("app", Value::str("override"))]
        ),
        "{\"severity\":\"debug\",\"message\":\"say \\\"hi\\\"\",\"n\":2,\"app\":\"override\"}\n"
    );
}

#[test]
fn timestamps_come_first() {
    let l = parse("logger:\n  format: json\n  add_timestamp: true\n").expect("valid");
    let line = l.format_line(Level::Info, "x", &[]);
    assert!(line.starts_with("{\"time\":\"20"), "{line}");
    assert!(line.contains("Z\",\"level\":\"info\""), "{line}");
}

/// Runs `f` with a subscriber whose only layer formats with `logger`
/// into memory, and gives what it printed.
fn captured(logger: Logger, f: impl FnOnce()) -> String {
    use tracing_subscriber::layer::SubscriberExt as _;
    // The `log` bridge is process-wide; its records go to the scoped
    // subscriber below.
    install();
    let (layer, out) = LogLayer::capture(logger);
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        tracing::callsite::rebuild_interest_cache();
        f()
    });
    out.text()
}

#[test]
fn other_crates_events_and_log_records_are_formatted_by_the_layer() {
    let text = captured(Logger::default(), || {
        tracing::info!(target: "rdkafka::client", broker = 3, "connected");
        tracing::warn!(target: "rdkafka::client", broker = 3, retry = true, "lost the broker");
        ::log::info!(target: "lapin::channel", "opened {}", 7);
        ::log::warn!(target: "lapin::channel", "closed {}", 7);
        tracing::info!(target: "tarn", label = "in", path = "root.input", "hello");
        tracing::debug!(target: "tarn", "hidden at INFO");
    });
    assert_eq!(
        text,
        "level=warn msg=\"lost the broker\" @service=tarn target=rdkafka::client broker=3 retry=true\n\
         level=warn msg=\"closed 7\" @service=tarn target=lapin::channel\n\
         level=info msg=hello @service=tarn label=in path=root.input\n",
        "other crates pass from WARN at INFO; the runtime's from INFO"
    );
}

#[test]
fn at_debug_other_crates_pass_too_in_json() {
    let logger = Logger {
        level: Level::Debug,
        format: Format::Json,
        ..Logger::default()
    };
    let text = captured(logger, || {
        ::log::info!(target: "sqlx::query", "select {}", 1);
        tracing::debug!(target: "hyper::proto::h1", bytes = 12u64, ratio = 0.5, "read");
        tracing::trace!(target: "hyper::proto::h1", "too detailed");
    });
    assert_eq!(
        text,
        "{\"level\":\"info\",\"msg\":\"select 1\",\"@service\":\"tarn\",\"target\":\"sqlx::query\"}\n\
         {\"level\":\"debug\",\"msg\":\"read\",\"@service\":\"tarn\",\"target\":\"hyper::proto::h1\",\"bytes\":12,\"ratio\":0.5}\n"
    );
}

#[test]
fn the_runtime_functions_go_through_tracing_with_their_fields() {
    let text = captured(Logger::default(), || {
        error_with(
            &[("label", "in"), ("path", "root.input"), ("stream", "s1")],
            "it broke",
        );
        log(Level::Warn, "counted", &[("n", Value::Int(3))]);
        debug("not at INFO");
    });
    assert_eq!(
        text,
        "level=error msg=\"it broke\" @service=tarn label=in path=root.input stream=s1\n\
         level=warn msg=counted @service=tarn n=3\n"
    );
}

#[test]
fn level_policy_for_other_crates() {
    let at = |level| Logger {
        level,
        ..Logger::default()
    };
    assert!(at(Level::Info).allows(Level::Info, "tarn_runtime::stream"));
    assert!(!at(Level::Info).allows(Level::Info, "hyper"));
    assert!(at(Level::Info).allows(Level::Warn, "hyper"));
    assert!(!at(Level::Error).allows(Level::Warn, "hyper"));
    assert!(at(Level::Debug).allows(Level::Debug, "hyper"));
    assert!(!at(Level::Debug).allows(Level::Trace, "hyper"));
    assert!(at(Level::Trace).allows(Level::Trace, "hyper"));
    assert!(!at(Level::Off).allows(Level::Error, "tarn"));
    assert!(!at(Level::Info).allows(Level::Info, "tarnish"));
}

#[test]
fn the_typed_config_refuses_unknown_fields_and_bad_values() {
    let typed = |v: serde_json::Value| serde_json::from_value::<LoggerConfig>(v);
    assert!(typed(serde_json::json!({"levle": "INFO"})).is_err());
    assert!(typed(serde_json::json!({"file": {"paht": "x"}})).is_err());
    let bad = |v: serde_json::Value| {
        Logger::from_typed(typed(v).expect("shape"))
            .expect_err("refused")
            .to_string()
    };
    assert!(
        bad(serde_json::json!({"level": "LOUD"})).starts_with("logger.level: `LOUD` is not one of")
    );
    assert_eq!(
        bad(serde_json::json!({"file": {"rotate": true}})),
        "logger.file.rotate: needs `logger.file.path`"
    );
    assert_eq!(
        bad(serde_json::json!({"file": {"path": "/tmp/x.log", "rotate_max_age_days": -1}})),
        "logger.file.rotate_max_age_days: must be 0 or more, not -1"
    );
    let dir = std::env::temp_dir().join(format!("tarn-logcfg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let absent = dir.join("absent").join("x.log");
    let missing = bad(serde_json::json!({"file": {"path": absent.to_str().expect("utf-8")}}));
    assert!(
        missing.starts_with(&format!(
            "logger.file.path: the directory `{}` does not exist",
            absent.parent().expect("parent").display()
        )),
        "{missing}"
    );
    let l = Logger::from_typed(
        typed(serde_json::json!({"level": "all", "format": "json", "level_name": "", "static_fields": {"b": "2", "a": "1"}}))
            .expect("shape"),
    )
    .expect("valid");
    assert_eq!(
        (l.level, l.format, l.level_name.as_str()),
        (Level::Trace, Format::Json, "level")
    );
    assert_eq!(
        l.static_fields,
        vec![("a".into(), "1".into()), ("b".into(), "2".into())]
    );
    // Numbers in YAML read as text where text is wanted.
    let l = parse("logger:\n  static_fields:\n    n: 1\n").expect("valid");
    assert_eq!(l.static_fields, vec![("n".into(), "1".into())]);
}

#[test]
fn logger_file_receives_the_lines_instead_of_stderr() {
    let dir = std::env::temp_dir().join(format!("tarn-logfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("svc.log");
    let _ = std::fs::remove_file(&path);
    let yaml = format!(
        "logger:\n  format: json\n  file:\n    path: '{}'\n",
        path.display()
    );
    let logger = parse(&yaml).expect("valid");
    assert_eq!(logger.file.as_ref().map(|f| f.path()), path.to_str());
    logger.log(Level::Info, "to the file", &[("n", Value::Int(1))]);
    logger.log(Level::Debug, "filtered", &[]);
    logger.flush();
    assert_eq!(
        std::fs::read_to_string(&path).expect("written"),
        "{\"level\":\"info\",\"msg\":\"to the file\",\"@service\":\"tarn\",\"n\":1}\n"
    );
}
