use super::*;

/// Settings for histogram timings over `buckets`.
fn histogram_mode(buckets: &[f64]) -> MetricsSettings {
    MetricsSettings {
        histogram_buckets: Some(Arc::from(buckets)),
        ..MetricsSettings::default()
    }
}

#[test]
fn counters_are_shared_per_name_and_labels() {
    let m = Metrics::default();
    let a = m.counter("x_total", &[("label", "a"), ("path", "root.input")]);
    a.add(2);
    m.counter("x_total", &[("label", "a"), ("path", "root.input")])
        .add(3);
    m.counter("x_total", &[("label", "b"), ("path", "root.input")])
        .add(1);
    assert_eq!(a.get(), 5);
    assert_eq!(
        m.render(),
        "# HELP x_total Benthos Counter metric\n# TYPE x_total counter\n\
             x_total{label=\"a\",path=\"root.input\"} 5\n\
             x_total{label=\"b\",path=\"root.input\"} 1\n"
    );
}

#[test]
fn histogram_timings_render_cumulative_buckets_sum_and_count_in_seconds() {
    let m = Metrics::default();
    m.configure(histogram_mode(&DEFAULT_BUCKETS));
    let h = m.histogram("t_ns", &[("path", "p")]);
    h.observe(Duration::from_millis(3));
    h.observe(Duration::from_millis(20));
    h.observe(Duration::from_secs(60));
    let text = m.render();
    assert!(text.starts_with("# HELP t_ns Benthos Timing metric\n# TYPE t_ns histogram\n"));
    for line in [
        "t_ns_bucket{path=\"p\",le=\"0.005\"} 1\n",
        "t_ns_bucket{path=\"p\",le=\"0.01\"} 1\n",
        "t_ns_bucket{path=\"p\",le=\"0.025\"} 2\n",
        "t_ns_bucket{path=\"p\",le=\"10\"} 2\n",
        "t_ns_bucket{path=\"p\",le=\"+Inf\"} 3\n",
        "t_ns_sum{path=\"p\"} 60.023\n",
        "t_ns_count{path=\"p\"} 3\n",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert_eq!(h.count(), 3);
}

#[test]
fn label_values_are_escaped_and_families_sorted() {
    let m = Metrics::default();
    m.counter("b", &[]).add(1);
    m.counter("a", &[("label", "q\"uo\\te\nx")]).add(7);
    assert_eq!(
        m.render(),
        "# HELP a Benthos Counter metric\n# TYPE a counter\na{label=\"q\\\"uo\\\\te\\nx\"} 7\n\
             # HELP b Benthos Counter metric\n# TYPE b counter\nb 1\n"
    );
}

fn program(src: &str) -> Option<Arc<Program>> {
    Some(Arc::new(
        tarn_lang::Env::standard().compile(src).expect("compiles"),
    ))
}

#[test]
fn scopes_label_series_nest_and_restore() {
    let m = Metrics::default();
    let l = [("label", "in"), ("path", "root.input")];
    scoped("a", || {
        m.counter("c", &l).add(1);
        scoped("b", || m.counter("c", &l).add(2));
        assert_eq!(current_stream().as_deref(), Some("a"));
        m.counter("c", &l).add(3);
    });
    assert_eq!(current_stream(), None);
    m.counter("c", &l).add(10);
    let unwound = std::panic::catch_unwind(|| scoped("x", || panic!("boom")));
    assert!(unwound.is_err());
    assert_eq!(current_stream(), None);
    let text = m.render();
    for line in [
        "c{label=\"in\",path=\"root.input\",stream=\"a\"} 4\n",
        "c{label=\"in\",path=\"root.input\",stream=\"b\"} 2\n",
        "c{label=\"in\",path=\"root.input\"} 10\n",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert!(m.stream_has_series("a") && m.stream_has_series("b"));
    assert!(!m.stream_has_series("x"));
}

#[test]
fn removing_a_stream_forgets_only_its_series() {
    let m = Metrics::default();
    let l = [("path", "p")];
    let old = scoped("s", || m.counter("sent", &l));
    old.add(4);
    // A replaced stream registers the same series: it continues.
    let again = scoped("s", || m.counter("sent", &l));
    again.add(1);
    assert_eq!(old.get(), 5);
    scoped("t", || m.histogram("lat_ns", &l));
    m.counter("global", &[]);
    m.remove_stream("s");
    assert!(!m.stream_has_series("s"));
    assert!(m.stream_has_series("t"));
    let text = m.render();
    assert!(!text.contains("sent"), "{text}");
    assert!(
        text.contains("lat_ns_count{path=\"p\",stream=\"t\"} 0\n"),
        "{text}"
    );
    assert!(text.contains("global 0\n"), "{text}");
    // Registered anew after removal: from zero.
    assert_eq!(scoped("s", || m.counter("sent", &l)).get(), 0);
}

#[test]
fn mapping_renames_drops_relabels_and_keeps() {
    let m = Metrics::default();
    m.set_mapping(program(
        r#"root = match this {
  "input_received" => "tarn_input_received"
  "output_error" => deleted()
}
meta path = deleted()
meta env = "test""#,
    ));
    let l = [("label", "in"), ("path", "root.input")];
    m.counter("input_received", &l).add(3);
    let dropped = m.counter("output_error", &l);
    dropped.add(9);
    assert_eq!(dropped.get(), 9);
    scoped("s1", || m.histogram("output_latency_ns", &l));
    let text = m.render();
    assert!(
        text.contains("tarn_input_received{label=\"in\",env=\"test\"} 3\n"),
        "{text}"
    );
    assert!(!text.contains("\ninput_received"), "{text}");
    assert!(!text.contains("output_error"), "{text}");
    assert!(
        text.contains("output_latency_ns_count{label=\"in\",stream=\"s1\",env=\"test\"} 0\n"),
        "{text}"
    );
    // The renamed series is shared by a second registration.
    assert_eq!(m.counter("input_received", &l).get(), 3);
    // Owned by its stream even though the mapping ran.
    assert!(m.stream_has_series("s1"));
    assert!(m.stream_stats("s1").contains("\"output_latency_ns\":{"));
}

#[test]
fn mapping_errors_keep_the_original_series() {
    let m = Metrics::default();
    m.set_mapping(program(
        r#"root = if this == "a" { throw("no") } else { 42 }"#,
    ));
    m.counter("a", &[("path", "p")]).add(1);
    m.counter("b", &[]).add(2);
    m.set_mapping(None);
    m.counter("c", &[]).add(3);
    assert_eq!(
        m.render(),
        "# HELP a Benthos Counter metric\n# TYPE a counter\na{path=\"p\"} 1\n\
             # HELP b Benthos Counter metric\n# TYPE b counter\nb 2\n\
             # HELP c Benthos Counter metric\n# TYPE c counter\nc 3\n"
    );
}

#[test]
fn a_name_keeps_one_kind() {
    let m = Metrics::default();
    m.set_mapping(program(r#"root = "same""#));
    m.counter("x", &[("k", "1")]).add(1);
    let h = m.histogram("y", &[("k", "2")]);
    h.observe(Duration::from_millis(1));
    let text = m.render();
    assert!(!text.contains("summary"), "{text}");
    assert!(text.contains("same{k=\"1\"} 1\n"), "{text}");
}

#[test]
fn stream_stats_sum_the_stream_series() {
    let m = Metrics::default();
    scoped("s", || {
        m.counter("processor_sent", &[("path", "a")]).add(2);
        m.counter("processor_sent", &[("path", "b")]).add(3);
        let h = m.histogram("output_latency_ns", &[("path", "o")]);
        h.observe(Duration::from_millis(20));
        h.observe(Duration::from_millis(40));
    });
    scoped("other", || m.counter("processor_sent", &[]).add(100));
    m.counter("processor_sent", &[]).add(1000);
    let stats: serde_json::Value = serde_json::from_str(&m.stream_stats("s")).expect("JSON");
    assert_eq!(stats["processor_sent"], 5);
    let lat = &stats["output_latency_ns"];
    assert_eq!(
        (lat["count"].as_u64(), lat["sum_ns"].as_u64()),
        (Some(2), Some(60_000_000))
    );
    let within = |key: &str, want: f64| {
        let got = lat[key].as_f64().expect("a number");
        assert!((got - want).abs() <= want * 0.01, "{key}: {got} for {want}");
    };
    // The nearest rank of two: the first for p50, the second above.
    within("p50_ns", 20e6);
    within("p90_ns", 40e6);
    within("p99_ns", 40e6);
    assert_eq!(
        stats
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec![
            "output_latency_ns".to_string(),
            "processor_sent".to_string()
        ])
    );
    assert_eq!(m.stream_stats("missing"), "{}");
}

/// The value of the line starting with `series ` in `text`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .expect("a number")
}

#[test]
fn timings_are_summaries_with_quantiles_in_nanoseconds() {
    let m = Metrics::default();
    let h = m.histogram("proc_latency_ns", &[("path", "p")]);
    // One fast request: all quantiles are its 29 µs, not a bucket's guess.
    h.observe(Duration::from_micros(29));
    let text = m.render();
    assert!(
        text.starts_with(
            "# HELP proc_latency_ns Benthos Timing metric\n# TYPE proc_latency_ns summary\n"
        ),
        "{text}"
    );
    for q in ["0.5", "0.9", "0.99"] {
        let series = format!("proc_latency_ns{{path=\"p\",quantile=\"{q}\"}}");
        assert_eq!(sample(&text, &series), 29_000.0, "{series}");
    }
    assert_eq!(sample(&text, "proc_latency_ns_sum{path=\"p\"}"), 29_000.0);
    assert_eq!(sample(&text, "proc_latency_ns_count{path=\"p\"}"), 1.0);
    // 1..=1000 µs: p50 500 µs, p90 900 µs, p99 990 µs, each to 1%.
    let wide = m.histogram("wide_ns", &[]);
    for us in 1..=1000 {
        wide.observe(Duration::from_micros(us));
    }
    let text = m.render();
    for (q, want) in [("0.5", 500e3), ("0.9", 900e3), ("0.99", 990e3)] {
        let got = sample(&text, &format!("wide_ns{{quantile=\"{q}\"}}"));
        assert!((got - want).abs() <= want * 0.01, "q {q}: {got}");
    }
    assert_eq!(sample(&text, "wide_ns_sum"), 500_500_000.0);
    // No observation yet: NaN quantiles, as Prometheus clients print.
    m.histogram("idle_ns", &[]);
    assert!(m.render().contains("idle_ns{quantile=\"0.5\"} NaN\n"));
}

#[test]
fn configured_quantiles_and_buckets() {
    let m = Metrics::default();
    m.configure(MetricsSettings {
        quantiles: Arc::from([0.25, 1.0]),
        ..MetricsSettings::default()
    });
    m.histogram("t_ns", &[]).observe(Duration::from_millis(2));
    let text = m.render();
    assert!(text.contains("t_ns{quantile=\"0.25\"} 2000000\n"), "{text}");
    assert!(text.contains("t_ns{quantile=\"1\"} 2000000\n"), "{text}");
    let m = Metrics::default();
    m.configure(histogram_mode(&[0.001, 0.002]));
    let h = m.histogram("t_ns", &[]);
    // Bounds are inclusive: 1 ms counts in `le="0.001"`.
    for ms in [1, 2, 3] {
        h.observe(Duration::from_millis(ms));
    }
    let text = m.render();
    for line in [
        "# TYPE t_ns histogram\n",
        "t_ns_bucket{le=\"0.001\"} 1\n",
        "t_ns_bucket{le=\"0.002\"} 2\n",
        "t_ns_bucket{le=\"+Inf\"} 3\n",
        "t_ns_sum 0.006\n",
        "t_ns_count 3\n",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
}

#[test]
fn gauges_go_up_and_down() {
    let m = Metrics::default();
    let g = m.gauge("in_flight", &[("label", "x")]);
    g.set(5.0);
    g.add(-1.5);
    m.gauge("in_flight", &[("label", "x")]).add(0.5);
    assert_eq!(g.get(), 4.0);
    assert_eq!(
        m.render(),
        "# HELP in_flight Benthos Gauge metric\n# TYPE in_flight gauge\nin_flight{label=\"x\"} 4\n"
    );
    // A name keeps its kind: a counter of the same name is detached.
    let c = m.counter("in_flight", &[("label", "y")]);
    c.add(1);
    assert!(!m.render().contains("label=\"y\""));
}

#[test]
fn the_metrics_facade_lands_in_the_registry() {
    let m = Metrics::default();
    m.set_mapping(program(
        r#"root = if this == "dropped_total" { deleted() }"#,
    ));
    metrics::with_local_recorder(&m, || {
        metrics::describe_counter!("rows_total", "Rows written by the SQL client");
        metrics::counter!("rows_total", "table" => "users").increment(3);
        metrics::counter!("rows_total", "table" => "users").increment(2);
        metrics::counter!("dropped_total").increment(9);
        metrics::gauge!("pool_size").set(4.0);
        metrics::gauge!("pool_size").decrement(1.0);
        scoped("s1", || metrics::histogram!("batch_bytes").record(512.0));
    });
    let text = m.render();
    for line in [
        "# HELP rows_total Rows written by the SQL client\n# TYPE rows_total counter\n",
        "rows_total{table=\"users\"} 5\n",
        "pool_size 3\n",
        "# TYPE batch_bytes summary\n",
        "batch_bytes{stream=\"s1\",quantile=\"0.5\"} 512\n",
        "batch_bytes_sum{stream=\"s1\"} 512\n",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert!(!text.contains("dropped_total"), "{text}");
    // Plain histograms keep their unit in the stream's stats.
    let stats: serde_json::Value = serde_json::from_str(&m.stream_stats("s1")).expect("JSON");
    assert_eq!(stats["batch_bytes"]["p50"], 512.0, "{stats}");
    assert_eq!(stats["batch_bytes"]["count"], 1, "{stats}");
    m.remove_stream("s1");
    assert!(!m.render().contains("batch_bytes"));
}

#[test]
fn the_global_registry_is_the_process_recorder() {
    let before = global().counter("facade_global_test_total", &[]).get();
    metrics::counter!("facade_global_test_total").increment(2);
    assert_eq!(
        global().counter("facade_global_test_total", &[]).get(),
        before + 2
    );
}

#[test]
fn json_api_and_none_exporters() {
    let m = Metrics::default();
    m.configure(MetricsSettings {
        exporter: Exporter::JsonApi,
        ..MetricsSettings::default()
    });
    m.counter(
        "input_received",
        &[("path", "root.input"), ("label", "é\"")],
    )
    .add(2);
    m.histogram("input_latency_ns", &[])
        .observe(Duration::from_micros(40));
    let (content_type, body) = m.exposition();
    assert_eq!(content_type, "application/json");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        v["input_received{label=\"\\u00e9\\\"\",path=\"root.input\"}"], 2,
        "{body}"
    );
    assert_eq!(v["input_latency_ns"]["p99"], 40_000.0, "{body}");
    let none = Metrics::default();
    none.configure(MetricsSettings {
        exporter: Exporter::None,
        ..MetricsSettings::default()
    });
    let c = none.counter("x", &[]);
    c.add(1);
    assert_eq!(c.get(), 1, "a detached counter still counts");
    assert_eq!(none.exposition().1, "");
    assert!(!none.stream_has_series("x"));
}

fn validate(yaml: &str) -> Result<MetricsSettings, MetricsConfigError> {
    let root = crate::config::node::parse(yaml).expect("YAML");
    MetricsConfig::from_config(root.get("metrics"))?.validate()
}

#[test]
fn metrics_config_validates_every_field() {
    let s = validate("").expect("defaults");
    assert_eq!(s.exporter, Exporter::Prometheus);
    assert_eq!(&*s.quantiles, &[0.5, 0.9, 0.99]);
    assert!(s.histogram_buckets.is_none());
    let s = validate(
        "metrics:\n  mapping: 'root = this'\n  prometheus:\n    use_histogram_timing: true\n",
    )
    .expect("valid");
    assert_eq!(s.histogram_buckets.as_deref(), Some(&DEFAULT_BUCKETS[..]));
    let s = validate("metrics:\n  prometheus:\n    use_histogram_timing: true\n    histogram_buckets: [0.1, 1]\n").expect("valid");
    assert_eq!(s.histogram_buckets.as_deref(), Some(&[0.1, 1.0][..]));
    let s = validate("metrics:\n  prometheus:\n    summary_quantiles_objectives:\n      - quantile: 0.75\n        error: 0.01\n").expect("valid");
    assert_eq!(&*s.quantiles, &[0.75]);
    assert_eq!(
        validate("metrics:\n  json_api: {}\n")
            .expect("valid")
            .exporter,
        Exporter::JsonApi
    );
    assert_eq!(
        validate("metrics:\n  none:\n").expect("valid").exporter,
        Exporter::None
    );
    for (yaml, path, message) in [
        (
            "prometheus:\n    push_url: http://gw:9091",
            "metrics.prometheus.push_url",
            "`push_url` is not supported yet",
        ),
        (
            "prometheus:\n    push_job_name: x",
            "metrics.prometheus.push_job_name",
            "`push_job_name` is not supported yet",
        ),
        (
            "prometheus:\n    push_basic_auth: {username: u}",
            "metrics.prometheus.push_basic_auth",
            "`push_basic_auth` is not supported yet",
        ),
        (
            "prometheus:\n    file_output_path: /tmp/m",
            "metrics.prometheus.file_output_path",
            "`file_output_path` is not supported yet",
        ),
        (
            "prometheus:\n    add_process_metrics: true",
            "metrics.prometheus.add_process_metrics",
            "`add_process_metrics` is not supported yet",
        ),
        (
            "prometheus:\n    histogram_buckets: [1]",
            "metrics.prometheus.histogram_buckets",
            "only applies with `use_histogram_timing: true`",
        ),
        (
            "prometheus:\n    use_histogram_timing: true\n    histogram_buckets: [2, 1]",
            "metrics.prometheus.histogram_buckets",
            "the bounds must be finite numbers in increasing order",
        ),
        (
            "statsd: {address: x}",
            "metrics.statsd",
            "the `statsd` metrics exporter is not supported yet",
        ),
        (
            "logger: {}",
            "metrics.logger",
            "the `logger` metrics exporter is not supported yet",
        ),
        (
            "open_telemetry_collector: {}",
            "metrics.open_telemetry_collector",
            "the `open_telemetry_collector` metrics exporter is not supported yet",
        ),
        (
            "prometheus: {}\n  json_api: {}",
            "metrics.json_api",
            "only one exporter may be set, and `prometheus` already is",
        ),
    ] {
        let e = validate(&format!("metrics:\n  {yaml}\n")).expect_err(yaml);
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            (path, message),
            "{yaml}"
        );
    }
    assert!(validate("metrics:\n  prometheus:\n    add_go_metrics: true\n").is_err());
    let unknown = validate("metrics:\n  prometheus:\n    use_histogram_timings: true\n")
        .expect_err("unknown");
    assert!(
        unknown.message.contains("use_histogram_timings"),
        "{unknown}"
    );
}
