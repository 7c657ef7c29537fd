//! Turns a checked config tree into runnable components.

use crate::config::node::{Node, NodeKind};
use crate::config::schema::parse_duration;
use crate::input::{HttpServerInput, Input};
use crate::log::{Level, LogProcessor, Logger};
use crate::metrics::{self, InputMetrics, OutputMetrics, ProcessorMetrics};
use crate::output::{Output, Pattern};
use crate::processor::{Branch, Processor, SwitchCase};
use crate::ratelimit::RateLimits;
use std::sync::Arc;
use std::time::Duration;
use tarn_lang::{Env, Interpolation, Mode};
use tokio::sync::Mutex;

/// The service HTTP server's settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Serve at all.
    pub enabled: bool,
    /// `host:port`.
    pub address: String,
    /// Every endpoint is also served under this prefix.
    pub root_path: String,
    /// HTTPS, when `cert_file` and `key_file` are set.
    pub tls: Option<crate::http::tls::TlsConfig>,
    /// `cors` and `basic_auth` around every endpoint.
    pub layers: crate::http::Layers,
}

/// A whole pipeline, ready to run.
#[derive(Debug)]
pub struct StreamConfig {
    /// Where messages come from.
    pub input: Input,
    /// The input's own processors, then the pipeline's.
    pub processors: Vec<Processor>,
    /// Where messages go.
    pub output: Arc<Output>,
    /// Pipeline workers.
    pub threads: usize,
    /// The service server.
    pub http: HttpConfig,
    /// How long shutdown may take to finish in-flight work.
    pub shutdown_timeout: Duration,
    /// The `logger` section.
    pub logger: Logger,
    /// The input's metrics.
    pub input_metrics: InputMetrics,
}

fn text<'a>(node: Option<&'a Node>, default: &'a str) -> &'a str {
    node.and_then(Node::as_str)
        .filter(|_| !node.is_some_and(Node::is_null))
        .unwrap_or(default)
}

fn number<T: std::str::FromStr>(node: Option<&Node>, default: T) -> T {
    node.and_then(Node::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn duration(node: Option<&Node>, default: Duration) -> Duration {
    node.and_then(Node::as_str)
        .and_then(parse_duration)
        .unwrap_or(default)
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items,
        _ => &[],
    }
}

/// The type key, body and label of a component object.
fn parts<'a>(node: &'a Node, path: &str) -> Result<(&'a str, &'a Node, String), String> {
    let NodeKind::Map(pairs) = &node.kind else {
        return Err(format!("{path}: expected a component object"));
    };
    let label = text(node.get("label"), "").to_string();
    pairs
        .iter()
        .find_map(|(k, v)| {
            k.as_str()
                .filter(|name| !matches!(*name, "label" | "processors"))
                .map(|name| (name, v, label.clone()))
        })
        .ok_or_else(|| format!("{path}: no component type given"))
}

fn interpolation(src: &str, path: &str) -> Result<Interpolation, String> {
    Env::standard()
        .compile_interpolation(src)
        .map_err(|d| format!("{path}: {}", d.short()))
}

