//! The webhook self-check: which Meta app does this number's token belong to (`GET /app`), is
//! that app subscribed to the WABA (`subscribed_apps`), and is it Greenlight's own
//! (`META_APP_ID`)? The answer says in plain words where Meta sends the number's events.
//! **Repair** only re-subscribes the token's app to the WABA: Greenlight never sets a webhook
//! override, since one would take the number's customer messages away from the help desk.
use std::time::Duration;

use app::activity::{WebhookCheckView, WebhookRoute};
use app::auth::{CurrentUser, Role};

use super::WebhookService;
use crate::error::ServiceResult;
use crate::graph::TokenApp;
use crate::inboxes::store::InboxRow;

/// The webhook fields to subscribe Greenlight's own app to in Meta's App Dashboard.
/// What the self-check says while Meta has not answered yet.
pub const CHECKING: &str = "Checking with Meta… This updates when Meta answers.";

const FIELDS_TO_SUBSCRIBE: &str = "account_alerts, account_review_update, account_update, \
     business_capability_update, phone_number_name_update, phone_number_quality_update, security";

/// "5 minutes", "30 seconds", "1 hour".
fn interval_words(d: Duration) -> String {
    let secs = d.as_secs().max(1);
    let (n, unit) = if secs.is_multiple_of(3600) {
        (secs / 3600, "hour")
    } else if secs.is_multiple_of(60) {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// What the Graph reads found, before it is put in words.
struct Findings<'a> {
    own_app_id: Option<&'a str>,
    token_app: Option<&'a TokenApp>,
    subscribed: bool,
}

impl Findings<'_> {
    fn route(&self) -> WebhookRoute {
        let own = matches!(
            (self.own_app_id, self.token_app.and_then(|a| a.id.as_deref())),
            (Some(own), Some(token)) if own == token
        );
        match (self.subscribed, own) {
            (false, _) => WebhookRoute::NotSubscribed,
            (true, true) => WebhookRoute::Greenlight,
            (true, false) => WebhookRoute::OtherApp,
        }
    }
}

/// The plain-words answer and, for another app, the steps to connect Greenlight's own.
fn explain(
    route: WebhookRoute,
    app_name: Option<&str>,
    expected_url: &str,
    check_interval: Duration,
) -> (String, Vec<String>) {
    let that_app = app_name
        .map(|n| format!("that app (\u{201c}{n}\u{201d}, your help desk)"))
        .unwrap_or_else(|| "that app (your help desk)".to_owned());
    match route {
        WebhookRoute::Greenlight => (
            format!(
                "Meta sends this number's events to Greenlight (configure your app's callback URL \
                 in Meta's App Dashboard as {expected_url})."
            ),
            Vec::new(),
        ),
        WebhookRoute::OtherApp => (
            format!(
                "Meta sends this number's events to {that_app}; Greenlight checks the number every \
                 {} instead. For instant updates, connect Greenlight's own Meta app:",
                interval_words(check_interval)
            ),
            vec![
                "In Meta's App Dashboard, create an app for Greenlight (type Business) and add the \
                 WhatsApp product."
                    .to_owned(),
                format!(
                    "Under WhatsApp \u{2192} Configuration, set its callback URL to {expected_url} \
                     and its verify token to Greenlight's META_WEBHOOK_VERIFY_TOKEN; subscribe \
                     only to these fields: {FIELDS_TO_SUBSCRIBE}."
                ),
                "Start Greenlight with META_APP_ID and META_APP_SECRET set to that app's id and \
                 secret."
                    .to_owned(),
                "Give a system user of your business portfolio access to this WhatsApp Business \
                 Account in that app, create its token (whatsapp_business_management) and save \
                 it as this inbox's access token; the help desk keeps its own token and its \
                 messages."
                    .to_owned(),
            ],
        ),
        WebhookRoute::NotSubscribed => (
            "The token's Meta app is not subscribed to this WhatsApp Business Account, so Meta \
             sends this number's events to no app. Repair subscribes it."
                .to_owned(),
            Vec::new(),
        ),
        WebhookRoute::Unknown => (
            "Greenlight could not tell where Meta sends this number's events.".to_owned(),
            Vec::new(),
        ),
    }
}

