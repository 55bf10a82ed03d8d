//! Server functions: thin doors that read the session, call the port and map errors.
//! Their URLs are fixed (`/sfn/...`) so the REST API keeps `/api/v1`.
use leptos::prelude::*;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::views::AccountSettings;

/// Sets the HTTP status of a failed server function from the error (422, 401, 403, 404...), so
/// errors are not all "500". A plain form post (no JavaScript) keeps leptos' redirect back instead.
#[cfg(feature = "ssr")]
fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        let form_post = use_context::<http::request::Parts>()
            .and_then(|p| p.headers.get(http::header::ACCEPT).cloned())
            .and_then(|v| v.to_str().ok().map(|v| v.contains("text/html")))
            .unwrap_or(false);
        if let (false, Some(opts)) = (form_post, use_context::<leptos_axum::ResponseOptions>()) {
            if let Ok(status) = http::StatusCode::from_u16(e.http_status()) {
                opts.set_status(status);
            }
        }
    }
    result
}

/// Runs `call` with the port and the signed-in user (401 without one), answering like [`answer`].
#[cfg(feature = "ssr")]
pub(crate) async fn as_signed_in<T, F, Fut>(call: F) -> Result<T, AppError>
where
    F: FnOnce(crate::port::SharedPort, CurrentUser) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let result = async {
        let user = crate::port::require_user()?;
        call(crate::port::port()?, user).await
    }
    .await;
    answer(result)
}

/// Only same-site paths are followed after sign-in, never another host. Browsers drop tabs and
/// newlines from URLs (so `/\t/evil.example` would become `//evil.example`) and treat `\` as `/`,
/// and a control character cannot go into a `Location` header at all: all of these are refused
/// rather than cleaned up.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?;
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !next.starts_with("/login")
        && !next.starts_with("/sfn");
    ok.then(|| next.to_string())
}

/// The signed-in user, or `None`.
#[server(prefix = "/sfn", endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    answer(async move { Ok(crate::port::request_context()?.user) }.await)
}

/// True while Greenlight has no user yet.
#[server(prefix = "/sfn", endpoint = "needs_first_run")]
pub async fn needs_first_run() -> Result<bool, AppError> {
    answer(async move { crate::port::port()?.needs_first_run().await }.await)
}

/// Signs in and starts a session; without JavaScript the browser follows the redirect.
#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(
    email: String,
    password: crate::redact::SecretField,
    next: Option<String>,
) -> Result<(), AppError> {
    answer(
        async move {
            let ctx = crate::port::request_context()?;
            let user = crate::port::port()?
                .sign_in(&email, &password.into_inner(), &ctx.client_ip, ctx.locale)
                .await?;
            ctx.session.start(user.id).await?;
            let to = safe_next(next.as_deref()).unwrap_or_else(|| user.home_path());
            leptos_axum::redirect(&to);
            Ok(())
        }
        .await,
    )
}

