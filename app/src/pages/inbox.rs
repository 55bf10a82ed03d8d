//! `/accounts/:a/inboxes/:i/...`: the inbox page: registration banner above the tabs
//! (Account Health, Settings, Collaborators).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

use crate::api::{get_inbox_banner, get_inbox_health, CompleteRegistration};
use crate::components::banner::{RegisterResult, RegistrationBanner};
use crate::components::shell::use_account_id;
use crate::components::status::{page_title, ErrorPage, Loading};
use crate::error::AppError;
use crate::health::{BannerView, HealthView};
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

/// The inbox's health as the page was drawn, shared by the frame and the Account Health tab.
#[derive(Clone, Copy)]
pub struct InboxHealth {
    pub data: Resource<Result<HealthView, AppError>>,
}

/// How many times the page checks again on its own while Meta's answer is out.
const RECHECKS: u32 = 10;
/// How many times it checks again while Meta provisions an accepted registration (about a minute).
const SETTLE_RECHECKS: u32 = 30;

/// The inbox frame. An inbox that does not exist (or is not shared with the viewer) is one error
/// page: the tabs and their panels are hidden behind it (style/main.css).
#[component]
pub fn InboxPage() -> impl IntoView {
    // Drawn on the server for every page: the route's values are read once, up front (the parts
    // drawn after the data arrives read no reactive value a gone client has had disposed).
    let account_id = use_account_id().get_untracked();
    let inbox_id = use_inbox_id().get_untracked();
    let path = use_location().pathname.get_untracked();
    let data = Resource::new(
        || (),
        move |_| async move {
            match (account_id, inbox_id) {
                (Some(a), Some(i)) => get_inbox_health(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    provide_context(InboxHealth { data });
    let base = format!(
        "/accounts/{}/inboxes/{}",
        account_id.unwrap_or_default(),
        inbox_id.unwrap_or_default()
    );
    let l = crate::locale();
    let tab = tab_label(&path, l);
    view! {
        <Transition fallback=move || view! { <Loading text=tr!(l, inboxes.inbox.loading)/> }>
            {move || {
                let tab = tab.clone();
                Suspend::new(async move {
                match data.await {
                    Err(e) => view! {
                        <ErrorPage error=e what=tr!(l, inboxes.inbox.what)
                            back_href=format!("/accounts/{}/inboxes", account_id.unwrap_or_default())
                            back_text=tr!(l, inboxes.inbox.back)/>
                    }.into_any(),
                    Ok(h) => view! {
                        <Title text=page_title(&tr!(l, inboxes.inbox.page_title, name = h.inbox_name.clone(), tab = tab))/>
                        <p class="crumbs"><A href=format!("/accounts/{}/inboxes", h.account_id)>{tr!(l, inboxes.title)}</A></p>
                        <h1 id="inbox-name">{h.inbox_name.clone()}</h1>
                        <LiveBanner banner=BannerView::from(&h)/>
                    }.into_any(),
                }
            })}}
        </Transition>
        <nav class="tabs" aria-label=tr!(l, inboxes.inbox.tabs_label)>
            <A href=format!("{base}/health")>{tr!(l, inboxes.tab.health)}</A>
            <A href=format!("{base}/settings")>{tr!(l, inboxes.tab.settings)}</A>
            <A href=format!("{base}/collaborators")>{tr!(l, inboxes.tab.collaborators)}</A>
            <A href=format!("{base}/activity")>{tr!(l, inboxes.tab.activity)}</A>
        </nav>
        <Outlet/>
    }
}

/// The registration banner, its Complete registration button and fixes, and their answers: an
/// island that keeps itself current in the browser.
///
/// It reads the number again after every press, and on its own while Meta's answer is out or
/// while Meta provisions an accepted registration. When a live read that was still out at drawing
/// time lands, the whole page is loaded again: the rest of it was drawn from the stored snapshot.
#[island]
pub fn LiveBanner(banner: BannerView) -> impl IntoView {
    let (account_id, inbox_id) = (banner.account_id, banner.inbox_id);
    let drawn_checking = banner.checking;
    let data = RwSignal::new(banner);
    let read_again = move || {
        leptos::task::spawn_local(async move {
            // Unreadable for now: the banner keeps what it shows and stops checking on its own.
            if let Ok(h) = get_inbox_banner(account_id, inbox_id).await {
                data.set(h);
            }
        })
    };
    let rechecks = StoredValue::new(0u32);
    // Effects run in the browser only.
    Effect::new(move |_| {
        let (checking, settling) = data.with(|h| {
            (
                h.checking,
                crate::components::banner::settling(&h.registration),
            )
        });
        if drawn_checking && !checking {
            crate::components::reload_page();
            return;
        }
        let limit = if settling { SETTLE_RECHECKS } else { RECHECKS };
        if !checking && !settling {
            rechecks.set_value(0);
        } else if rechecks.get_value() < limit {
            rechecks.update_value(|n| *n += 1);
            set_timeout(read_again, std::time::Duration::from_secs(2));
        }
    });
    // Owned here, not by the banner: the banner is redrawn by the read their answer triggers.
    let register = ServerAction::<CompleteRegistration>::new();
    let fixes = crate::components::fixes::provide();
    Effect::new(move |_| {
        if register.value().with(Option::is_some) || fixes.answered() {
            read_again();
        }
    });
    view! {
        {move || {
            let h = data.get();
            view! {
                <RegistrationBanner registration=h.registration viewer_is_admin=h.viewer_is_admin
                    account_id=h.account_id inbox_id=h.inbox_id action=register/>
            }
        }}
        <RegisterResult action=register/>
        <crate::components::fixes::FixResults/>
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
