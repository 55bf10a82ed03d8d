//! Greenlight's user interface: routes, pages and components (SSR + islands), the wire types they
//! share with the server, and the server-function declarations that call the server's services.
pub mod activity;
pub mod api;
pub mod auth;
pub mod components;
pub mod error;
pub mod fixes;
pub mod format;
pub mod health;
pub mod meta;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod port;
pub mod portfolio;
pub mod redact;
pub mod team;
pub mod views;

// Generates `i18n`: the `Locale` enum, `use_i18n`, `t!`/`td!`/`td_string!` and the provider, from
// app/locales (see the leptos-i18n table in app/Cargo.toml).
// The macro form is marked deprecated in favour of build.rs code generation, which would add the ICU
// data exporter to every build; app/tests/locales.rs checks the files instead.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub use locales::i18n;

/// A translated text as a `String`: `tr!(l, ns.key)`, or `tr!(l, ns.key, name = value, ...)` for
/// a text with `{name}` placeholders. Placeholders are single-braced and filled here because
/// leptos_i18n's own `{{ name }}` interpolation cannot produce strings in its macro form;
/// app/tests/locales.rs checks that every language has the same placeholders.
#[macro_export]
macro_rules! tr {
    ($l:expr, $($seg:ident).+) => {
        $crate::i18n::td_string!($l, $($seg).+).to_string()
    };
    ($l:expr, $($seg:ident).+, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut text = $crate::i18n::td_string!($l, $($seg).+).to_string();
        $(
            text = text.replace(concat!("{", stringify!($name), "}"), &$value.to_string());
        )+
        text
    }};
}

/// The language of the page being drawn (the i18n context's; English outside of it, as in unit
/// tests). Texts built outside `t!` take it as their `l` argument.
pub fn locale() -> i18n::Locale {
    use leptos_i18n::I18nContext;
    use_context::<I18nContext<i18n::Locale>>()
        .map(|c| c.get_locale_untracked())
        .unwrap_or_else(page_locale)
}

/// The language the server drew the page in, read back from `<html lang>`: an island hydrated in
/// the browser has no i18n context of its own (the page around it never runs there).
fn page_locale() -> i18n::Locale {
    #[cfg(feature = "hydrate")]
    {
        use std::str::FromStr;
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|lang| i18n::Locale::from_str(&lang).ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    i18n::Locale::default()
}

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use crate::components::shell::AccountShell;
use crate::pages::{
    activity::ActivityTab,
    health_tab::HealthTab,
    home::HomePage,
    inbox::InboxPage,
    inbox_settings::{CollaboratorsTab, InboxSettingsTab},
    inboxes::InboxesPage,
    join::JoinPage,
    login::LoginPage,
    not_found::NotFound,
    settings::SettingsPage,
    setup::SetupPage,
};

/// Scoped CSS of every `style!` in this crate, collected by build.rs (stylers::build).
pub const STYLERS_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/stylers.css"));

/// The site's output name: the wasm, js and css under `/pkg` carry it.
pub const OUTPUT_NAME: &str = "greenlight";

/// HTML document rendered by the server around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // The i18n provider sets `lang` (the chosen locale), and hydration reads it back from here.
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
                <style id="stylers" nonce=leptos::nonce::use_nonce()>{STYLERS_CSS}</style>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: global stylesheet, title and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The i18n context without leptos_i18n's provider component: that one also draws an empty
    // `<script>` (for translations it loads on demand, unused here) which carries no CSP nonce.
    // On the server the language comes from the request's Accept-Language, which the server set
    // to the decided language; in the browser, from `<html lang>` below.
    let i18n = leptos_i18n::context::init_i18n_context::<i18n::Locale>();
    provide_context(i18n);
    let lang = move || leptos_i18n::Locale::as_str(i18n.get_locale());
    view! {
        <Stylesheet id="leptos" href="/pkg/greenlight.css"/>
        <Title text="Greenlight"/>
        <Html attr:lang=lang/>
        // First in the page, so a keyboard user can jump over the header and navigation; every
        // page's <main> has id="main".
        // target="_self": the browser, not the router, follows it, so the focus moves into <main>.
        <a class="skip-link" href="#main" target="_self">{tr!(locale(), common.skip_to_content)}</a>
        // Async SSR: every page arrives complete, so it works without JavaScript too.
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/join") view=JoinPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("/accounts/:account_id") view=AccountShell ssr=SsrMode::Async>
                    <Route path=path!("inboxes") view=InboxesPage ssr=SsrMode::Async/>
                    <ParentRoute path=path!("inboxes/:inbox_id") view=InboxPage ssr=SsrMode::Async>
                        <Route path=path!("") view=HealthTab ssr=SsrMode::Async/>
                        <Route path=path!("health") view=HealthTab ssr=SsrMode::Async/>
                        <Route path=path!("settings") view=InboxSettingsTab ssr=SsrMode::Async/>
                        <Route path=path!("collaborators") view=CollaboratorsTab ssr=SsrMode::Async/>
                        <Route path=path!("activity") view=ActivityTab ssr=SsrMode::Async/>
                    </ParentRoute>
                    <Route path=path!("settings") view=SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("alerts") view=crate::pages::activity::AlertsPage ssr=SsrMode::Async/>
                    <Route path=path!("portfolios") view=crate::pages::portfolios::PortfoliosPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
