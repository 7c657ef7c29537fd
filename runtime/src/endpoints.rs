//! The service server's own endpoints: `/ping`, `/ready`, `/version`,
//! `/endpoints`, `/metrics` and `/stats`, each at `/x` and at
//! `{root_path}/x`.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};
use std::collections::BTreeMap;

/// The endpoints every service server has, with their descriptions.
pub const SERVICE_ENDPOINTS: &[(&str, &str)] = &[
    ("/ping", "Ping me."),
    (
        "/ready",
        "Returns 200 OK if all inputs and outputs are connected, otherwise a 503 is returned.",
    ),
    ("/version", "Returns the service version."),
    (
        "/endpoints",
        "Returns a JSON object of endpoint paths and their descriptions.",
    ),
    (
        "/metrics",
        "Exposes metrics in the configured format (Prometheus text by default).",
    ),
    (
        "/stats",
        "Exposes metrics in the configured format (Prometheus text by default).",
    ),
];

/// `{"path":"description",…}` sorted by path, for `/endpoints`.
pub fn endpoints_json(extra: &[(String, String)]) -> String {
    let all: BTreeMap<&str, &str> = SERVICE_ENDPOINTS
        .iter()
        .copied()
        .chain(extra.iter().map(|(p, d)| (p.as_str(), d.as_str())))
        .collect();
    let mut out = vec![b'{'];
    for (i, (path, desc)) in all.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        tarn_lang::value::write_string(&mut out, path, false);
        out.push(b':');
        tarn_lang::value::write_string(&mut out, desc, false);
    }
    out.push(b'}');
    String::from_utf8_lossy(&out).into_owned()
}

/// `{"built":"","version":"…"}` for `/version`.
pub fn version_json() -> String {
    format!(
        "{{\"built\":\"\",\"version\":\"{}\"}}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Adds the service endpoints at `/x` and `{prefix}/x`. `extra` lists
/// other endpoints of the server (the `http_server` input's route) for
/// `/endpoints`; `ready` answers `/ready`.
pub fn service_routes(
    mut app: Router,
    prefix: &str,
    extra: &[(String, String)],
    ready: MethodRouter,
) -> Router {
    let endpoints = endpoints_json(extra);
    let metrics = || async {
        let (content_type, body) = crate::metrics::global().exposition();
        ([(CONTENT_TYPE, content_type)], body).into_response()
    };
    for base in ["", prefix] {
        let endpoints = endpoints.clone();
        app = app
            .route(&format!("{base}/ping"), get(|| async { "pong" }))
            .route(&format!("{base}/ready"), ready.clone())
            .route(
                &format!("{base}/version"),
                get(|| async { ([(CONTENT_TYPE, "application/json")], version_json()) }),
            )
            .route(
                &format!("{base}/endpoints"),
                get(move || async move { ([(CONTENT_TYPE, "application/json")], endpoints) }),
            )
            .route(&format!("{base}/metrics"), get(metrics))
            .route(&format!("{base}/stats"), get(metrics));
        if prefix.is_empty() {
            break;
        }
    }
    app
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_sorted_json() {
        let json = endpoints_json(&[("/post".into(), "Post a \"message\".".into())]);
        assert!(
            json.starts_with("{\"/endpoints\":\"Returns a JSON object"),
            "{json}"
        );
        assert!(
            json.contains(",\"/post\":\"Post a \\\"message\\\".\","),
            "{json}"
        );
        assert!(
            json.ends_with(",\"/version\":\"Returns the service version.\"}"),
            "{json}"
        );
    }
}
