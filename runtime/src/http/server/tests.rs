//! The accept loop over real sockets: plain and TLS, hostile clients,
//! graceful shutdown.

use super::*;
use crate::http::test_support::{TestPki, get, https_request, plain_request};
use axum::routing::get as get_route;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answers `/ip` with the client's IP and `/tls` with the negotiated
/// TLS version and suite (or `plain`).
fn app() -> Router {
    Router::new()
        .route(
            "/ip",
            get_route(|ConnectInfo(remote): ConnectInfo<SocketAddr>| async move {
                remote.ip().to_string()
            }),
        )
        .route(
            "/tls",
            get_route(|tls: Option<axum::Extension<TlsInfo>>| async move {
                match tls {
                    Some(axum::Extension(info)) => {
                        format!("{} {}", info.version, info.cipher_suite)
                    }
                    None => "plain".to_string(),
                }
            }),
        )
}

fn body(reply: &str) -> &str {
    reply.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

#[tokio::test]
async fn plain_http_with_connect_info_on_port_zero() {
    let server = serve("127.0.0.1:0", app(), ServerOptions::default())
        .await
        .expect("binds");
    assert_ne!(server.local_addr().port(), 0);
    assert!(!server.is_tls());
    let reply = plain_request(server.local_addr(), &get("/ip"))
        .await
        .expect("reply");
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert_eq!(body(&reply), "127.0.0.1");
    let reply = plain_request(server.local_addr(), &get("/tls"))
        .await
        .expect("reply");
    assert_eq!(body(&reply), "plain");
    server.shutdown().await;
}

#[tokio::test]
async fn https_verifies_against_the_ca_and_refuses_plain_http() {
    let pki = TestPki::new();
    let options = ServerOptions::with_tls(Some(pki.server_config("server-https")));
    let server = serve("127.0.0.1:0", app(), options).await.expect("binds");
    assert!(server.is_tls());
    let addr = server.local_addr();

    let reply = https_request(&pki.client(), addr, "localhost", &get("/ip"))
        .await
        .expect("HTTPS works");
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert_eq!(body(&reply), "127.0.0.1");
    let reply = https_request(&pki.client(), addr, "127.0.0.1", &get("/tls"))
        .await
        .expect("HTTPS by IP works");
    let (version, suite) = body(&reply).split_once(' ').expect("two words");
    assert_eq!(version, "TLSv1.3");
    assert!(
        suite.starts_with("TLS_") && !suite.starts_with("TLS13_"),
        "{suite}"
    );

    let other = TestPki::new();
    let err = https_request(&other.client(), addr, "localhost", &get("/ip"))
        .await
        .expect_err("a client trusting another CA refuses the certificate");
    assert!(err.to_string().contains("certificate"), "{err}");

    let err = https_request(&pki.client(), addr, "example.com", &get("/ip"))
        .await
        .expect_err("the certificate is not for example.com");
    assert!(err.to_string().contains("certificate"), "{err}");

    let reply = plain_request(addr, &get("/ip")).await.unwrap_or_default();
    assert!(
        !reply.contains("200 OK"),
        "plain HTTP got an answer: {reply}"
    );
    assert!(!reply.contains("127.0.0.1"), "{reply}");

    // The server still serves after all that.
    let reply = https_request(&pki.client(), addr, "localhost", &get("/ip"))
        .await
        .expect("HTTPS still works");
    assert_eq!(body(&reply), "127.0.0.1");
    server.shutdown().await;
}

#[tokio::test]
async fn stalled_and_garbage_clients_do_not_hold_up_others() {
    let pki = TestPki::new();
    let options = ServerOptions {
        tls_handshake_timeout: Duration::from_millis(300),
        ..ServerOptions::with_tls(Some(pki.server_config("server-stall")))
    };
    let server = serve("127.0.0.1:0", app(), options).await.expect("binds");
    let addr = server.local_addr();
    // Silent clients that never start a handshake.
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(TcpStream::connect(addr).await.expect("connects"));
    }
    // A client sending garbage instead of a ClientHello.
    let mut garbage = TcpStream::connect(addr).await.expect("connects");
    garbage
        .write_all(b"\x16\x03\x01\xff\xffnot a handshake at all")
        .await
        .expect("writes");
    for _ in 0..3 {
        let reply = https_request(&pki.client(), addr, "localhost", &get("/ip"))
            .await
            .expect("served while others stall");
        assert_eq!(body(&reply), "127.0.0.1");
    }
    // The garbage client is hung up on; the silent ones once the
    // handshake timeout has passed.
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), garbage.read_to_end(&mut rest))
        .await
        .expect("the garbage client is disconnected");
    assert!(!String::from_utf8_lossy(&rest).contains("HTTP/1.1"));
    for mut s in silent {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf))
            .await
            .expect("a silent client is disconnected after the handshake timeout");
        assert!(
            buf.is_empty() || read.is_err(),
            "no HTTP reply to a silent client"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_finishes_in_flight_requests_and_stops_accepting() {
    let (entered_tx, entered_rx) = oneshot::channel::<()>();
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let gate = Arc::new(tokio::sync::Mutex::new(Some((entered_tx, release_rx))));
    let app = Router::new().route(
        "/slow",
        get_route(move || {
            let gate = gate.clone();
            async move {
                if let Some((entered, release)) = gate.lock().await.take() {
                    let _ = entered.send(());
                    let _ = release.await;
                }
                "finished"
            }
        }),
    );
    let server = serve("127.0.0.1:0", app, ServerOptions::default())
        .await
        .expect("binds");
    let addr = server.local_addr();
    let request = tokio::spawn(async move { plain_request(addr, &get("/slow")).await });
    entered_rx.await.expect("the request reached its handler");
    let (stop, task) = server.into_parts();
    stop.send(()).expect("server running");
    // New connections are refused once the listener is closed.
    let mut refused = false;
    for _ in 0..200 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "the listener closes on stop");
    assert!(
        !task.is_finished(),
        "the server waits for the request in flight"
    );
    release_tx.send(()).expect("handler waiting");
    let reply = request.await.expect("joins").expect("reply");
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert_eq!(body(&reply), "finished");
    task.await.expect("the server ends");
}

