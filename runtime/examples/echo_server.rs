//! A bare axum server that answers `POST /post` with the upper-cased body:
//! the baseline `scripts/bench-http` compares `tarn run` against.
//!
//! Usage: `echo_server ADDR`

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;

/// The same allocator as the `tarn` binary, so the comparison is fair.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4196".to_string());
    let app = Router::new().route(
        "/post",
        post(|body: Bytes| async move { body.to_ascii_uppercase() }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
