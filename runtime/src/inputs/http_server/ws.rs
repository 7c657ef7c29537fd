//! The WebSocket side of the `http_server` input (`ws_path`): every frame
//! a client sends is one message, and its synchronous response goes back
//! on the socket as text frames.

use super::handler::{HttpState, transaction};
use crate::component::ResponseStore;
use axum::extract::State;
use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use std::sync::Arc;
use tarn_lang::Message;
use tarn_lang::value::Value;

/// Upgrades the connection and serves it.
pub async fn handle_ws(State(st): State<Arc<HttpState>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| serve(st, socket))
}

async fn serve(st: Arc<HttpState>, mut socket: WebSocket) {
    if let Some(welcome) = &st.input.ws_welcome_message
        && socket
            .send(Frame::Text(welcome.as_str().into()))
            .await
            .is_err()
    {
        return;
    }
    let mut retired = st.retired.clone();
    loop {
        // A stream being replaced or deleted closes its sockets between
        // messages, so its drain does not wait on idle clients.
        let frame = tokio::select! {
            frame = socket.recv() => frame,
            () = async { let _ = retired.wait_for(|r| *r).await; } => {
                let _ = socket.send(Frame::Close(None)).await;
                break;
            }
        };
        let Some(Ok(frame)) = frame else { break };
        let payload: Vec<u8> = match frame {
            Frame::Text(t) => t.as_str().as_bytes().to_vec(),
            Frame::Binary(b) => b.to_vec(),
            Frame::Close(_) => break,
            Frame::Ping(_) | Frame::Pong(_) => continue,
        };
        if *st.stopping.borrow() {
            break;
        }
        let mut msg = Message::new(&payload);
        msg.meta_mut()
            .insert("http_server_request_path", Value::str(&st.input.ws_path));
        if let Some(limit) = &st.input.rate_limit {
            match limit.access().await {
                Ok(None) => {}
                Ok(Some(wait)) => {
                    if let Some(text) = &st.input.ws_rate_limit_message
                        && socket.send(Frame::Text(text.as_str().into())).await.is_err()
                    {
                        break;
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    let text = format!("error: rate limit failed: {e}");
                    if socket.send(Frame::Text(text.into())).await.is_err() {
                        break;
                    }
                    continue;
                }
            }
        }
        let store = ResponseStore::new();
        let (txn, done) = transaction(vec![msg], Some(store.clone()));
        if st.tx.send(txn).await.is_err() {
            break;
        }
        let reply = match done.await {
            Ok(Ok(())) => store.take().unwrap_or_default(),
            Ok(Err(e)) => {
                let text = format!("error: {e}");
                if socket.send(Frame::Text(text.into())).await.is_err() {
                    break;
                }
                continue;
            }
            Err(_) => break,
        };
        for m in reply {
            let text = String::from_utf8_lossy(m.content().as_bytes()).into_owned();
            if socket.send(Frame::Text(text.into())).await.is_err() {
                return;
            }
        }
    }
}
