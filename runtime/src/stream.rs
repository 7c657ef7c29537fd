//! Runs a stream: the input feeds a channel, pipeline workers process
//! and deliver each transaction, and the service HTTP server answers
//! `/ping`, `/ready`, `/version`, `/endpoints`, `/metrics` and the
//! `http_server` input's route.

use crate::build::{HttpConfig, StreamConfig};
use crate::input::Input;
use crate::input::http_server::{HttpState, add_routes};
use crate::processor::run_all;
use crate::txn::Transaction;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tarn_lang::Vm;
use tokio::sync::{Mutex, mpsc, watch};

/// Runs the stream until its input ends or `shutdown` resolves, then
/// drains in-flight transactions within the shutdown timeout.
pub async fn run(
    cfg: StreamConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    crate::log::set(cfg.logger.clone());
    let (tx, rx) = mpsc::channel::<Transaction>(cfg.threads.max(1) * 16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = start_http(&cfg.http, &cfg.input, tx.clone(), stop_rx.clone()).await?;

    let rx = Arc::new(Mutex::new(rx));
    let processors = Arc::new(cfg.processors);
    let mut workers = tokio::task::JoinSet::new();
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
    let input_task = {
        let input = input.clone();
        let tx = tx.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move { input.run(tx, stop).await })
    };
    drop(tx);
    crate::log::info("Launching a pipeline, use CTRL+C to close");
    tokio::pin!(shutdown);
    let mut input_task = input_task;
    let input_ended = tokio::select! {
        _ = &mut input_task => true,
        _ = &mut shutdown => false,
    };
    let _ = stop_tx.send(true);
    if input_ended {
        crate::log::info("Input has closed, waiting for the pipeline to finish");
    } else {
        crate::log::info("Received the stop signal, waiting for the pipeline to finish");
    }
    // Stop accepting requests, then give in-flight work its time.
    let drain = async {
        if !input_ended {
            let _ = input_task.await;
        }
        for (handle, server_task) in server {
            let _ = handle.send(());
            let _ = server_task.await;
        }
        while workers.join_next().await.is_some() {}
    };
    if tokio::time::timeout(cfg.shutdown_timeout, drain)
        .await
        .is_err()
    {
        return Err("shutdown timed out with messages still in flight".into());
    }
    crate::log::info("Pipeline has terminated. Shutting down the service");
    Ok(())
}

type ServerHandle = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
);

/// Starts the service server (with the `http_server` route when the input
/// is one), and the input's own server when it has an address.
async fn start_http(
    http: &HttpConfig,
    input: &Input,
    tx: mpsc::Sender<Transaction>,
    stopping: watch::Receiver<bool>,
) -> Result<Vec<ServerHandle>, String> {
    let mut servers = Vec::new();
    let mut http_input = match input {
        Input::HttpServer(h) => Some(h.clone()),
        _ => None,
    };
    if let Some(h) = http_input.take_if(|h| !h.address.is_empty()) {
        let state = HttpState {
            input: h.clone(),
            tx: tx.clone(),
            stopping: stopping.clone(),
        };
        servers.push(serve(&h.address, add_routes(Router::new(), state)?).await?);
    }
    if !http.enabled && http_input.is_none() {
        return Ok(servers);
    }
    let mut app = Router::new();
    let prefix = http.root_path.trim_end_matches('/').to_string();
    let extra: Vec<(String, String)> = http_input
        .iter()
        .map(|h| {
            (
                h.path.clone(),
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
    app = crate::endpoints::service_routes(app, &prefix, &extra);
    if let Some(h) = http_input {
        let state = HttpState {
            input: h,
            tx,
            stopping,
        };
        app = add_routes(app, state)?;
    }
    servers.push(serve(&http.address, app).await?);
    Ok(servers)
}

/// Listens on `address` and serves `app` until told to stop.
async fn serve(address: &str, app: Router) -> Result<ServerHandle, String> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("http: cannot listen on {address}: {e}"))?;
    crate::log::info(&format!("Listening for HTTP requests at: http://{address}"));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await;
    });
    Ok((stop_tx, task))
}
