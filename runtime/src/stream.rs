//! Runs a stream: the input feeds a channel, pipeline workers process
//! and deliver each transaction. A stream run alone ([`run`]) also has
//! the service HTTP server (`/ping`, `/ready`, `/version`, `/endpoints`,
//! `/metrics` and the `http_server` input's route); in streams mode the
//! caller serves the input's route on its shared server ([`Mount::Shared`]).

use crate::build::{HttpConfig, StreamConfig};
use crate::input::Input;
use crate::input::http_server::{HttpState, add_routes};
use crate::processor::run_all;
use crate::txn::Transaction;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tarn_lang::Vm;
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

/// Where a started stream's HTTP endpoints live.
#[derive(Debug, Clone)]
pub enum Mount {
    /// The stream serves its own service server from its `http` section,
    /// with the `http_server` input's route on it.
    Own,
    /// The caller serves the `http_server` input's route (taken from
    /// [`Running::http`]) on a shared server. `stopping` turns true when
    /// the whole process stops; replacing or deleting the stream does not
    /// set it, so a request already routed here still gets its answer.
    Shared {
        /// The process-wide stop signal.
        stopping: watch::Receiver<bool>,
    },
}

/// A started stream.
#[derive(Debug)]
pub struct Running {
    stop_tx: watch::Sender<bool>,
    /// The input's task; `None` once it has been awaited to its end.
    input_task: Option<JoinHandle<()>>,
    workers: JoinSet<()>,
    servers: Vec<ServerHandle>,
    /// The `http_server` input's request state, when the caller serves
    /// its route ([`Mount::Shared`] and no `address` of its own).
    pub http: Option<HttpState>,
}

