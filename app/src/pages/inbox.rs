//! `/accounts/:a/inboxes/:i/...`: the inbox page: registration banner above the tabs
//! (Account Health, Settings, Collaborators).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

use crate::api::{get_inbox_health, CompleteRegistration};
use crate::components::banner::{RegisterResult, RegistrationBanner};
use crate::components::shell::use_account_id;
use crate::components::status::{page_title, ErrorPage, Loading};
use crate::error::AppError;
use crate::health::HealthView;
use crate::i18n::Locale;
use crate::tr;

/// The inbox id of the current route.
pub fn use_inbox_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("inbox_id").and_then(|s| s.parse().ok()))
}

/// The name of the inbox tab at `path` (`…/inboxes/7/settings` is "Settings"), for the page title.
pub fn tab_label(path: &str, l: Locale) -> String {
    match path.trim_end_matches('/').rsplit('/').next() {
        Some("settings") => tr!(l, inboxes.tab.settings),
        Some("collaborators") => tr!(l, inboxes.tab.collaborators),
        Some("activity") => tr!(l, inboxes.tab.activity),
        _ => tr!(l, inboxes.tab.health),
    }
}

/// The inbox's health, shared by the banner and the Account Health tab; bump `reload` to refetch.
#[derive(Clone, Copy)]
pub struct InboxHealth {
    pub data: Resource<Result<HealthView, AppError>>,
    pub reload: RwSignal<u32>,
}

/// How many times the page checks again on its own while Meta's answer is out.
const RECHECKS: u32 = 10;
/// How many times it checks again while Meta provisions an accepted registration (about a minute).
const SETTLE_RECHECKS: u32 = 30;

/// The inbox frame. An inbox that does not exist (or is not shared with the viewer) is one error
/// page: the tabs and their panels are hidden behind it (style/main.css).
#[component]
pub fn InboxPage() -> impl IntoView {
    let account_id = use_account_id();
    let path = use_location().pathname;
    let inbox_id = use_inbox_id();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (account_id.get(), inbox_id.get(), reload.get()),
        |(a, i, _)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_inbox_health(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    provide_context(InboxHealth { data, reload });
    // Meta had not answered when the page was drawn (the stored data is shown meanwhile): check
    // again shortly, a few times, until the live read has landed. Effects run in the browser only.
    // The same while Meta provisions a registration it accepted, a little longer (the server
    // reads such a number again every few seconds instead of answering from its cache).
    let rechecks = StoredValue::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(h)) = data.get() {
            let settling = crate::components::banner::settling(&h.registration);
            let limit = if settling { SETTLE_RECHECKS } else { RECHECKS };
            if !h.checking && !settling {
                rechecks.set_value(0);
            } else if rechecks.get_value() < limit {
                rechecks.update_value(|n| *n += 1);
                set_timeout(
                    move || reload.update(|n| *n += 1),
                    std::time::Duration::from_secs(2),
                );
            }
        }
    });
    // Created here, not in the banner: the banner is redrawn by the reload this answer triggers.
    let register = ServerAction::<CompleteRegistration>::new();
    crate::components::fixes::provide(reload);
    Effect::new(move |_| {
        if register.value().get().is_some() {
            reload.update(|n| *n += 1);
        }
    });
    let base = move || {
        format!(
            "/accounts/{}/inboxes/{}",
            account_id.get().unwrap_or_default(),
            inbox_id.get().unwrap_or_default()
        )
    };
    let l = crate::locale();
    view! {
        <Transition fallback=move || view! { <Loading text=tr!(l, inboxes.inbox.loading)/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! {
                        <ErrorPage error=e what=tr!(l, inboxes.inbox.what)
                            back_href=format!("/accounts/{}/inboxes", account_id.get_untracked().unwrap_or_default())
                            back_text=tr!(l, inboxes.inbox.back)/>
                    }.into_any(),
                    Ok(h) => view! {
                        <Title text={
                            let name = h.inbox_name.clone();
                            // The server reads the title after the page is drawn, when the route's
                            // location may already be gone (a panic under load): the path at
                            // drawing time stands in.
                            let drawn_at = path.get_untracked();
                            move || {
                                let at = path.try_get().unwrap_or_else(|| drawn_at.clone());
                                page_title(&tr!(l, inboxes.inbox.page_title, name = name, tab = tab_label(&at, l)))
                            }
                        }/>
                        <p class="crumbs"><A href=format!("/accounts/{}/inboxes", h.account_id)>{tr!(l, inboxes.title)}</A></p>
                        <h1 id="inbox-name">{h.inbox_name.clone()}</h1>
                        <RegistrationBanner registration=h.registration.clone() viewer_is_admin=h.viewer_is_admin
                            account_id=h.account_id inbox_id=h.inbox_id
                            action=register/>
                    }.into_any(),
                }
            })}
        </Transition>
        <RegisterResult action=register/>
        <crate::components::fixes::FixResults/>
        <nav class="tabs" aria-label=tr!(l, inboxes.inbox.tabs_label)>
            <A href=move || format!("{}/health", base())>{tr!(l, inboxes.tab.health)}</A>
            <A href=move || format!("{}/settings", base())>{tr!(l, inboxes.tab.settings)}</A>
            <A href=move || format!("{}/collaborators", base())>{tr!(l, inboxes.tab.collaborators)}</A>
            <A href=move || format!("{}/activity", base())>{tr!(l, inboxes.tab.activity)}</A>
        </nav>
        <Outlet/>
    }
}

#[cfg(test)]
mod tests {
    use super::tab_label;
    use crate::i18n::Locale;

    #[test]
    fn the_title_names_the_tab_of_the_path() {
        let english = Locale::en;
        assert_eq!(
            tab_label("/accounts/1/inboxes/7", english),
            "Account Health"
        );
        assert_eq!(
            tab_label("/accounts/1/inboxes/7/health", english),
            "Account Health"
        );
        assert_eq!(
            tab_label("/accounts/1/inboxes/7/settings/", english),
            "Settings"
        );
        assert_eq!(
            tab_label("/accounts/1/inboxes/7/collaborators", english),
            "Collaborators"
        );
        assert_eq!(
            tab_label("/accounts/1/inboxes/7/activity", english),
            "Activity"
        );
        assert_eq!(
            tab_label("/accounts/1/inboxes/7/settings", Locale::es),
            "Configuración"
        );
    }
}
