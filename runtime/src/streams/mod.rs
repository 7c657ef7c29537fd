//! Streams mode (runtime.md §6): many isolated pipelines in one process,
//! sharing one HTTP server, one logger, one metrics registry and the root
//! config's resources, created from files and changed through a REST API.
//!
//! Every change goes through [`Manager`]: it checks and builds the new
//! config, starts it, swaps the shared server's routes to it and only
//! then drains the old stream, so a request already routed to the old
//! stream is still answered.

pub mod api;
mod change;
pub mod files;
mod resources;
mod routes;

use crate::config::Problem;
use crate::config::json;
use crate::config::node::{self, Node};
use crate::config::types::Sandbox;
use crate::inputs::http_server::HttpState;
use crate::pipeline::Built;
use crate::pipeline::run::Running;
use crate::resources::Resources;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
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
pub(crate) enum Expect {
    New,
    Existing,
    Either,
}

struct Entry {
    config: serde_json::Value,
    /// The `http_server` input's own `address`, when it has one.
    own_address: Option<String>,
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
    /// The resources every stream shares: one instance per label.
    resources: Arc<Resources>,
    /// The resource sections as written (variables not substituted), for
    /// showing.
    raw_shared: RwLock<Node>,
    /// Replaced or deleted streams still draining; shutdown waits for them.
    draining: std::sync::atomic::AtomicUsize,
    entries: Mutex<BTreeMap<String, Entry>>,
    /// Serialises changes, so checks and swaps see a settled set; true
    /// once shutdown has begun and no change may start.
    changes: tokio::sync::Mutex<bool>,
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

use crate::sync::lock;

/// Lint problems as the API lists them: `line:col: path: message`, or
/// `path: message` when the problem has no place in what was submitted.
pub fn lint_lines(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let at = if p.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", p.path)
            };
            if p.pos.line == 0 {
                format!("{at}{}", p.message)
            } else {
                format!("{}:{}: {at}{}", p.pos.line, p.pos.col, p.message)
            }
        })
        .collect()
}

/// Problems found in a config that was rebuilt from `submitted` (a bulk
/// body's entry, a PATCH body), placed where `submitted` has each field,
/// with `prefix` before each path. Problems outside `submitted` keep only
/// their path.
pub fn relocate(problems: Vec<Problem>, submitted: &Node, prefix: &str) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|p| Problem {
            pos: crate::config::node_at(submitted, &p.path).unwrap_or_default(),
            path: match (prefix.is_empty(), p.path.is_empty()) {
                (true, _) => p.path,
                (false, true) => prefix.to_string(),
                (false, false) => format!("{prefix}.{}", p.path),
            },
            message: p.message,
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

/// Names a stream id may not take: the server's own first path segments.
const RESERVED_IDS: &[&str] = &[
    "streams",
    "resources",
    "validate",
    "ready",
    "ping",
    "version",
    "metrics",
    "stats",
    "endpoints",
];

/// Checks a stream id: a name of letters, digits, `_`, `-` and `.` (not
/// `.` or `..`), so it can stand in a URL path segment, and not one of
/// the server's own paths.
pub fn check_id(id: &str) -> Result<(), Failure> {
    let allowed = !id.is_empty()
        && id != "."
        && id != ".."
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !allowed {
        return Err(Failure::BadRequest(format!(
            "the stream id `{id}` must be letters, digits, `_`, `-` or `.`"
        )));
    }
    if RESERVED_IDS.contains(&id) {
        return Err(Failure::BadRequest(format!(
            "the stream id `{id}` is taken by the server's own `/{id}` endpoint"
        )));
    }
    Ok(())
}

impl Manager {
    /// A manager with no streams. `resources` are the root config's
    /// (built), `raw_shared` its resource sections as written;
    /// `stopping` turns true when the process stops.
    pub fn new(
        settings: Settings,
        resources: Arc<Resources>,
        raw_shared: Node,
        stopping: watch::Receiver<bool>,
    ) -> Arc<Manager> {
        Arc::new(Manager {
            settings,
            resources,
            raw_shared: RwLock::new(raw_shared),
            draining: std::sync::atomic::AtomicUsize::new(0),
            entries: Mutex::new(BTreeMap::new()),
            changes: tokio::sync::Mutex::new(false),
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

    /// Checks and builds a stream config, registering its metrics under
    /// `scope`: the problems as the API reports them, or the built stream.
    fn prepare(&self, scope: &str, text: &str, lint: bool) -> Result<Built, Failure> {
        crate::metrics::scoped(scope, || {
            crate::pipeline::load_stream(
                text,
                |n| std::env::var(n).ok(),
                &self.resources,
                Sandbox::Standard,
                lint,
            )
        })
        .map_err(Failure::Lint)
    }

    /// Checks a stream config without running it and without leaving
    /// metrics behind.
    pub fn check_only(&self, text: &str, lint: bool) -> Result<(), Failure> {
        const SCOPE: &str = "\u{0}check";
        let result = self.prepare(SCOPE, text, lint).map(drop);
        crate::metrics::global().remove_stream(SCOPE);
        result
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
            Some((routes, state)) => crate::inputs::http_server::add_routes(
                app,
                state.clone(),
                &routes.prefix,
                routes.ws,
            ),
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
