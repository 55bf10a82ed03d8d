//! Property tests: any body posted to the webhook endpoint parses to changes or an error, and
//! everything the processor reads from a change (keys, summaries, numbers) never panics.
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

/// Arbitrary JSON values, nested a few levels, with keys drawn partly from the names Meta's
/// webhook payloads use so the parser gets past the envelope.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("object".to_owned()),
        Just("entry".to_owned()),
        Just("changes".to_owned()),
        Just("field".to_owned()),
        Just("value".to_owned()),
        Just("id".to_owned()),
        Just("time".to_owned()),
        Just("display_phone_number".to_owned()),
        Just("phone_number_id".to_owned()),
        Just("decision".to_owned()),
        Just("event".to_owned()),
        Just("requested_verified_name".to_owned()),
        Just("waba_info".to_owned()),
        "[a-z_]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,16}".prop_map(Value::String),
        prop::sample::select(HANDLED_FIELDS).prop_map(|f| Value::String(f.to_owned())),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Parses a body and reads every change the way the receiver and the processor do.
fn parse_and_read(body: &[u8]) {
    if let Ok(changes) = parse(body) {
        for c in changes {
            let _ = (
                c.dedup_key(),
                c.summary(),
                c.display_digits(),
                c.phone_number_id(),
                c.waba_ids(),
                c.is_name_approval(),
                is_handled(&c.field),
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..1024)) {
        parse_and_read(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        parse_and_read(&serde_json::to_vec(&value).expect("a Value serializes"));
    }

    #[test]
    fn arbitrary_change_values_never_panic(
        waba in arb_json(),
        time in arb_json(),
        field in prop::sample::select(HANDLED_FIELDS),
        value in arb_json(),
    ) {
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{ "id": waba, "time": time, "changes": [{ "field": field, "value": value }] }],
        });
        let body = serde_json::to_vec(&body).expect("a Value serializes");
        // A well-formed envelope with a handled field always yields its change.
        let changes = parse(&body);
        prop_assert!(changes.as_ref().is_ok_and(|c| c.len() == 1), "{changes:?}");
        parse_and_read(&body);
    }
}
