//! Running a built pipeline: one task drives the input, `threads` workers
//! run the processors (each with its own VM), and one task drives the
//! output with up to its `max_in_flight` writes at once. A transaction's
//! acknowledgement reaches its input only after the output delivered
//! every batch made from it.
//!
//! A pipeline run alone ([`run`]) also serves the service endpoints
//! (`/ping`, `/ready`, `/version`, `/endpoints`, `/metrics`) with its
//! `http_server` routes; in streams mode the caller mounts the routes on
//! its shared server ([`Mount::Shared`]).

use super::{Built, Service};
use crate::component::build::Endpoint;
use crate::component::{
    Batches, ErrorKind, Input, Output, ProcessCtx, Processor, Transaction, WriteCtx, run_processors,
};
use crate::inputs::http_server::{HttpState, add_routes};
use axum::Router;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::sync::Arc;
use std::time::Duration;
use tarn_lang::Vm;
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

/// The service server's settings a pipeline needs.
pub type HttpSettings = crate::http::config::HttpService;

/// Where a started pipeline's HTTP endpoints live.
#[derive(Debug, Clone)]
pub enum Mount {
    /// The pipeline serves its own service server with its routes.
    Own(HttpSettings),
    /// The caller serves the routes (taken from [`Running::http`]) on a
    /// shared server. `stopping` turns true when the whole process stops;
    /// replacing or deleting the stream does not set it, so a request
    /// already routed here still gets its answer.
    Shared {
        /// The process-wide stop signal.
        stopping: watch::Receiver<bool>,
    },
}

/// A started pipeline.
#[derive(Debug)]
pub struct Running {
    stop_tx: watch::Sender<bool>,
    /// The input's task; `None` once it has been awaited to its end.
    input_task: Option<JoinHandle<()>>,
    workers: JoinSet<()>,
    output_task: Option<JoinHandle<()>>,
    servers: Vec<ServerHandle>,
    /// The `http_server` input's request state, when the caller serves
    /// its route ([`Mount::Shared`] and no `address` of its own).
    pub http: Option<HttpState>,
    _resources: Arc<crate::resources::Resources>,
}

/// How long an input that failed to connect or read waits at most before
/// trying again.
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// Drives the input until it ends or `stop` turns true.
async fn drive_input(
    mut input: Box<dyn Input>,
    tx: mpsc::Sender<Transaction>,
    mut stop: watch::Receiver<bool>,
) {
    let mut pause = Duration::from_millis(50);
    'connect: loop {
        let connected = tokio::select! {
            r = input.connect() => r,
            () = crate::component::stopped(&mut stop) => break,
        };
        if let Err(e) = connected {
            crate::log::error(&format!("input: cannot connect: {e}"));
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = crate::component::stopped(&mut stop) => break,
            }
            pause = (pause * 2).min(MAX_PAUSE);
            continue;
        }
        pause = Duration::from_millis(50);
        loop {
            let read = tokio::select! {
                r = input.read() => r,
                () = crate::component::stopped(&mut stop) => break 'connect,
            };
            match read {
                Ok(t) => {
                    if tx.send(t).await.is_err() {
                        break 'connect;
                    }
                }
                Err(e) => match e.kind {
                    ErrorKind::EndOfInput | ErrorKind::Closed => break 'connect,
                    ErrorKind::NotConnected => continue 'connect,
                    ErrorKind::Fatal => {
                        crate::log::error(&format!("input: {e}"));
                        break 'connect;
                    }
                    _ => {
                        crate::log::error(&format!("input: {e}"));
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(MAX_PAUSE);
                    }
                },
            }
        }
    }
    input.close().await;
}

/// Runs processors on each transaction and hands the batches on.
async fn work(
    rx: Arc<Mutex<mpsc::Receiver<Transaction>>>,
    processors: Arc<Vec<Arc<dyn Processor>>>,
    out: mpsc::Sender<Transaction>,
) {
    let mut vm = Vm::new();
    loop {
        let next = rx.lock().await.recv().await;
        let Some(t) = next else { break };
        if processors.is_empty() {
            if out.send(t).await.is_err() {
                break;
            }
            continue;
        }
        let Transaction {
            batch,
            ack,
            responses,
        } = t;
        let mut ctx = ProcessCtx {
            vm: &mut vm,
            responses: &responses,
        };
        let mut one = Batches::new();
        one.push(batch);
        let batches = run_processors(&processors, one, &mut ctx).await;
        let shares = ack.share(batches.len());
        for (batch, ack) in batches.into_iter().zip(shares) {
            let t = Transaction {
                batch,
                ack,
                responses: responses.clone(),
            };
            if out.send(t).await.is_err() {
                return;
            }
        }
    }
}

