//! The WhatsApp Business Account node: [`Waba`], [`SubscribedApp`] and Graph's list pages.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::wire::{from_object, lenient, lenient_object, JsonObject};

/// The `fields` Greenlight asks for on a WABA read.
pub const WABA_FIELDS: &str = "id,name,owner_business_info";

/// A WhatsApp Business Account, with the business portfolio that owns it (for WhatsApp Manager links).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "JsonObject")]
pub struct Waba {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `owner_business_info.id`: the business portfolio id (`business_id=` in WhatsApp Manager links).
    pub owner_business_id: Option<String>,
    /// `owner_business_info.name`.
    pub owner_business_name: Option<String>,
}

#[derive(Deserialize)]
struct WabaWire {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient_object")]
    owner_business_info: Option<OwnerBusinessInfo>,
    /// Greenlight's own snapshots store the flattened fields.
    #[serde(default, deserialize_with = "lenient")]
    owner_business_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    owner_business_name: Option<String>,
}

#[derive(Deserialize)]
struct OwnerBusinessInfo {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
}

impl TryFrom<JsonObject> for Waba {
    type Error = serde_json::Error;

    fn try_from(object: JsonObject) -> Result<Self, Self::Error> {
        from_object::<WabaWire>(object).map(Waba::from)
    }
}

impl From<WabaWire> for Waba {
    fn from(wire: WabaWire) -> Self {
        let (info_id, info_name) = wire
            .owner_business_info
            .map(|info| (info.id, info.name))
            .unwrap_or_default();
        Waba {
            id: wire.id,
            name: wire.name,
            owner_business_id: info_id.or(wire.owner_business_id),
            owner_business_name: info_name.or(wire.owner_business_name),
        }
    }
}

/// One app subscribed to a WABA's webhooks (`GET /{waba}/subscribed_apps`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "JsonObject")]
pub struct SubscribedApp {
    /// `whatsapp_business_api_data.id`: the Meta app id.
    pub app_id: Option<String>,
    /// `whatsapp_business_api_data.name`.
    pub name: Option<String>,
    /// `whatsapp_business_api_data.link`.
    pub link: Option<String>,
    /// The WABA-level callback override, when one is set.
    pub override_callback_uri: Option<String>,
}

#[derive(Deserialize)]
struct SubscribedAppWire {
    #[serde(default, deserialize_with = "lenient_object")]
    whatsapp_business_api_data: Option<AppData>,
    #[serde(default, deserialize_with = "lenient")]
    override_callback_uri: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    app_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    link: Option<String>,
}

#[derive(Deserialize)]
struct AppData {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    link: Option<String>,
}

impl TryFrom<JsonObject> for SubscribedApp {
    type Error = serde_json::Error;

    fn try_from(object: JsonObject) -> Result<Self, Self::Error> {
        from_object::<SubscribedAppWire>(object).map(SubscribedApp::from)
    }
}

impl From<SubscribedAppWire> for SubscribedApp {
    fn from(wire: SubscribedAppWire) -> Self {
        let (id, name, link) = wire
            .whatsapp_business_api_data
            .map(|data| (data.id, data.name, data.link))
            .unwrap_or_default();
        SubscribedApp {
            app_id: id.or(wire.app_id),
            name: name.or(wire.name),
            link: link.or(wire.link),
            override_callback_uri: wire.override_callback_uri,
        }
    }
}

/// One page of a Graph list: `{"data": [...], "paging": {"cursors": {...}, "next": "..."}}`.
#[derive(Debug)]
pub(crate) struct ListPage<T> {
    pub(crate) data: Vec<T>,
    /// The cursor of the next page; `None` on the last page (Meta omits `paging.next` there).
    pub(crate) next_after: Option<String>,
}

#[derive(Deserialize)]
struct ListPageWire {
    #[serde(default)]
    data: Option<Vec<serde_json::Value>>,
    #[serde(default, deserialize_with = "lenient_object")]
    paging: Option<PagingWire>,
}

#[derive(Deserialize)]
struct PagingWire {
    #[serde(default, deserialize_with = "lenient_object")]
    cursors: Option<CursorsWire>,
    #[serde(default, deserialize_with = "lenient")]
    next: Option<String>,
}

#[derive(Deserialize)]
struct CursorsWire {
    #[serde(default, deserialize_with = "lenient")]
    after: Option<String>,
}

impl<T: DeserializeOwned> ListPage<T> {
    /// Parses a list page. The `data` array is required; items that are not objects of the expected shape make the
    /// page malformed (a silently shortened list would be worse than an error).
    pub(crate) fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        let object: JsonObject = serde_json::from_slice(body)?;
        let wire: ListPageWire = from_object(object)?;
        let items = match wire.data {
            Some(items) => items,
            None => {
                return Err(<serde_json::Error as serde::de::Error>::missing_field(
                    "data",
                ));
            }
        };
        let data = items
            .into_iter()
            .map(serde_json::from_value::<T>)
            .collect::<Result<Vec<T>, _>>()?;
        // Meta signals "more" with `paging.next`; the cursor to send is `paging.cursors.after` (or the `after`
        // parameter inside `next`). We never follow `next` itself: it could point at another host, and it may carry
        // an access token in its query.
        let next_after = wire.paging.and_then(|paging| {
            let next = paging.next.filter(|next| !next.is_empty())?;
            paging
                .cursors
                .and_then(|cursors| cursors.after)
                .or_else(|| after_param(&next))
                .filter(|after| !after.is_empty())
        });
        Ok(ListPage { data, next_after })
    }
}

fn after_param(next: &str) -> Option<String> {
    let url = url::Url::parse(next).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == "after")
        .map(|(_, value)| value.into_owned())
}
