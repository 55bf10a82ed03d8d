//! The Meta app an access token belongs to (`GET /{v}/app`): Greenlight compares its id with
//! `META_APP_ID` to tell its own app from another one (a help desk's).

use serde::{Deserialize, Serialize};

use super::wire::{from_object, lenient, JsonObject};

/// The `fields` asked for on the app read.
pub const TOKEN_APP_FIELDS: &str = "id,name";

/// The token's app as Meta answers `GET /app`: `{"id": "...", "name": "...", "link": "..."}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "JsonObject")]
pub struct TokenApp {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct TokenAppWire {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
}

impl TryFrom<JsonObject> for TokenApp {
    type Error = serde_json::Error;

    fn try_from(object: JsonObject) -> Result<Self, Self::Error> {
        from_object::<TokenAppWire>(object).map(|w| TokenApp {
            id: w.id.filter(|i| !i.trim().is_empty()),
            name: w.name.filter(|n| !n.trim().is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_node_reads_id_and_name_and_odd_values_do_not_fail_the_read() {
        let app: TokenApp = serde_json::from_str(
            r#"{"link":"https://www.facebook.com/games/?app_id=634974688087057","name":"Help desk","id":"634974688087057"}"#,
        )
        .expect("parses");
        assert_eq!(app.id.as_deref(), Some("634974688087057"));
        assert_eq!(app.name.as_deref(), Some("Help desk"));
        let odd: TokenApp = serde_json::from_str(r#"{"id":"","name":42}"#).expect("parses");
        assert_eq!(odd, TokenApp::default());
    }
}
