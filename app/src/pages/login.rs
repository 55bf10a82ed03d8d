//! `/login`: e-mail and password.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::Login;
use leptos_meta::Title;

use crate::components::form::{field_message, form_message, Field};
use crate::components::status::page_title;

/// The sign-in form. Errors show beside the field they concern, or above the button.
#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text=page_title("Sign in")/>
        <main class="auth-page" id="main" tabindex="-1">
            <section class="card auth-card">
                <h1>"Sign in to Greenlight"</h1>
                <ActionForm action=action attr:id="login-form">
                    <input type="hidden" name="next" value=next/>
                    <Field name="email" label="E-mail" kind="email" autocomplete="username" maxlength=254
                        error=Signal::derive(move || field_message(&error.get(), "email"))/>
                    <Field name="password" label="Password" kind="password" autocomplete="current-password" maxlength=1024
                        error=Signal::derive(move || field_message(&error.get(), "password"))/>
                    <p class="form-error" id="login-error" role="alert">
                        {move || form_message(&error.get(), &["email", "password"])}
                    </p>
                    <button type="submit" class="primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
