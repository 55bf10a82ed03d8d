//! The fixes beside the problem (issue 12): the banner offers the fix for what stopped the number
//! (a PIN Meta refused or that changed elsewhere), and the answer stays readable after the banner
//! is redrawn from the number read again. Mounted by the banner ([`BannerFixes`]) and its island
//! ([`provide`], [`FixResults`]); the display name has an island of its own.
use leptos::either::Either;
use leptos::prelude::*;

use crate::components::form::{action_url, submit_to};

use crate::api::{RequestDisplayName, RequestVerificationCode, SetTwoStepPin, VerifyCode};
use crate::fixes::FixesView;
use crate::health::RegistrationView;
use crate::tr;

/// The fixes' actions, owned by the banner's island so their answers outlive the banner's redraw.
#[derive(Clone, Copy)]
pub struct FixActions {
    pub pin: ServerAction<SetTwoStepPin>,
    pub request_code: ServerAction<RequestVerificationCode>,
    pub verify: ServerAction<VerifyCode>,
}

impl FixActions {
    fn new() -> Self {
        FixActions {
            pin: ServerAction::<SetTwoStepPin>::new(),
            request_code: ServerAction::<RequestVerificationCode>::new(),
            verify: ServerAction::<VerifyCode>::new(),
        }
    }
}

impl FixActions {
    /// Whether any fix has an answer (tracked): it may have changed the number's state.
    pub fn answered(&self) -> bool {
        self.pin.value().with(Option::is_some)
            || self.verify.value().with(Option::is_some)
            || self.request_code.value().with(Option::is_some)
    }
}

/// Creates and provides the actions for the banner's island.
pub fn provide() -> FixActions {
    let actions = FixActions::new();
    provide_context(actions);
    actions
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
                    Either::Left(view! {
                        <form action=action_url(action) method="post" on:submit=submit_to(action) class="fix-form">
                            <input type="hidden" name="account_id" value=account_id/>
                            <input type="hidden" name="inbox_id" value=inbox_id/>
                            <button type="submit" class="primary" id="set-pin" disabled=move || action.pending().get()>
                                {move || if action.pending().get() { tr!(l, health.fixes.pin_pressing) } else { tr!(l, health.fixes.pin_button) }}
                            </button>
                        </form>
                    })
                } else {
                    Either::Right(view! { <p class="hint">{tr!(l, health.fixes.pin_admin_only)}</p> })
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
                    Either::Left(view! {
                        <form action=action_url(request) method="post" on:submit=submit_to(request) class="fix-form" id="request-code-form">
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
                        </form>
                        <form action=action_url(verify) method="post" on:submit=submit_to(verify) class="fix-form" id="verify-code-form">
                            <input type="hidden" name="account_id" value=account_id/>
                            <input type="hidden" name="inbox_id" value=inbox_id/>
                            <label for="verification-code">{tr!(l, health.fixes.code)}</label>
                            <input type="text" id="verification-code" name="code" inputmode="numeric"
                                autocomplete="one-time-code" pattern=r"[0-9 \-]{6,7}" required=true/>
                            <button type="submit" class="primary" id="verify-code" disabled=move || verify.pending().get()>
                                {move || if verify.pending().get() { tr!(l, health.fixes.verifying) } else { tr!(l, health.fixes.verify_button) }}
                            </button>
                        </form>
                    })
                } else {
                    Either::Right(view! { <p class="hint">{tr!(l, health.fixes.verify_admin_only)}</p> })
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

/// The fixes' answers, outside the banner (the banner is redrawn by the read their answer triggers).
#[component]
pub fn FixResults() -> impl IntoView {
    let actions = actions();
    view! {
        <div class="fix-result" id="fix-result" role="status" aria-live="polite">
            {move || answer(actions.pin.value().get()).map(|m| view! { <p id="pin-result">{m}</p> })}
            {move || answer(actions.request_code.value().get()).map(|m| view! { <p id="request-code-result">{m}</p> })}
            {move || answer(actions.verify.value().get()).map(|m| view! { <p id="verify-code-result">{m}</p> })}
        </div>
    }
}

/// The display name: a change in Meta's review (or declined), and for administrators the form to
/// send a new one (one change in review at a time). An island: after Meta's answer it reads the
/// number again and redraws itself.
#[island]
pub fn DisplayNamePanel(
    fixes: FixesView,
    viewer_is_admin: bool,
    account_id: i64,
    inbox_id: i64,
) -> impl IntoView {
    let l = crate::locale();
    let action = ServerAction::<RequestDisplayName>::new();
    let fixes = RwSignal::new(fixes);
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            leptos::task::spawn_local(async move {
                if let Ok(b) = crate::api::get_inbox_banner(account_id, inbox_id).await {
                    fixes.set(b.registration.fixes);
                }
            });
        }
    });
    let in_review = move || fixes.with(FixesView::name_change_in_review);
    let status = move || {
        let fixes = fixes.get();
        fixes.new_display_name.clone().map(|name| {
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
        })
    };
    let rejection = move || {
        fixes.with(|f| f.name_rejection.clone()).map(|why| {
            view! { <p id="name-rejection"><strong>{tr!(l, health.fixes.name_rejection)}</strong>{why}</p> }
        })
    };
    view! {
        <section class="panel" id="display-name-panel" aria-label=tr!(l, health.fixes.name_panel)>
            <h2>{tr!(l, health.fixes.name_panel)}</h2>
            {status}
            {rejection}
            {viewer_is_admin.then(|| view! {
                <form action=action_url(action) method="post" on:submit=submit_to(action) class="fix-form">
                    <input type="hidden" name="account_id" value=account_id/>
                    <input type="hidden" name="inbox_id" value=inbox_id/>
                    <label for="new-display-name">{tr!(l, health.fixes.new_name)}</label>
                    <input type="text" id="new-display-name" name="new_display_name" maxlength="120" required=true
                        disabled=in_review/>
                    <button type="submit" id="send-display-name" disabled=move || in_review() || action.pending().get()>
                        {tr!(l, health.fixes.send_name)}
                    </button>
                    {move || in_review().then(|| view! { <p class="hint">{tr!(l, health.fixes.one_at_a_time)}</p> })}
                </form>
            })}
            <p class="fix-result" role="status" aria-live="polite">
                {move || answer(action.value().get()).map(|m| view! { <span id="display-name-result">{m}</span> })}
            </p>
        </section>
    }
}
