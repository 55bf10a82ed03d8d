//! `/login`: e-mail and password.
use leptos::prelude::*;

use crate::components::form::action_url;
use leptos_router::hooks::use_query_map;

use crate::api::Login;
use leptos_meta::Title;

use crate::components::form::{field_message, form_message, Field};
use crate::components::status::page_title;
use crate::tr;

/// The sign-in form. Errors show beside the field they concern, or above the button.
#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let l = crate::locale();
    view! {
        <Title text=page_title(&tr!(l, auth.login.title))/>
        <main class="auth-page" id="main" tabindex="-1">
            <section class="card auth-card">
                <h1>{tr!(l, auth.login.heading)}</h1>
                <form action=action_url(action) method="post" id="login-form">
                    <input type="hidden" name="next" value=next/>
                    <Field name="email" label=tr!(l, auth.email) kind="email" autocomplete="username" maxlength=254
                        error=Signal::derive(move || field_message(&error.get(), "email"))/>
                    <Field name="password" label=tr!(l, auth.login.password) kind="password" autocomplete="current-password" maxlength=1024
                        error=Signal::derive(move || field_message(&error.get(), "password"))/>
                    <p class="form-error" id="login-error" role="alert">
                        {move || form_message(&error.get(), &["email", "password"])}
                    </p>
                    <button type="submit" class="primary">{tr!(l, auth.login.submit)}</button>
                </form>
            </section>
        </main>
    }
}
