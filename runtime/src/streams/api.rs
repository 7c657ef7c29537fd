//! The streams-mode HTTP server: the REST API of runtime.md §6, the
//! service endpoints (with `/ready` over every stream), each stream's
//! `/{id}/ready`, and every stream's `http_server` routes.

use super::{Failure, Info, Manager};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// How the API is offered.
#[derive(Debug, Clone, Default)]
pub struct ApiOptions {
    /// Serve `/streams`, `/resources` and `/validate` (the service
    /// endpoints and the streams' own routes are served regardless).
    pub enabled: bool,
    /// When set, changes need `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// The service endpoints are also served under this prefix.
    pub root_path: String,
}

#[derive(Debug)]
struct Api {
    manager: Arc<Manager>,
    options: ApiOptions,
}

type Shared = State<Arc<Api>>;

/// The API's endpoints and what they do, for `/endpoints`.
const API_ENDPOINTS: &[(&str, &str)] = &[
    (
        "/streams",
        "GET: every stream's state. POST: replace the whole set of streams.",
    ),
    (
        "/streams/{id}",
        "GET, POST (create), PUT (replace), PATCH (merge) or DELETE one stream.",
    ),
    (
        "/streams/{id}/stats",
        "GET: one stream's counters and latencies.",
    ),
    (
        "/resources/{type}/{id}",
        "GET, POST (create or replace) or DELETE a resource.",
    ),
    (
        "/validate",
        "POST: check a stream config without running it.",
    ),
    (
        "/{id}/ready",
        "Returns 200 OK if the stream is running, otherwise 503.",
    ),
];

