//! Which paths a stream's `http_server` input may take on the shared
//! server: none of the API's or service endpoints' paths, and none that
//! another stream already serves.

use super::{Routes, Settings};
use crate::inputs::http_server::{HttpServerInput, route_patterns};

/// Paths (and everything below them) that belong to the server itself.
const RESERVED: &[&str] = &[
    "/streams",
    "/resources",
    "/validate",
    "/ready",
    "/ping",
    "/version",
    "/metrics",
    "/stats",
    "/endpoints",
];

/// Whether some request path matches both routes: segment by segment, a
/// `{name}` parameter matches any one segment and a `{*rest}` catch-all
/// any remaining ones.
fn overlaps(a: &str, b: &str) -> bool {
    let catch_all = |s: &str| s.starts_with("{*");
    let param = |s: &str| s.contains('{');
    let (mut a, mut b) = (a.split('/'), b.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                if catch_all(x) || catch_all(y) {
                    return true;
                }
                if !(param(x) || param(y) || x == y) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

fn under(route: &str, base: &str) -> bool {
    route == base
        || route
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Refuses routes of stream `id`'s input (served as `routes` says) that
/// take a reserved path or one that another stream (`others`: id,
/// routes, input) serves, naming both streams.
pub(super) fn check_collisions<'a>(
    id: &str,
    input: &HttpServerInput,
    routes: &Routes,
    others: impl Iterator<Item = (&'a str, &'a Routes, &'a HttpServerInput)>,
    settings: &Settings,
) -> Result<(), String> {
    let mine: Vec<String> = route_patterns(input, &routes.prefix, routes.ws)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let root_path = settings.root_path.trim_end_matches('/');
    let own_ready = format!("/{id}/ready");
    for route in &mine {
        let reserved = RESERVED
            .iter()
            .copied()
            .chain((!root_path.is_empty()).then_some(root_path))
            .find(|base| under(route, base));
        if let Some(base) = reserved {
            return Err(format!(
                "stream `{id}`: the path `{route}` is taken by the server's own `{base}` endpoint"
            ));
        }
        if settings.prefix_endpoints && *route == own_ready {
            return Err(format!(
                "stream `{id}`: the path `{route}` is taken by the stream's readiness endpoint"
            ));
        }
    }
    if !routes.prefix.is_empty() {
        // Every stream's routes sit under its own id: they cannot meet.
        return Ok(());
    }
    for (other, other_routes, other_input) in others {
        for (theirs, _) in route_patterns(other_input, &other_routes.prefix, other_routes.ws) {
            if let Some(route) = mine.iter().find(|r| overlaps(r, &theirs)) {
                return Err(format!(
                    "stream `{id}`: the path `{route}` overlaps `{theirs}` of stream `{other}`"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_routes() {
        assert!(overlaps("/meow", "/meow"));
        assert!(overlaps("/a/{x}", "/a/{y}"));
        assert!(overlaps("/{x}", "/meow"));
        assert!(overlaps("/a/{*rest}", "/a/b/c"));
        assert!(!overlaps("/a/{*rest}", "/a"));
        assert!(!overlaps("/meow", "/woof"));
        assert!(!overlaps("/a/{x}", "/a/b/c"));
        assert!(under("/streams/x", "/streams"));
        assert!(under("/streams", "/streams"));
        assert!(!under("/streamsx", "/streams"));
    }
}