impl WebhookService {
    /// Where Meta should send webhooks.
    pub fn webhook_callback_url(&self) -> String {
        self.public_url
            .join("/webhooks/whatsapp")
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// Three Graph reads: the token's app, the WABA's `subscribed_apps` and the number's
    /// `webhook_configuration` (shown, never changed).
    async fn check_row(&self, row: &InboxRow) -> WebhookCheckView {
        let expected_url = self.webhook_callback_url();
        let mut view = WebhookCheckView {
            expected_url: expected_url.clone(),
            ..WebhookCheckView::default()
        };
        let token = match self.credentials.access_token(row) {
            Ok(token) => token,
            Err(e) => {
                tracing::error!(inbox_id = row.id, error = %e, "webhook check: stored token unreadable");
                view.error = Some(
                    "Greenlight could not open the stored access token; save it again.".into(),
                );
                view.message = explain(WebhookRoute::Unknown, None, "", Duration::ZERO).0;
                return view;
            }
        };
        let token_app = match self.graph.token_app(&token).await {
            Ok(app) => Some(app),
            Err(e) => {
                view.error = Some(e.user_message());
                None
            }
        };
        match self
            .graph
            .subscribed_apps(&token, &row.business_account_id)
            .await
        {
            Ok(apps) => {
                view.app_subscribed = match token_app.as_ref().and_then(|a| a.id.as_deref()) {
                    Some(id) => apps.iter().any(|a| a.app_id.as_deref() == Some(id)),
                    None => !apps.is_empty(),
                }
            }
            Err(e) => {
                view.error.get_or_insert(e.user_message());
            }
        }
        match self
            .graph
            .webhook_configuration(&token, &row.phone_number_id)
            .await
        {
            Ok(config) => {
                if let Some((url, level)) = config.as_ref().and_then(|c| c.effective()) {
                    view.effective_url = Some(url.to_owned());
                    view.effective_level = Some(level.as_str().to_owned());
                }
            }
            Err(e) => {
                view.error.get_or_insert(e.user_message());
            }
        }
        view.route = if view.error.is_some() {
            WebhookRoute::Unknown
        } else {
            Findings {
                own_app_id: self.meta_webhooks.app_id.as_deref(),
                token_app: token_app.as_ref(),
                subscribed: view.app_subscribed,
            }
            .route()
        };
        view.points_here = view.route == WebhookRoute::Greenlight;
        view.token_app_name = token_app.and_then(|a| a.name);
        let interval = self
            .meta_webhooks
            .check_interval
            .unwrap_or(Duration::from_secs(300));
        (view.message, view.steps) = explain(
            view.route,
            view.token_app_name.as_deref(),
            &expected_url,
            interval,
        );
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
        let row = self.access.inbox_for(user, account_id, inbox_id).await?;
        crate::inboxes::access::require_whatsapp_cloud(&row, user.locale)?;
        if refresh {
            self.reads.forget_webhook_check(row.id, true).await;
        }
        // Like every view, the check waits at most `VIEW_WAIT` for Meta; it goes on without the
        // view and lands in the cache.
        let this = self.clone();
        let reads = self.reads.clone();
        let inbox_id = row.id;
        let live = tokio::spawn(async move {
            reads
                .cached_webhook_check(inbox_id, async move { this.check_row(&row).await })
                .await
        });
        let check = match crate::cache::within_view_wait(live).await? {
            Some(check) => (*check).clone(),
            None => WebhookCheckView {
                expected_url: self.webhook_callback_url(),
                message: CHECKING.to_owned(),
                checking: true,
                ..WebhookCheckView::default()
            },
        };
        Ok(WebhookCheckView {
            viewer_is_admin: user.role_in(account_id) == Some(Role::Administrator),
            ..check
        })
    }

    /// **Repair** (administrators): re-subscribes the token's app to the WABA, then checks
    /// again. It changes no webhook override.
    pub async fn repair_webhooks(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<WebhookCheckView> {
        crate::accounts::service::require_admin(user, account_id)?;
        let row = self.access.inbox_for(user, account_id, inbox_id).await?;
        crate::inboxes::access::require_whatsapp_cloud(&row, user.locale)?;
        let token = self.credentials.access_token(&row)?;
        if let Err(e) = self
            .graph
            .subscribe_app(&token, &row.business_account_id)
            .await
        {
            tracing::warn!(inbox_id = row.id, error = %e, "webhook repair: subscribing the app failed");
            return Err(app::error::AppError::Upstream(app::tr!(
                user.locale,
                errors.webhooks.subscribe_failed,
                reason = e.user_message()
            ))
            .into());
        }
        self.reads.forget_webhook_check(row.id, false).await;
        self.webhook_check(user, account_id, inbox_id, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str) -> TokenApp {
        TokenApp {
            id: Some(id.into()),
            name: Some("Chatwoot".into()),
        }
    }

    #[test]
    fn the_route_depends_on_the_token_app_and_the_subscription() {
        let own = app("111");
        let other = app("222");
        let f = |own_app_id, token_app, subscribed| {
            Findings {
                own_app_id,
                token_app,
                subscribed,
            }
            .route()
        };
        assert_eq!(f(Some("111"), Some(&own), true), WebhookRoute::Greenlight);
        assert_eq!(f(Some("111"), Some(&other), true), WebhookRoute::OtherApp);
        assert_eq!(f(None, Some(&own), true), WebhookRoute::OtherApp);
        assert_eq!(
            f(Some("111"), Some(&own), false),
            WebhookRoute::NotSubscribed
        );
    }

    #[test]
    fn intervals_read_as_words() {
        assert_eq!(interval_words(Duration::from_secs(300)), "5 minutes");
        assert_eq!(interval_words(Duration::from_secs(60)), "1 minute");
        assert_eq!(interval_words(Duration::from_secs(7200)), "2 hours");
        assert_eq!(interval_words(Duration::from_secs(45)), "45 seconds");
    }
}