/// The whole server: API (when enabled), service endpoints and the
/// streams' routes.
pub fn router(manager: Arc<Manager>, options: ApiOptions) -> Router {
    let api = Arc::new(Api { manager, options });
    let ready_api = api.clone();
    let ready = get(move || ready_all(ready_api.clone()));
    let prefix = api.options.root_path.trim_end_matches('/').to_string();
    let extra: Vec<(String, String)> = if api.options.enabled {
        API_ENDPOINTS
            .iter()
            .map(|(p, d)| ((*p).to_string(), (*d).to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let mut app = crate::endpoints::service_routes(Router::new(), &prefix, &extra, ready);
    if api.options.enabled {
        app = app
            .route("/streams", get(list).post(set_all).with_state(api.clone()))
            .route(
                "/streams/{id}",
                get(read)
                    .post(config_change(Change::Create))
                    .put(config_change(Change::Replace))
                    .patch(config_change(Change::Patch))
                    .delete(delete)
                    .with_state(api.clone()),
            )
            .route("/streams/{id}/stats", get(stats).with_state(api.clone()))
            .route(
                "/resources/{kind}/{id}",
                get(get_resource)
                    .post(set_resource)
                    .delete(delete_resource)
                    .with_state(api.clone()),
            )
            .route("/validate", post(validate).with_state(api.clone()));
    }
    app.fallback(move |req: Request| dispatch(api.clone(), req))
}

/// A stream's own `/{id}/ready`, else its routes.
async fn dispatch(api: Arc<Api>, req: Request) -> Response {
    let path = req.uri().path();
    if let Some(id) = path
        .strip_prefix('/')
        .and_then(|p| p.strip_suffix("/ready"))
        && let Some(info) = api.manager.get(id)
    {
        return if info.active {
            "OK".into_response()
        } else {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("stream {id} is not ready: its input has ended"),
            )
                .into_response()
        };
    }
    match api.manager.router_for(path).oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn ready_all(api: Arc<Api>) -> Response {
    let waiting = api.manager.not_ready();
    if waiting.is_empty() {
        "OK".into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("streams not ready: {}", waiting.join(", ")),
        )
            .into_response()
    }
}

/// The response for a refused change.
fn failure(f: Failure) -> Response {
    match f {
        Failure::Lint(problems) => (
            StatusCode::BAD_REQUEST,
            [(CONTENT_TYPE, "application/json")],
            serde_json::json!({ "lint_errors": super::lint_lines(&problems) }).to_string(),
        )
            .into_response(),
        Failure::BadRequest(m) => (StatusCode::BAD_REQUEST, format!("Error: {m}")).into_response(),
        Failure::NotFound(m) => (StatusCode::NOT_FOUND, format!("Error: {m}")).into_response(),
        Failure::Server(m) => (StatusCode::BAD_GATEWAY, format!("Error: {m}")).into_response(),
        Failure::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            [(WWW_AUTHENTICATE, "Bearer")],
            format!("Error: {}", Failure::Unauthorized),
        )
            .into_response(),
    }
}

fn done(result: Result<(), Failure>) -> Response {
    match result {
        Ok(()) => "OK".into_response(),
        Err(f) => failure(f),
    }
}

fn json_response(value: &serde_json::Value) -> Response {
    ([(CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

/// Refuses a change without the API token, when one is set.
fn authorize(api: &Api, headers: &HeaderMap) -> Result<(), Failure> {
    let Some(token) = &api.options.token else {
        return Ok(());
    };
    let given = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
        Ok(())
    } else {
        Err(Failure::Unauthorized)
    }
}

/// Compares without stopping at the first difference, so timing does
/// not reveal how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A query parameter's value.
fn query<'a>(uri: &'a Uri, name: &str) -> Option<&'a str> {
    uri.query()?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Lint unless `?chilled=true`.
fn lint(uri: &Uri) -> bool {
    query(uri, "chilled") != Some("true")
}

fn body_text(body: &Bytes) -> Result<&str, Failure> {
    std::str::from_utf8(body).map_err(|_| Failure::BadRequest("the body is not UTF-8 text".into()))
}

/// Go's `time.Duration` text: `1h2m3.5s`, `1.5s`, `250ms`, `0s`.
pub fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    let fraction = |value: u128, unit: u128| {
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            return whole.to_string();
        }
        let width = unit.ilog10() as usize;
        let digits = format!("{rest:0width$}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    };
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", fraction(nanos, 1_000_000));
    }
    let secs = nanos / 1_000_000_000;
    let (h, m) = (secs / 3600, secs / 60 % 60);
    let s = fraction(nanos % 60_000_000_000, 1_000_000_000);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

fn state_json(info: &Info) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    out.insert("active".into(), info.active.into());
    out.insert("uptime".into(), info.uptime.as_secs_f64().into());
    out.insert("uptime_str".into(), go_duration(info.uptime).into());
    out
}

async fn list(State(api): Shared) -> Response {
    let all: serde_json::Map<String, serde_json::Value> = api
        .manager
        .list()
        .iter()
        .map(|(id, info)| (id.clone(), serde_json::Value::Object(state_json(info))))
        .collect();
    json_response(&serde_json::Value::Object(all))
}

async fn read(State(api): Shared, Path(id): Path<String>, headers: HeaderMap) -> Response {
    // A config may hold credentials: reading it takes the token too.
    if let Err(f) = authorize(&api, &headers) {
        return failure(f);
    }
    match api.manager.get(&id).zip(api.manager.config(&id)) {
        Some((info, config)) => {
            let mut out = state_json(&info);
            out.insert("config".into(), config);
            json_response(&serde_json::Value::Object(out))
        }
        None => failure(Failure::NotFound(format!("stream `{id}` not found"))),
    }
}

async fn stats(State(api): Shared, Path(id): Path<String>) -> Response {
    if api.manager.get(&id).is_none() {
        return failure(Failure::NotFound(format!("stream `{id}` not found")));
    }
    (
        [(CONTENT_TYPE, "application/json")],
        crate::metrics::global().stream_stats(&id),
    )
        .into_response()
}

/// Runs a change on its own task, so a client that hangs up cannot cut
/// its drain short.
async fn detached<F>(change: F) -> Response
where
    F: std::future::Future<Output = Result<(), Failure>> + Send + 'static,
{
    match tokio::spawn(change).await {
        Ok(result) => done(result),
        Err(e) => failure(Failure::Server(format!("the change failed: {e}"))),
    }
}

/// The body of an authorised change, as text.
fn authorized_text<'a>(
    api: &Api,
    headers: &HeaderMap,
    body: &'a Bytes,
) -> Result<&'a str, Failure> {
    authorize(api, headers)?;
    body_text(body)
}

/// The three changes that take a config body.
#[derive(Debug, Clone, Copy)]
enum Change {
    Create,
    Replace,
    Patch,
}

