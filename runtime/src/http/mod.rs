//! The runtime's HTTP serving: the accept loop ([`server`]), HTTPS
//! ([`tls`]), Benthos's `basic_auth` ([`auth`]) and `cors` ([`cors`])
//! as router layers, and the typed configs of those sections
//! ([`config`]); and the HTTP client of the `http_client` output and
//! the `http` processor ([`client`]).

pub mod auth;
pub mod client;
pub mod config;
pub mod cors;
pub mod server;
pub mod tls;

#[cfg(test)]
mod test_support;

use axum::Router;

/// The request layers a server's routes go behind.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// CORS headers and preflight answers (outermost).
    pub cors: Option<cors::Cors>,
    /// Basic authentication (inside CORS, so preflights need none).
    pub basic_auth: Option<auth::BasicAuth>,
}

impl Layers {
    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.cors.is_none() && self.basic_auth.is_none()
    }

    /// `app` with its routes and fallback behind the layers. Call it once
    /// every route is in place: routes added later are not covered.
    pub fn wrap(&self, mut app: Router) -> Router {
        if let Some(auth) = &self.basic_auth {
            app = auth.wrap(app);
        }
        if let Some(cors) = &self.cors {
            app = cors.wrap(app);
        }
        app
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::config::{BasicAuthConfig, CorsConfig, HashAlgorithm};
    use crate::http::server::{ServerOptions, serve};
    use crate::http::test_support::plain_request;

    /// CORS sits outside basic authentication: a browser's preflight
    /// (which carries no credentials) is answered, and a refused request
    /// still carries the CORS headers so the page can read the 401.
    #[tokio::test]
    async fn preflights_pass_basic_auth_and_refusals_carry_cors_headers() {
        let cors = CorsConfig {
            enabled: true,
            allowed_origins: vec!["https://app.example".to_string()],
            allowed_headers: vec!["Authorization".to_string()],
        };
        let auth = BasicAuthConfig {
            enabled: true,
            username: "tarn".to_string(),
            // printf hunter2 | openssl dgst -sha256 -binary | base64
            password_hash: "9S+9MrKzuG/4jvbEkGKChfSCrxXdyylUH5S89Saj9sc=".to_string(),
            algorithm: HashAlgorithm::Sha256,
            ..BasicAuthConfig::default()
        };
        let layers = Layers {
            cors: cors::Cors::from_config(&cors, "http.cors").expect("cors"),
            basic_auth: auth::BasicAuth::from_config(&auth, "http.basic_auth").expect("auth"),
        };
        let app = Router::new().route("/x", axum::routing::get(|| async { "data" }));
        let server = serve("127.0.0.1:0", layers.wrap(app), ServerOptions::default())
            .await
            .expect("binds");
        let ask = |extra: &str| {
            format!("{extra}Host: x\r\nOrigin: https://app.example\r\nConnection: close\r\n\r\n")
        };
        let preflight = ask(
            "OPTIONS /x HTTP/1.1\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n",
        );
        let reply = plain_request(server.local_addr(), &preflight)
            .await
            .expect("reply")
            .to_lowercase();
        assert!(reply.starts_with("http/1.1 200 ok\r\n"), "{reply}");
        assert!(reply.contains("access-control-allow-origin: https://app.example\r\n"));
        assert!(reply.contains("access-control-allow-headers: authorization\r\n"));
        let reply = plain_request(server.local_addr(), &ask("GET /x HTTP/1.1\r\n"))
            .await
            .expect("reply")
            .to_lowercase();
        assert!(
            reply.starts_with("http/1.1 401 unauthorized\r\n"),
            "{reply}"
        );
        assert!(reply.contains("access-control-allow-origin: https://app.example\r\n"));
        // tarn:hunter2
        let authorized = ask("GET /x HTTP/1.1\r\nAuthorization: Basic dGFybjpodW50ZXIy\r\n");
        let reply = plain_request(server.local_addr(), &authorized)
            .await
            .expect("reply");
        assert!(
            reply.starts_with("HTTP/1.1 200 OK\r\n") && reply.ends_with("data"),
            "{reply}"
        );
        server.shutdown().await;
    }
}
