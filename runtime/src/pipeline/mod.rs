//! A whole pipeline from a config: checking (the shape walk), building
//! (typed configs into components, without connecting anything) and
//! running (`run`). `tarn lint` is checking plus building; `tarn run`
//! then starts what was built, so lint refuses whatever run would.

pub mod inline;
pub mod run;
pub mod serve;
pub mod worker;

use crate::component::build::Endpoint;
use crate::component::{Build, BuildError, Input, Kind, Output, Processor, Registry};
use crate::config::root::{
    BufferConfig, PipelineConfig, RootConfig, StreamFileConfig, TracerConfig,
};
use crate::config::types::{InputNode, OutputNode, Sandbox};
use crate::config::{self, Node, NodeKind, Parsed, Problem, build_problem};
use crate::resources::Resources;
use std::sync::Arc;
use std::time::Duration;

/// A pipeline built from a config, not started.
#[derive(Debug)]
pub struct Built {
    /// Where messages come from (with its own processors).
    pub input: Box<dyn Input>,
    /// The pipeline's processors.
    pub processors: Vec<Arc<dyn Processor>>,
    /// Where messages go.
    pub output: Arc<dyn Output>,
    /// Worker tasks for the processors.
    pub threads: usize,
    /// What components serve over HTTP.
    pub endpoints: Vec<Endpoint>,
    /// The resources the pipeline was built with (kept alive with it).
    pub resources: Arc<Resources>,
}

/// The process-level settings of a config file.
#[derive(Debug)]
pub struct Service {
    /// The service HTTP server, checked (TLS files loaded).
    pub http: crate::http::config::HttpService,
    /// The logger.
    pub logger: crate::log::Logger,
    /// The compiled `metrics.mapping`, if any.
    pub metrics_mapping: Option<Arc<tarn_lang::Program>>,
    /// How long to wait after a stop signal before stopping the input.
    pub shutdown_delay: Duration,
    /// How long in-flight work may take to finish at shutdown.
    pub shutdown_timeout: Duration,
}

fn default_component(name: &str, pos: config::Pos) -> Node {
    let scalar = |s: &str| Node {
        kind: NodeKind::Scalar(s.to_string(), config::node::Style::Plain),
        pos,
    };
    Node {
        kind: NodeKind::Map(vec![(scalar(name), scalar(""))]),
        pos,
    }
}

/// The most pipeline workers a config may ask for (each has a VM of its
/// own and runs on the async runtime's threads).
pub const MAX_THREADS: i64 = 1024;

fn threads(pipeline: &PipelineConfig) -> usize {
    if pipeline.threads <= 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        usize::try_from(pipeline.threads).unwrap_or(1)
    }
}

/// Builds the input, processors and output of a pipeline.
fn build_pipeline(
    ctx: &mut Build<'_>,
    parsed: &Parsed,
    input: Option<&InputNode>,
    pipeline: &PipelineConfig,
    output: Option<&OutputNode>,
    buffer: Option<&BufferConfig>,
    resources: Arc<Resources>,
) -> Result<Built, BuildError> {
    match buffer {
        None | Some(BufferConfig::None(_)) => {}
        Some(_) => {
            return Err(BuildError {
                pos: config::node_at(&parsed.root, "buffer"),
                path: "buffer".into(),
                message: "only the `none` buffer is supported yet".into(),
            });
        }
    }
    if pipeline.threads > MAX_THREADS {
        return Err(BuildError {
            pos: config::node_at(&parsed.root, "pipeline.threads"),
            path: "pipeline.threads".into(),
            message: format!("at most {MAX_THREADS} threads are supported"),
        });
    }
    let input_node = input.map_or_else(
        || default_component("stdin", parsed.root.pos),
        |i| i.node.clone(),
    );
    let input = match ctx.component(Kind::Input, &input_node, "input")? {
        crate::component::registry::Built::Input(i) => i,
        other => return Err(ctx.error(format!("expected an input, built {other:?}"))),
    };
    let processors = ctx.processors(&pipeline.processors)?;
    let output_node = output.map_or_else(
        || default_component("stdout", parsed.root.pos),
        |o| o.node.clone(),
    );
    let output = match ctx.component(Kind::Output, &output_node, "output")? {
        crate::component::registry::Built::Output(o) => o,
        other => return Err(ctx.error(format!("expected an output, built {other:?}"))),
    };
    ctx.resources().build_all(ctx)?;
    Ok(Built {
        input,
        processors,
        output,
        threads: threads(pipeline),
        endpoints: ctx.take_endpoints(),
        resources,
    })
}

