//! The `http_client` output: sends messages to an HTTP server with the
//! shared client of [`crate::http::client`] (TLS, auth, rate limit,
//! status classification, retries), up to `max_in_flight` writes at
//! once, behind an optional `batching` policy.
//!
//! As in Benthos, a batch of one message is one request with the message
//! as its body. A larger batch is one `multipart/form-data` request when
//! `batch_as_multipart` is set; otherwise each message is its own
//! request, one after another (the first failure fails the batch), or
//! all at once with `parallel`. Explicit `multipart` parts replace the
//! body of every request. With `propagate_response` the response
//! replaces each message (its body, `http_status_code` and the
//! `extract_headers` as metadata) and is stored as the synchronous
//! response, which makes the pipeline a proxy.

use super::batched::batched;
use crate::component::batching::BatchingConfig;
use crate::component::{
    Batch, BoxFuture, Build, BuildError, Error, Output, Registry, Responses, WriteCtx,
    split_by_store,
};
use crate::config::types::Interp;
use crate::http::client::config::{http_client_config, take_client_config};
use crate::http::client::request::ExplicitPart;
use crate::http::client::response::merge;
use crate::http::client::{Failure, HttpClient};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::Message;

fn sixty_four() -> usize {
    64
}

fn empty() -> Interp {
    Interp::literal("")
}

/// One explicit part of a multipart request body.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MultipartPartConfig {
    /// The part's `Content-Type` (interpolated).
    #[serde(default = "empty")]
    pub content_type: Interp,
    /// The part's `Content-Disposition` (interpolated).
    #[serde(default = "empty")]
    pub content_disposition: Interp,
    /// The part's body (interpolated).
    #[serde(default = "empty")]
    pub body: Interp,
}

http_client_config! {
    /// The `http_client` output's config.
    pub struct Config {
        /// Send a batch as one multipart request; otherwise each message
        /// is its own request.
        #[serde(default)]
        pub batch_as_multipart: bool,
        /// Without `batch_as_multipart`, send the messages of a batch all
        /// at once instead of one after another.
        #[serde(default)]
        pub parallel: bool,
        /// Replace each message with the response and store it as the
        /// synchronous response of its input.
        #[serde(default)]
        pub propagate_response: bool,
        /// How many writes (batches) may be in flight at once.
        #[serde(default = "sixty_four")]
        pub max_in_flight: usize,
        /// Gather messages into batches before sending.
        #[serde(default)]
        pub batching: BatchingConfig,
        /// Explicit parts of a multipart body, replacing the body made
        /// from the messages.
        #[serde(default)]
        pub multipart: Vec<MultipartPartConfig>,
    }
}

/// Registers the output.
pub fn register(r: &mut Registry) {
    r.output::<Config>(
        "http_client",
        "Sends messages to an HTTP server, with retries, backoff and TLS.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    if cfg.max_in_flight == 0 || cfg.max_in_flight > crate::component::MAX_IN_FLIGHT {
        return Err(ctx.field_error(
            "max_in_flight",
            format!("must be from 1 to {}", crate::component::MAX_IN_FLIGHT),
        ));
    }
    let policy = cfg.batching.build(ctx)?;
    let parts = cfg
        .multipart
        .into_iter()
        .map(|p| ExplicitPart {
            content_type: p.content_type,
            content_disposition: p.content_disposition,
            body: p.body,
        })
        .collect();
    let (batch_as_multipart, parallel, propagate_response, max_in_flight) = (
        cfg.batch_as_multipart,
        cfg.parallel,
        cfg.propagate_response,
        cfg.max_in_flight,
    );
    let client = HttpClient::build(take_client_config!(cfg), ctx)?.with_parts(parts);
    let output = Arc::new(HttpClientOutput {
        client,
        batch_as_multipart,
        parallel,
        propagate_response,
        max_in_flight,
    });
    Ok(batched(output, policy))
}

#[derive(Debug)]
struct HttpClientOutput {
    client: HttpClient,
    batch_as_multipart: bool,
    parallel: bool,
    propagate_response: bool,
    max_in_flight: usize,
}

