//! `tarn streams`: many pipelines in one process, from stream files and
//! the REST API, until the process is asked to stop.

use clap::{ArgAction, Parser};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tarn_runtime::config::{Node, NodeKind};
use tarn_runtime::streams::api::{self, ApiOptions};
use tarn_runtime::streams::{Manager, Settings, files};

/// Options of `tarn streams`.
#[derive(Parser, Debug)]
pub struct Args {
    /// The root config: `http`, `logger`, `metrics`, `shutdown_timeout`
    /// and resources shared by every stream.
    #[arg(short = 'o', long = "root", value_name = "ROOT.yaml")]
    root: Option<PathBuf>,
    /// Stream files, directories of them, or glob patterns. A stream's id
    /// is its path relative to the directory, without the extension,
    /// with `/` replaced by `_`.
    paths: Vec<String>,
    /// Do not serve the REST API (`/ready`, `/ping`, `/version` and
    /// `/metrics` stay up).
    #[arg(long)]
    no_api: bool,
    /// Serve each stream's `http_server` paths under `/{id}`.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = ArgAction::Set)]
    prefix_stream_endpoints: bool,
    /// Watch the stream files: an edit updates its stream, a removal
    /// stops it, a new file starts one.
    #[arg(short = 'w', long)]
    watch: bool,
    /// Require `Authorization: Bearer TOKEN` on the API's changes and on
    /// reads of configs (`GET /streams/{id}`, `GET /resources/…`,
    /// `POST /validate`); the list and stats stay open (default: the
    /// TARN_API_TOKEN environment variable).
    #[arg(long, value_name = "TOKEN")]
    api_token: Option<String>,
}

/// What the root config gives streams mode: the service settings, the
/// shared resources, and the resource sections as written.
type Root = (
    tarn_runtime::pipeline::Service,
    Arc<tarn_runtime::resources::Resources>,
    Node,
);

/// Loads the root config (an empty one when there is none).
fn root_config(path: Option<&PathBuf>) -> Result<Root, String> {
    let Some(path) = path else {
        let (service, resources, _) = tarn_runtime::pipeline::load_root("{}", |_| None)
            .map_err(|_| "error: cannot build the default root config\n".to_string())?;
        let empty = tarn_runtime::config::node::parse("{}")
            .map_err(|_| "error: cannot parse an empty config\n".to_string())?;
        return Ok((service, resources, empty));
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{name}: error: cannot read the config: {e}\n"))?;
    let (service, resources, root) =
        tarn_runtime::pipeline::load_root(&text, |n| std::env::var(n).ok())
            .map_err(|problems| tarn_runtime::config::render(&name, &text, &problems))?;
    for section in ["input", "pipeline", "output", "buffer"] {
        if root.get(section).is_some() {
            eprintln!(
                "{name}: warning: `{section}` is ignored in streams mode; put it in a stream file"
            );
        }
    }
    let raw = tarn_runtime::config::node::parse(&text).unwrap_or(root);
    Ok((service, resources, resource_sections(&raw)))
}

/// The resource sections of a config tree.
fn resource_sections(root: &Node) -> Node {
    const SECTIONS: &[&str] = &[
        "input_resources",
        "processor_resources",
        "output_resources",
        "cache_resources",
        "rate_limit_resources",
    ];
    let pairs = match &root.kind {
        NodeKind::Map(pairs) => pairs
            .iter()
            .filter(|(k, _)| k.as_str().is_some_and(|k| SECTIONS.contains(&k)))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    Node {
        kind: NodeKind::Map(pairs),
        pos: root.pos,
    }
}

/// Runs the command.
pub fn main(args: Args) -> ExitCode {
    let (service, resources, raw_sections) = match root_config(args.root.as_ref()) {
        Ok(root) => root,
        Err(report) => {
            eprint!("{report}");
            return ExitCode::FAILURE;
        }
    };
    tarn_runtime::metrics::global().set_mapping(service.metrics_mapping.clone());
    let stream_files = match files::collect(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match crate::run::async_runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match service.logger.clone().open() {
        Ok(logger) => tarn_runtime::log::set(logger),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    let settings = Settings {
        prefix_endpoints: args.prefix_stream_endpoints,
        shutdown_timeout: service.shutdown_timeout,
        root_path: service.http.root_path.clone(),
    };
    let options = ApiOptions {
        enabled: !args.no_api,
        token: args
            .api_token
            .clone()
            .or_else(|| std::env::var("TARN_API_TOKEN").ok())
            .filter(|t| !t.is_empty()),
        root_path: service.http.root_path.clone(),
    };
    if options.token.is_some() && service.http.layers.basic_auth.is_some() {
        eprintln!(
            "error: --api-token (TARN_API_TOKEN) cannot be combined with http.basic_auth: both use the Authorization header"
        );
        return ExitCode::FAILURE;
    }
    runtime.block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let manager = Manager::new(settings, resources, raw_sections, stop_rx.clone());
        let known = match files::start_all(&manager, &stream_files).await {
            Ok(known) => known,
            Err(report) => {
                eprint!("{report}");
                manager.stop_all().await;
                return ExitCode::FAILURE;
            }
        };
        let server = if service.http.enabled {
            let app = api::router(Arc::clone(&manager), options);
            let http = &service.http;
            let served = tarn_runtime::pipeline::serve::serve_with(
                &http.address,
                app,
                http.tls.clone(),
                &http.layers,
            );
            match served.await {
                Ok(server) => Some(server),
                Err(e) => {
                    tarn_runtime::log::error(&e);
                    manager.stop_all().await;
                    return ExitCode::FAILURE;
                }
            }
        } else {
            None
        };
        if args.watch {
            tokio::spawn(files::watch(
                Arc::clone(&manager),
                args.paths.clone(),
                known,
                stop_rx,
            ));
        }
        tarn_runtime::log::info(&format!(
            "Streams mode is running with {} stream(s), use CTRL+C to close",
            manager.ids().len()
        ));
        crate::run::stop_signal().await;
        tarn_runtime::log::info("Received the stop signal, stopping every stream");
        let _ = stop_tx.send(true);
        manager.stop_all().await;
        if let Some((handle, task)) = server {
            let _ = handle.send(());
            let _ = task.await;
        }
        tarn_runtime::log::flush();
        ExitCode::SUCCESS
    })
}