/// An object of interpolated strings (headers, log fields); `None` when
/// the field is absent or not an object.
fn interpolated_map(
    node: Option<&Node>,
    here: &str,
) -> Result<Option<Vec<(String, Interpolation)>>, String> {
    let Some(NodeKind::Map(pairs)) = node.map(|n| &n.kind) else {
        return Ok(None);
    };
    pairs
        .iter()
        .map(|(k, v)| {
            let name = k.as_str().unwrap_or("").to_string();
            interpolation(v.as_str().unwrap_or(""), here).map(|i| (name, i))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Builds a processor list.
pub fn processors(list: Option<&Node>, path: &str) -> Result<Vec<Processor>, String> {
    items(list)
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let here = format!("{path}.{i}");
            let metrics = ProcessorMetrics::new(
                metrics::global(),
                text(n.get("label"), ""),
                &format!("root.{here}"),
            );
            processor(n, &here).map(|p| Processor::Observed(Box::new(p), metrics))
        })
        .collect()
}

fn processor(node: &Node, path: &str) -> Result<Processor, String> {
    let (kind, body, label) = parts(node, path)?;
    let here = format!("{path}.{kind}");
    Ok(match kind {
        "mapping" | "bloblang" | "mutation" => {
            let src = body.as_str().unwrap_or("");
            let program = Env::standard()
                .compile(src)
                .map_err(|d| format!("{here}: {}", d.short()))?;
            Processor::Mapping {
                program: Arc::new(program),
                mode: if kind == "mutation" {
                    Mode::Mutation
                } else {
                    Mode::Mapping
                },
                source: tarn_lang::ErrorSource {
                    name: kind.to_string(),
                    label,
                    path: here,
                },
            }
        }
        "sync_response" => Processor::SyncResponse,
        "catch" => Processor::Catch(processors(Some(body), &here)?),
        "log" => Processor::Log(LogProcessor {
            level: {
                let l = text(body.get("level"), "INFO");
                Level::parse(l).ok_or_else(|| format!("{here}.level: `{l}` is not a log level"))?
            },
            message: interpolation(text(body.get("message"), ""), &here)?,
            fields_mapping: match body.get("fields_mapping").and_then(Node::as_str) {
                Some(src) => {
                    Some(Arc::new(Env::standard().compile(src).map_err(|d| {
                        format!("{here}.fields_mapping: {}", d.short())
                    })?))
                }
                None => None,
            },
            fields: interpolated_map(body.get("fields"), &here)?.unwrap_or_default(),
            label,
            path: format!("root.{path}"),
        }),
        "switch" => Processor::Switch(
            items(Some(body))
                .iter()
                .enumerate()
                .map(|(i, case)| {
                    let at = format!("{here}.{i}");
                    Ok(SwitchCase {
                        check: optional_mapping(case.get("check"), &format!("{at}.check"))?,
                        processors: processors(
                            case.get("processors"),
                            &format!("{at}.processors"),
                        )?,
                        fallthrough: text(case.get("fallthrough"), "false") == "true",
                    })
                })
                .collect::<Result<_, String>>()?,
        ),
        "branch" => Processor::Branch(Box::new(Branch {
            request_map: optional_mapping(body.get("request_map"), &format!("{here}.request_map"))?,
            processors: processors(body.get("processors"), &format!("{here}.processors"))?,
            result_map: optional_mapping(body.get("result_map"), &format!("{here}.result_map"))?,
            source: tarn_lang::ErrorSource {
                name: "branch".to_string(),
                label,
                path: here.clone(),
            },
        })),
        other => {
            return Err(format!(
                "{here}: the `{other}` processor is not supported yet"
            ));
        }
    })
}

/// A mapping field; `None` when it is absent or blank.
fn optional_mapping(
    node: Option<&Node>,
    path: &str,
) -> Result<Option<Arc<tarn_lang::Program>>, String> {
    let src = text(node, "");
    if src.trim().is_empty() {
        return Ok(None);
    }
    Env::standard()
        .compile(src)
        .map(|p| Some(Arc::new(p)))
        .map_err(|d| format!("{path}: {}", d.short()))
}

fn output(node: &Node, path: &str) -> Result<Arc<Output>, String> {
    let (kind, body, label) = parts(node, path)?;
    let here = format!("{path}.{kind}");
    let out = match kind {
        "stdout" => Output::Stdout,
        "drop" => Output::Drop,
        "sync_response" => Output::SyncResponse,
        "file" => Output::File {
            path: interpolation(text(body.get("path"), ""), &here)?,
            lock: Mutex::new(()),
        },
        "broker" => {
            let name = text(body.get("pattern"), "fan_out");
            let pattern = Pattern::from_name(name).ok_or_else(|| {
                format!("{here}.pattern: the `{name}` pattern is not supported yet")
            })?;
            let outputs = items(body.get("outputs"))
                .iter()
                .enumerate()
                .map(|(i, n)| output(n, &format!("{here}.outputs.{i}")))
                .collect::<Result<Vec<_>, _>>()?;
            Output::Broker {
                pattern,
                load: crate::output::BrokerLoad::new(outputs.len()),
                outputs,
            }
        }
        "http_client" => Output::HttpClient(Arc::new(http_client(body, &here)?)),
        other => return Err(format!("{here}: the `{other}` output is not supported yet")),
    };
    let out = Output::Observed(
        Arc::new(out),
        OutputMetrics::new(metrics::global(), &label, &format!("root.{path}")),
    );
    let procs = processors(node.get("processors"), &format!("{path}.processors"))?;
    Ok(if procs.is_empty() {
        Arc::new(out)
    } else {
        Arc::new(Output::WithProcessors {
            processors: procs,
            inner: Arc::new(out),
        })
    })
}

fn strings(node: Option<&Node>) -> Vec<String> {
    items(node)
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_string)
        .collect()
}

