//! The fixes beside the problem (issue 12): the banner offers the fix for what stopped the number
//! (a PIN Meta refused or that changed elsewhere), and the answer stays readable after the reload
//! it triggers. Mounted by the banner ([`BannerFixes`]) and the inbox page ([`provide`],
//! [`FixResults`]).
use leptos::prelude::*;

use crate::api::{RequestDisplayName, RequestVerificationCode, SetTwoStepPin, VerifyCode};
use crate::health::RegistrationView;
use crate::tr;

/// The fixes' actions, owned by the inbox page so their answers outlive the banner's redraw.
#[derive(Clone, Copy)]
pub struct FixActions {
    pub pin: ServerAction<SetTwoStepPin>,
    pub request_code: ServerAction<RequestVerificationCode>,
    pub verify: ServerAction<VerifyCode>,
    pub display_name: ServerAction<RequestDisplayName>,
}

impl FixActions {
    fn new() -> Self {
        FixActions {
            pin: ServerAction::<SetTwoStepPin>::new(),
            request_code: ServerAction::<RequestVerificationCode>::new(),
            verify: ServerAction::<VerifyCode>::new(),
            display_name: ServerAction::<RequestDisplayName>::new(),
        }
    }
}

/// Creates the actions for the inbox page; each answer reloads the page's data (`reload`).
pub fn provide(reload: RwSignal<u32>) {
    let actions = FixActions::new();
    Effect::new(move |_| {
        // Any fix's answer may change the number's state: read it again.
        let answered = actions.pin.value().get().is_some()
            || actions.verify.value().get().is_some()
            || actions.request_code.value().get().is_some()
            || actions.display_name.value().get().is_some();
        if answered {
            reload.update(|n| *n += 1);
        }
    });
    provide_context(actions);
}

fn actions() -> FixActions {
    use_context::<FixActions>().unwrap_or_else(FixActions::new)
}

/// What to do about the number's PIN, in words, when the banner offers **Set the PIN**.
pub fn pin_problem(reason_code: &str) -> String {
    let l = crate::locale();
    if reason_code == "pin_mismatch" {
        tr!(l, health.fixes.pin_mismatch)
    } else {
        tr!(l, health.fixes.pin_stale)
    }
}

/// The fixes the banner offers for this registration view; nothing when none applies.
#[component]
pub fn BannerFixes(
    registration: RegistrationView,
    viewer_is_admin: bool,
    account_id: i64,
    inbox_id: i64,
) -> impl IntoView {
    let l = crate::locale();
    let fixes = registration.fixes.clone();
    let actions = actions();
    let pin = fixes.offers_pin(&registration.reason_code).then(|| {
        let action = actions.pin;
        view! {
            <div class="fix" id="fix-pin" data-fix="two_step_pin" data-pin-state=fixes.pin_state.as_str()>
                <p class="fix-what">{pin_problem(&registration.reason_code)}</p>
                <p class="fix-how">{tr!(l, health.fixes.pin_how)}</p>
                {if viewer_is_admin {
                    view! {
                        <ActionForm action=action attr:class="fix-form">
                            <input type="hidden" name="account_id" value=account_id/>
                            <input type="hidden" name="inbox_id" value=inbox_id/>
                            <button type="submit" class="primary" id="set-pin" disabled=move || action.pending().get()>
                                {move || if action.pending().get() { tr!(l, health.fixes.pin_pressing) } else { tr!(l, health.fixes.pin_button) }}
                            </button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <p class="hint">{tr!(l, health.fixes.pin_admin_only)}</p> }.into_any()
                }}
            </div>
        }
    });
    let verification = fixes.offers_verification(&registration.reason_code).then(|| {
        let request = actions.request_code;
        let verify = actions.verify;
        view! {
            <div class="fix" id="fix-verification" data-fix="verification">
                <p class="fix-what">{tr!(l, health.fixes.verify_what)}</p>
                <p class="fix-how">{tr!(l, health.fixes.verify_how)}</p>
                {if viewer_is_admin {
                    view! {
                        <ActionForm action=request attr:class="fix-form" attr:id="request-code-form">
                            <input type="hidden" name="account_id" value=account_id/>
                            <input type="hidden" name="inbox_id" value=inbox_id/>
                            <input type="hidden" name="language" value="en_US"/>
                            <fieldset>
                                <legend>{tr!(l, health.fixes.send_by)}</legend>
                                <label><input type="radio" name="code_method" value="SMS" checked=true/>{tr!(l, health.fixes.sms)}</label>
                                <label><input type="radio" name="code_method" value="VOICE"/>{tr!(l, health.fixes.voice)}</label>
                            </fieldset>
                            <button type="submit" id="request-code" disabled=move || request.pending().get()>
                                {move || if request.pending().get() { tr!(l, health.fixes.requesting) } else { tr!(l, health.fixes.request_code) }}
                            </button>
                        </ActionForm>
                        <ActionForm action=verify attr:class="fix-form" attr:id="verify-code-form">
                            <input type="hidden" name="account_id" value=account_id/>
                            <input type="hidden" name="inbox_id" value=inbox_id/>
                            <label for="verification-code">{tr!(l, health.fixes.code)}</label>
                            <input type="text" id="verification-code" name="code" inputmode="numeric"
                                autocomplete="one-time-code" pattern=r"[0-9 \-]{6,7}" required=true/>
                            <button type="submit" class="primary" id="verify-code" disabled=move || verify.pending().get()>
                                {move || if verify.pending().get() { tr!(l, health.fixes.verifying) } else { tr!(l, health.fixes.verify_button) }}
                            </button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <p class="hint">{tr!(l, health.fixes.verify_admin_only)}</p> }.into_any()
                }}
            </div>
        }
    });
    view! { {pin} {verification} }
}

