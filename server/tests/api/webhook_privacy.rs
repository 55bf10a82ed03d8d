//! "Never take the help desk's messages": setup sets no webhook override at any level, the
//! override an earlier version set is removed once (a foreign one never), customer content in
//! webhooks is dropped before anything is stored or logged, and the self-check says in plain
//! words which app Meta sends the number's events to.
use greenlight::simulator::webhooks::{envelope, quality_update_legacy_value, signature};
use greenlight::simulator::{Scenario, APP_ID, APP_SECRET};
use greenlight::webhooks::{payload, store as queue};
use serde_json::{json, Value};

use crate::health::create_inbox;
use crate::helpers::{spawn_app_with, TestApp};
use crate::logs::{capturing_subscriber, Captured};
use crate::webhooks::{eventually, spawn_with_webhooks, VERIFY_TOKEN};

/// POSTs to the simulator as another party would (the help desk, or an earlier Greenlight).
async fn set_override(app: &TestApp, scenario: Scenario, url: &str) {
    let n = app.number(scenario);
    let r = app
        .client
        .post(format!("{}/v24.0/{}", app.sim.base_url, n.id))
        .bearer_auth(&n.token)
        .json(
            &json!({"webhook_configuration": {"override_callback_uri": url, "verify_token": "x"}}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

fn number_override(app: &TestApp, scenario: Scenario) -> Value {
    app.sim.sim.number_state(&app.number(scenario).id).unwrap()["state"]["webhook_override"].clone()
}

/// Every POST that could set an override: on the number node, or on `subscribed_apps` with a body.
fn override_writes(app: &TestApp) -> Vec<greenlight::simulator::RecordedCall> {
    app.sim
        .sim
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST")
        .filter(|c| {
            c.body.get("webhook_configuration").is_some()
                || c.body.get("override_callback_uri").is_some()
        })
        .collect()
}

/// As if the inbox was created by a version before the override cleanup.
async fn forget_override_check(app: &TestApp, inbox_id: i64) {
    sqlx::query("UPDATE inboxes SET own_override_checked_at = NULL WHERE id = $1")
        .bind(inbox_id)
        .execute(&app.services.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn setup_subscribes_the_app_and_sets_no_webhook_override_at_any_level() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::Healthy);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let subscribes = app
        .sim
        .sim
        .calls_to("POST", &format!("/{}/subscribed_apps", n.waba_id));
    assert_eq!(subscribes.len(), 1, "setup subscribes the app");
    assert_eq!(subscribes[0].status, 200);
    assert!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}", n.id))
            .is_empty(),
        "no POST to the number node"
    );
    // Retrying setup (and rotating the token) does not either.
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/accounts/{}/inboxes/{id}/setup",
            admin.account_id
        )))
        .header("api_access_token", &admin.access_token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let row = app
        .services
        .stores
        .inboxes
        .get_unscoped(id)
        .await
        .unwrap()
        .unwrap();
    app.services.inboxes.run_setup(row).await.unwrap();
    assert_eq!(override_writes(&app), vec![], "no override at any level");
    assert_eq!(number_override(&app, Scenario::Healthy), Value::Null);
    let state = app.sim.sim.number_state(&n.id).unwrap();
    assert_eq!(state["state"]["webhook_override"], Value::Null, "{state}");
    let apps: Value = app
        .client
        .get(format!(
            "{}/v24.0/{}/subscribed_apps",
            app.sim.base_url, n.waba_id
        ))
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(apps["data"][0]["whatsapp_business_api_data"]["id"], APP_ID);
    assert!(
        apps["data"][0].get("override_callback_uri").is_none(),
        "{apps}"
    );
}

