//! The webhook self-check: does Meta send this number's webhooks to Greenlight (the number's
//! `webhook_configuration`) and is an app subscribed to the WABA (`subscribed_apps`)? **Repair**
//! re-runs the inbox setup, which subscribes the app and points the number's webhook here.
use std::time::Duration;

use app::activity::WebhookCheckView;
use app::auth::{CurrentUser, Role};

use crate::db::inboxes::InboxRow;
use crate::error::ServiceResult;
use crate::services::Services;

fn same_url(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

/// The effective callback of a `webhook_configuration` object and its level.
pub fn effective(config: &serde_json::Value) -> Option<(String, String)> {
    ["phone_number", "whatsapp_business_account", "application"]
        .iter()
        .find_map(|level| {
            config
                .get(level)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(|url| (url.to_string(), level.to_string()))
        })
}

impl Services {
    /// Where Meta should send webhooks.
    pub fn webhook_callback_url(&self) -> String {
        self.public_url
            .join("/webhooks/whatsapp")
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    async fn webhook_configuration(
        &self,
        row: &InboxRow,
    ) -> Result<Option<serde_json::Value>, String> {
        let token = self.access_token(row).map_err(|e| e.to_string())?;
        let cfg = self.graph.config();
        let url = format!(
            "{}/{}/{}",
            cfg.base_url.trim_end_matches('/'),
            cfg.version,
            row.phone_number_id
        );
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|_| "Greenlight could not reach Meta's Graph API.".to_string())?;
        let resp = http
            .get(&url)
            .query(&[("fields", "webhook_configuration")])
            .bearer_auth(token.expose_secret())
            .send()
            .await
            .map_err(|_| "Greenlight could not reach Meta's Graph API.".to_string())?;
        if !resp.status().is_success() {
            return Err(format!(
                "Meta refused to show the number's webhook configuration (HTTP {}).",
                resp.status().as_u16()
            ));
        }
        let body: serde_json::Value = resp
            .json()
            .await
            .map_err(|_| "Meta's answer was not JSON.".to_string())?;
        Ok(body.get("webhook_configuration").cloned())
    }

    async fn check_row(&self, row: &InboxRow, viewer_is_admin: bool) -> WebhookCheckView {
        let expected_url = self.webhook_callback_url();
        let mut view = WebhookCheckView {
            expected_url: expected_url.clone(),
            viewer_is_admin,
            ..WebhookCheckView::default()
        };
        match self.webhook_configuration(row).await {
            Ok(cfg) => {
                if let Some((url, level)) = cfg.as_ref().and_then(effective) {
                    view.points_here = same_url(&url, &expected_url);
                    view.effective_url = Some(url);
                    view.effective_level = Some(level);
                }
            }
            Err(e) => view.error = Some(e),
        }
        match self.access_token(row) {
            Ok(token) => match self
                .graph
                .subscribed_apps(&token, &row.business_account_id)
                .await
            {
                Ok(apps) => view.app_subscribed = !apps.is_empty(),
                Err(e) => {
                    view.error.get_or_insert(e.user_message());
                }
            },
            Err(e) => {
                view.error.get_or_insert(e.to_string());
            }
        }
        view
    }

    /// The self-check of an inbox the user may see.
    pub async fn webhook_check(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<WebhookCheckView> {
        let row = self.inbox_for(user, account_id, inbox_id).await?;
        self.require_whatsapp_cloud(&row)?;
        let admin = user.role_in(account_id) == Some(Role::Administrator);
        Ok(self.check_row(&row, admin).await)
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
        self.webhook_check(user, account_id, inbox_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_number_override_wins_then_the_waba_then_the_app() {
        let all = json!({"phone_number": "https://a/x", "whatsapp_business_account": "https://b/x", "application": "https://c/x"});
        assert_eq!(
            effective(&all),
            Some(("https://a/x".into(), "phone_number".into()))
        );
        let app = json!({"application": "https://c/x"});
        assert_eq!(
            effective(&app),
            Some(("https://c/x".into(), "application".into()))
        );
        assert_eq!(effective(&json!({})), None);
        assert!(same_url(
            "https://g.example/webhooks/whatsapp/",
            "https://g.example/webhooks/whatsapp"
        ));
    }
}
