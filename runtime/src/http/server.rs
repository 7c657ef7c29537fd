//! The accept loop every HTTP server of the runtime runs on: an axum
//! [`Router`] served over plain TCP or TLS, one task per connection,
//! HTTP/1.1 with upgrades (WebSockets), graceful shutdown.
//!
//! - Each accepted socket gets `TCP_NODELAY` and its own task; the loop
//!   itself only accepts, so a slow or hostile client cannot hold it up.
//! - With TLS, the handshake runs in the connection's task and must end
//!   within [`ServerOptions::tls_handshake_timeout`]; a failed handshake
//!   closes that connection only.
//! - A client must send a request head within
//!   [`ServerOptions::header_read_timeout`] (this also closes keep-alive
//!   connections idle for that long).
//! - At most [`ServerOptions::max_connections`] connections are open at
//!   once; further clients wait in the listen backlog.
//! - Handlers see `ConnectInfo<SocketAddr>` (the client's address) and,
//!   on TLS connections, a [`TlsInfo`] request extension.
//! - Stopping closes the listener, lets every in-flight request finish
//!   (idle connections close at once), drops unfinished handshakes, and
//!   resolves when the last connection has ended.

use super::tls::TlsConfig;
use axum::Router;
use axum::extract::ConnectInfo;
use futures_util::task::{ArcWake, AtomicWaker, waker_ref};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tower::Service;

/// How a server treats its connections.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Serve HTTPS with this configuration; `None` serves plain HTTP.
    pub tls: Option<TlsConfig>,
    /// How long a TLS handshake may take before the connection is
    /// dropped.
    pub tls_handshake_timeout: Duration,
    /// How long a client may take to send a request head; also the idle
    /// limit of a keep-alive connection. `None`: no limit.
    pub header_read_timeout: Option<Duration>,
    /// Open connections at most; more clients wait to be accepted.
    pub max_connections: usize,
}

/// The default [`ServerOptions::tls_handshake_timeout`].
pub const DEFAULT_TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The default [`ServerOptions::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The default [`ServerOptions::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            tls: None,
            tls_handshake_timeout: DEFAULT_TLS_HANDSHAKE_TIMEOUT,
            header_read_timeout: Some(DEFAULT_HEADER_READ_TIMEOUT),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl ServerOptions {
    /// The defaults, with HTTPS when `tls` is given.
    pub fn with_tls(tls: Option<TlsConfig>) -> Self {
        ServerOptions {
            tls,
            ..ServerOptions::default()
        }
    }
}

/// The negotiated TLS parameters of the connection a request came on,
/// named as Go's `crypto/tls` names them (what Benthos puts in metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// `TLSv1.2` or `TLSv1.3`.
    pub version: &'static str,
    /// The cipher suite, e.g. `TLS_AES_128_GCM_SHA256`.
    pub cipher_suite: String,
}

impl TlsInfo {
    fn of(conn: &rustls::ServerConnection) -> TlsInfo {
        let version = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            _ => "",
        };
        let cipher_suite = conn
            .negotiated_cipher_suite()
            .map(|s| {
                let name = s.suite().as_str().unwrap_or("");
                // rustls writes the TLS 1.3 suites as `TLS13_…`.
                match name.strip_prefix("TLS13_") {
                    Some(rest) => format!("TLS_{rest}"),
                    None => name.to_string(),
                }
            })
            .unwrap_or_default();
        TlsInfo {
            version,
            cipher_suite,
        }
    }
}

/// Why a server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The address cannot be listened on.
    Bind {
        /// The address asked for.
        address: String,
        /// The failure.
        source: std::io::Error,
    },
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Bind { address, source } => {
                write!(f, "http: cannot listen on {address}: {source}")
            }
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Bind { source, .. } => Some(source),
        }
    }
}

/// A running server.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    tls: bool,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The address the server listens on (the real port when `:0` was
    /// asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Whether it serves HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Stops accepting, lets in-flight requests finish, and resolves
    /// when every connection has ended.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }

    /// The stop signal (send, or drop, to stop) and the server's task,
    /// which ends once every connection has.
    pub fn into_parts(self) -> (oneshot::Sender<()>, JoinHandle<()>) {
        (self.stop, self.task)
    }
}

/// Listens on `address` (`host:port`; port 0 picks a free one) and
/// serves `app` until stopped.
pub async fn serve(
    address: &str,
    app: Router,
    options: ServerOptions,
) -> Result<RunningServer, ServeError> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| ServeError::Bind {
            address: address.to_string(),
            source,
        })?;
    serve_listener(listener, app, options).map_err(|source| ServeError::Bind {
        address: address.to_string(),
        source,
    })
}

