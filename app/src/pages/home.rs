//! `/`: sends a signed-in user to their account, anyone else to sign-in.
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::get_current_user;
use crate::components::status::Loading;

/// The server answers `/` with a redirect already; this covers client-side navigation.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let to = match user.await {
                    Ok(Some(u)) => u.home_path(),
                    _ => "/login".to_string(),
                };
                view! { <Redirect path=to/> }
            })}
        </Suspense>
    }
}