#[tokio::test]
async fn idle_keep_alive_connections_close_on_shutdown() {
    let server = serve("127.0.0.1:0", app(), ServerOptions::default())
        .await
        .expect("binds");
    let mut tcp = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    tcp.write_all(b"GET /ip HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    let mut buf = [0u8; 256];
    let n = tcp.read(&mut buf).await.expect("reads");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("127.0.0.1"));
    // The connection stays open (keep-alive) until the server stops.
    tokio::time::timeout(Duration::from_secs(20), server.shutdown())
        .await
        .expect("an idle connection does not hold up shutdown");
    let mut rest = Vec::new();
    let _ = tcp.read_to_end(&mut rest).await;
    assert!(rest.is_empty());
}

#[tokio::test]
async fn bind_errors_name_the_address() {
    let taken = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = taken.local_addr().expect("addr").to_string();
    let err = serve(&addr, app(), ServerOptions::default())
        .await
        .expect_err("the port is taken");
    assert!(
        err.to_string()
            .starts_with(&format!("http: cannot listen on {addr}: ")),
        "{err}"
    );
}

#[tokio::test]
async fn a_client_stalling_mid_head_is_cut_off_without_holding_up_others() {
    let options = ServerOptions {
        header_read_timeout: Some(Duration::from_millis(300)),
        ..ServerOptions::default()
    };
    let server = serve("127.0.0.1:0", app(), options).await.expect("binds");
    let mut stalled = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    stalled
        .write_all(b"GET /ip HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("writes");
    let reply = plain_request(server.local_addr(), &get("/ip"))
        .await
        .expect("reply");
    assert_eq!(body(&reply), "127.0.0.1");
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stalled.read_to_end(&mut rest))
        .await
        .expect("the stalled client is disconnected")
        .expect("read");
    assert!(
        !String::from_utf8_lossy(&rest).contains("200 OK"),
        "{rest:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let options = ServerOptions {
        max_connections: 1,
        ..ServerOptions::default()
    };
    let server = serve("127.0.0.1:0", app(), options).await.expect("binds");
    let addr = server.local_addr();
    // The first client keeps its connection open.
    let mut first = TcpStream::connect(addr).await.expect("connects");
    first
        .write_all(b"GET /ip HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    let mut buf = [0u8; 256];
    let n = first.read(&mut buf).await.expect("reads");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("127.0.0.1"));
    let second = tokio::spawn(async move { plain_request(addr, &get("/ip")).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "served past the connection limit");
    drop(first);
    let reply = tokio::time::timeout(Duration::from_secs(20), second)
        .await
        .expect("served once the first client left")
        .expect("joins")
        .expect("reply");
    assert_eq!(body(&reply), "127.0.0.1");
    server.shutdown().await;
}