/// Ends the session.
#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    answer(
        async move {
            let ctx = crate::port::request_context()?;
            ctx.session.end().await?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Creates the first administrator (only while no user exists) and signs them in.
#[server(prefix = "/sfn", endpoint = "first_run")]
pub async fn first_run(
    name: String,
    email: String,
    password: crate::redact::SecretField,
    account_name: String,
    setup_code: crate::redact::SecretField,
) -> Result<(), AppError> {
    answer(
        async move {
            let ctx = crate::port::request_context()?;
            let user = crate::port::port()?
                .create_first_admin(
                    crate::views::FirstRunForm {
                        name,
                        email,
                        password: password.into_inner(),
                        account_name,
                        setup_code: setup_code.into_inner(),
                    },
                    ctx.locale,
                )
                .await?;
            ctx.session.start(user.id).await?;
            leptos_axum::redirect(&user.home_path());
            Ok(())
        }
        .await,
    )
}

/// Rotates the signed-in user's REST API token; answers the new token once.
#[server(prefix = "/sfn", endpoint = "rotate_api_token")]
pub async fn rotate_api_token() -> Result<String, AppError> {
    as_signed_in(|port, user| async move { port.rotate_api_token(&user).await }).await
}

/// The account settings page's data.
#[server(prefix = "/sfn", endpoint = "account_settings")]
pub async fn get_account_settings(account_id: i64) -> Result<AccountSettings, AppError> {
    as_signed_in(|port, user| async move { port.account_settings(&user, account_id).await }).await
}

/// Invites someone into the account (administrators); answers the one-time link, shown once.
#[server(prefix = "/sfn", endpoint = "invite_member")]
pub async fn invite_member(
    account_id: i64,
    email: String,
    role: String,
) -> Result<crate::team::CreatedInvitation, AppError> {
    as_signed_in(
        |port, user| async move { port.invite_member(&user, account_id, email, role).await },
    )
    .await
}

/// Changes a member's role (administrators).
#[server(prefix = "/sfn", endpoint = "set_member_role")]
pub async fn set_member_role(account_id: i64, user_id: i64, role: String) -> Result<(), AppError> {
    as_signed_in(|port, user| async move {
        port.set_member_role(&user, account_id, user_id, role).await
    })
    .await
}

/// Removes a member (administrators).
#[server(prefix = "/sfn", endpoint = "remove_member")]
pub async fn remove_member(account_id: i64, user_id: i64) -> Result<(), AppError> {
    as_signed_in(|port, user| async move { port.remove_member(&user, account_id, user_id).await })
        .await
}

/// Renames the account (administrators).
#[server(prefix = "/sfn", endpoint = "rename_account")]
pub async fn rename_account(account_id: i64, name: String) -> Result<(), AppError> {
    as_signed_in(|port, user| async move { port.rename_account(&user, account_id, name).await })
        .await
}

/// Changes the signed-in user's name and language.
#[server(prefix = "/sfn", endpoint = "update_profile")]
pub async fn update_profile(name: String, locale: String) -> Result<(), AppError> {
    as_signed_in(|port, user| async move { port.update_profile(&user, name, locale).await }).await
}

/// Changes the signed-in user's password; their other sessions end, this one stays.
#[server(prefix = "/sfn", endpoint = "change_password")]
pub async fn change_password(
    current_password: crate::redact::SecretField,
    password: crate::redact::SecretField,
) -> Result<(), AppError> {
    as_signed_in(|port, user| async move {
        port.change_password(&user, current_password.into_inner(), password.into_inner())
            .await?;
        crate::port::request_context()?.session.keep(user.id).await
    })
    .await
}

/// What a one-time link is for (public: the link is the credential).
#[server(prefix = "/sfn", endpoint = "invitation")]
pub async fn get_invitation(
    token: crate::redact::SecretField,
) -> Result<crate::team::InvitationView, AppError> {
    answer(
        async move {
            let l = crate::port::request_context()?.locale;
            crate::port::port()?
                .invitation(&token.into_inner(), l)
                .await
        }
        .await,
    )
}

/// Uses a one-time link with the chosen name and password, and signs the user in.
#[server(prefix = "/sfn", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: crate::redact::SecretField,
    name: String,
    password: crate::redact::SecretField,
) -> Result<(), AppError> {
    answer(
        async move {
            let ctx = crate::port::request_context()?;
            let user = crate::port::port()?
                .accept_invitation(
                    &token.into_inner(),
                    &name,
                    &password.into_inner(),
                    ctx.locale,
                )
                .await?;
            ctx.session.start(user.id).await?;
            leptos_axum::redirect(&user.home_path());
            Ok(())
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn server_function_arguments_never_debug_a_secret() {
        use crate::redact::SecretField;
        let secret = || SecretField("hunter2-correct-horse".into());
        let shown = [
            format!(
                "{:?}",
                super::Login {
                    email: "ada@example.com".into(),
                    password: secret(),
                    next: None
                }
            ),
            format!(
                "{:?}",
                super::FirstRun {
                    name: "Ada".into(),
                    email: "ada@example.com".into(),
                    password: secret(),
                    account_name: "Acme".into(),
                    setup_code: secret(),
                }
            ),
            format!(
                "{:?}",
                super::CreateInbox {
                    account_id: 1,
                    name: "Front".into(),
                    phone_number: "+1".into(),
                    phone_number_id: "1".into(),
                    business_account_id: "2".into(),
                    api_key: secret(),
                }
            ),
            format!(
                "{:?}",
                super::ChangePassword {
                    current_password: secret(),
                    password: secret(),
                }
            ),
            format!(
                "{:?}",
                super::AcceptInvitation {
                    token: secret(),
                    name: "Cy".into(),
                    password: secret(),
                }
            ),
            format!("{:?}", super::GetInvitation { token: secret() }),
            format!(
                "{:?}",
                super::UpdateInbox {
                    account_id: 1,
                    inbox_id: 1,
                    name: String::new(),
                    api_key: secret(),
                }
            ),
            format!(
                "{:?}",
                crate::pages::activity::CreateAlertWebhook {
                    account_id: 1,
                    url: secret(),
                    secret: secret(),
                    format: "json".into(),
                }
            ),
        ];
        for s in shown {
            assert!(!s.contains("hunter2"), "{s}");
            assert!(s.contains("[redacted]"), "{s}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            super::query_value("Sales & support/EU ✓"),
            "Sales%20%26%20support%2FEU%20%E2%9C%93"
        );
        assert_eq!(super::query_value("a-b_c.d~"), "a-b_c.d~");
    }

    #[test]
    fn next_only_follows_local_paths() {
        assert_eq!(
            safe_next(Some("/accounts/1/inboxes")).as_deref(),
            Some("/accounts/1/inboxes")
        );
        assert_eq!(
            safe_next(Some("/accounts/1/inboxes?tab=health")).as_deref(),
            Some("/accounts/1/inboxes?tab=health")
        );
        assert_eq!(safe_next(None), None);
        assert_eq!(safe_next(Some("")), None);
        assert_eq!(safe_next(Some("/login")), None);
        assert_eq!(safe_next(Some("/sfn/logout")), None);
    }

    #[test]
    fn next_refuses_other_hosts_schemes_and_control_characters() {
        for bad in [
            // `next=/%0A` (panicked the handler) and `next=/%09/evil.example` (open redirect),
            // as the query string decodes them.
            "/\n",
            "/\t/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\u{0}",
            "/\u{7f}",
            "/\u{85}",
            "//evil",
            "//evil.example/path",
            "/\\evil",
            "/ok\\..\\evil",
            "\\\\evil",
            "https://evil",
            "http:/evil",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " /accounts/1",
            "evil.example",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?} must be refused");
        }
    }
}

/// True when the server runs with a simulated Meta (`--demo`).
#[server(prefix = "/sfn", endpoint = "is_demo")]
pub async fn is_demo() -> Result<bool, AppError> {
    answer(async move { Ok(crate::port::port()?.is_demo()) }.await)
}

/// The account's inboxes, worst first.
#[server(prefix = "/sfn", endpoint = "inbox_overview")]
pub async fn get_inbox_overview(
    account_id: i64,
    page: Option<u32>,
) -> Result<crate::views::InboxOverview, AppError> {
    as_signed_in(|port, user| async move {
        port.inbox_overview(&user, account_id, page.unwrap_or(1))
            .await
    })
    .await
}

/// The numbers the user may see, grouped by business portfolio.
#[server(prefix = "/sfn", endpoint = "portfolios")]
pub async fn get_portfolios(account_id: i64) -> Result<crate::portfolio::PortfoliosView, AppError> {
    as_signed_in(|port, user| async move { port.portfolios(&user, account_id).await }).await
}

/// Adds a WhatsApp Cloud inbox and runs its setup; opens its Account Health tab.
#[server(prefix = "/sfn", endpoint = "create_inbox")]
pub async fn create_inbox(
    account_id: i64,
    name: String,
    phone_number: String,
    phone_number_id: String,
    business_account_id: String,
    api_key: crate::redact::SecretField,
) -> Result<i64, AppError> {
    let form = crate::views::InboxForm {
        name,
        phone_number,
        phone_number_id,
        business_account_id,
        api_key: api_key.into_inner(),
    };
    as_signed_in(|port, user| async move {
        let id = port.create_inbox(&user, account_id, form).await?;
        leptos_axum::redirect(&format!("/accounts/{account_id}/inboxes/{id}/health"));
        Ok(id)
    })
    .await
}

/// The inbox settings and collaborators tabs.
#[server(prefix = "/sfn", endpoint = "inbox_settings")]
pub async fn get_inbox_settings(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::views::InboxSettingsView, AppError> {
    as_signed_in(|port, user| async move { port.inbox_settings(&user, account_id, inbox_id).await })
        .await
}

/// The inbox's setup status: pages follow a running setup with it.
#[server(prefix = "/sfn", endpoint = "setup_status")]
pub async fn get_setup_status(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::views::SetupStatus, AppError> {
    as_signed_in(|port, user| async move { port.setup_status(&user, account_id, inbox_id).await })
        .await
}

/// Renames the inbox and/or rotates its access token (an empty field leaves it unchanged).
#[server(prefix = "/sfn", endpoint = "update_inbox")]
pub async fn update_inbox(
    account_id: i64,
    inbox_id: i64,
    name: String,
    api_key: crate::redact::SecretField,
) -> Result<(), AppError> {
    let api_key = api_key.into_inner();
    as_signed_in(|port, user| async move {
        port.update_inbox(&user, account_id, inbox_id, name, api_key)
            .await
    })
    .await
}

/// Deletes the inbox and returns to the list, which then says which inbox was deleted.
#[server(prefix = "/sfn", endpoint = "delete_inbox")]
pub async fn delete_inbox(account_id: i64, inbox_id: i64) -> Result<(), AppError> {
    as_signed_in(|port, user| async move {
        // Read before it is gone, for the notice; a refusal is the delete's to answer.
        let name = port
            .inbox_settings(&user, account_id, inbox_id)
            .await
            .map(|s| s.name)
            .ok();
        port.delete_inbox(&user, account_id, inbox_id).await?;
        let notice = name
            .map(|n| format!("?deleted={}", query_value(&n)))
            .unwrap_or_default();
        leptos_axum::redirect(&format!("/accounts/{account_id}/inboxes{notice}"));
        Ok(())
    })
    .await
}

pub use crate::format::query_value;

/// Re-runs the inbox's setup against Meta.
#[server(prefix = "/sfn", endpoint = "retry_setup")]
pub async fn retry_setup(account_id: i64, inbox_id: i64) -> Result<(), AppError> {
    as_signed_in(|port, user| async move { port.retry_setup(&user, account_id, inbox_id).await })
        .await
}

/// Adds or removes one inbox member.
#[server(prefix = "/sfn", endpoint = "change_inbox_member")]
pub async fn change_inbox_member(
    account_id: i64,
    inbox_id: i64,
    user_id: i64,
    add: bool,
) -> Result<(), AppError> {
    as_signed_in(|port, user| async move {
        port.change_inbox_member(&user, account_id, inbox_id, user_id, add)
            .await
    })
    .await
}

/// The Account Health tab's data (cached read).
#[server(prefix = "/sfn", endpoint = "inbox_health")]
pub async fn get_inbox_health(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::health::HealthView, AppError> {
    as_signed_in(
        |port, user| async move { port.inbox_health(&user, account_id, inbox_id, false).await },
    )
    .await
}

/// What the registration banner shows (the same cached read as [`get_inbox_health`], only the part
/// the browser keeps current).
#[server(prefix = "/sfn", endpoint = "inbox_banner")]
pub async fn get_inbox_banner(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::health::BannerView, AppError> {
    as_signed_in(|port, user| async move {
        port.inbox_health(&user, account_id, inbox_id, false)
            .await
            .map(|h| crate::health::BannerView::from(&h))
    })
    .await
}

/// Reads the number from Meta now (rate-limited per inbox).
#[server(prefix = "/sfn", endpoint = "refresh_health")]
pub async fn refresh_health(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::health::HealthView, AppError> {
    as_signed_in(
        |port, user| async move { port.inbox_health(&user, account_id, inbox_id, true).await },
    )
    .await
}

/// Complete registration (administrators).
#[server(prefix = "/sfn", endpoint = "complete_registration")]
pub async fn complete_registration(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::views::RegistrationResult, AppError> {
    as_signed_in(|port, user| async move {
        port.complete_registration(&user, account_id, inbox_id)
            .await
    })
    .await
}

/// **Set the PIN** (administrators).
#[server(prefix = "/sfn", endpoint = "set_two_step_pin")]
pub async fn set_two_step_pin(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::fixes::FixResultView, AppError> {
    as_signed_in(
        |port, user| async move { port.set_two_step_pin(&user, account_id, inbox_id).await },
    )
    .await
}

/// **Request a code** for re-verification (administrators).
#[server(prefix = "/sfn", endpoint = "request_verification_code")]
pub async fn request_verification_code(
    account_id: i64,
    inbox_id: i64,
    code_method: String,
    language: String,
) -> Result<crate::fixes::FixResultView, AppError> {
    as_signed_in(|port, user| async move {
        port.request_verification_code(&user, account_id, inbox_id, code_method, language)
            .await
    })
    .await
}

/// **Enter the code** (administrators).
#[server(prefix = "/sfn", endpoint = "verify_code")]
pub async fn verify_code(
    account_id: i64,
    inbox_id: i64,
    code: String,
) -> Result<crate::fixes::FixResultView, AppError> {
    as_signed_in(
        |port, user| async move { port.verify_code(&user, account_id, inbox_id, code).await },
    )
    .await
}

/// **Change the display name** (administrators).
#[server(prefix = "/sfn", endpoint = "request_display_name")]
pub async fn request_display_name(
    account_id: i64,
    inbox_id: i64,
    new_display_name: String,
) -> Result<crate::fixes::FixResultView, AppError> {
    as_signed_in(|port, user| async move {
        port.request_display_name(&user, account_id, inbox_id, new_display_name)
            .await
    })
    .await
}

/// Stored health checks of the last 30 days.
#[server(prefix = "/sfn", endpoint = "inbox_history")]
pub async fn get_inbox_history(
    account_id: i64,
    inbox_id: i64,
) -> Result<Vec<crate::health::HistoryPoint>, AppError> {
    as_signed_in(|port, user| async move { port.inbox_history(&user, account_id, inbox_id).await })
        .await
}

/// The inbox's activity log, newest first.
#[server(prefix = "/sfn", endpoint = "inbox_activity")]
pub async fn get_inbox_activity(
    account_id: i64,
    inbox_id: i64,
) -> Result<Vec<crate::activity::ActivityItem>, AppError> {
    as_signed_in(|port, user| async move { port.inbox_activity(&user, account_id, inbox_id).await })
        .await
}

/// The signed-in user's notifications in the account (the bell).
#[server(prefix = "/sfn", endpoint = "notifications")]
pub async fn get_notifications(
    account_id: i64,
) -> Result<crate::activity::NotificationList, AppError> {
    as_signed_in(|port, user| async move { port.notifications(&user, account_id).await }).await
}

/// Marks one notification (`id`) or all of them read; answers the unread count.
#[server(prefix = "/sfn", endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read(account_id: i64, id: Option<i64>) -> Result<i64, AppError> {
    as_signed_in(
        |port, user| async move { port.mark_notifications_read(&user, account_id, id).await },
    )
    .await
}

/// The webhook self-check of the inbox.
#[server(prefix = "/sfn", endpoint = "webhook_check")]
pub async fn get_webhook_check(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::activity::WebhookCheckView, AppError> {
    as_signed_in(|port, user| async move { port.webhook_check(&user, account_id, inbox_id).await })
        .await
}

/// Repair the webhook subscription (administrators).
#[server(prefix = "/sfn", endpoint = "repair_webhooks")]
pub async fn repair_webhooks(
    account_id: i64,
    inbox_id: i64,
) -> Result<crate::activity::WebhookCheckView, AppError> {
    as_signed_in(
        |port, user| async move { port.repair_webhooks(&user, account_id, inbox_id).await },
    )
    .await
}
