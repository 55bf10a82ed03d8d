//! What every request handler and middleware can reach: the services, Leptos' options and the
//! port the server functions call. Lives apart from `startup` so handlers depend on the state,
//! not on the code that builds the application.
use std::sync::Arc;

use app::port::SharedPort;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::services::Services;

/// What every handler can reach. One shared allocation: every middleware and handler takes its
/// own handle per request, so a clone must cost no more than a reference count.
#[derive(Clone)]
pub struct AppState(Arc<Handles>);

/// The parts of [`AppState`].
pub struct Handles {
    pub services: Services,
    pub leptos_options: LeptosOptions,
    pub port: SharedPort,
}

impl AppState {
    /// Shares these handles with every handler.
    pub fn new(handles: Handles) -> Self {
        AppState(Arc::new(handles))
    }
}

impl std::ops::Deref for AppState {
    type Target = Handles;

    fn deref(&self) -> &Handles {
        &self.0
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}

impl FromRef<AppState> for crate::webhooks::receiver::Inbound {
    fn from_ref(state: &AppState) -> Self {
        state.services.webhook_inbound()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
