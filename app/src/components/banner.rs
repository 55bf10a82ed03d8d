//! The registration banner above the inbox tabs, driven by the registration state alone: what is
//! wrong, what happens next, attempts left, and for administrators the Complete registration button.
use leptos::either::Either;
use leptos::prelude::*;

use crate::components::form::{action_url, submit_to};

use crate::api::CompleteRegistration;
use crate::components::fixes::BannerFixes;
use crate::format::{month_day_time, short_time, state_label, state_level};
use crate::health::{RegistrationState, RegistrationView};
use crate::tr;

/// Why the button is disabled, or `None` when pressing it can help.
pub fn disabled_reason(r: &RegistrationView) -> Option<String> {
    let l = crate::locale();
    // After Meta accepted, the page holds the button until Meta's next read settles it, so a second
    // click cannot spend another attempt by accident. (The API still allows a press: the ledger
    // cannot tell this wait from a number Meta moved back after showing it registered.)
    if r.state == RegistrationState::Ready && r.reason_code == AWAITING_CONFIRMATION {
        return Some(tr!(l, health.banner.disabled.awaiting_confirmation));
    }
    if r.may_register_now {
        return None;
    }
    Some(match r.state {
        RegistrationState::AwaitingDisplayName => tr!(l, health.banner.disabled.name_in_review),
        RegistrationState::RateLimited => {
            match r.next_attempt_at.as_ref().filter(|_| !r.next_attempt_due) {
                Some(t) => tr!(
                    l,
                    health.banner.disabled.limit_until,
                    until = short_time(t, l)
                ),
                None => tr!(l, health.banner.disabled.limit),
            }
        }
        RegistrationState::Unknown => tr!(l, health.banner.disabled.unknown),
        _ => tr!(l, health.banner.disabled.cannot_help),
    })
}

/// The reason code of a registration Meta accepted and has not confirmed yet.
pub const AWAITING_CONFIRMATION: &str = "awaiting_confirmation";

/// The banner's heading: the state, except while Meta provisions an accepted registration.
pub fn heading(r: &RegistrationView) -> String {
    if r.reason_code == AWAITING_CONFIRMATION {
        registering()
    } else {
        state_label(r.state, crate::locale())
    }
}

/// The heading from the moment Complete registration is pressed until Meta shows the number registered.
pub fn registering() -> String {
    tr!(crate::locale(), health.banner.registering)
}

/// Whether the page should check again on its own: Meta is provisioning the number.
pub fn settling(r: &RegistrationView) -> bool {
    r.reason_code == AWAITING_CONFIRMATION
}

/// How many registration attempts are left, never contradicting the state: a used-up quota reads
/// "0 left until 12-05 14:00 UTC", whatever Greenlight's own count of its attempts says.
pub fn attempts_line(r: &RegistrationView) -> String {
    let l = crate::locale();
    if r.state == RegistrationState::RateLimited {
        return match r.next_attempt_at.as_ref().filter(|_| !r.next_attempt_due) {
            Some(t) => tr!(
                l,
                health.banner.attempts_none_until,
                until = month_day_time(t, l)
            ),
            None => tr!(l, health.banner.attempts_none),
        };
    }
    tr!(
        l,
        health.banner.attempts_left,
        n = r.attempts_left_in_window
    )
}

/// When Greenlight acts next; never a time in the past ("any moment now" once it is due).
pub fn next_attempt_line(r: &RegistrationView) -> Option<String> {
    let t = r.next_attempt_at.as_ref()?;
    let l = crate::locale();
    Some(if r.next_attempt_due {
        tr!(l, health.banner.next_check_due)
    } else {
        tr!(l, health.banner.next_check, at = short_time(t, l))
    })
}

/// Whether administrators get a Complete registration button. Not while Meta refuses the token:
/// no press can help until the token is replaced, so a disabled button would only be noise.
pub fn shows_register_button(r: &RegistrationView) -> bool {
    r.reason_code != "token_invalid" || r.may_register_now
}

