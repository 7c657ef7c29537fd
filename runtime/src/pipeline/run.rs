//! Running a built pipeline: `threads` workers each read from the input,
//! run the processors on their own VM and write to the output, with up to
//! the output's `max_in_flight` writes at once across them (see
//! [`super::worker`]). A transaction's acknowledgement reaches its input
//! only after the output delivered every batch made from it.
//!
//! A pipeline run alone ([`run`]) also serves the service endpoints
//! (`/ping`, `/ready`, `/version`, `/endpoints`, `/metrics`) with its
//! `http_server` routes; in streams mode the caller mounts the routes on
//! its shared server ([`Mount::Shared`]).

use super::inline::Inline;
use super::serve::{ServerHandle, start_http};
use super::worker::{Shared, Source, work};
use super::{Built, Service};
use crate::component::Output;
use crate::inputs::http_server::HttpState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

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
    source: Arc<Source>,
    workers: JoinSet<()>,
    output: Arc<dyn Output>,
    servers: Vec<ServerHandle>,
    /// The `http_server` input's request state, when the caller serves
    /// its route ([`Mount::Shared`] and no `address` of its own).
    pub http: Option<HttpState>,
    /// Runs the input's requests in their own tasks, when it can.
    inline: Option<Arc<Inline>>,
    _resources: Arc<crate::resources::Resources>,
    /// Flushes the output once the input's source has ended and waits
    /// for acks (ended with the pipeline).
    _drain_flush: AbortOnDrop,
}

/// A task aborted when this is dropped.
#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the pipeline: its output, workers, input and HTTP servers.
pub async fn start(built: Built, mount: Mount) -> Result<Running, String> {
    let threads = built.threads.max(1);
    let (stop_tx, stop_rx) = watch::channel(false);
    let http_stopping = match &mount {
        Mount::Own(_) => stop_rx.clone(),
        Mount::Shared { stopping } => stopping.clone(),
    };
    let entrance = built.input.entrance();
    let source = Arc::new(Source::new(built.input));
    let shared = Shared {
        source: source.clone(),
        processors: Arc::new(built.processors),
        output: built.output.clone(),
        in_flight: Arc::new(Semaphore::new(
            built
                .output
                .max_in_flight()
                .clamp(1, crate::component::MAX_IN_FLIGHT),
        )),
        stop: stop_rx.clone(),
        permit_after_read: entrance.is_some(),
    };
    // An input whose transactions can skip its read has them run in the
    // tasks serving its requests.
    let inline = entrance.map(|e| {
        (
            e.endpoint,
            Arc::new(Inline::new(&shared, threads, e.metrics)),
        )
    });
    let (servers, http) = start_http(
        &built.endpoints,
        &mount,
        (http_stopping, stop_rx),
        inline.clone(),
    )
    .await?;
    if let Err(e) = built.output.connect().await {
        // Writes retry through the output's own error handling; say so
        // now rather than at the first message.
        crate::log::error(&format!("output: cannot connect yet: {e}"));
    }
    let mut workers = JoinSet::new();
    for _ in 0..threads {
        // Workers yield on their own (see `work`), less often than
        // tokio's budget would make them: each forced yield wakes an idle
        // thread to steal the worker, which costs more than it saves.
        workers.spawn(tokio::task::unconstrained(work(shared.clone())));
    }
    // A batch the output holds back would otherwise wait for an input
    // that waits for its acks.
    let (drained, output) = (source.clone(), built.output.clone());
    let drain_flush = AbortOnDrop(tokio::spawn(async move {
        loop {
            drained.draining().await;
            output.flush(crate::component::Flush::WhenSettled).await;
        }
    }));
    Ok(Running {
        stop_tx,
        source,
        workers,
        output: built.output,
        servers,
        http,
        inline: inline.map(|(_, runner)| runner),
        _resources: built.resources,
        _drain_flush: drain_flush,
    })
}

impl Running {
    /// True once the input has ended (or failed) on its own.
    pub fn input_finished(&self) -> bool {
        self.source.has_ended()
    }

    /// Resolves when the input ends on its own.
    pub async fn input_ended(&mut self) {
        self.source.ended().await;
    }

    /// Stops the input, closes the pipeline's own servers and waits for
    /// every message already taken to be delivered and acknowledged,
    /// within `timeout`. In-flight requests routed here by a shared
    /// server are still served while they hold the pipeline's entrance.
    pub async fn stop(self, timeout: Duration) -> Result<(), String> {
        let Running {
            stop_tx,
            source,
            mut workers,
            output,
            servers,
            http,
            inline,
            _resources,
            // Kept (not dropped) while stopping: a drain may come then.
            _drain_flush,
        } = self;
        let _ = stop_tx.send(true);
        drop(http);
        let drain = async {
            // The servers finish the requests they hold (the workers still
            // process them) and let go of the input's entrance; then the
            // input ends and the workers finish their writes.
            let entrance_closed = async {
                for (handle, server_task) in servers {
                    let _ = handle.send(());
                    let _ = server_task.await;
                }
                source.ended().await;
            };
            match &inline {
                None => entrance_closed.await,
                Some(inline) => {
                    // Requests run in their own tasks may wait on a batch
                    // the output holds, which nothing more will fill: it
                    // is written for them while the servers finish their
                    // requests (so those are answered, not timed out) and
                    // then, with no request left to admit another, until
                    // the last is done.
                    tokio::select! {
                        () = entrance_closed => {}
                        () = async {
                            loop {
                                flush_while_busy(inline, output.as_ref()).await;
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        } => {}
                    }
                    flush_while_busy(inline, output.as_ref()).await;
                }
            }
            while workers.join_next().await.is_some() {}
            output.close().await;
        };
        tokio::time::timeout(timeout, drain)
            .await
            .map_err(|_| "shutdown timed out with messages still in flight".to_string())
    }
}

/// Flushes `output` every 10 ms until `inline` has no transaction
/// running.
async fn flush_while_busy(inline: &Inline, output: &dyn Output) {
    while inline.is_busy() {
        output.flush(crate::component::Flush::Now).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
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
