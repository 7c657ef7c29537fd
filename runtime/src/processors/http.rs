//! The `http` processor: sends messages to an HTTP server with the
//! shared client of [`crate::http::client`] and replaces each message
//! with the response (its body; `http_status_code` and the
//! `extract_headers` as metadata; the original metadata kept).
//!
//! As in Benthos: a batch of one message, or any batch with
//! `batch_as_multipart`, is one request (a multipart response gives one
//! message per part, the first message copied for parts beyond the
//! batch); otherwise each message is its own request, one after another,
//! or all at once with `parallel`. A request that still fails after its
//! retries leaves its messages as they were, flagged with the error (and
//! `http_status_code` when there was a response), for `catch` and the
//! other error handling processors.

use super::one;
use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, fail_message,
};
use crate::http::client::config::{http_client_config, take_client_config};
use crate::http::client::response::merge;
use crate::http::client::{Failure, HttpClient};
use std::sync::Arc;
use tarn_lang::{ErrorSource, Message, Value};

http_client_config! {
    /// The `http` processor's config.
    pub struct Config {
        /// Send a batch as one multipart request; otherwise each message
        /// is its own request.
        #[serde(default)]
        pub batch_as_multipart: bool,
        /// Without `batch_as_multipart`, send the messages of a batch all
        /// at once instead of one after another.
        #[serde(default)]
        pub parallel: bool,
    }
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "http",
        "Sends each message (or batch) to an HTTP server and replaces it with the response.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let (batch_as_multipart, parallel) = (cfg.batch_as_multipart, cfg.parallel);
    let client = HttpClient::build(take_client_config!(cfg), ctx)?;
    Ok(Arc::new(Http {
        client,
        batch_as_multipart,
        parallel,
        source: ctx.error_source(),
    }))
}

#[derive(Debug)]
struct Http {
    client: HttpClient,
    batch_as_multipart: bool,
    parallel: bool,
    source: ErrorSource,
}

impl Http {
    /// `batch` left as it was, each message flagged with `failure`.
    fn flagged(&self, batch: &[Message], failure: &Failure) -> Vec<Message> {
        batch
            .iter()
            .map(|m| {
                let mut m = m.clone();
                if let Some(code) = failure.status {
                    m.meta_mut()
                        .insert("http_status_code", Value::Int(code.into()));
                }
                fail_message(&mut m, &failure.error, &self.source);
                m
            })
            .collect()
    }

    /// The messages `batch` becomes after one request for all of it.
    async fn whole(&self, batch: &[Message]) -> Vec<Message> {
        match self.client.send(batch).await {
            Ok(responses) => merge(batch, responses),
            Err(failure) => self.flagged(batch, &failure),
        }
    }
}

impl Processor for Http {
    fn process<'a>(&'a self, batch: Batch, _ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let out = if self.batch_as_multipart || batch.len() == 1 {
                self.whole(&batch).await
            } else if self.parallel {
                let sends = batch.iter().map(|m| async move {
                    let one = std::slice::from_ref(m);
                    match self.client.send(one).await {
                        Ok(responses) if responses.len() == 1 => merge(one, responses),
                        Ok(responses) => {
                            let error = crate::component::Error::rejected(format!(
                                "unexpected response size: {}",
                                responses.len()
                            ));
                            self.flagged(one, &Failure::from(error))
                        }
                        Err(failure) => self.flagged(one, &failure),
                    }
                });
                futures_util::future::join_all(sends)
                    .await
                    .into_iter()
                    .flatten()
                    .collect()
            } else {
                let mut out = Vec::with_capacity(batch.len());
                for msg in &batch {
                    out.extend(self.whole(std::slice::from_ref(msg)).await);
                }
                out
            };
            if out.is_empty() {
                // A multipart response with no parts: the batch stays,
                // flagged, rather than vanishing.
                let error = crate::component::Error::rejected(format!(
                    "HTTP response from '{}' was empty",
                    self.client.url_text()
                ));
                return one(self.flagged(&batch, &Failure::from(error)));
            }
            one(out)
        })
    }
}