/// Checks and builds a whole config file; every problem, located, or the
/// pipeline and its service settings.
pub fn load(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(Built, Service), Vec<Problem>> {
    let parsed = config::parse(text, lookup)?;
    let problems = config::walk(&parsed, config::root_shape(), Sandbox::Standard);
    if !problems.is_empty() {
        return Err(problems);
    }
    let fail = |e: BuildError| vec![build_problem(e, &parsed.root)];
    let resources = Arc::new(Resources::new());
    resources
        .declare_all(&parsed.root, &parsed.text)
        .map_err(fail)?;
    let registry = Registry::standard();
    let mut ctx = Build::new(registry, &resources, &parsed.text, Sandbox::Standard);
    let mut root: RootConfig = ctx.parse_at(&parsed.root, "").map_err(fail)?;
    let service = service(&mut root).map_err(fail)?;
    // Components register their metrics as they are built: the mapping
    // that renames them has to be in place first.
    crate::metrics::global().set_mapping(service.metrics_mapping.clone());
    let built = build_pipeline(
        &mut ctx,
        &parsed,
        root.input.as_ref(),
        &root.pipeline,
        root.output.as_ref(),
        root.buffer.as_ref(),
        resources.clone(),
    )
    .map_err(fail)?;
    serve::check_own_endpoints(&built.endpoints, &service.http).map_err(|message| {
        vec![build_problem(
            BuildError {
                pos: None,
                path: "input".into(),
                message,
            },
            &parsed.root,
        )]
    })?;
    Ok((built, service))
}

/// Every problem `tarn run` would refuse the config for, without starting
/// anything.
pub fn lint(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Vec<Problem> {
    match load(text, lookup) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    }
}

/// Checks and builds a streams-mode stream file against the shared
/// `resources`, compiling mappings under `sandbox`.
pub fn load_stream(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
    resources: &Arc<Resources>,
    sandbox: Sandbox,
    lint: bool,
) -> Result<Built, Vec<Problem>> {
    let parsed = config::parse(text, lookup)?;
    if lint {
        let problems = config::walk(&parsed, config::stream_shape(), sandbox);
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    let fail = |e: BuildError| vec![build_problem(e, &parsed.root)];
    let registry = Registry::standard();
    let mut ctx = Build::new(registry, resources, &parsed.text, sandbox);
    ctx.set_lenient(!lint);
    let cfg: StreamFileConfig = ctx.parse_at(&parsed.root, "").map_err(fail)?;
    build_pipeline(
        &mut ctx,
        &parsed,
        cfg.input.as_ref(),
        &cfg.pipeline,
        cfg.output.as_ref(),
        cfg.buffer.as_ref(),
        resources.clone(),
    )
    .map_err(fail)
}

/// Reads the service sections of a whole config (and applies the
/// metrics exporter settings to the registry).
fn service(root: &mut RootConfig) -> Result<Service, BuildError> {
    let unsupported = |path: &str, what: &str| BuildError {
        pos: None,
        path: path.to_string(),
        message: format!("{what} is not supported yet"),
    };
    if let Some(tracer) = &root.tracer
        && !matches!(tracer, TracerConfig::None(_))
    {
        return Err(unsupported("tracer", "a tracer other than `none`"));
    }
    let http = root.http.build().map_err(|e| {
        let (path, message) = split_path(&e.to_string(), "http");
        BuildError {
            pos: None,
            path,
            message,
        }
    })?;
    let logger = crate::log::Logger::from_typed(std::mem::take(&mut root.logger)).map_err(|e| {
        let (path, message) = split_path(&e.to_string(), "logger");
        BuildError {
            pos: None,
            path,
            message,
        }
    })?;
    let settings = root.metrics.validate().map_err(|e| BuildError {
        pos: None,
        path: e.path.clone(),
        message: e.message.clone(),
    })?;
    crate::metrics::global().configure(settings);
    Ok(Service {
        http,
        logger,
        metrics_mapping: crate::config::root::metrics_mapping(&root.metrics)
            .map(|m| m.program().clone()),
        shutdown_delay: root.shutdown_delay.0,
        shutdown_timeout: root.shutdown_timeout.0,
    })
}

/// Splits `path: message` (a typed error's text) into its two parts;
/// without a path, `fallback` is the path.
fn split_path(text: &str, fallback: &str) -> (String, String) {
    match text.split_once(": ") {
        Some((path, message)) if !path.contains(' ') => (path.to_string(), message.to_string()),
        _ => (fallback.to_string(), text.to_string()),
    }
}

/// Checks a streams-mode root config and builds its resources: the
/// service settings, and the resources every stream shares.
pub fn load_root(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(Service, Arc<Resources>, Node), Vec<Problem>> {
    let parsed = config::parse(text, lookup)?;
    let problems = config::walk(&parsed, config::root_shape(), Sandbox::Standard);
    if !problems.is_empty() {
        return Err(problems);
    }
    let fail = |e: BuildError| vec![build_problem(e, &parsed.root)];
    let resources = Arc::new(Resources::new());
    resources
        .declare_all(&parsed.root, &parsed.text)
        .map_err(fail)?;
    let registry = Registry::standard();
    let mut ctx = Build::new(registry, &resources, &parsed.text, Sandbox::Standard);
    let mut root: RootConfig = ctx.parse_at(&parsed.root, "").map_err(fail)?;
    let service = service(&mut root).map_err(fail)?;
    crate::metrics::global().set_mapping(service.metrics_mapping.clone());
    resources.build_all(&mut ctx).map_err(fail)?;
    if !ctx.take_endpoints().is_empty() {
        return Err(fail(BuildError {
            pos: None,
            path: "input_resources".into(),
            message: "an input resource that serves HTTP is not supported in streams mode yet"
                .into(),
        }));
    }
    Ok((service, resources, parsed.root))
}
