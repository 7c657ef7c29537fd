//! The `http_server` input's WebSocket path over a real socket: each
//! frame is a message and its synchronous response comes back as a frame.

mod common;

use common::Pipeline;
use tungstenite::Message;

#[test]
fn each_frame_is_a_message_answered_on_the_socket() {
    let p = Pipeline::start(
        "ws",
        "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /post\n    ws_path: /post/ws\n    ws_welcome_message: hello\npipeline:\n  processors:\n    - mapping: root = content().uppercase()\noutput:\n  sync_response: {}\n",
    );
    let url = format!("ws://{}/post/ws", p.addr);
    let (mut socket, _) = tungstenite::connect(url.as_str()).expect("websocket handshake");
    let read_text = |socket: &mut tungstenite::WebSocket<_>| loop {
        match socket.read().expect("a frame") {
            Message::Text(t) => return t.as_str().to_string(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    };
    assert_eq!(read_text(&mut socket), "hello");
    for word in ["foo", "bar baz"] {
        socket.send(Message::Text(word.into())).expect("send");
        assert_eq!(read_text(&mut socket), word.to_uppercase());
    }
    let _ = socket.close(None);
}
