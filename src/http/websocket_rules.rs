//! The rules of graphql-transport-ws that async-graphql leaves to the server,
//! with the close codes the protocol gives them
//! (<https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>):
//!
//! | code | when |
//! |---|---|
//! | 4400 | a message that is not JSON, has an unknown `type`, or a `subscribe` without an `id` or a `payload.query` |
//! | 4401 | a `subscribe` before the server acknowledged the connection |
//! | 4403 | `connection_init` with credentials the server refuses |
//! | 4408 | no `connection_init` within the configured time |
//! | 4409 | a `subscribe` whose `id` names an operation still running |
//! | 4429 | a second `connection_init` |
//!
//! Each client message is checked before async-graphql reads it, and each
//! server message on its way out (so an id is free again once its `complete`
//! or `error` leaves). The legacy `graphql-ws` protocol has its own rules and
//! is not checked here.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::{CloseFrame, Message};

/// One socket's protocol state, shared by its reading and writing halves.
#[derive(Clone, Default)]
pub struct SocketRules {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    init_received: bool,
    acknowledged: bool,
    /// Ids of operations that have not completed.
    running: HashSet<String>,
    /// Ids the client completed while they ran: the server says nothing
    /// more about them (async-graphql would echo a `complete`).
    completed_by_client: HashSet<String>,
    /// Why the socket must close, once a rule is broken.
    close: Option<(u16, String)>,
}

impl SocketRules {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether async-graphql may read this client message; `false` once a
    /// rule is broken (the socket then closes with [`SocketRules::close_frame`]).
    pub fn admit(&self, message: &Message) -> bool {
        let text = match message {
            Message::Text(text) => text.as_str(),
            Message::Binary(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => return self.refuse(4400, "Invalid message received".into()),
            },
            // Pings, pongs and the client's close are the WebSocket layer's.
            _ => return true,
        };
        let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
            return self.refuse(4400, "Invalid message received".into());
        };
        let mut state = self.state();
        if state.close.is_some() {
            return false;
        }
        let verdict = match message["type"].as_str() {
            Some("connection_init") if state.init_received => {
                Err((4429, "Too many initialisation requests".to_string()))
            }
            Some("connection_init") => {
                state.init_received = true;
                Ok(())
            }
            Some("ping" | "pong") => Ok(()),
            Some("subscribe") => subscribe(&mut state, &message),
            Some("complete") => match message["id"].as_str() {
                Some(id) => {
                    if state.running.remove(id) {
                        state.completed_by_client.insert(id.to_string());
                    }
                    Ok(())
                }
                None => Err((4400, "A complete message needs an id".to_string())),
            },
            Some(other) => Err((4400, format!("Unexpected message type '{other}'"))),
            None => Err((4400, "Invalid message received".to_string())),
        };
        match verdict {
            Ok(()) => true,
            Err((code, reason)) => {
                state.close = Some((code, reason));
                false
            }
        }
    }

    /// The server accepted the `connection_init`: operations may start.
    pub fn acknowledge(&self) {
        self.state().acknowledged = true;
    }

    /// The server refused the `connection_init`'s credentials.
    pub fn forbid(&self, reason: String) {
        self.refuse(4403, reason);
    }

    /// No `connection_init` arrived in time; returns whether that closes the socket.
    pub fn init_timed_out(&self) -> bool {
        let mut state = self.state();
        if state.init_received || state.close.is_some() {
            return false;
        }
        state.close = Some((4408, "Connection initialisation timeout".into()));
        true
    }

    /// Notes a server message on its way to the client: an operation's
    /// `complete` or `error` frees its id; a `complete` for an operation the
    /// client completed itself is not sent (None). A close async-graphql
    /// chose is replaced by the one the protocol gives the broken rule.
    pub fn outgoing(&self, message: Message) -> Option<Message> {
        match &message {
            Message::Text(text) => {
                if let Ok(sent) = serde_json::from_str::<serde_json::Value>(text.as_str())
                    && let Some(kind @ ("complete" | "error")) = sent["type"].as_str()
                    && let Some(id) = sent["id"].as_str()
                {
                    let mut state = self.state();
                    if kind == "complete" && state.completed_by_client.remove(id) {
                        return None;
                    }
                    state.running.remove(id);
                }
                Some(message)
            }
            Message::Close(_) => Some(
                self.close_frame()
                    .map_or(message, |frame| Message::Close(Some(frame))),
            ),
            _ => Some(message),
        }
    }

    /// The close frame a broken rule calls for, if one was broken.
    pub fn close_frame(&self) -> Option<CloseFrame> {
        let state = self.state();
        let (code, reason) = state.close.as_ref()?;
        Some(CloseFrame {
            code: *code,
            reason: reason.as_str().into(),
        })
    }

    fn refuse(&self, code: u16, reason: String) -> bool {
        let mut state = self.state();
        state.close.get_or_insert((code, reason));
        false
    }
}

fn subscribe(state: &mut State, message: &serde_json::Value) -> Result<(), (u16, String)> {
    if !state.acknowledged {
        return Err((4401, "Unauthorized".into()));
    }
    let Some(id) = message["id"].as_str().filter(|id| !id.is_empty()) else {
        return Err((4400, "A subscribe message needs an id".into()));
    };
    if !message["payload"]["query"].is_string() {
        return Err((4400, "A subscribe message needs payload.query".into()));
    }
    if !state.running.insert(id.to_string()) {
        return Err((4409, format!("Subscriber for {id} already exists")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: serde_json::Value) -> Message {
        Message::Text(value.to_string().into())
    }

    fn code(rules: &SocketRules) -> Option<u16> {
        rules.close_frame().map(|frame| frame.code)
    }

    #[test]
    fn an_id_is_free_again_once_its_operation_completes() {
        let rules = SocketRules::default();
        assert!(rules.admit(&text(serde_json::json!({ "type": "connection_init" }))));
        rules.acknowledge();
        let subscribe = text(
            serde_json::json!({ "id": "a", "type": "subscribe", "payload": { "query": "{ x }" } }),
        );
        assert!(rules.admit(&subscribe));
        rules.outgoing(text(serde_json::json!({ "id": "a", "type": "complete" })));
        assert!(
            rules.admit(&subscribe),
            "reused after the server's complete"
        );
        assert!(rules.admit(&text(serde_json::json!({ "id": "a", "type": "complete" }))));
        let echo = rules.outgoing(text(serde_json::json!({ "id": "a", "type": "complete" })));
        assert!(echo.is_none(), "no echo of the client's complete");
        assert!(
            rules.admit(&subscribe),
            "reused after the client's complete"
        );
        assert!(!rules.admit(&subscribe));
        assert_eq!(code(&rules), Some(4409));
    }

    #[test]
    fn the_first_broken_rule_names_the_close() {
        let rules = SocketRules::default();
        assert!(!rules.admit(&text(
            serde_json::json!({ "id": "a", "type": "subscribe", "payload": { "query": "{ x }" } })
        )));
        assert!(!rules.admit(&Message::Text("not json".into())));
        assert_eq!(code(&rules), Some(4401));
        assert!(!rules.init_timed_out(), "already closing");
    }
}
