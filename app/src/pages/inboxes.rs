//! `/accounts/:id/inboxes`: the account's WhatsApp inboxes.
use leptos::prelude::*;

/// The inbox list.
#[component]
pub fn InboxesPage() -> impl IntoView {
    view! {
        <h1>"Inboxes"</h1>
        <section class="card empty">
            <p>"No WhatsApp inboxes yet."</p>
        </section>
    }
}
