//! Helpers for Meta's JSON wire format: open enums and lenient field parsing.
//!
//! Meta adds enum values without notice (`TIER_2K`, `OFFLINE`, …), returns `null` for deprecated fields and
//! sometimes changes a field's shape. A health read must never fail because of that: unknown enum values are
//! kept as [`Other`](crate::graph::NumberStatus::Other) strings, and a field whose shape we do not understand
//! reads as absent instead of failing the whole answer.

use serde::{de::DeserializeOwned, Deserialize, Deserializer};

/// Declares an open enum: the known wire values as unit variants plus `Other(String)` for anything else.
///
/// The generated type (de)serializes as the plain wire string, matches known values ignoring ASCII case, never
/// fails on an unknown string and also accepts a JSON number or bool (kept as `Other` with its text).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of Greenlight does not know, kept exactly as Meta sent it.
            Other(String),
        }

        impl $name {
            /// Every known variant, in declaration order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// Meta's wire string for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(value) => value.as_str(),
                }
            }

            /// Parses a wire string; never fails (unknown values become `Other`).
            pub fn from_wire(value: &str) -> Self {
                $(
                    if value.eq_ignore_ascii_case($wire) {
                        return $name::$variant;
                    }
                )+
                $name::Other(value.to_owned())
            }

            /// `false` for `Other(_)`.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok($name::from_wire(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name::from_wire(value)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_any($crate::graph::wire::WireStringVisitor)
                    .map(|value| $name::from_wire(&value))
            }
        }
    };
}
pub(crate) use open_enum;

/// Accepts a string, number or bool and returns its text (used by open enums).
pub(crate) struct WireStringVisitor;

impl serde::de::Visitor<'_> for WireStringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<String, E> {
        Ok(value)
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<String, E> {
        Ok(value.to_string())
    }
}

/// `deserialize_with` for an optional field: `null`, or a value of an unexpected shape, reads as `None`
/// instead of failing the whole answer.
pub(crate) fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    match serde_json::from_value::<T>(value) {
        Ok(parsed) => Ok(Some(parsed)),
        Err(error) => {
            tracing::debug!(
                category = ?error.classify(),
                target_type = std::any::type_name::<T>(),
                "ignoring a Graph field of an unexpected shape"
            );
            Ok(None)
        }
    }
}

/// `deserialize_with` for an optional object field: anything but a JSON object (of the expected shape) reads as
/// `None`. (Serde would otherwise accept an array for a struct.)
pub(crate) fn lenient_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    if !value.is_object() {
        return Ok(None);
    }
    Ok(serde_json::from_value::<T>(value).ok())
}

/// `deserialize_with` for a list of objects: `null` or an unexpected shape reads as an empty list; items that are
/// not objects of the expected shape are skipped.
pub(crate) fn lenient_object_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    match value {
        serde_json::Value::Array(items) => Ok(items
            .into_iter()
            .filter(serde_json::Value::is_object)
            .filter_map(|item| serde_json::from_value::<T>(item).ok())
            .collect()),
        _ => Ok(Vec::new()),
    }
}

/// A JSON object, for `#[serde(try_from = "JsonObject")]` on top-level answers: a body that is not an object
/// (an array, a string) is an error instead of being read positionally into the struct's fields.
pub(crate) type JsonObject = serde_json::Map<String, serde_json::Value>;

/// Reads the wire struct `W` from a JSON object.
pub(crate) fn from_object<W: DeserializeOwned>(object: JsonObject) -> Result<W, serde_json::Error> {
    serde_json::from_value(serde_json::Value::Object(object))
}

/// `deserialize_with` for a list field: `null` or an unexpected shape reads as an empty list; items of an
/// unexpected shape are skipped.
pub(crate) fn lenient_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    match value {
        serde_json::Value::Array(items) => Ok(items
            .into_iter()
            .filter_map(|item| serde_json::from_value::<T>(item).ok())
            .collect()),
        _ => Ok(Vec::new()),
    }
}
