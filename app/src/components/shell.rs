//! The signed-in frame: header with the account and user menu, left navigation, and the page.
use leptos::prelude::*;

use crate::components::form::action_url;
use leptos_router::{
    components::{Outlet, A},
    hooks::{use_params_map, use_query_map},
};
use stylers_macro::style;

use crate::api::{get_current_user, get_notifications, is_demo, Logout};
use crate::components::bell::NotificationBell;
use crate::components::menu::MenuDismissal;
use crate::components::status::ErrorPage;
use crate::error::AppError;
use crate::tr;

/// The account id of the current route (`/accounts/:account_id/...`).
pub fn use_account_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("account_id").and_then(|s| s.parse().ok()))
}

/// The frame around every account page: header (account, demo badge, notifications, user menu),
/// navigation and the page. Drawn on the server for every page (navigating loads the page), so
/// the route's values are read once, up front: the parts drawn after their data arrives read no
/// reactive value, which a client that went away meanwhile has had disposed.
#[component]
pub fn AccountShell() -> impl IntoView {
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
    let account_id = use_account_id().get_untracked();
    let user = Resource::new(|| (), |_| get_current_user());
    let demo = Resource::new(|| (), |_| is_demo());
    let notes = Resource::new(
        || (),
        move |_| get_notifications(account_id.unwrap_or_default()),
    );
    let logout = ServerAction::<Logout>::new();
    // `?deleted=<name>`: where deleting an inbox lands, so the person sees that it happened.
    let deleted = use_query_map().read_untracked().get("deleted");
    let base = format!("/accounts/{}", account_id.unwrap_or_default());
    let l = crate::locale();
    view! { class = class,
        <MenuDismissal/>
        <div class="frame">
            <header>
                <div>
                    <a class="brand" href="/">"Greenlight"</a>
                    " · "
                    <Transition fallback=|| view! { <span class="account">"…"</span> }>
                        {move || Suspend::new(async move {
                            let name = match (user.await, account_id) {
                                (Ok(Some(u)), Some(id)) => u.membership(id).map(|m| m.account_name.clone()),
                                _ => None,
                            };
                            view! { <span class="account" id="account-name">{name.unwrap_or_else(|| tr!(l, shell.no_such_account))}</span> }
                        })}
                    </Transition>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            matches!(demo.await, Ok(true)).then(|| view! {
                                // On a phone only "DEMO" shows; the rest is still read out.
                                <span class="demo-badge" id="demo-badge" role="note" title=tr!(l, shell.demo_title)>
                                    {tr!(l, shell.demo)}<span class="demo-more">{format!(" — {}", tr!(l, shell.demo_more))}</span>
                                </span>
                            })
                        })}
                    </Suspense>
                </div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        // Nothing to show (an agent's, say) is an empty bell, not an error.
                        let list = notes.await.unwrap_or_default();
                        view! { <NotificationBell account_id=account_id.unwrap_or_default() list/> }
                    })}
                </Suspense>
                <details class="user-menu" data-menu="">
                    <summary id="user-menu">
                        <Transition fallback=|| "…">
                            {move || Suspend::new(async move {
                                match user.await {
                                    Ok(Some(u)) => u.name,
                                    Ok(None) => tr!(l, shell.signed_out),
                                    Err(_) => tr!(l, shell.account),
                                }
                            })}
                        </Transition>
                    </summary>
                    <div class="menu">
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                match (user.await, account_id) {
                                    (Ok(Some(u)), Some(id)) => {
                                        let role = u.role_in(id).map(|r| r.label(l)).unwrap_or_else(|| tr!(l, shell.not_a_member));
                                        Some(view! { <p><strong>{u.name.clone()}</strong><br/>{u.email.clone()}<br/>{role}</p> })
                                    }
                                    _ => None,
                                }
                            })}
                        </Transition>
                        <form action=action_url(logout) method="post">
                            <button type="submit" id="sign-out">{tr!(l, shell.sign_out)}</button>
                        </form>
                    </div>
                </details>
            </header>
            <nav aria-label=tr!(l, shell.nav.label)>
                <ul>
                    <li><A href=format!("{base}/inboxes")>{tr!(l, shell.nav.inboxes)}</A></li>
                    <li><A href=format!("{base}/portfolios")>{tr!(l, shell.nav.portfolios)}</A></li>
                    <li><A href=format!("{base}/alerts")>{tr!(l, shell.nav.alerts)}</A></li>
                    <li><A href=format!("{base}/settings")>{tr!(l, shell.nav.settings)}</A></li>
                </ul>
            </nav>
            <main id="main" tabindex="-1">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match (user.await, account_id) {
                            (Ok(Some(u)), Some(id)) if u.role_in(id).is_none() => {
                                Some(view! { <ErrorPage error=AppError::NotFound what=tr!(l, shell.account)/> }.into_any())
                            }
                            (Ok(None), _) => Some(view! { <ErrorPage error=AppError::Unauthorized what=tr!(l, shell.account)/> }.into_any()),
                            (Err(e), _) => Some(view! { <ErrorPage error=e what=tr!(l, shell.account)/> }.into_any()),
                            _ => None,
                        }
                    })}
                </Transition>
                {deleted.map(|name| view! {
                    <p class="notice notice-ok" id="deleted-notice" role="status">
                        {tr!(l, shell.deleted, name = name)}
                    </p>
                })}
                <Outlet/>
            </main>
        </div>
    }
}
