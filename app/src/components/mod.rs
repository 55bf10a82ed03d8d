//! Reusable pieces of the interface.
pub mod badge;
pub mod banner;
pub mod bell;
pub mod fixes;
pub mod form;
pub mod menu;
pub mod meta;
pub mod setup;
pub mod shell;
pub mod status;

/// Loads the page again (the browser's reload), so everything on it is drawn from fresh data.
/// Islands call it after a change that shows outside themselves; nothing happens on the server.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().location().reload();
    }
}
