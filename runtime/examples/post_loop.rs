//! The floor of `scripts/bench-http-client`: a bare reqwest client that
//! POSTs `COUNT` small bodies to `URL`, `CONCURRENCY` at a time, as fast
//! as the server answers, and prints how long that took in seconds.
//!
//! Usage: `post_loop URL COUNT CONCURRENCY`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The same allocator as the `tarn` binary, so the comparison is fair.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: post_loop URL COUNT CONCURRENCY")?;
    let count: usize = args.next().ok_or("COUNT missing")?.parse()?;
    let concurrency: usize = args.next().ok_or("CONCURRENCY missing")?.parse()?;
    // The client the runtime builds: reqwest over rustls (ring), here
    // with no roots since the URL is plain HTTP.
    let tls =
        rustls::ClientConfig::builder_with_provider(tarn_runtime::http::tls::crypto_provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let senders: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (client, next, url) = (client.clone(), next.clone(), url.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return Ok::<(), reqwest::Error>(());
                    }
                    let body = format!("{{\"id\":{i},\"name\":\"message {i}\"}}");
                    client
                        .post(&url)
                        .body(body)
                        .send()
                        .await?
                        .error_for_status()?;
                }
            })
        })
        .collect();
    for s in senders {
        s.await??;
    }
    println!("{:.3}", started.elapsed().as_secs_f64());
    Ok(())
}