fn codes(node: Option<&Node>) -> Vec<u16> {
    items(node)
        .iter()
        .filter_map(Node::as_str)
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn http_client(body: &Node, here: &str) -> Result<crate::http_client::HttpClient, String> {
    let verb = text(body.get("verb"), "POST");
    let headers = interpolated_map(body.get("headers"), here)?.unwrap_or_default();
    Ok(crate::http_client::HttpClient {
        url: interpolation(text(body.get("url"), ""), &format!("{here}.url"))?,
        verb: axum::http::Method::from_bytes(verb.to_uppercase().as_bytes())
            .map_err(|_| format!("{here}.verb: `{verb}` is not an HTTP method"))?,
        headers,
        metadata_prefixes: strings(body.get("metadata").and_then(|m| m.get("include_prefixes"))),
        timeout: duration(body.get("timeout"), Duration::from_secs(5)),
        retry_period: duration(body.get("retry_period"), Duration::from_secs(1)),
        max_retry_backoff: duration(body.get("max_retry_backoff"), Duration::from_secs(300)),
        retries: number(body.get("retries"), 3),
        backoff_on: match body.get("backoff_on") {
            Some(n) => codes(Some(n)),
            None => vec![429],
        },
        drop_on: codes(body.get("drop_on")),
        successful_on: codes(body.get("successful_on")),
        propagate_response: text(body.get("propagate_response"), "false") == "true",
        extract_prefixes: strings(
            body.get("extract_headers")
                .and_then(|m| m.get("include_prefixes")),
        ),
        in_flight: tokio::sync::Semaphore::new(number(body.get("max_in_flight"), 64usize).max(1)),
        client: crate::http_client::new_client(),
        authorization: body
            .get("basic_auth")
            .filter(|b| text(b.get("enabled"), "false") == "true")
            .map(|b| {
                crate::http_client::basic_authorization(
                    text(b.get("username"), ""),
                    text(b.get("password"), ""),
                )
            }),
    })
}

fn input(node: &Node, path: &str, rate_limits: &RateLimits) -> Result<Input, String> {
    let (kind, body, _) = parts(node, path)?;
    let here = format!("{path}.{kind}");
    Ok(match kind {
        "stdin" => Input::Stdin,
        "file" => Input::File {
            paths: items(body.get("paths"))
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect(),
            delete_on_finish: text(body.get("delete_on_finish"), "false") == "true",
        },
        "generate" => {
            let src = text(body.get("mapping"), "");
            let program = Env::standard()
                .compile(src)
                .map_err(|d| format!("{here}.mapping: {}", d.short()))?;
            let interval = match text(body.get("interval"), "1s") {
                "" => None,
                t => Some(match parse_duration(t) {
                    Some(d) => crate::input::Schedule::Every(d),
                    None => crate::input::Schedule::Cron(
                        crate::input::cron::Cron::parse(t).map_err(|e| {
                            format!("{here}.interval: `{t}` is neither a duration nor a cron schedule: {e}")
                        })?,
                    ),
                }),
            };
            Input::Generate {
                program: Arc::new(program),
                interval,
                count: number(body.get("count"), 0),
                batch_size: number(body.get("batch_size"), 1usize).max(1),
            }
        }
        "http_server" => {
            let verbs: Vec<String> = match items(body.get("allowed_verbs")) {
                [] => vec!["POST".to_string()],
                list => list
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_uppercase)
                    .collect(),
            };
            let sync = body.get("sync_response");
            let headers = match interpolated_map(sync.and_then(|s| s.get("headers")), &here)? {
                Some(headers) => headers,
                None => vec![(
                    "Content-Type".to_string(),
                    interpolation("application/octet-stream", &here)?,
                )],
            };
            let prefixes = items(
                sync.and_then(|s| s.get("metadata_headers"))
                    .and_then(|m| m.get("include_prefixes")),
            )
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect();
            let patterns = items(
                sync.and_then(|s| s.get("metadata_headers"))
                    .and_then(|m| m.get("include_patterns")),
            )
            .iter()
            .filter_map(Node::as_str)
            .map(|p| {
                regex::Regex::new(p).map_err(|e| {
                    format!("{here}.sync_response.metadata_headers.include_patterns: {e}")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
            let rate_limit = match text(body.get("rate_limit"), "") {
                "" => None,
                name => Some(rate_limits.get(name).cloned().ok_or_else(|| {
                    format!("{here}.rate_limit: no rate limit resource is labelled `{name}`")
                })?),
            };
            let address = text(body.get("address"), "").to_string();
            let cors: crate::http::config::CorsConfig =
                typed_section(body.get("cors"), &format!("{here}.cors"))?.unwrap_or_default();
            let own_server = crate::http::config::own_server(
                &here,
                &address,
                text(body.get("cert_file"), ""),
                text(body.get("key_file"), ""),
                &cors,
            )
            .map_err(|e| e.to_string())?;
            Input::HttpServer(Arc::new(HttpServerInput {
                address,
                own_server,
                ws_path: text(body.get("ws_path"), "/post/ws").to_string(),
                ws_path_set: body.get("ws_path").is_some(),
                ws_welcome_message: body
                    .get("ws_welcome_message")
                    .and_then(Node::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                path: text(body.get("path"), "/post").to_string(),
                allowed_verbs: verbs,
                timeout: duration(body.get("timeout"), Duration::from_secs(5)),
                status: interpolation(text(sync.and_then(|s| s.get("status")), "200"), &here)?,
                headers,
                metadata_prefixes: prefixes,
                metadata_patterns: patterns,
                rate_limit,
            }))
        }
        other => return Err(format!("{here}: the `{other}` input is not supported yet")),
    })
}

/// The process-level sections of a config: what a streams-mode root
/// config holds besides resources.
#[derive(Debug)]
pub struct Service {
    /// The service server.
    pub http: HttpConfig,
    /// The `logger` section.
    pub logger: Logger,
    /// How long shutdown may take to finish in-flight work.
    pub shutdown_timeout: Duration,
}

/// A config object read through its typed config; `None` when absent or
/// null.
fn typed_section<T: serde::de::DeserializeOwned>(
    node: Option<&Node>,
    path: &str,
) -> Result<Option<T>, String> {
    match node {
        Some(n) if !n.is_null() => serde_json::from_value(crate::config::json::to_json(n))
            .map(Some)
            .map_err(|e| format!("{path}: {e}")),
        _ => Ok(None),
    }
}

/// Reads the `http` section: checks `cors` and `basic_auth` and loads
/// the TLS files (blocking file I/O, done before the runtime starts).
fn http_section(root: &Node) -> Result<HttpConfig, String> {
    let config: crate::http::config::HttpServiceConfig =
        typed_section(root.get("http"), "http")?.unwrap_or_default();
    let built = config.build().map_err(|e| e.to_string())?;
    Ok(HttpConfig {
        enabled: built.enabled,
        address: built.address,
        root_path: built.root_path,
        tls: built.tls,
        layers: built.layers,
    })
}

/// Reads the `http`, `logger` and `shutdown_timeout` sections.
pub fn service(root: &Node) -> Result<Service, String> {
    Ok(Service {
        http: http_section(root)?,
        logger: Logger::from_config(root.get("logger"))?,
        shutdown_timeout: duration(root.get("shutdown_timeout"), Duration::from_secs(20)),
    })
}

/// The root config's `metrics.mapping`, compiled; `None` when it is
/// absent or blank.
pub fn metrics_mapping(root: &Node) -> Result<Option<Arc<tarn_lang::Program>>, String> {
    optional_mapping(
        root.get("metrics").and_then(|m| m.get("mapping")),
        "metrics.mapping",
    )
}

/// Builds a stream from a checked config tree.
pub fn build(root: &Node) -> Result<StreamConfig, String> {
    let default_input = Node {
        kind: NodeKind::Map(vec![(scalar("stdin"), scalar(""))]),
        pos: root.pos,
    };
    let default_output = Node {
        kind: NodeKind::Map(vec![(scalar("stdout"), scalar(""))]),
        pos: root.pos,
    };
    let input_node = root.get("input").unwrap_or(&default_input);
    let rate_limits = crate::ratelimit::build_resources(root)?;
    let input_value = input(input_node, "input", &rate_limits)?;
    let mut procs = processors(input_node.get("processors"), "input.processors")?;
    let pipeline = root.get("pipeline");
    procs.extend(processors(
        pipeline.and_then(|p| p.get("processors")),
        "pipeline.processors",
    )?);
    let threads: i64 = number(pipeline.and_then(|p| p.get("threads")), -1);
    let threads = if threads <= 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        usize::try_from(threads).unwrap_or(1)
    };
    let Service {
        http,
        logger,
        shutdown_timeout,
    } = service(root)?;
    Ok(StreamConfig {
        input: input_value,
        processors: procs,
        output: output(root.get("output").unwrap_or(&default_output), "output")?,
        threads,
        http,
        shutdown_timeout,
        logger,
        input_metrics: InputMetrics::new(
            metrics::global(),
            text(input_node.get("label"), ""),
            "root.input",
        ),
    })
}

fn scalar(s: &str) -> Node {
    Node {
        kind: NodeKind::Scalar(s.to_string(), crate::config::node::Style::Plain),
        pos: Default::default(),
    }
}
