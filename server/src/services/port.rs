//! The server's implementation of the UI's port: each method is a call into the services.
use app::auth::CurrentUser;
use app::error::AppError;
use app::health::{HealthView, HistoryPoint, RegistrationState};
use app::i18n::Locale;
use app::port::GreenlightPort;
use app::tr;
use app::views::{
    AccountSettings, FirstRunForm, InboxForm, InboxOverview, InboxSettingsView, RegistrationResult,
};
use async_trait::async_trait;

use super::Services;
use crate::inboxes::service::{InboxPatch, MemberChange, NewInbox};

fn some_if_filled(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

#[async_trait]
impl GreenlightPort for Services {
    fn is_demo(&self) -> bool {
        self.demo
    }

    async fn needs_first_run(&self) -> Result<bool, AppError> {
        Ok(self.accounts.needs_first_run().await?)
    }

    async fn create_first_admin(
        &self,
        form: FirstRunForm,
        l: Locale,
    ) -> Result<CurrentUser, AppError> {
        Ok(self.accounts.create_first_admin(form, l).await?)
    }

    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &str,
        l: Locale,
    ) -> Result<CurrentUser, AppError> {
        Ok(self.accounts.sign_in(email, password, client, l).await?)
    }

    async fn rotate_api_token(&self, user: &CurrentUser) -> Result<String, AppError> {
        use secrecy::ExposeSecret;
        let token = self.accounts.rotate_api_token(&user.email).await?;
        Ok(token.expose_secret().to_owned())
    }

    async fn account_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<AccountSettings, AppError> {
        Ok(self.accounts.account_settings(user, account_id).await?)
    }

    async fn inbox_overview(
        &self,
        user: &CurrentUser,
        account_id: i64,
        page: u32,
    ) -> Result<InboxOverview, AppError> {
        Ok(Services::inbox_overview(self, user, account_id, page).await?)
    }

    async fn portfolios(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<app::portfolio::PortfoliosView, AppError> {
        Ok(Services::portfolios(self, user, account_id).await?)
    }

    async fn create_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        f: InboxForm,
    ) -> Result<i64, AppError> {
        let input = NewInbox {
            name: f.name,
            phone_number: f.phone_number,
            phone_number_id: f.phone_number_id,
            business_account_id: f.business_account_id,
            api_key: f.api_key,
        };
        Ok(self.inboxes.create_inbox(user, account_id, input).await?.id)
    }

    async fn setup_status(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<app::views::SetupStatus, AppError> {
        Ok(Services::setup_status(self, user, account_id, inbox_id).await?)
    }

    async fn inbox_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<InboxSettingsView, AppError> {
        Ok(Services::inbox_settings(self, user, account_id, inbox_id).await?)
    }

    async fn update_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        name: String,
        api_key: String,
    ) -> Result<(), AppError> {
        let patch = InboxPatch {
            // The form always carries the name: an emptied one is refused (422), not skipped.
            name: Some(name),
            api_key: some_if_filled(api_key),
        };
        self.inboxes
            .update_inbox(user, account_id, inbox_id, patch)
            .await?;
        Ok(())
    }

    async fn delete_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<(), AppError> {
        Ok(self
            .inboxes
            .delete_inbox(user, account_id, inbox_id)
            .await?)
    }

    async fn retry_setup(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<(), AppError> {
        self.inboxes.retry_setup(user, account_id, inbox_id).await?;
        Ok(())
    }

    async fn change_inbox_member(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        user_id: i64,
        add: bool,
    ) -> Result<(), AppError> {
        let change = if add {
            MemberChange::Add
        } else {
            MemberChange::Remove
        };
        self.inboxes
            .change_members(user, account_id, inbox_id, &[user_id], change)
            .await?;
        Ok(())
    }

    async fn inbox_health(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        refresh: bool,
    ) -> Result<HealthView, AppError> {
        let report = self
            .health
            .health_report(user, account_id, inbox_id, refresh)
            .await?;
        let mut view = crate::health::view::health_view(&report, chrono::Utc::now(), user.locale);
        // Only Meta's webhook says why a name was declined (the newest decision counts). The
        // page is a hot path: ask the store only when the shown read says a name was declined.
        let declined = report.shown.as_ref().is_some_and(|(_, h)| {
            crate::alerts::rules::rejected(h.name_status.as_ref())
                || crate::alerts::rules::rejected(h.new_name_status.as_ref())
        });
        if declined {
            view.registration.fixes.name_rejection = self
                .stores
                .queue
                .latest_name_rejection_reason(inbox_id)
                .await
                .map_err(crate::error::ServiceError::from)?
                .map(|r| app::meta::name_rejection_words_in(&r, user.locale));
        }
        Ok(view)
    }

    async fn inbox_history(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<Vec<HistoryPoint>, AppError> {
        let since = chrono::Utc::now() - chrono::Duration::days(30);
        let rows = self
            .health
            .health_history(user, account_id, inbox_id, since)
            .await?;
        Ok(rows
            .iter()
            .map(crate::health::view::history_point)
            .collect())
    }

    async fn complete_registration(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<RegistrationResult, AppError> {
        let outcome = self
            .registration
            .complete_registration(user, account_id, inbox_id)
            .await?;
        Ok(RegistrationResult {
            state: RegistrationState::parse(outcome.state.as_str())
                .unwrap_or(RegistrationState::Unknown),
            message: outcome.message,
        })
    }

    async fn set_two_step_pin(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<app::fixes::FixResultView, AppError> {
        let outcome = self
            .registration
            .set_two_step_pin(user, account_id, inbox_id)
            .await?;
        Ok(crate::registration::fixes::view(&outcome))
    }

    async fn request_verification_code(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        code_method: String,
        language: String,
    ) -> Result<app::fixes::FixResultView, AppError> {
        let method =
            crate::registration::fixes::CodeMethod::parse(&code_method).ok_or_else(|| {
                AppError::invalid(
                    "code_method",
                    tr!(user.locale, errors.registration.choose_code_method),
                )
            })?;
        let outcome = self
            .registration
            .request_verification_code(user, account_id, inbox_id, method, language.trim())
            .await?;
        Ok(crate::registration::fixes::view(&outcome))
    }

    async fn verify_code(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        code: String,
    ) -> Result<app::fixes::FixResultView, AppError> {
        let outcome = self
            .registration
            .verify_code(user, account_id, inbox_id, &code)
            .await?;
        Ok(crate::registration::fixes::view(&outcome))
    }

    async fn request_display_name(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        new_display_name: String,
    ) -> Result<app::fixes::FixResultView, AppError> {
        let outcome = self
            .registration
            .request_display_name(user, account_id, inbox_id, &new_display_name)
            .await?;
        Ok(crate::registration::fixes::view(&outcome))
    }

    async fn inbox_activity(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<Vec<app::activity::ActivityItem>, AppError> {
        Ok(self
            .alerts
            .inbox_activity(user, account_id, inbox_id, 200)
            .await?)
    }

    async fn notifications(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<app::activity::NotificationList, AppError> {
        Ok(self.alerts.notifications(user, account_id).await?)
    }

    async fn mark_notifications_read(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: Option<i64>,
    ) -> Result<i64, AppError> {
        Ok(self
            .alerts
            .mark_notifications_read(user, account_id, id)
            .await?)
    }

    async fn webhook_check(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<app::activity::WebhookCheckView, AppError> {
        Ok(self
            .webhooks
            .webhook_check(user, account_id, inbox_id, false)
            .await?)
    }

    async fn repair_webhooks(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<app::activity::WebhookCheckView, AppError> {
        Ok(self
            .webhooks
            .repair_webhooks(user, account_id, inbox_id)
            .await?)
    }

    async fn alert_webhooks(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<Vec<app::activity::AlertWebhookView>, AppError> {
        let hooks = self.alerts.alert_webhooks(user, account_id).await?;
        let mut out = Vec::with_capacity(hooks.len());
        for h in hooks {
            let recent = self
                .alerts
                .alert_webhook_deliveries(user, account_id, h.id)
                .await?
                .into_iter()
                .take(5)
                .map(delivery_view)
                .collect();
            out.push(app::activity::AlertWebhookView {
                id: h.id,
                url: h.url,
                format: h.format,
                recent,
            });
        }
        Ok(out)
    }

    async fn create_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        url: String,
        secret: String,
        format: String,
    ) -> Result<(), AppError> {
        self.alerts
            .create_alert_webhook(user, account_id, &url, &secret, Some(&format))
            .await?;
        Ok(())
    }

    async fn delete_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: i64,
    ) -> Result<(), AppError> {
        Ok(self
            .alerts
            .delete_alert_webhook(user, account_id, id)
            .await?)
    }

    async fn test_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: i64,
    ) -> Result<app::activity::AlertDeliveryView, AppError> {
        Ok(delivery_view(
            self.alerts.test_alert_webhook(user, account_id, id).await?,
        ))
    }

    async fn invite_member(
        &self,
        user: &CurrentUser,
        account_id: i64,
        email: String,
        role: String,
    ) -> Result<app::team::CreatedInvitation, AppError> {
        use secrecy::ExposeSecret;
        let link = self
            .accounts
            .invite(user, account_id, &email, &role)
            .await?;
        Ok(app::team::CreatedInvitation {
            id: link.id,
            email: link.email,
            role: link.role.unwrap_or(app::auth::Role::Agent),
            invitation_url: crate::accounts::team::link_url(
                &self.public_url,
                link.token.expose_secret(),
            ),
            expires_at: link.expires_at,
        })
    }

    async fn set_member_role(
        &self,
        user: &CurrentUser,
        account_id: i64,
        user_id: i64,
        role: String,
    ) -> Result<(), AppError> {
        self.accounts
            .set_member_role(user, account_id, user_id, &role)
            .await?;
        Ok(())
    }

    async fn remove_member(
        &self,
        user: &CurrentUser,
        account_id: i64,
        user_id: i64,
    ) -> Result<(), AppError> {
        Ok(self
            .accounts
            .remove_member(user, account_id, user_id)
            .await?)
    }

    async fn rename_account(
        &self,
        user: &CurrentUser,
        account_id: i64,
        name: String,
    ) -> Result<(), AppError> {
        Ok(self
            .accounts
            .rename_account(user, account_id, &name)
            .await?)
    }

    async fn update_profile(
        &self,
        user: &CurrentUser,
        name: String,
        locale: String,
    ) -> Result<(), AppError> {
        let patch = crate::accounts::team::ProfilePatch {
            name: Some(name),
            locale: Some(locale),
            ..Default::default()
        };
        self.accounts.update_profile(user, patch).await?;
        Ok(())
    }

    async fn change_password(
        &self,
        user: &CurrentUser,
        current_password: String,
        password: String,
    ) -> Result<(), AppError> {
        if password.is_empty() {
            return Err(AppError::invalid(
                "password",
                tr!(user.locale, errors.accounts.new_password_required),
            ));
        }
        let patch = crate::accounts::team::ProfilePatch {
            current_password: Some(current_password),
            password: Some(password),
            ..Default::default()
        };
        self.accounts.update_profile(user, patch).await?;
        Ok(())
    }

    async fn invitation(
        &self,
        token: &str,
        l: Locale,
    ) -> Result<app::team::InvitationView, AppError> {
        Ok(self.accounts.link(token, l).await?)
    }

    async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
        l: Locale,
    ) -> Result<CurrentUser, AppError> {
        Ok(self.accounts.accept_link(token, name, password, l).await?)
    }
}

fn delivery_view(d: crate::alerts::outgoing::DeliveryView) -> app::activity::AlertDeliveryView {
    app::activity::AlertDeliveryView {
        id: d.id,
        status: d.status,
        attempts: d.attempts,
        status_code: d.status_code,
        error: d.error,
        updated_at: d.updated_at,
    }
}