impl HttpClientOutput {
    /// One request per message; the responses of each.
    async fn one_by_one(&self, batch: &[Message]) -> Result<Vec<Vec<Message>>, Failure> {
        if self.parallel {
            let sends = batch
                .iter()
                .map(|m| self.client.send(std::slice::from_ref(m)));
            futures_util::future::join_all(sends)
                .await
                .into_iter()
                .collect()
        } else {
            let mut all = Vec::with_capacity(batch.len());
            for msg in batch {
                all.push(self.client.send(std::slice::from_ref(msg)).await?);
            }
            Ok(all)
        }
    }
}

/// Stores each message's responses as the response of its input.
fn propagate(batch: &[Message], per_message: Vec<Vec<Message>>, stores: &Responses) {
    let merged: Vec<Vec<Message>> = batch
        .iter()
        .zip(per_message)
        .map(|(msg, responses)| merge(std::slice::from_ref(msg), responses))
        .collect();
    for (i, (start, store)) in stores.iter().enumerate() {
        let end = stores
            .get(i + 1)
            .map_or(merged.len(), |(next, _)| *next)
            .min(merged.len());
        let part: Vec<Message> = merged
            .get(*start..end)
            .unwrap_or_default()
            .iter()
            .flatten()
            .cloned()
            .collect();
        store.set(part);
    }
}

impl Output for HttpClientOutput {
    fn connect(&self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            crate::log::info(&format!(
                "Sending messages via HTTP requests to: {}",
                self.client.url_text()
            ));
            self.client.connect().await
        })
    }

    fn write<'a>(&'a self, batch: Batch, ctx: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            if batch.is_empty() {
                return Ok(());
            }
            let wanted = self.propagate_response && !ctx.responses.is_empty();
            if self.batch_as_multipart || batch.len() == 1 {
                let responses = self.client.send(&batch).await.map_err(|f| f.error)?;
                if wanted {
                    for (store, part) in split_by_store(&merge(&batch, responses), &ctx.responses) {
                        store.set(part);
                    }
                }
                return Ok(());
            }
            let per_message = self.one_by_one(&batch).await.map_err(|f| f.error)?;
            if wanted {
                propagate(&batch, per_message, &ctx.responses);
            }
            Ok(())
        })
    }

    fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }
}

#[cfg(test)]
mod tests {
    use crate::testing;

    #[test]
    fn bad_settings_are_located_errors() {
        let err = |yaml: &str| {
            testing::build(crate::component::Kind::Output, yaml, "").expect_err("rejected")
        };
        let e = err("http_client:\n  url: http://x\n  max_in_flight: 0\n");
        assert!(e.contains("max_in_flight: must be from 1 to 65536"), "{e}");
        let e = err("http_client:\n  url: http://x\n  tls:\n    enabled: true\n    enable_renegotiation: true\n");
        assert!(e.contains("tls.enable_renegotiation") && e.contains("is not supported yet"), "{e}");
        let e = err("http_client:\n  url: http://x\n  basic_auth:\n    enabled: true\n  jwt:\n    enabled: true\n");
        assert!(e.contains("jwt.enabled") && e.contains("enable only one"), "{e}");
        let e = err("http_client:\n  url: http://x\n  verb: 'G T'\n");
        assert!(e.contains("verb"), "{e}");
        let e = err("http_client:\n  url: http://x\n  tls:\n    enabled: true\n    root_cas_file: /nonexistent/ca.pem\n");
        assert!(e.contains("tls.root_cas_file") && e.contains("cannot read"), "{e}");
        let e = err("http_client:\n  url: http://x\n  rate_limit: nope\n");
        assert!(e.contains("rate_limit"), "{e}");
        let e = err("http_client:\n  url: http://x\n  dump_request_log_level: LOUD\n");
        assert!(e.contains("dump_request_log_level"), "{e}");
        let e = err("http_client:\n  url: http://x\n  tls:\n    enabled: true\n    client_certs:\n      - cert: x\n        key: y\n        password: p\n");
        assert!(e.contains("tls.client_certs.0.password") && e.contains("not supported yet"), "{e}");
        let e = err("http_client:\n  url: http://x\n  unknown_field: 1\n");
        assert!(e.contains("unknown_field"), "{e}");
    }
}
