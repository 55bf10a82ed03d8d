//! The webhook self-check: does Meta send this number's webhooks to Greenlight (the number's
//! `webhook_configuration`) and is an app subscribed to the WABA (`subscribed_apps`)? **Repair**
//! re-runs the inbox setup, which subscribes the app and points the number's webhook here.
use app::activity::WebhookCheckView;
use app::auth::{CurrentUser, Role};

use crate::db::inboxes::InboxRow;
use crate::error::ServiceResult;
use crate::services::Services;

fn same_url(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

impl Services {
    /// Where Meta should send webhooks.
    pub fn webhook_callback_url(&self) -> String {
        self.public_url
            .join("/webhooks/whatsapp")
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// Two Graph reads: the number's `webhook_configuration` and the WABA's `subscribed_apps`.
    async fn check_row(&self, row: &InboxRow) -> WebhookCheckView {
        let expected_url = self.webhook_callback_url();
        let mut view = WebhookCheckView {
            expected_url: expected_url.clone(),
            ..WebhookCheckView::default()
        };
        let token = match self.access_token(row) {
            Ok(token) => token,
            Err(e) => {
                tracing::error!(inbox_id = row.id, error = %e, "webhook check: stored token unreadable");
                view.error = Some(
                    "Greenlight could not open the stored access token; save it again.".into(),
                );
                return view;
            }
        };
        match self
            .graph
            .webhook_configuration(&token, &row.phone_number_id)
            .await
        {
            Ok(config) => {
                if let Some((url, level)) = config.as_ref().and_then(|c| c.effective()) {
                    view.points_here = same_url(url, &expected_url);
                    view.effective_url = Some(url.to_owned());
                    view.effective_level = Some(level.as_str().to_owned());
                }
            }
            Err(e) => view.error = Some(e.user_message()),
        }
        match self
            .graph
            .subscribed_apps(&token, &row.business_account_id)
            .await
        {
            Ok(apps) => view.app_subscribed = !apps.is_empty(),
            Err(e) => {
                view.error.get_or_insert(e.user_message());
            }
        }
        view
    }

    /// The self-check of an inbox the user may see: a recent result (the health cache's time), or
    /// a new one when none is cached or `refresh` asks for it (rate-limited per inbox).
    pub async fn webhook_check(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        refresh: bool,
    ) -> ServiceResult<WebhookCheckView> {
        let row = self.inbox_for(user, account_id, inbox_id).await?;
        self.require_whatsapp_cloud(&row)?;
        if refresh {
            self.forget_webhook_check(row.id, true).await;
        }
        let check = self
            .cached_webhook_check(row.id, self.check_row(&row))
            .await;
        Ok(WebhookCheckView {
            viewer_is_admin: user.role_in(account_id) == Some(Role::Administrator),
            ..(*check).clone()
        })
    }

    /// **Repair** (administrators): re-runs the setup (subscribes the app to the WABA, points the
    /// number's webhook at Greenlight), then checks again.
    pub async fn repair_webhooks(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<WebhookCheckView> {
        self.require_admin(user, account_id)?;
        self.retry_setup(user, account_id, inbox_id).await?;
        self.webhook_check(user, account_id, inbox_id, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_or_spaces_do_not_make_another_url() {
        assert!(same_url(
            "https://g.example/webhooks/whatsapp/",
            " https://g.example/webhooks/whatsapp"
        ));
        assert!(!same_url(
            "https://g.example/webhooks/whatsapp",
            "https://other.example/webhooks/whatsapp"
        ));
    }
}
