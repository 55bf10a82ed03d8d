//! The signed-in frame: header with the account and user menu, left navigation, and the page.
use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, A},
    hooks::{use_location, use_params_map},
};
use stylers_macro::style;

use crate::api::{get_current_user, is_demo, Logout};
use crate::auth::CurrentUser;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;

/// The account id of the current route (`/accounts/:account_id/...`).
pub fn use_account_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("account_id").and_then(|s| s.parse().ok()))
}

/// The frame around every account page. Re-reads the user on navigation, so a session that
/// ended elsewhere shows as such instead of stale pages.
#[component]
pub fn AccountShell() -> impl IntoView {
    let account_id = use_account_id();
    let location = use_location();
    let user = Resource::new(move || location.pathname.get(), |_| get_current_user());
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match (user.await, account_id.get()) {
                    (Ok(Some(u)), Some(id)) if u.role_in(id).is_some() => {
                        view! { <Frame user=u account_id=id/> }.into_any()
                    }
                    (Ok(Some(_)), _) => view! { <ErrorNotice error=AppError::NotFound/> }.into_any(),
                    (Ok(None), _) => view! { <ErrorNotice error=AppError::Unauthorized/> }.into_any(),
                    (Err(e), _) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Frame(user: CurrentUser, account_id: i64) -> impl IntoView {
    // Layout lives in style/main.css (`.frame`); this scopes the header's own look.
    let class = style! {
        // stylers parses one declaration per line.
        .brand {
            font-weight: 700;
            color: var(--accent);
            text-decoration: none;
        }
        .account {
            font-weight: 600;
        }
    };
    let logout = ServerAction::<Logout>::new();
    let membership = user.membership(account_id).cloned();
    let account_name = membership
        .as_ref()
        .map(|m| m.account_name.clone())
        .unwrap_or_default();
    let role = membership.map(|m| m.role.label()).unwrap_or_default();
    let base = format!("/accounts/{account_id}");
    let demo = Resource::new(|| (), |_| is_demo());
    view! { class = class,
        <div class="frame">
            <header>
                <div>
                    <a class="brand" href="/">"Greenlight"</a>
                    " · "
                    <span class="account" id="account-name">{account_name}</span>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            matches!(demo.await, Ok(true)).then(|| view! {
                                <span class="demo-badge" id="demo-badge" role="note">"DEMO — simulated Meta, not real numbers"</span>
                            })
                        })}
                    </Suspense>
                </div>
                <crate::components::bell::NotificationBell account_id=account_id/>
                <details class="user-menu">
                    <summary id="user-menu">{user.name.clone()}</summary>
                    <div class="menu">
                        <p><strong>{user.name.clone()}</strong><br/>{user.email.clone()}<br/>{role}</p>
                        <ActionForm action=logout>
                            <button type="submit" id="sign-out">"Sign out"</button>
                        </ActionForm>
                    </div>
                </details>
            </header>
            <nav aria-label="Main">
                <ul>
                    <li><A href=format!("{base}/inboxes")>"Inboxes"</A></li>
                    <li><A href=format!("{base}/settings")>"Settings"</A></li>
                </ul>
            </nav>
            <main id="main">
                <Outlet/>
            </main>

        </div>
    }
}
