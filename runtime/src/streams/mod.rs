//! Streams mode (runtime.md §6): many isolated pipelines in one process,
//! sharing one HTTP server, one logger, one metrics registry and the root
//! config's resources, created from files and changed through a REST API.
//!
//! Every change goes through [`Manager`]: it checks and builds the new
//! config, starts it, swaps the shared server's routes to it and only
//! then drains the old stream, so a request already routed to the old
//! stream is still answered.

pub mod api;
pub mod files;
mod resources;
mod routes;

use crate::build::StreamConfig;
use crate::config::json;
use crate::config::node::{self, Node};
use crate::config::schema::STREAM_FIELDS;
use crate::config::{Checks, Problem};
use crate::input::http_server::HttpState;
use crate::stream::{Mount, Running};
use axum::Router;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How streams mode is set up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Serve a stream's `http_server` paths under `/{id}`.
    pub prefix_endpoints: bool,
    /// How long a stream may take to drain when it is replaced or deleted
    /// without a `?timeout=`, and at shutdown.
    pub shutdown_timeout: Duration,
    /// The service endpoints' `root_path`, reserved like the API's paths.
    pub root_path: String,
}

/// Why a change was refused, as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The config has lint problems (400 `{"lint_errors": […]}`).
    Lint(Vec<Problem>),
    /// The request is wrong (400 `Error: …`).
    BadRequest(String),
    /// No such stream or resource (404).
    NotFound(String),
    /// The change was valid but failed to take effect (502).
    Server(String),
    /// A change without the API token (401).
    Unauthorized,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Lint(problems) => write!(f, "{}", lint_lines(problems).join("\n")),
            Failure::BadRequest(m) | Failure::NotFound(m) | Failure::Server(m) => f.write_str(m),
            Failure::Unauthorized => {
                f.write_str("this endpoint needs the API token as `Authorization: Bearer <token>`")
            }
        }
    }
}

/// What is known of one stream, for listing.
#[derive(Debug, Clone)]
pub struct Info {
    /// Running and still connected to its input.
    pub active: bool,
    /// Time since it was (re)started.
    pub uptime: Duration,
}

/// Whether an upsert expects the id to exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    New,
    Existing,
    Either,
}

struct Entry {
    config: serde_json::Value,
    started: Instant,
    running: Running,
    /// The input's routes and request state, when the shared server
    /// serves them.
    http: Option<(Routes, HttpState)>,
}

/// Where a stream's `http_server` routes go on the shared server.
#[derive(Debug, Clone)]
struct Routes {
    /// `/{id}`, or empty when prefixing is off.
    prefix: String,
    /// Serve the WebSocket route: with a prefix, or when the config set
    /// `ws_path` (without a prefix every stream's default `/post/ws`
    /// would collide).
    ws: bool,
}

/// The streams' routes on the shared server. With prefixing, each
/// stream's routes sit behind its id, so a change touches one router and
/// a request finds its stream by the first path segment; without, one
/// router holds every stream's routes.
#[derive(Debug, Default)]
struct Routing {
    by_id: std::collections::HashMap<String, Router>,
    combined: Router,
}

/// The set of running streams.
pub struct Manager {
    settings: Settings,
    shared: RwLock<Node>,
    entries: Mutex<BTreeMap<String, Entry>>,
    /// Serialises changes, so checks and swaps see a settled set.
    changes: tokio::sync::Mutex<()>,
    routing: RwLock<Routing>,
    stopping: watch::Receiver<bool>,
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager")
            .field("settings", &self.settings)
            .field("streams", &self.ids())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Lint problems as the API lists them: `line:col: path: message`.
pub fn lint_lines(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let at = if p.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", p.path)
            };
            format!("{}:{}: {at}{}", p.pos.line, p.pos.col, p.message)
        })
        .collect()
}

/// A YAML syntax error as a lint problem.
pub fn yaml_problem(e: node::YamlError) -> Problem {
    Problem {
        pos: e.pos,
        path: String::new(),
        message: format!("invalid YAML: {}", e.message),
    }
}

/// Checks a stream id: a non-empty name of letters, digits, `_`, `-`
/// and `.`, so it can stand in a URL path segment.
pub fn check_id(id: &str) -> Result<(), Failure> {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        Ok(())
    } else {
        Err(Failure::BadRequest(format!(
            "the stream id `{id}` must be letters, digits, `_`, `-` or `.`"
        )))
    }
}

impl Manager {
    /// A manager with no streams. `shared` holds the root config's
    /// resource sections; `stopping` turns true when the process stops.
    pub fn new(settings: Settings, shared: Node, stopping: watch::Receiver<bool>) -> Arc<Manager> {
        Arc::new(Manager {
            settings,
            shared: RwLock::new(shared),
            entries: Mutex::new(BTreeMap::new()),
            changes: tokio::sync::Mutex::new(()),
            routing: RwLock::new(Routing::default()),
            stopping,
        })
    }