/// Writes transactions, up to the output's `max_in_flight` at once, and
/// acknowledges each with its write's outcome.
async fn drive_output(output: Arc<dyn Output>, mut rx: mpsc::Receiver<Transaction>) {
    let limit = output.max_in_flight().max(1);
    let mut connected = false;
    let mut writes = FuturesUnordered::new();
    let mut open = true;
    while open || !writes.is_empty() {
        tokio::select! {
            t = rx.recv(), if open && writes.len() < limit => match t {
                Some(t) => {
                    if !connected {
                        connect(output.as_ref()).await;
                        connected = true;
                    }
                    let Transaction { batch, ack, responses } = t;
                    let write = output.write(batch, WriteCtx { responses });
                    writes.push(async move { ack.resolve(write.await) });
                }
                None => open = false,
            },
            Some(()) = writes.next(), if !writes.is_empty() => {}
        }
    }
    output.close().await;
}

/// Connects the output, retrying with a growing pause.
async fn connect(output: &dyn Output) {
    let mut pause = Duration::from_millis(50);
    while let Err(e) = output.connect().await {
        crate::log::error(&format!("output: cannot connect: {e}"));
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// Starts the pipeline: its output, workers, input and HTTP servers.
pub async fn start(built: Built, mount: Mount) -> Result<Running, String> {
    let threads = built.threads.max(1);
    let (tx, rx) = mpsc::channel::<Transaction>(threads * 16);
    let (out_tx, out_rx) = mpsc::channel::<Transaction>(1024);
    let (stop_tx, stop_rx) = watch::channel(false);
    let http_stopping = match &mount {
        Mount::Own(_) => stop_rx.clone(),
        Mount::Shared { stopping } => stopping.clone(),
    };
    let (servers, http) =
        start_http(&built.endpoints, &mount, (http_stopping, stop_rx.clone())).await?;
    let output_task = tokio::spawn(drive_output(built.output, out_rx));
    let rx = Arc::new(Mutex::new(rx));
    let processors = Arc::new(built.processors);
    let mut workers = JoinSet::new();
    for _ in 0..threads {
        workers.spawn(work(rx.clone(), processors.clone(), out_tx.clone()));
    }
    drop(out_tx);
    let input_task = tokio::spawn(drive_input(built.input, tx, stop_rx));
    Ok(Running {
        stop_tx,
        input_task: Some(input_task),
        workers,
        output_task: Some(output_task),
        servers,
        http,
        _resources: built.resources,
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

    /// Stops the input, closes the pipeline's own servers and waits for
    /// every message already taken to be delivered and acknowledged,
    /// within `timeout`. In-flight requests routed here by a shared
    /// server are still served while they hold the pipeline's entrance.
    pub async fn stop(self, timeout: Duration) -> Result<(), String> {
        let Running {
            stop_tx,
            input_task,
            mut workers,
            output_task,
            servers,
            http,
            _resources,
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
            if let Some(task) = output_task {
                let _ = task.await;
            }
        };
        tokio::time::timeout(timeout, drain)
            .await
            .map_err(|_| "shutdown timed out with messages still in flight".to_string())
    }
}

/// Runs the pipeline alone until its input ends or `shutdown` resolves,
/// then drains in-flight transactions within the shutdown timeout.
pub async fn run(
    built: Built,
    service: Service,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    let timeout = service.shutdown_timeout;
    let delay = service.shutdown_delay;
    let mut running = start(built, Mount::Own(service.http.clone())).await?;
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
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
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

/// Starts the HTTP servers the endpoints need: an `http_server` input on
/// its own address gets its own server; otherwise its routes go on the
/// service server (started here when the pipeline is mounted on its own)
/// or are handed back for a shared server.
async fn start_http(
    endpoints: &[Endpoint],
    mount: &Mount,
    (stopping, retired): (watch::Receiver<bool>, watch::Receiver<bool>),
) -> Result<(Vec<ServerHandle>, Option<HttpState>), String> {
    let mut servers = Vec::new();
    let mut on_service = None;
    for endpoint in endpoints {
        let Endpoint::HttpServer(h) = endpoint;
        let state = HttpState {
            input: h.input.clone(),
            tx: h.tx.clone(),
            stopping: stopping.clone(),
            retired: retired.clone(),
        };
        if h.input.address.is_empty() {
            if on_service.is_some() {
                return Err("only one http_server input may use the service server".to_string());
            }
            on_service = Some(state);
        } else {
            let app = add_routes(Router::new(), state, "", true)?;
            let own = &h.input.own_server;
            servers.push(serve_with(&h.input.address, app, own.tls.clone(), &own.layers).await?);
        }
    }
    match mount {
        Mount::Own(http) => {
            if http.enabled {
                servers.push(serve_service(http, on_service).await?);
            } else if on_service.is_some() {
                return Err(
                    "http_server: the input uses the service server (no `address`), but `http.enabled` is false"
                        .to_string(),
                );
            }
            Ok((servers, None))
        }
        Mount::Shared { .. } => Ok((servers, on_service)),
    }
}

/// Serves the service endpoints, plus the `http_server` route of `input`.
async fn serve_service(
    http: &HttpSettings,
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
