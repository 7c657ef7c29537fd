//! The runtime's HTTP serving: the accept loop ([`server`]), HTTPS
//! ([`tls`]), Benthos's `basic_auth` ([`auth`]) and `cors` ([`cors`])
//! as router layers, and the typed configs of those sections
//! ([`config`]).

pub mod auth;
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