#[tokio::test]
async fn greenlights_old_override_is_removed_once_and_a_foreign_one_is_never_touched() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let ours = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let theirs = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::QualityRed,
    )
    .await;
    // Before the upgrade: an earlier Greenlight pointed one number here, the help desk the other.
    let own_url = app.url("/webhooks/whatsapp");
    let help_desk = "https://helpdesk.example/webhooks/whatsapp";
    set_override(&app, Scenario::Healthy, &own_url).await;
    set_override(&app, Scenario::QualityRed, help_desk).await;
    forget_override_check(&app, ours).await;
    forget_override_check(&app, theirs).await;
    app.sim.sim.clear_calls();

    // The upgrade sweep removes Greenlight's own, with Meta's documented empty override.
    assert_eq!(
        app.services.webhooks.remove_own_overrides().await.unwrap(),
        1
    );
    let writes = override_writes(&app);
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(writes[0]
        .path
        .ends_with(&format!("/{}", app.number(Scenario::Healthy).id)));
    assert_eq!(
        writes[0].body["webhook_configuration"]["override_callback_uri"],
        ""
    );
    assert_eq!(number_override(&app, Scenario::Healthy), Value::Null);
    assert_eq!(number_override(&app, Scenario::QualityRed), help_desk);

    // Once per number: neither a second sweep nor a later setup asks again, even if an override
    // to Greenlight's URL reappeared (then it is someone's deliberate choice).
    set_override(&app, Scenario::Healthy, &own_url).await;
    app.sim.sim.clear_calls();
    assert_eq!(
        app.services.webhooks.remove_own_overrides().await.unwrap(),
        0
    );
    for id in [ours, theirs] {
        let row = app
            .services
            .stores
            .inboxes
            .get_unscoped(id)
            .await
            .unwrap()
            .unwrap();
        app.services.inboxes.run_setup(row).await.unwrap();
    }
    assert_eq!(override_writes(&app), vec![]);
    assert_eq!(
        app.sim
            .sim
            .calls_to("GET", &format!("/{}", app.number(Scenario::QualityRed).id))
            .iter()
            .filter(|c| c.query_param("fields") == Some("webhook_configuration"))
            .count(),
        0,
        "not even read again"
    );
    assert_eq!(number_override(&app, Scenario::QualityRed), help_desk);
}

/// A `messages` delivery as Meta sends it (customer message and a delivery status).
fn customer_content(phone_number_id: &str, display: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": display, "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Zoe Customerson"}, "wa_id": "447700900123"}],
        "messages": [{"from": "447700900123", "id": "wamid.HBgLNDQ3NzAwOTAwMTIzFQIAEhgUM0",
            "timestamp": "1700000000", "type": "text", "text": {"body": "my order 4711 never arrived"}}],
        "statuses": [{"id": "wamid.HBgLNDQ3NzAwOTAwMTIzFQIAERgSQj", "status": "delivered",
            "timestamp": "1700000001", "recipient_id": "447700900123"}]
    })
}

const CUSTOMER_BITS: [&str; 4] = [
    "447700900123",
    "Zoe Customerson",
    "my order 4711",
    "wamid.HBgLNDQ3",
];

#[tokio::test(flavor = "current_thread")]
async fn customer_messages_and_statuses_are_dropped_before_anything_is_stored_or_logged() {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(capturing_subscriber(&captured));
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::QualityRed);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::QualityRed,
    )
    .await;
    let digits = payload::digits(&n.display_phone_number);
    let body = envelope(
        &n.waba_id,
        1_700_000_000,
        &[
            ("messages".into(), customer_content(&n.id, &digits)),
            ("message_echoes".into(), customer_content(&n.id, &digits)),
            (
                "phone_number_quality_update".into(),
                quality_update_legacy_value(&digits, "FLAGGED", "TIER_1K", None),
            ),
        ],
    );
    let r = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature(APP_SECRET, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Only the account-level field is stored, and it is processed.
    assert!(
        eventually(10, || async {
            let all = app.services.stores.queue.all().await.unwrap();
            all.len() == 1 && all[0].status == queue::status::PROCESSED
        })
        .await,
        "{:?}",
        app.services.stores.queue.all().await.unwrap()
    );
    let events = app.services.stores.queue.all().await.unwrap();
    assert_eq!(events[0].field, "phone_number_quality_update");

    // Nothing of the customer in any stored row (every table, every text column)...
    for (table, rows) in crate::helpers::all_rows(&app.services.db, &[]).await {
        for row in rows {
            for bit in CUSTOMER_BITS {
                assert!(!row.contains(bit), "{bit:?} stored in {table}");
            }
        }
    }
    // ...in the Activity tab's API...
    let activity = app
        .get_with_token(
            &format!("/api/v1/accounts/{}/inboxes/{id}/events", admin.account_id),
            &admin.access_token,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(activity.contains("Quality"), "{activity}");
    // ...or in any log line.
    let logs = captured.text();
    assert!(
        logs.contains("webhooks: received"),
        "the capture saw the receiver"
    );
    assert!(
        logs.contains("dropped=2") || logs.contains("\"dropped\":2"),
        "{logs}"
    );
    for bit in CUSTOMER_BITS {
        assert!(!activity.contains(bit), "{bit:?} in the activity");
        assert!(!logs.contains(bit), "{bit:?} in the logs");
    }
}

async fn check(app: &TestApp, token: &str, account_id: i64, id: i64) -> Value {
    app.get_with_token(
        &format!("/api/v1/accounts/{account_id}/inboxes/{id}/webhook_check?refresh=true"),
        token,
    )
    .await
    .json()
    .await
    .unwrap()
}

async fn spawn_with_app_id(app_id: &str) -> TestApp {
    spawn_app_with(&[
        "--meta-app-secret",
        APP_SECRET,
        "--meta-webhook-verify-token",
        VERIFY_TOKEN,
        "--meta-app-id",
        app_id,
    ])
    .await
}

#[tokio::test]
async fn the_self_check_tells_greenlights_own_app_from_the_help_desks() {
    // The token's app is Greenlight's own.
    let app = spawn_with_app_id(APP_ID).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let own = check(&app, &admin.access_token, admin.account_id, id).await;
    assert_eq!(own["route"], "greenlight", "{own}");
    assert_eq!(own["points_here"], true, "{own}");
    let message = own["message"].as_str().unwrap();
    assert!(
        message.starts_with("Meta sends this number's events to Greenlight"),
        "{message}"
    );
    assert!(
        message.contains(&app.url("/webhooks/whatsapp")),
        "{message}"
    );
    assert_eq!(own["steps"], json!([]));
    assert_eq!(app.sim.sim.calls_to("GET", "/v24.0/app").len(), 1);

    // The token is another app's (Greenlight's own app is a different one).
    let app = spawn_with_app_id("111222333444555").await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::Healthy);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let other = check(&app, &admin.access_token, admin.account_id, id).await;
    assert_eq!(other["route"], "other_app", "{other}");
    assert_eq!(other["points_here"], false, "{other}");
    assert_eq!(other["app_subscribed"], true, "{other}");
    let message = other["message"].as_str().unwrap();
    assert!(
        message.starts_with("Meta sends this number's events to that app"),
        "{message}"
    );
    assert!(message.contains("your help desk"), "{message}");
    assert!(
        message.contains("Greenlight checks the number every 5 minutes instead"),
        "{message}"
    );
    assert!(other["steps"].as_array().unwrap().len() >= 3, "{other}");

    // Nobody subscribed (checked on a second number of the WABA, whose first check this is):
    // Repair only re-subscribes, and touches no override.
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::QualityRed,
    )
    .await;
    let r = app
        .client
        .delete(format!(
            "{}/v24.0/{}/subscribed_apps",
            app.sim.base_url, n.waba_id
        ))
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    set_override(&app, Scenario::QualityRed, "https://helpdesk.example/hook").await;
    let none = check(&app, &admin.access_token, admin.account_id, id).await;
    assert_eq!(none["route"], "not_subscribed", "{none}");
    app.sim.sim.clear_calls();
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/accounts/{}/inboxes/{id}/webhook_check/repair",
            admin.account_id
        )))
        .header("api_access_token", &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let fixed: Value = r.json().await.unwrap();
    assert_eq!(fixed["route"], "other_app", "{fixed}");
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}/subscribed_apps", n.waba_id))
            .len(),
        1
    );
    assert_eq!(override_writes(&app), vec![]);
    assert_eq!(
        number_override(&app, Scenario::QualityRed),
        "https://helpdesk.example/hook"
    );
}

