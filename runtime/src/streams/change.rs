//! Changes to the set of streams. Each takes the change lock, checks and
//! swaps under it, then releases it before draining what it replaced, so
//! a slow drain holds up no other change. Callers should run a change on
//! its own task (the API does): a drain cut short by a dropped future
//! would drop messages.

use super::{
    Entry, Expect, Failure, Manager, Routes, check_id, json, lock, node, relocate, routes,
    yaml_problem,
};
use crate::component::build::Endpoint;
use crate::config::Node;
use crate::pipeline::Built;
use crate::pipeline::run::Mount;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Proof that the change lock is held.
pub(super) struct Changing<'a>(#[allow(dead_code)] tokio::sync::MutexGuard<'a, bool>);

impl Manager {
    async fn changing(&self) -> Result<Changing<'_>, Failure> {
        let guard = self.changes.lock().await;
        if *guard {
            return Err(Failure::Server("the server is shutting down".into()));
        }
        Ok(Changing(guard))
    }

    /// Creates stream `id`; an existing id is refused.
    pub async fn create(&self, id: &str, text: &str, lint: bool) -> Result<(), Failure> {
        self.upsert(id, text, lint, Expect::New).await
    }

    /// Replaces stream `id`'s config; an unknown id is refused.
    pub async fn replace(&self, id: &str, text: &str, lint: bool) -> Result<(), Failure> {
        self.upsert(id, text, lint, Expect::Existing).await
    }

    /// Creates stream `id` or replaces its config.
    pub async fn put(&self, id: &str, text: &str, lint: bool) -> Result<(), Failure> {
        self.upsert(id, text, lint, Expect::Either).await
    }

    async fn upsert(
        &self,
        id: &str,
        text: &str,
        lint: bool,
        expect: Expect,
    ) -> Result<(), Failure> {
        let changing = self.changing().await?;
        let old = self
            .upsert_locked(&changing, id, text, lint, expect)
            .await?;
        drop(changing);
        if let Some(old) = old {
            self.retire(id, old, None).await;
        }
        Ok(())
    }

    /// Deep-merges `patch` (YAML or JSON) into stream `id`'s config and
    /// replaces the stream with the result; problems are placed in the
    /// patch where it has the field.
    pub async fn patch(&self, id: &str, patch: &str, lint: bool) -> Result<(), Failure> {
        let patch = node::parse(patch).map_err(|e| Failure::Lint(vec![yaml_problem(e)]))?;
        let changing = self.changing().await?;
        let mut config = self
            .config(id)
            .ok_or_else(|| Failure::NotFound(format!("stream `{id}` not found")))?;
        json::merge(&mut config, json::to_json(&patch));
        let old = self
            .upsert_locked(&changing, id, &config.to_string(), lint, Expect::Existing)
            .await
            .map_err(|f| match f {
                Failure::Lint(problems) => Failure::Lint(relocate(problems, &patch, "")),
                other => other,
            })?;
        drop(changing);
        if let Some(old) = old {
            self.retire(id, old, None).await;
        }
        Ok(())
    }

    /// Checks, builds and starts `text` as stream `id` and swaps it in.
    /// Gives the stream it replaced, still to be drained.
    async fn upsert_locked(
        &self,
        _: &Changing<'_>,
        id: &str,
        text: &str,
        lint: bool,
        expect: Expect,
    ) -> Result<Option<Entry>, Failure> {
        check_id(id)?;
        let exists = lock(&self.entries).contains_key(id);
        match (expect, exists) {
            (Expect::New, true) => {
                return Err(Failure::BadRequest(format!("stream `{id}` already exists")));
            }
            (Expect::Existing, false) => {
                return Err(Failure::NotFound(format!("stream `{id}` not found")));
            }
            _ => {}
        }
        let config = node::parse(text)
            .map(|tree| json::to_json(&tree))
            .map_err(|e| Failure::Lint(vec![yaml_problem(e)]))?;
        let result = match self.prepare(id, text, lint) {
            Ok(cfg) => self.launch(id, cfg, config).await,
            Err(f) => Err(f),
        };
        if result.is_err() && !exists {
            // A stream that never started leaves no metrics behind.
            crate::metrics::global().remove_stream(id);
        }
        result
    }

    /// Starts a built stream as `id` and swaps it in; gives the stream it
    /// replaced.
    async fn launch(
        &self,
        id: &str,
        cfg: Built,
        config: serde_json::Value,
    ) -> Result<Option<Entry>, Failure> {
        let prefix = if self.settings.prefix_endpoints {
            format!("/{id}")
        } else {
            String::new()
        };
        let mut ws = !prefix.is_empty();
        let mut own_address = None;
        let http_input = cfg.endpoints.iter().map(|e| match e {
            Endpoint::HttpServer(h) => h.input.clone(),
        });
        for h in http_input {
            if h.address.is_empty() {
                ws |= h.ws_path_set;
                let mine = Routes {
                    prefix: prefix.clone(),
                    ws,
                };
                let entries = lock(&self.entries);
                let others = entries
                    .iter()
                    .filter(|(other, _)| other.as_str() != id)
                    .filter_map(|(other, e)| {
                        e.http.as_ref().map(|(r, s)| (other.as_str(), r, &*s.input))
                    });
                routes::check_collisions(id, &h, &mine, others, &self.settings)
                    .map_err(Failure::BadRequest)?;
            } else {
                own_address = Some(h.address.clone());
            }
        }
        // The stream being replaced holds the same address: it has to let
        // go of it first, and comes back if the new one cannot start.
        let holds_address = own_address.is_some()
            && lock(&self.entries)
                .get(id)
                .and_then(|e| e.own_address.as_ref())
                == own_address.as_ref();
        let mut stopped_first = None;
        if holds_address && let Some(old) = self.take(id) {
            let config = old.config.clone();
            self.retire(id, old, None).await;
            stopped_first = Some(config);
        }
        let mount = Mount::Shared {
            stopping: self.stopping.clone(),
        };
        let mut running = match crate::pipeline::run::start(cfg, mount).await {
            Ok(running) => running,
            Err(e) => {
                if let Some(config) = stopped_first {
                    self.relaunch(id, config).await;
                }
                return Err(Failure::Server(e));
            }
        };
        let http = running
            .http
            .take()
            .map(|state| (Routes { prefix, ws }, state));
        let entry = Entry {
            config,
            own_address,
            started: Instant::now(),
            running,
            http,
        };
        let swapped = {
            let mut entries = lock(&self.entries);
            let old = entries.insert(id.to_string(), entry);
            match self.update_routes(&entries, Some(id)) {
                Ok(()) => Ok(old),
                Err(e) => {
                    // Put the set back as it was.
                    let new = match old {
                        Some(old) => entries.insert(id.to_string(), old),
                        None => entries.remove(id),
                    };
                    let _ = self.update_routes(&entries, Some(id));
                    Err((e, new))
                }
            }
        };
        match swapped {
            Ok(old) => {
                let verb = if old.is_some() || stopped_first.is_some() {
                    "Updated"
                } else {
                    "Created"
                };
                crate::log::info(&format!("{verb} stream {id}"));
                Ok(old)
            }
            Err((e, new)) => {
                if let Some(new) = new {
                    let _ = new.running.stop(Duration::ZERO).await;
                }
                Err(Failure::BadRequest(e))
            }
        }
    }

    /// Starts a stream again from the config it ran before.
    async fn relaunch(&self, id: &str, config: serde_json::Value) {
        let text = config.to_string();
        let result = match self.prepare(id, &text, false) {
            Ok(cfg) => Box::pin(self.launch(id, cfg, config)).await.map(drop),
            Err(f) => Err(f),
        };
        if let Err(f) = result {
            crate::log::error(&format!(
                "stream {id}: could not restart the previous config: {f}"
            ));
        }
    }

    /// Stops stream `id` gracefully within `timeout` and forgets its
    /// metrics. The stream is gone even when messages were still in
    /// flight at the timeout; that is logged.
    pub async fn delete(&self, id: &str, timeout: Option<Duration>) -> Result<(), Failure> {
        let changing = self.changing().await?;
        let old = self
            .take(id)
            .ok_or_else(|| Failure::NotFound(format!("stream `{id}` not found")))?;
        drop(changing);
        self.retire(id, old, timeout).await;
        crate::metrics::global().remove_stream(id);
        crate::log::info(&format!("Deleted stream {id}"));
        Ok(())
    }

    /// Drains a stream that is no longer routed, counted so shutdown waits
    /// for it; false when the timeout ran out first.
    async fn retire(&self, id: &str, old: Entry, timeout: Option<Duration>) -> bool {
        self.draining.fetch_add(1, Ordering::SeqCst);
        let drained = self
            .drain(id, old, timeout.unwrap_or(self.settings.shutdown_timeout))
            .await;
        self.draining.fetch_sub(1, Ordering::SeqCst);
        drained
    }

    /// Makes the set of streams exactly `wanted` (id, config text, and the
    /// config as submitted): creates new ids, replaces changed ones and
    /// deletes the rest. Every config is checked before anything changes;
    /// a stream that then fails to start stops the change there, naming it.
    pub async fn set_all(
        &self,
        wanted: Vec<(String, String, Node)>,
        lint: bool,
    ) -> Result<(), Failure> {
        let mut problems = Vec::new();
        for (id, text, submitted) in &wanted {
            check_id(id).map_err(|f| Failure::BadRequest(format!("{id}: {f}")))?;
            match self.check_only(text, lint) {
                Ok(()) => {}
                Err(Failure::Lint(found)) => problems.extend(relocate(found, submitted, id)),
                Err(other) => return Err(Failure::BadRequest(format!("{id}: {other}"))),
            }
        }
        if !problems.is_empty() {
            return Err(Failure::Lint(problems));
        }
        let changing = self.changing().await?;
        let mut retired = Vec::new();
        for id in self.ids() {
            if !wanted.iter().any(|(w, _, _)| *w == id)
                && let Some(old) = self.take(&id)
            {
                retired.push((id, old, true));
            }
        }
        let mut failure = None;
        for (id, text, _) in &wanted {
            let unchanged = self.config(id).is_some_and(|config| {
                node::parse(text).is_ok_and(|tree| json::to_json(&tree) == config)
            });
            if unchanged {
                continue;
            }
            match self
                .upsert_locked(&changing, id, text, lint, Expect::Either)
                .await
            {
                Ok(Some(old)) => retired.push((id.clone(), old, false)),
                Ok(None) => {}
                Err(f) => {
                    failure = Some(Failure::Server(format!(
                        "{id}: {f} (the streams before it in the body were applied)"
                    )));
                    break;
                }
            }
        }
        drop(changing);
        let drains = retired.into_iter().map(|(id, old, deleted)| async move {
            self.retire(&id, old, None).await;
            if deleted {
                crate::metrics::global().remove_stream(&id);
                crate::log::info(&format!("Deleted stream {id}"));
            }
        });
        futures_join(drains).await;
        failure.map_or(Ok(()), Err)
    }

    /// Stops every stream (at process shutdown), each within the timeout,
    /// and waits for replaced streams still draining. No change starts
    /// afterwards.
    pub async fn stop_all(&self) {
        let mut closed = self.changes.lock().await;
        *closed = true;
        let all: Vec<(String, Entry)> = std::mem::take(&mut *lock(&self.entries))
            .into_iter()
            .collect();
        self.update_routes(&Default::default(), None).ok();
        drop(closed);
        let timeout = self.settings.shutdown_timeout;
        let stops = all.into_iter().map(|(id, e)| async move {
            if e.running.stop(timeout).await.is_err() {
                crate::log::error(&format!(
                    "stream {id}: shutdown timed out with messages still in flight"
                ));
            }
        });
        futures_join(stops).await;
        let until = Instant::now() + timeout;
        while self.draining.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Awaits every future, concurrently, on this task.
async fn futures_join<F: std::future::Future<Output = ()>>(futures: impl IntoIterator<Item = F>) {
    let mut all: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    std::future::poll_fn(|cx| {
        all.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if all.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}
