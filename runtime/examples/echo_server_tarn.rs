//! The same server as `echo_server`, served by Tarn's own accept loop
//! (`tarn_runtime::http::server`) instead of `axum::serve`: with it,
//! `scripts/bench-http` separates the accept loop's cost from the
//! pipeline's.
//!
//! Usage: `echo_server_tarn ADDR` (with `NO_HEADER_TIMEOUT` set in the
//! environment, without the header read timeout, to measure its cost).

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use tarn_runtime::http::server::{ServerOptions, serve};

/// The same allocator as the `tarn` binary, so the comparison is fair.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4197".to_string());
    let app = Router::new().route(
        "/post",
        post(|body: Bytes| async move { body.to_ascii_uppercase() }),
    );
    let mut options = ServerOptions::default();
    if std::env::var_os("NO_HEADER_TIMEOUT").is_some() {
        options.header_read_timeout = None;
    }
    let server = serve(&addr, app, options).await?;
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