/// Runs an authorised config change for stream `id` on its own task.
async fn change(
    api: &Api,
    change: Change,
    id: String,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let text = match authorized_text(api, headers, body) {
        Ok(text) => text.to_string(),
        Err(f) => return failure(f),
    };
    let (manager, lint) = (api.manager.clone(), lint(uri));
    detached(async move {
        match change {
            Change::Create => manager.create(&id, &text, lint).await,
            Change::Replace => manager.replace(&id, &text, lint).await,
            Change::Patch => manager.patch(&id, &text, lint).await,
        }
    })
    .await
}

/// A boxed handler future.
type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>;

/// The handler for one kind of config change.
fn config_change(
    kind: Change,
) -> impl Fn(Shared, Path<String>, Uri, HeaderMap, Bytes) -> Answer + Clone + Send + Sync + 'static
{
    move |State(api): Shared, Path(id): Path<String>, uri: Uri, headers: HeaderMap, body: Bytes| {
        Box::pin(async move { change(&api, kind, id, &uri, &headers, &body).await }) as Answer
    }
}

async fn delete(
    State(api): Shared,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(f) = authorize(&api, &headers) {
        return failure(f);
    }
    let timeout = match query(&uri, "timeout") {
        None => None,
        Some(t) => match crate::config::duration::parse_duration(t) {
            Some(d) => Some(d),
            None => {
                return failure(Failure::BadRequest(format!(
                    "the timeout `{t}` is not a duration such as 5s or 1m30s"
                )));
            }
        },
    };
    let manager = api.manager.clone();
    detached(async move { manager.delete(&id, timeout).await }).await
}

async fn set_all(State(api): Shared, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let text = match authorized_text(&api, &headers, &body) {
        Ok(text) => text,
        Err(f) => return failure(f),
    };
    let tree = match crate::config::node::parse(text) {
        Ok(tree) => tree,
        Err(e) => return failure(Failure::Lint(vec![super::yaml_problem(e)])),
    };
    let crate::config::NodeKind::Map(pairs) = &tree.kind else {
        return failure(Failure::BadRequest(
            "the body must be an object of stream id → config".into(),
        ));
    };
    let wanted: Vec<(String, String, crate::config::Node)> = pairs
        .iter()
        .map(|(k, v)| {
            let id = k.as_str().unwrap_or_default().to_string();
            (id, crate::config::json::to_json(v).to_string(), v.clone())
        })
        .collect();
    let (manager, lint) = (api.manager.clone(), lint(&uri));
    detached(async move { manager.set_all(wanted, lint).await }).await
}

async fn validate(State(api): Shared, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let text = match authorized_text(&api, &headers, &body) {
        Ok(t) => t,
        Err(f) => return failure(f),
    };
    match api.manager.check_only(text, lint(&uri)) {
        Ok(()) => json_response(&serde_json::json!({ "ok": true })),
        Err(f) => failure(f),
    }
}

async fn get_resource(
    State(api): Shared,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(f) = authorize(&api, &headers) {
        return failure(f);
    }
    match api.manager.get_resource(&kind, &id) {
        Ok(value) => json_response(&value),
        Err(f) => failure(f),
    }
}

async fn set_resource(
    State(api): Shared,
    Path((kind, id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match authorized_text(&api, &headers, &body) {
        Ok(text) => done(api.manager.set_resource(&kind, &id, text, lint(&uri))),
        Err(f) => failure(f),
    }
}

async fn delete_resource(
    State(api): Shared,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(f) = authorize(&api, &headers) {
        return failure(f);
    }
    done(api.manager.delete_resource(&kind, &id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_go() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_nanos(750)), "750ns");
        assert_eq!(go_duration(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(go_duration(Duration::from_nanos(2_500)), "2.5µs");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_secs(62)), "1m2s");
        assert_eq!(go_duration(Duration::from_millis(3_723_250)), "1h2m3.25s");
    }

    #[test]
    fn query_values_and_tokens() {
        let uri: Uri = "/streams/x?chilled=true&timeout=5s".parse().expect("uri");
        assert_eq!(query(&uri, "timeout"), Some("5s"));
        assert!(!lint(&uri));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