/// Serves `app` on a bound listener until stopped. Must be called
/// within a Tokio runtime; fails only when the listener has no local
/// address.
pub fn serve_listener(
    listener: TcpListener,
    app: Router,
    options: ServerOptions,
) -> std::io::Result<RunningServer> {
    let local_addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel();
    let tls = options.tls.is_some();
    let task = tokio::spawn(accept_loop(listener, app, options, stopped));
    Ok(RunningServer {
        local_addr,
        tls,
        stop,
        task,
    })
}

/// What every connection task shares.
struct Shared {
    app: Router,
    builder: http1::Builder,
    tls: Option<tokio_rustls::TlsAcceptor>,
    tls_handshake_timeout: Duration,
    /// Turns true when the server stops.
    closing: watch::Receiver<bool>,
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    options: ServerOptions,
    mut stop: oneshot::Receiver<()>,
) {
    let (closing_tx, closing) = watch::channel(false);
    // Every connection task holds a sender; `recv` ends when all are gone.
    let (live_tx, mut live_rx) = mpsc::channel::<()>(1);
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let shared = Arc::new(Shared {
        app,
        builder,
        tls: options
            .tls
            .map(|t| tokio_rustls::TlsAcceptor::from(t.server_config())),
        tls_handshake_timeout: options.tls_handshake_timeout,
        closing,
    });
    loop {
        let slot = tokio::select! {
            biased;
            _ = &mut stop => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            biased;
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let (tcp, remote) = match accepted {
            Ok(pair) => pair,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of file descriptors and the like: wait a little
                // rather than spin (as Go's and axum's servers do).
                crate::log::warn(&format!("http: accepting a connection failed: {e}"));
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(connection(
            shared.clone(),
            tcp,
            remote,
            slot,
            live_tx.clone(),
        ));
    }
    drop(listener);
    let _ = closing_tx.send(true);
    drop(live_tx);
    let _ = live_rx.recv().await;
}

fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Serves one connection: the TLS handshake when there is one, then
/// HTTP/1.1 until the client leaves or the server stops.
async fn connection(
    shared: Arc<Shared>,
    tcp: TcpStream,
    remote: SocketAddr,
    _slot: OwnedSemaphorePermit,
    _live: mpsc::Sender<()>,
) {
    let mut closing = shared.closing.clone();
    let Some(acceptor) = &shared.tls else {
        return drive(&shared, TokioIo::new(tcp), remote, None, closing).await;
    };
    let handshake = tokio::time::timeout(shared.tls_handshake_timeout, acceptor.accept(tcp));
    let stream = tokio::select! {
        done = handshake => match done {
            Ok(Ok(stream)) => stream,
            // A failed or slow handshake: that client's problem only.
            Ok(Err(e)) => {
                crate::log::debug(&format!("http: TLS handshake error from {remote}: {e}"));
                return;
            }
            Err(_) => {
                crate::log::debug(&format!("http: TLS handshake from {remote} timed out"));
                return;
            }
        },
        _ = closing.wait_for(|c| *c) => return,
    };
    let info = TlsInfo::of(stream.get_ref().1);
    drive(&shared, TokioIo::new(stream), remote, Some(info), closing).await;
}

async fn drive<I>(
    shared: &Shared,
    io: TokioIo<I>,
    remote: SocketAddr,
    tls: Option<TlsInfo>,
    mut closing: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let app = shared.app.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(remote));
        if let Some(info) = &tls {
            req.extensions_mut().insert(info.clone());
        }
        app.clone().call(req)
    });
    let conn = shared.builder.serve_connection(io, service).with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = OnWake::new(closing.wait_for(|c| *c)) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

pin_project_lite::pin_project! {
    /// `inner`, polled only once it has woken the task (and on the first
    /// poll). A connection's task wakes for every read and write; the
    /// server's stop signal, shared by every connection, takes a lock
    /// each time it is polled.
    struct OnWake<F> {
        #[pin]
        inner: F,
        flag: Arc<WakeFlag>,
    }
}

/// Whether an [`OnWake`]'s inner future woke the task, and that task.
struct WakeFlag {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl ArcWake for WakeFlag {
    fn wake_by_ref(flag: &Arc<Self>) {
        flag.woken.store(true, Ordering::Release);
        flag.task.wake();
    }
}

impl<F> OnWake<F> {
    fn new(inner: F) -> Self {
        OnWake {
            inner,
            flag: Arc::new(WakeFlag {
                woken: AtomicBool::new(true),
                task: AtomicWaker::new(),
            }),
        }
    }
}

impl<F: Future> Future for OnWake<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        this.flag.task.register(cx.waker());
        if !this.flag.woken.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        let waker = waker_ref(this.flag);
        this.inner.poll(&mut Context::from_waker(&waker))
    }
}

#[cfg(test)]
mod tests;
