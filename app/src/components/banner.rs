//! The registration banner above the inbox tabs, driven by the registration state alone: what is
//! wrong, what happens next, attempts left, and for administrators the Complete registration button.
use leptos::prelude::*;

use crate::api::CompleteRegistration;
use crate::components::fixes::BannerFixes;
use crate::format::{short_time, state_label, state_level};
use crate::health::{RegistrationState, RegistrationView};

/// Why the button is disabled, or `None` when pressing it can help.
pub fn disabled_reason(r: &RegistrationView) -> Option<String> {
    if r.may_register_now {
        return None;
    }
    Some(match r.state {
        RegistrationState::AwaitingDisplayName => {
            "Registering cannot succeed while Meta reviews the display name.".to_string()
        }
        RegistrationState::RateLimited => match &r.next_attempt_at {
            Some(t) => format!(
                "Meta's limit of 10 registrations per 72 hours is used up until {}.",
                short_time(t)
            ),
            None => "Meta's limit of 10 registrations per 72 hours is used up.".to_string(),
        },
        RegistrationState::Unknown => {
            "Greenlight could not read the number from Meta; it never registers blind.".to_string()
        }
        _ => "Calling Meta now cannot help: see the reason above.".to_string(),
    })
}

/// The banner; nothing for a registered number.
#[component]
pub fn RegistrationBanner(
    registration: RegistrationView,
    viewer_is_admin: bool,
    account_id: i64,
    inbox_id: i64,
    /// Owned by the inbox page, so its answer outlives the reload it triggers.
    action: ServerAction<CompleteRegistration>,
) -> impl IntoView {
    if registration.state == RegistrationState::Registered {
        return view! { <BannerFixes registration viewer_is_admin account_id inbox_id/> }
            .into_any();
    }
    let level = state_level(registration.state);
    let disabled = disabled_reason(&registration);
    let r = registration.clone();
    view! {
        <section class=format!("banner banner-{}", level.as_str()) id="registration-banner"
            data-state=registration.state.as_str() role="region" aria-label="Registration">
            <h2>{state_label(registration.state)}</h2>
            <p class="reason">{registration.reason.clone()}</p>
            {r.next_attempt_at.clone().map(|t| view! {
                <p class="next">"Next automatic attempt: " {short_time(&t)}</p>
            })}
            <p class="attempts">
                {format!("Registration attempts left in Meta's 72-hour window: {} of 10", r.attempts_left_in_window)}
            </p>
            {r.last_error.clone().map(|e| view! { <p class="last-error">"Meta's last answer: " {e}</p> })}
            <BannerFixes registration=r.clone() viewer_is_admin account_id inbox_id/>
            {viewer_is_admin.then(|| {
                let disabled_text = disabled.clone();
                view! {
                    <ActionForm action=action attr:class="register-form">
                        <input type="hidden" name="account_id" value=account_id/>
                        <input type="hidden" name="inbox_id" value=inbox_id/>
                        <button type="submit" class="primary" id="complete-registration"
                            disabled=move || disabled.is_some() || action.pending().get()
                            aria-describedby="register-disabled-reason">
                            {move || if action.pending().get() { "Registering…" } else { "Complete registration" }}
                        </button>
                        {move || action.pending().get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        <p id="register-disabled-reason" class="hint">{disabled_text}</p>
                    </ActionForm>
                }
            })}
        </section>
    }
    .into_any()
}

/// Meta's answer to the last Complete registration press. It lives outside the banner because
/// the banner is redrawn (or gone) once the data reloads, and the answer must stay readable.
#[component]
pub fn RegisterResult(action: ServerAction<CompleteRegistration>) -> impl IntoView {
    view! {
        <p class="register-result" id="register-result" role="status" aria-live="polite">
            {move || action.value().get().map(|r| match r {
                Ok(res) => res.message,
                Err(e) => e.to_string(),
            })}
        </p>
    }
}
