//! `/setup`: the first-run page that creates the first administrator (only while no user exists).
use leptos::prelude::*;

use crate::components::form::action_url;

use crate::api::FirstRun;
use leptos_meta::Title;

use crate::components::form::{field_message, form_message, Field};
use crate::components::status::page_title;
use crate::tr;

const FIELDS: [&str; 5] = ["setup_code", "name", "email", "password", "account_name"];

/// First run: name the account and create its administrator.
#[component]
pub fn SetupPage() -> impl IntoView {
    let action = ServerAction::<FirstRun>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let msg = move |f: &'static str| Signal::derive(move || field_message(&error.get(), f));
    let l = crate::locale();
    view! {
        <Title text=page_title(&tr!(l, auth.setup.title))/>
        <main class="auth-page" id="main" tabindex="-1">
            <section class="card auth-card">
                <h1>{tr!(l, auth.setup.heading)}</h1>
                <p>{tr!(l, auth.setup.intro)}</p>
                <form action=action_url(action) method="post" id="setup-form">
                    <Field name="setup_code" label=tr!(l, auth.setup.code) autocomplete="off" maxlength=40 error=msg("setup_code")/>
                    <Field name="account_name" label=tr!(l, auth.setup.account) maxlength=100 error=msg("account_name")/>
                    <Field name="name" label=tr!(l, auth.your_name) autocomplete="name" maxlength=100 error=msg("name")/>
                    <Field name="email" label=tr!(l, auth.email) kind="email" autocomplete="username" maxlength=254 error=msg("email")/>
                    <Field name="password" label=tr!(l, auth.new_password) kind="password" autocomplete="new-password" maxlength=1024 error=msg("password")/>
                    <p class="form-error" role="alert">{move || form_message(&error.get(), &FIELDS)}</p>
                    <button type="submit" class="primary">{tr!(l, auth.setup.submit)}</button>
                </form>
            </section>
        </main>
    }
}
