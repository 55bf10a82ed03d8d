//! A phone number's `webhook_configuration`: the callback URL Meta uses at each level. The most
//! specific level wins: the number's override, then the WABA's, then the app's.

use serde::{Deserialize, Serialize};

use super::wire::{from_object, lenient, lenient_object, JsonObject};

/// The `fields` asked for on the webhook read (kept apart from the health read's fields).
pub const WEBHOOK_CONFIGURATION_FIELDS: &str = "webhook_configuration";

/// Where a callback URL is configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookLevel {
    PhoneNumber,
    WhatsappBusinessAccount,
    Application,
}

impl WebhookLevel {
    /// Meta's key for the level.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookLevel::PhoneNumber => "phone_number",
            WebhookLevel::WhatsappBusinessAccount => "whatsapp_business_account",
            WebhookLevel::Application => "application",
        }
    }
}

/// The callback URLs Meta reports for one number; a level Meta leaves out is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookConfiguration {
    #[serde(default, deserialize_with = "lenient")]
    pub phone_number: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub whatsapp_business_account: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub application: Option<String>,
}

impl WebhookConfiguration {
    /// The URL Meta actually calls and the level it comes from.
    pub fn effective(&self) -> Option<(&str, WebhookLevel)> {
        [
            (&self.phone_number, WebhookLevel::PhoneNumber),
            (
                &self.whatsapp_business_account,
                WebhookLevel::WhatsappBusinessAccount,
            ),
            (&self.application, WebhookLevel::Application),
        ]
        .into_iter()
        .find_map(|(url, level)| {
            url.as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| (u, level))
        })
    }
}

/// The phone-number node as the webhook read answers it; a number without any callback has no
/// `webhook_configuration` key at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct WebhookConfigurationNode(pub Option<WebhookConfiguration>);

#[derive(Deserialize)]
struct NodeWire {
    #[serde(default, deserialize_with = "lenient_object")]
    webhook_configuration: Option<WebhookConfiguration>,
}

impl<'de> Deserialize<'de> for WebhookConfigurationNode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let object = JsonObject::deserialize(d)?;
        from_object::<NodeWire>(object)
            .map(|w| WebhookConfigurationNode(w.webhook_configuration))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: &str) -> Option<WebhookConfiguration> {
        serde_json::from_str::<WebhookConfigurationNode>(json)
            .expect("parses")
            .0
    }

    #[test]
    fn the_number_override_wins_then_the_waba_then_the_app() {
        let all = node(
            r#"{"webhook_configuration":{"phone_number":"https://a.example/x",
                "whatsapp_business_account":"https://b.example/x","application":"https://c.example/x"},
                "id":"106540352242922"}"#,
        )
        .expect("present");
        assert_eq!(
            all.effective(),
            Some(("https://a.example/x", WebhookLevel::PhoneNumber))
        );
        let app = node(
            r#"{"webhook_configuration":{"application":"https://c.example/x"},"id":"106540352242922"}"#,
        )
        .expect("present");
        assert_eq!(
            app.effective(),
            Some(("https://c.example/x", WebhookLevel::Application))
        );
    }

    #[test]
    fn a_number_without_callbacks_has_none_and_odd_values_do_not_fail_the_read() {
        assert_eq!(node(r#"{"id":"106540352242922"}"#), None);
        let odd = node(
            r#"{"webhook_configuration":{"phone_number":"","whatsapp_business_account":42,
                "application":"https://c.example/x"},"id":"1"}"#,
        )
        .expect("present");
        assert_eq!(
            odd.effective(),
            Some(("https://c.example/x", WebhookLevel::Application))
        );
    }
}