/// Starts the stream: its workers, its input and its HTTP servers.
pub async fn start(cfg: StreamConfig, mount: Mount) -> Result<Running, String> {
    let (tx, rx) = mpsc::channel::<Transaction>(cfg.threads.max(1) * 16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let http_stopping = match &mount {
        Mount::Own => stop_rx.clone(),
        Mount::Shared { stopping } => stopping.clone(),
    };
    let (servers, http) =
        start_http(&cfg, &mount, tx.clone(), (http_stopping, stop_rx.clone())).await?;

    let rx = Arc::new(Mutex::new(rx));
    let processors = Arc::new(cfg.processors);
    let mut workers = JoinSet::new();
    for _ in 0..cfg.threads.max(1) {
        let rx = rx.clone();
        let processors = processors.clone();
        let output = cfg.output.clone();
        let input_metrics = cfg.input_metrics.clone();
        workers.spawn(async move {
            let mut vm = Vm::new();
            loop {
                let next = rx.lock().await.recv().await;
                let Some(txn) = next else { break };
                let Transaction { batch, store, ack } = txn;
                let taken = input_metrics.received(&batch);
                let batch = run_all(&processors, &mut vm, batch, store.as_deref());
                let result = if batch.is_empty() {
                    Ok(())
                } else {
                    output.write(batch, store).await
                };
                input_metrics.acked(taken);
                let _ = ack.send(result);
            }
        });
    }
    let input = Arc::new(cfg.input);
    let input_task = tokio::spawn(async move { input.run(tx, stop_rx).await });
    Ok(Running {
        stop_tx,
        input_task: Some(input_task),
        workers,
        servers,
        http,
    })
}

impl Running {
    /// True once the input has ended (or failed) on its own.
    pub fn input_finished(&self) -> bool {
        self.input_task.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Resolves when the input ends on its own.
    pub async fn input_ended(&mut self) {
        if let Some(task) = &mut self.input_task {
            let _ = task.await;
            self.input_task = None;
        }
    }

    /// Stops the input, closes the stream's own servers and waits for
    /// every message already taken to be delivered and acknowledged,
    /// within `timeout`. In-flight requests routed here by a shared
    /// server are still served while they hold the stream's entrance.
    pub async fn stop(self, timeout: Duration) -> Result<(), String> {
        let Running {
            stop_tx,
            input_task,
            mut workers,
            servers,
            http,
        } = self;
        let _ = stop_tx.send(true);
        drop(http);
        let drain = async {
            if let Some(task) = input_task {
                let _ = task.await;
            }
            for (handle, server_task) in servers {
                let _ = handle.send(());
                let _ = server_task.await;
            }
            while workers.join_next().await.is_some() {}
        };
        tokio::time::timeout(timeout, drain)
            .await
            .map_err(|_| "shutdown timed out with messages still in flight".to_string())
    }
}

/// Runs the stream alone until its input ends or `shutdown` resolves,
/// then drains in-flight transactions within the shutdown timeout.
pub async fn run(
    cfg: StreamConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    crate::log::set(cfg.logger.clone());
    let timeout = cfg.shutdown_timeout;
    let mut running = start(cfg, Mount::Own).await?;
    crate::log::info("Launching a pipeline, use CTRL+C to close");
    tokio::pin!(shutdown);
    let input_ended = tokio::select! {
        _ = running.input_ended() => true,
        _ = &mut shutdown => false,
    };
    if input_ended {
        crate::log::info("Input has closed, waiting for the pipeline to finish");
    } else {
        crate::log::info("Received the stop signal, waiting for the pipeline to finish");
    }
    running.stop(timeout).await?;
    crate::log::info("Pipeline has terminated. Shutting down the service");
    Ok(())
}

/// A running HTTP server: send on the first to stop it gracefully, then
/// await the second.
pub type ServerHandle = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
);

/// Starts the input's own server when it has an address and, when the
/// stream is mounted on its own, the service server (with the
/// `http_server` route when the input is one). With a shared mount, the
/// request state of an input without an address is handed back.
async fn start_http(
    cfg: &StreamConfig,
    mount: &Mount,
    tx: mpsc::Sender<Transaction>,
    (stopping, retired): (watch::Receiver<bool>, watch::Receiver<bool>),
) -> Result<(Vec<ServerHandle>, Option<HttpState>), String> {
    let mut servers = Vec::new();
    let Input::HttpServer(h) = &cfg.input else {
        if matches!(mount, Mount::Own) && cfg.http.enabled {
            servers.push(serve_service(&cfg.http, None).await?);
        }
        return Ok((servers, None));
    };
    let state = HttpState {
        input: h.clone(),
        tx,
        stopping,
        retired,
    };
    if !h.address.is_empty() {
        let app = add_routes(Router::new(), state, "", true)?;
        let own = &h.own_server;
        servers.push(serve_with(&h.address, app, own.tls.clone(), &own.layers).await?);
        if matches!(mount, Mount::Own) && cfg.http.enabled {
            servers.push(serve_service(&cfg.http, None).await?);
        }
        return Ok((servers, None));
    }
    match mount {
        Mount::Own => {
            servers.push(serve_service(&cfg.http, Some(state)).await?);
            Ok((servers, None))
        }
        Mount::Shared { .. } => Ok((servers, Some(state))),
    }
}

/// Serves the service endpoints, plus the `http_server` route of `input`.
async fn serve_service(
    http: &HttpConfig,
    input: Option<HttpState>,
) -> Result<ServerHandle, String> {
    let prefix = http.root_path.trim_end_matches('/').to_string();
    let extra: Vec<(String, String)> = input
        .iter()
        .map(|h| {
            (
                h.input.path.clone(),
                "Post a message into the pipeline.".to_string(),
            )
        })
        .collect();
    if let Some((path, _)) = extra.iter().find(|(p, _)| {
        crate::endpoints::SERVICE_ENDPOINTS
            .iter()
            .any(|(e, _)| p == e || *p == format!("{prefix}{e}"))
    }) {
        return Err(format!(
            "http_server: the path {path} clashes with a service endpoint"
        ));
    }
    let ready = axum::routing::get(|| async { "OK" });
    let mut app = crate::endpoints::service_routes(Router::new(), &prefix, &extra, ready);
    if let Some(state) = input {
        app = add_routes(app, state, "", true)?;
    }
    serve_with(&http.address, app, http.tls.clone(), &http.layers).await
}

/// Listens on `address` and serves `app` over plain HTTP until told to
/// stop.
pub async fn serve(address: &str, app: Router) -> Result<ServerHandle, String> {
    serve_with(address, app, None, &crate::http::Layers::default()).await
}

/// Listens on `address` and serves `app` behind `layers` (CORS, basic
/// authentication), over HTTPS when `tls` is given, until told to stop.
pub async fn serve_with(
    address: &str,
    app: Router,
    tls: Option<crate::http::tls::TlsConfig>,
    layers: &crate::http::Layers,
) -> Result<ServerHandle, String> {
    use crate::http::server::{ServerOptions, serve};
    let server = serve(address, layers.wrap(app), ServerOptions::with_tls(tls))
        .await
        .map_err(|e| e.to_string())?;
    let (scheme, kind) = if server.is_tls() {
        ("https", "HTTPS")
    } else {
        ("http", "HTTP")
    };
    crate::log::info(&format!(
        "Listening for {kind} requests at: {scheme}://{}",
        server.local_addr()
    ));
    Ok(server.into_parts())
}