/// The banner; nothing for a registered number.
#[component]
pub fn RegistrationBanner(
    registration: RegistrationView,
    viewer_is_admin: bool,
    account_id: i64,
    inbox_id: i64,
    /// Owned by the banner's island, so its answer outlives the redraw it triggers.
    action: ServerAction<CompleteRegistration>,
) -> impl IntoView {
    let l = crate::locale();
    if registration.state == RegistrationState::Registered {
        // Success shows where the press happened, until the next full page load; a registered
        // number can still need a fix (a PIN changed elsewhere).
        let success = move || {
            action.value().get().and_then(|r| r.ok()).map(|_| view! {
                <section class="banner banner-good" id="registration-banner" data-state="registered"
                    role="region" aria-label=tr!(l, health.banner.aria_label)>
                    <h2>{tr!(l, health.banner.registered)}</h2>
                    <p class="reason">{tr!(l, health.banner.registered_text)}</p>
                </section>
            })
        };
        return Either::Left(view! {
            {success}
            <BannerFixes registration viewer_is_admin account_id inbox_id/>
        });
    }
    let level = state_level(registration.state);
    let title = heading(&registration);
    let disabled = disabled_reason(&registration);
    // Between Meta's answer and the read it triggers, this banner still shows the data from before
    // the press; a press Meta accepted holds the button (and the heading) until the new data
    // redraws the banner.
    let drawn_at = action.version().get_untracked();
    let accepted_since_drawn =
        move || action.version().get() > drawn_at && matches!(action.value().get(), Some(Ok(_)));
    let busy = move || action.pending().get() || accepted_since_drawn();
    let r = registration.clone();
    Either::Right(view! {
        <section class=format!("banner banner-{}", level.as_str()) id="registration-banner"
            data-state=registration.state.as_str() data-reason=registration.reason_code.clone()
            role="region" aria-label=tr!(l, health.banner.aria_label)>
            <h2 id="registration-heading">{move || if busy() { tr!(l, health.banner.registering) } else { title.clone() }}</h2>
            <p class="reason">{registration.reason.clone()}</p>
            {next_attempt_line(&r).map(|t| view! { <p class="next">{t}</p> })}
            <p class="attempts">{attempts_line(&r)}</p>
            {r.last_error.clone().map(|e| view! { <p class="last-error">{tr!(l, health.banner.last_answer)}{e}</p> })}
            <BannerFixes registration=r.clone() viewer_is_admin account_id inbox_id/>
            {(viewer_is_admin && shows_register_button(&r)).then(|| {
                let disabled_text = disabled.clone();
                view! {
                    <form action=action_url(action) method="post" on:submit=submit_to(action) class="register-form">
                        <input type="hidden" name="account_id" value=account_id/>
                        <input type="hidden" name="inbox_id" value=inbox_id/>
                        <button type="submit" class="primary" id="complete-registration"
                            disabled=move || disabled.is_some() || busy()
                            aria-describedby="register-disabled-reason">
                            {move || if action.pending().get() { tr!(l, health.banner.pressing) } else { tr!(l, health.banner.complete) }}
                        </button>
                        {move || action.pending().get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        <p id="register-disabled-reason" class="hint">{disabled_text}</p>
                    </form>
                }
            })}
        </section>
    })
}

/// Meta's answer to the last Complete registration press. It lives outside the banner because
/// the banner is redrawn (or gone) once the data reloads, and the answer must stay readable.
#[component]
pub fn RegisterResult(action: ServerAction<CompleteRegistration>) -> impl IntoView {
    view! {
        <p class="register-result" id="register-result" role="status" aria-live="polite">
            {move || action.value().get().map(|r| match r {
                Ok(res) => res.message,
                Err(e) => e.message(crate::locale()),
            })}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(state: RegistrationState, reason_code: &str) -> RegistrationView {
        RegistrationView {
            state,
            reason_code: reason_code.into(),
            reason: String::new(),
            attempts_in_window: 1,
            attempts_left_in_window: 9,
            next_attempt_at: None,
            next_attempt_due: false,
            last_error: None,
            may_register_now: false,
            fixes: Default::default(),
        }
    }

    #[test]
    fn a_used_up_quota_reads_zero_left_until_it_frees_never_nine_of_ten() {
        let mut r = view(RegistrationState::RateLimited, "meta_rate_limited");
        r.next_attempt_at = Some("2026-12-05T14:00:00Z".into());
        assert_eq!(
            attempts_line(&r),
            "Registration attempts: 0 left until 12-05 14:00 UTC"
        );
        assert!(!attempts_line(&r).contains("of 10"));
        let ready = view(RegistrationState::Ready, "ready");
        assert_eq!(
            attempts_line(&ready),
            "Registration attempts left in Meta's 72-hour window: 9 of 10"
        );
    }

    #[test]
    fn a_due_attempt_is_any_moment_now_not_a_time_in_the_past() {
        let mut r = view(RegistrationState::Ready, "retry_scheduled");
        r.next_attempt_at = Some("2026-12-01T09:00:00Z".into());
        assert_eq!(
            next_attempt_line(&r).unwrap(),
            "Next automatic check: 2026-12-01 09:00 UTC"
        );
        r.next_attempt_due = true;
        assert_eq!(
            next_attempt_line(&r).unwrap(),
            "Next automatic check: any moment now"
        );
        r.state = RegistrationState::RateLimited;
        assert!(!attempts_line(&r).contains("12-01"));
        assert!(!disabled_reason(&r).unwrap().contains("12-01"));
        assert_eq!(
            next_attempt_line(&view(RegistrationState::Ready, "ready")),
            None
        );
    }

    #[test]
    fn an_accepted_registration_reads_registering_and_cannot_be_pressed_again() {
        let r = view(RegistrationState::Ready, AWAITING_CONFIRMATION);
        assert_eq!(heading(&r), "Registering… Waiting for Meta");
        assert!(settling(&r));
        assert!(disabled_reason(&r).unwrap().contains("another attempt"));
        let ready = view(RegistrationState::Ready, "ready");
        assert_eq!(heading(&ready), "Ready to register");
        assert!(!settling(&ready));
    }

    #[test]
    fn a_refused_token_has_no_button_but_a_pressable_one_stays() {
        let refused = view(RegistrationState::ActionRequired, "token_invalid");
        assert!(!shows_register_button(&refused));
        let after_new_token = RegistrationView {
            may_register_now: true,
            ..refused
        };
        assert!(shows_register_button(&after_new_token));
        assert!(shows_register_button(&view(
            RegistrationState::AwaitingDisplayName,
            "name_pending_review"
        )));
    }
}
