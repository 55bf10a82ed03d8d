//! `/join?token=…`: the public page a one-time link opens. An invitation asks for a name and a
//! password; a password reset for a new password. Either way the person is signed in after.
use leptos::prelude::*;

use crate::components::form::action_url;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{get_invitation, AcceptInvitation};
use crate::components::form::{field_message, form_message, Field};
use crate::components::status::{page_title, Loading};
use crate::redact::SecretField;
use crate::team::LinkKind;
use crate::tr;

/// The invitation / password-reset page.
#[component]
pub fn JoinPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let link = Resource::new(
        token,
        |t| async move { get_invitation(SecretField(t)).await },
    );
    let action = ServerAction::<AcceptInvitation>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let l = crate::locale();
    view! {
        <Title text=page_title(&tr!(l, auth.join.title))/>
        <main class="auth-page" id="main" tabindex="-1">
            <section class="card auth-card">
                <Suspense fallback=|| view! { <Loading/> }>
                    {move || Suspend::new(async move {
                        match link.await {
                            Err(e) => view! {
                                <h1>{tr!(l, auth.join.broken)}</h1>
                                <p role="alert" id="join-error">{e.message(l)}</p>
                                <p><a href="/login">{tr!(l, auth.join.go_sign_in)}</a></p>
                            }.into_any(),
                            Ok(v) => {
                                let invite = v.kind == LinkKind::Invite;
                                let heading = if invite {
                                    tr!(l, auth.join.heading_invite, account = v.account_name)
                                } else {
                                    tr!(l, auth.join.heading_reset)
                                };
                                view! {
                                    <h1>{heading}</h1>
                                    <p>{format!("{} ", tr!(l, auth.join.email))}<strong id="join-email">{v.email.clone()}</strong></p>
                                    <form action=action_url(action) method="post" id="join-form">
                                        <input type="hidden" name="token" value=token/>
                                        {if invite {
                                            view! {
                                                <Field name="name" label=tr!(l, auth.your_name) autocomplete="name" maxlength=100
                                                    error=Signal::derive(move || field_message(&error.get(), "name"))/>
                                            }.into_any()
                                        } else {
                                            view! { <input type="hidden" name="name" value=v.name.clone()/> }.into_any()
                                        }}
                                        <Field name="password" label=tr!(l, auth.new_password) kind="password"
                                            autocomplete="new-password" maxlength=1024
                                            error=Signal::derive(move || field_message(&error.get(), "password"))/>
                                        <p class="form-error" id="join-form-error" role="alert">
                                            {move || form_message(&error.get(), &["name", "password"])}
                                        </p>
                                        <button type="submit" class="primary">
                                            {if invite { tr!(l, auth.join.submit_join) } else { tr!(l, auth.join.submit_reset) }}
                                        </button>
                                    </form>
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