#[tokio::test]
async fn migration_0007_purges_stored_events_with_customer_content_and_keeps_the_rest() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (purge, earlier): (Vec<_>, Vec<_>) = files.into_iter().partition(|p| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("0007_")
    });
    assert_eq!(purge.len(), 1);
    let db = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    // Only the migrations before 0007 (an installation before the upgrade).
    for file in earlier
        .iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().as_ref() < "0007_")
    {
        sqlx::raw_sql(&std::fs::read_to_string(file).unwrap())
            .execute(&db)
            .await
            .unwrap();
    }
    let stored = [
        ("messages", customer_content("1065", "15550001111")),
        ("message_echoes", customer_content("1065", "15550001111")),
        ("calls", json!({"calls": [{"from": "447700900123"}]})),
        ("account_update", json!({"event": "ACCOUNT_VIOLATION"})),
        ("security", json!({"event": "PIN_CHANGED"})),
    ];
    for (i, (field, value)) in stored.iter().enumerate() {
        sqlx::query(
            "INSERT INTO webhook_events (dedup_key, received_at, waba_id, field, value_json)
             VALUES ($1, 1, '1', $2, $3)",
        )
        .bind(format!("k{i}"))
        .bind(field)
        .bind(value.to_string())
        .execute(&db)
        .await
        .unwrap();
    }
    sqlx::raw_sql(&std::fs::read_to_string(&purge[0]).unwrap())
        .execute(&db)
        .await
        .unwrap();
    let left: Vec<String> = sqlx::query_scalar("SELECT field FROM webhook_events ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(left, vec!["account_update", "security"]);
    let rows: Vec<String> = sqlx::query_scalar("SELECT value_json FROM webhook_events")
        .fetch_all(&db)
        .await
        .unwrap();
    for bit in CUSTOMER_BITS {
        assert!(rows.iter().all(|r| !r.contains(bit)), "{bit:?} kept");
    }
    // The column that remembers the one-time override check exists, unset.
    let unchecked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM inboxes WHERE own_override_checked_at IS NULL")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(unchecked, 0);
}
