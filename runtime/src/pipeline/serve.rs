//! The HTTP servers a pipeline starts: an `http_server` input on its own
//! address, and (for a pipeline run alone) the service server with the
//! service endpoints and the input's routes.

use super::inline::Inline;
use super::run::{HttpSettings, Mount};
use crate::component::Entrance;
use crate::component::build::Endpoint;
use crate::inputs::http_server::{HttpState, add_routes};
use axum::Router;
use std::sync::Arc;
use tokio::sync::watch;

/// A running HTTP server: send on the first to stop it gracefully, then
/// await the second.
pub type ServerHandle = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
);

/// Starts the HTTP servers the endpoints need: an `http_server` input on
/// its own address gets its own server; otherwise its routes go on the
/// service server (started here when the pipeline is mounted on its own)
/// or are handed back for a shared server. The endpoint keyed in `inline`
/// runs its requests' transactions in their own tasks with that runner.
pub(super) async fn start_http(
    endpoints: &[Endpoint],
    mount: &Mount,
    (stopping, retired): (watch::Receiver<bool>, watch::Receiver<bool>),
    inline: Option<(usize, Arc<Inline>)>,
) -> Result<(Vec<ServerHandle>, Option<HttpState>), String> {
    let mut servers = Vec::new();
    let mut on_service = None;
    for endpoint in endpoints {
        let Endpoint::HttpServer(h) = endpoint;
        let state = HttpState {
            input: h.input.clone(),
            tx: h.tx.clone(),
            inline: inline
                .as_ref()
                .filter(|(key, _)| *key == Entrance::key_of(&h.input))
                .map(|(_, runner)| runner.clone()),
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
            check_own_endpoints(endpoints, http)?;
            if http.enabled {
                servers.push(serve_service(http, on_service).await?);
            }
            Ok((servers, None))
        }
        Mount::Shared { .. } => Ok((servers, on_service)),
    }
}

/// What `tarn run` refuses in how `http_server` inputs use its service
/// server: more than one, one with the server disabled, or a path that
/// clashes with a service endpoint. Checked by lint too.
pub fn check_own_endpoints(endpoints: &[Endpoint], http: &HttpSettings) -> Result<(), String> {
    let mut on_service = endpoints.iter().filter_map(|e| {
        let Endpoint::HttpServer(h) = e;
        h.input.address.is_empty().then_some(&h.input.path)
    });
    let Some(path) = on_service.next() else {
        return Ok(());
    };
    if on_service.next().is_some() {
        return Err("only one http_server input may use the service server".to_string());
    }
    if !http.enabled {
        return Err(
            "http_server: the input uses the service server (no `address`), but `http.enabled` is false"
                .to_string(),
        );
    }
    let prefix = http.root_path.trim_end_matches('/');
    if crate::endpoints::SERVICE_ENDPOINTS
        .iter()
        .any(|(e, _)| path == e || *path == format!("{prefix}{e}"))
    {
        return Err(format!(
            "http_server: the path {path} clashes with a service endpoint"
        ));
    }
    Ok(())
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
