//! Property tests: whatever bytes or JSON Meta (or something pretending to be Meta) answers, the
//! answer parsers return a value or an error, never a panic.
use proptest::prelude::*;
use serde_json::Value;

use super::*;

/// Arbitrary JSON values, nested a few levels, with keys drawn partly from the names Meta's
/// answers use so the parsers get past their first checks.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("data".to_owned()),
        Just("error".to_owned()),
        Just("code".to_owned()),
        Just("error_subcode".to_owned()),
        Just("error_data".to_owned()),
        Just("paging".to_owned()),
        Just("id".to_owned()),
        Just("status".to_owned()),
        Just("quality_rating".to_owned()),
        Just("health_status".to_owned()),
        Just("throughput".to_owned()),
        Just("webhook_configuration".to_owned()),
        Just("access_token".to_owned()),
        Just("success".to_owned()),
        "[a-z_]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Runs every answer parser of the client over one body.
fn parse_all(status: u16, body: &[u8]) {
    let _ = parse_success::<PhoneNumberHealth>(status, body);
    let _ = parse_success::<Waba>(status, body);
    let _ = parse_success::<TokenApp>(status, body);
    let _ = parse_success::<WebhookConfigurationNode>(status, body);
    let _ = parse_success::<SuccessAnswer>(status, body);
    let _ = ListPage::<PhoneNumberHealth>::parse(body);
    let _ = ListPage::<SubscribedApp>::parse(body);
    let _ = parse_token_answer(status, body);
    if let Err(e) = parse_success::<PhoneNumberHealth>(status, body) {
        // The user-facing texts are built from parsed fields too.
        let _ = (e.kind(), e.user_message(), e.to_string());
    }
    let e = error_from_answer("fuzz", status, body);
    let _ = (e.kind(), e.user_message(), e.to_string(), e.code());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..512)) {
        parse_all(status, &body);
    }

    #[test]
    fn arbitrary_json_never_panics(status in 100u16..600, value in arb_json()) {
        let body = serde_json::to_vec(&value).expect("a Value serializes");
        parse_all(status, &body);
    }

    #[test]
    fn arbitrary_json_inside_an_error_envelope_never_panics(status in 100u16..600, inner in arb_json()) {
        let body = serde_json::to_vec(&serde_json::json!({ "error": inner })).expect("a Value serializes");
        parse_all(status, &body);
    }

    #[test]
    fn arbitrary_list_items_never_panic(items in prop::collection::vec(arb_json(), 0..4)) {
        let body = serde_json::to_vec(&serde_json::json!({ "data": items })).expect("a Value serializes");
        parse_all(200, &body);
    }
}