fn answer(
    value: Option<Result<crate::fixes::FixResultView, crate::error::AppError>>,
) -> Option<String> {
    value.map(|r| match r {
        Ok(res) => res.message,
        Err(e) => e.message(crate::locale()),
    })
}

/// The fixes' answers, outside the banner (the banner is redrawn by the reload it triggers).
#[component]
pub fn FixResults() -> impl IntoView {
    let actions = actions();
    view! {
        <div class="fix-result" id="fix-result" role="status" aria-live="polite">
            {move || answer(actions.pin.value().get()).map(|m| view! { <p id="pin-result">{m}</p> })}
            {move || answer(actions.request_code.value().get()).map(|m| view! { <p id="request-code-result">{m}</p> })}
            {move || answer(actions.verify.value().get()).map(|m| view! { <p id="verify-code-result">{m}</p> })}
            {move || answer(actions.display_name.value().get()).map(|m| view! { <p id="display-name-result">{m}</p> })}
        </div>
    }
}

/// The display name: a change in Meta's review (or declined), and for administrators the form to
/// send a new one (one change in review at a time).
#[component]
pub fn DisplayNamePanel(health: crate::health::HealthView) -> impl IntoView {
    let l = crate::locale();
    let fixes = health.registration.fixes.clone();
    let action = actions().display_name;
    let in_review = fixes.name_change_in_review();
    let status = fixes.new_display_name.clone().map(|name| {
        let text = match fixes.new_name_status.as_deref() {
            Some("PENDING_REVIEW") => tr!(l, health.fixes.name_in_review, name = name),
            Some(other) => tr!(
                l,
                health.fixes.name_decided,
                status = crate::format::title_case(other),
                name = name
            ),
            None => tr!(l, health.fixes.name_sent, name = name),
        };
        view! {
            <p id="display-name-change" data-status=fixes.new_name_status.clone().unwrap_or_default()>
                {text}
            </p>
        }
    });
    let rejection = fixes.name_rejection.clone().map(|why| {
        view! { <p id="name-rejection"><strong>{tr!(l, health.fixes.name_rejection)}</strong>{why}</p> }
    });
    view! {
        <section class="panel" id="display-name-panel" aria-label=tr!(l, health.fixes.name_panel)>
            <h2>{tr!(l, health.fixes.name_panel)}</h2>
            {status}
            {rejection}
            {health.viewer_is_admin.then(|| view! {
                <ActionForm action=action attr:class="fix-form">
                    <input type="hidden" name="account_id" value=health.account_id/>
                    <input type="hidden" name="inbox_id" value=health.inbox_id/>
                    <label for="new-display-name">{tr!(l, health.fixes.new_name)}</label>
                    <input type="text" id="new-display-name" name="new_display_name" maxlength="120" required=true
                        disabled=in_review/>
                    <button type="submit" id="send-display-name" disabled=move || in_review || action.pending().get()>
                        {tr!(l, health.fixes.send_name)}
                    </button>
                    {in_review.then(|| view! { <p class="hint">{tr!(l, health.fixes.one_at_a_time)}</p> })}
                </ActionForm>
            })}
        </section>
    }
}