    /// The ids of every stream, sorted.
    pub fn ids(&self) -> Vec<String> {
        lock(&self.entries).keys().cloned().collect()
    }

    /// Every stream's state, by id.
    pub fn list(&self) -> BTreeMap<String, Info> {
        lock(&self.entries)
            .iter()
            .map(|(id, e)| (id.clone(), info(e)))
            .collect()
    }

    /// One stream's state.
    pub fn get(&self, id: &str) -> Option<Info> {
        lock(&self.entries).get(id).map(info)
    }

    /// One stream's config as submitted (variables not substituted).
    pub fn config(&self, id: &str) -> Option<serde_json::Value> {
        lock(&self.entries).get(id).map(|e| e.config.clone())
    }

    /// The streams that are not ready (their input has ended), sorted.
    pub fn not_ready(&self) -> Vec<String> {
        lock(&self.entries)
            .iter()
            .filter(|(_, e)| e.running.input_finished())
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The router that serves `path`: the stream named by its first
    /// segment when prefixing, else the one holding every stream's routes.
    pub fn router_for(&self, path: &str) -> Router {
        let routing = self
            .routing
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.settings.prefix_endpoints {
            let id = path.trim_start_matches('/').split('/').next().unwrap_or("");
            routing.by_id.get(id).cloned().unwrap_or_default()
        } else {
            routing.combined.clone()
        }
    }

    /// Checks a stream config without running it: the problems as the
    /// API reports them, or the built stream.
    pub fn prepare(&self, id: &str, text: &str, lint: bool) -> Result<StreamConfig, Failure> {
        check_id(id)?;
        let shared = self
            .shared
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let checks = Checks {
            fields: STREAM_FIELDS,
            shared: Some(&shared),
            lint,
        };
        let tree = crate::config::check_as(text, |n| std::env::var(n).ok(), &checks)
            .map_err(Failure::Lint)?;
        drop(shared);
        crate::metrics::scoped(id, || crate::build::build(&tree)).map_err(Failure::BadRequest)
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

    /// Deep-merges `patch` (YAML or JSON) into stream `id`'s config and
    /// replaces the stream with the result.
    pub async fn patch(&self, id: &str, patch: &str, lint: bool) -> Result<(), Failure> {
        let patch = node::parse(patch)
            .map_err(|e| Failure::BadRequest(format!("invalid YAML or JSON: {}", e.message)))?;
        let mut config = self
            .config(id)
            .ok_or_else(|| Failure::NotFound(format!("stream `{id}` not found")))?;
        json::merge(&mut config, json::to_json(&patch));
        self.replace(id, &config.to_string(), lint).await
    }

    async fn upsert(
        &self,
        id: &str,
        text: &str,
        lint: bool,
        expect: Expect,
    ) -> Result<(), Failure> {
        let _change = self.changes.lock().await;
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
        let cfg = self.prepare(id, text, lint)?;
        self.launch(id, cfg, config).await
    }

    /// Starts a built stream as `id`, swaps it in and drains the stream it
    /// replaces.
    async fn launch(
        &self,
        id: &str,
        cfg: StreamConfig,
        config: serde_json::Value,
    ) -> Result<(), Failure> {
        let prefix = if self.settings.prefix_endpoints {
            format!("/{id}")
        } else {
            String::new()
        };
        let mut ws = !prefix.is_empty();
        if let crate::input::Input::HttpServer(h) = &cfg.input
            && h.address.is_empty()
        {
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
            routes::check_collisions(id, h, &mine, others, &self.settings)
                .map_err(Failure::BadRequest)?;
        }
        // An input with its own address cannot bind it while the stream it
        // replaces still holds it: stop that one first.
        let own_address =
            matches!(&cfg.input, crate::input::Input::HttpServer(h) if !h.address.is_empty());
        if own_address && let Some(old) = self.take(id) {
            self.drain(id, old, self.settings.shutdown_timeout).await;
        }
        let mount = Mount::Shared {
            stopping: self.stopping.clone(),
        };
        let mut running = crate::stream::start(cfg, mount)
            .await
            .map_err(Failure::Server)?;
        let http = running
            .http
            .take()
            .map(|state| (Routes { prefix, ws }, state));
        let entry = Entry {
            config,
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
        let old = match swapped {
            Ok(old) => old,
            Err((e, new)) => {
                if let Some(new) = new {
                    let _ = new.running.stop(Duration::ZERO).await;
                }
                return Err(Failure::BadRequest(e));
            }
        };
        if let Some(old) = old {
            crate::log::info(&format!("Updated stream {id}"));
            self.drain(id, old, self.settings.shutdown_timeout).await;
        } else {
            crate::log::info(&format!("Created stream {id}"));
        }
        Ok(())
    }

    /// Stops stream `id` gracefully within `timeout`, and forgets its
    /// metrics.
    pub async fn delete(&self, id: &str, timeout: Option<Duration>) -> Result<(), Failure> {
        let _change = self.changes.lock().await;
        let old = self
            .take(id)
            .ok_or_else(|| Failure::NotFound(format!("stream `{id}` not found")))?;
        let drained = self
            .drain(id, old, timeout.unwrap_or(self.settings.shutdown_timeout))
            .await;
        crate::metrics::global().remove_stream(id);
        crate::log::info(&format!("Deleted stream {id}"));
        if drained {
            Ok(())
        } else {
            Err(Failure::Server(format!(
                "stream `{id}` was stopped, but messages were still in flight when its timeout ran out"
            )))
        }
    }

    /// Makes the set of streams exactly `wanted` (id → config text):
    /// creates new ids, replaces changed ones and deletes the rest. Every
    /// config is checked before anything changes.
    pub async fn set_all(&self, wanted: Vec<(String, String)>, lint: bool) -> Result<(), Failure> {
        let mut problems = Vec::new();
        for (id, text) in &wanted {
            match self.prepare(id, text, lint) {
                Ok(_) => {}
                Err(Failure::Lint(found)) => {
                    problems.extend(found.into_iter().map(|p| Problem {
                        path: if p.path.is_empty() {
                            id.clone()
                        } else {
                            format!("{id}.{}", p.path)
                        },
                        ..p
                    }));
                }
                Err(other) => return Err(Failure::BadRequest(format!("{id}: {other}"))),
            }
        }
        if !problems.is_empty() {
            return Err(Failure::Lint(problems));
        }
        let current = self.list();
        for id in current.keys() {
            if !wanted.iter().any(|(w, _)| w == id) {
                self.delete(id, None).await?;
            }
        }
        for (id, text) in &wanted {
            let unchanged = current.contains_key(id)
                && self.config(id).is_some_and(|config| {
                    node::parse(text).is_ok_and(|tree| json::to_json(&tree) == config)
                });
            if !unchanged {
                self.put(id, text, lint).await?;
            }
        }
        Ok(())
    }

    /// Stops every stream (at process shutdown), each within the timeout.
    pub async fn stop_all(&self) {
        let _change = self.changes.lock().await;
        let all: Vec<(String, Entry)> = std::mem::take(&mut *lock(&self.entries))
            .into_iter()
            .collect();
        self.update_routes(&BTreeMap::new(), None).ok();
        let timeout = self.settings.shutdown_timeout;
        let stops = all.into_iter().map(|(id, e)| async move {
            if e.running.stop(timeout).await.is_err() {
                crate::log::error(&format!(
                    "stream {id}: shutdown timed out with messages still in flight"
                ));
            }
        });
        futures_join_all(stops).await;
    }

    /// Removes stream `id` from the set and the routes.
    fn take(&self, id: &str) -> Option<Entry> {
        let mut entries = lock(&self.entries);
        let old = entries.remove(id)?;
        if let Err(e) = self.update_routes(&entries, Some(id)) {
            crate::log::error(&format!("streams: rebuilding routes: {e}"));
        }
        Some(old)
    }

    /// Drains a stream that is no longer routed; false when the timeout
    /// ran out first.
    async fn drain(&self, id: &str, old: Entry, timeout: Duration) -> bool {
        let Entry { running, http, .. } = old;
        drop(http);
        match running.stop(timeout).await {
            Ok(()) => true,
            Err(e) => {
                crate::log::error(&format!("stream {id}: {e}"));
                false
            }
        }
    }

    /// Brings the routes in line with `entries` after stream `changed`
    /// (`None`: every stream) was added, replaced or removed.
    fn update_routes(
        &self,
        entries: &BTreeMap<String, Entry>,
        changed: Option<&str>,
    ) -> Result<(), String> {
        let routes_of = |app: Router, e: &Entry| match &e.http {
            Some((routes, state)) => {
                crate::input::http_server::add_routes(app, state.clone(), &routes.prefix, routes.ws)
            }
            None => Ok(app),
        };
        let mut routing = self
            .routing
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match changed {
            Some(id) if self.settings.prefix_endpoints => match entries.get(id) {
                Some(e) => {
                    let app = routes_of(Router::new(), e)?;
                    routing.by_id.insert(id.to_string(), app);
                }
                None => {
                    routing.by_id.remove(id);
                }
            },
            _ => {
                let mut combined = Router::new();
                let mut by_id = std::collections::HashMap::new();
                for (id, e) in entries {
                    if self.settings.prefix_endpoints {
                        by_id.insert(id.clone(), routes_of(Router::new(), e)?);
                    } else {
                        combined = routes_of(combined, e)?;
                    }
                }
                *routing = Routing { by_id, combined };
            }
        }
        Ok(())
    }
}

fn info(e: &Entry) -> Info {
    Info {
        active: !e.running.input_finished(),
        uptime: e.started.elapsed(),
    }
}

/// Awaits every future, concurrently.
async fn futures_join_all<F: std::future::Future<Output = ()> + Send + 'static>(
    futures: impl IntoIterator<Item = F>,
) {
    let mut set = tokio::task::JoinSet::new();
    for f in futures {
        set.spawn(f);
    }
    while set.join_next().await.is_some() {}
}
