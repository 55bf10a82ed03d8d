//! The portfolio view (issue 12 §6): numbers grouped by business portfolio with the shared
//! messaging limit, Meta's `business_capability_update` and `account_alerts`, and one alert per
//! change of the limit, against the simulator.
use greenlight::simulator::Scenario;
use serde_json::Value;

use crate::health::create_inbox;
use crate::helpers::TestApp;
use crate::webhooks::{eventually, spawn_with_webhooks};

const CAPABILITY: &str = include_str!("../fixtures/webhooks/business_capability_update.json");
const DEFERRED: &str =
    include_str!("../fixtures/webhooks/account_alerts_capabilities_deferred.json");

/// The `value` of a fixture's first change (the test sends it for its own WABA).
fn value_of(fixture: &str) -> Value {
    let v: Value = serde_json::from_str(fixture).unwrap();
    v["entry"][0]["changes"][0]["value"].clone()
}

async fn portfolios(app: &TestApp, token: &str, account: i64) -> Vec<Value> {
    let r = app
        .get_with_token(&format!("/api/v1/accounts/{account}/portfolios"), token)
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["account_id"], account);
    body["portfolios"].as_array().unwrap().clone()
}

/// Waits until every stored webhook event is processed, then runs the alert evaluator once.
async fn settle(app: &TestApp, events: usize) {
    assert!(
        eventually(10, || async {
            let all = app.services.stores.queue.all().await.unwrap();
            all.len() >= events
                && all.iter().all(|e| {
                    e.status != greenlight::webhooks::store::status::PENDING
                        && e.status != greenlight::webhooks::store::status::PROCESSING
                })
        })
        .await,
        "the webhooks were processed"
    );
    greenlight::alerts::evaluator::run_once(&app.services.alert_jobs())
        .await
        .unwrap();
}

async fn alert_kinds(app: &TestApp, inbox_id: i64, prefix: &str) -> Vec<String> {
    app.services
        .stores
        .alerts
        .alerts_for_inbox(inbox_id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.kind)
        .filter(|k| k.starts_with(prefix))
        .collect()
}

#[tokio::test]
async fn numbers_group_by_portfolio_and_the_shared_limit_follows_meta_with_one_alert_per_change() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (token, account) = (&admin.access_token, admin.account_id);
    // Two numbers of one portfolio ("Lucky Shrub Holdings"), one of another.
    let shop = create_inbox(&app, token, account, Scenario::Healthy).await;
    let sibling = create_inbox(&app, token, account, Scenario::QualityRed).await;
    let other = create_inbox(&app, token, account, Scenario::PendingReview).await;
    let n = app.number(Scenario::Healthy);
    assert_eq!(app.number(Scenario::QualityRed).business_id, n.business_id);

    let list = portfolios(&app, token, account).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let shared = list
        .iter()
        .find(|p| p["id"] == n.business_id.as_str())
        .expect("the shared portfolio");
    assert_eq!(shared["name"], "Lucky Shrub Holdings");
    let ids: Vec<i64> = shared["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["inbox_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&shop) && ids.contains(&sibling));
    // The flagged number comes first, with its verdict.
    assert_eq!(shared["numbers"][0]["inbox_id"], sibling);
    assert_eq!(
        shared["numbers"][0]["verdict"], "needs_attention",
        "{shared}"
    );
    assert!(shared["whatsapp_manager_url"]
        .as_str()
        .unwrap()
        .contains(&format!("business_id={}", n.business_id)));
    let alone = list
        .iter()
        .find(|p| p["numbers"][0]["inbox_id"] == other)
        .unwrap();
    assert_eq!(alone["numbers"].as_array().unwrap().len(), 1);

    // Meta raises the portfolio's limit: it announces it per WABA, and every number reads it.
    app.sim.sim.clear_calls();
    app.sim.sim.set_portfolio_limit(&n.business_id, "TIER_100K");
    settle(&app, 1).await;
    // Greenlight re-read both numbers of the WABA the event named.
    for scenario in [Scenario::Healthy, Scenario::QualityRed] {
        let id = app.number(scenario).id;
        assert!(
            !app.sim.sim.calls_to("GET", &format!("/{id}")).is_empty(),
            "re-read {scenario}"
        );
    }
    let list = portfolios(&app, token, account).await;
    let shared = list
        .iter()
        .find(|p| p["id"] == n.business_id.as_str())
        .unwrap();
    assert_eq!(shared["messaging_limit"], "TIER_100K", "{shared}");
    assert_eq!(shared["messaging_limit_label"], "100K customers per 24h");
    assert_eq!(shared["max_phone_numbers"], 25);
    // One good-news alert per number of the portfolio, none on the other portfolio.
    assert_eq!(
        alert_kinds(&app, shop, "messaging_limit").await,
        ["messaging_limit_up"]
    );
    assert_eq!(
        alert_kinds(&app, sibling, "messaging_limit").await,
        ["messaging_limit_up"]
    );
    assert!(alert_kinds(&app, other, "messaging_limit").await.is_empty());

    // Meta's documented example (the integer 2000) brings it down: one warning per number.
    let events = app.services.stores.queue.all().await.unwrap().len();
    app.sim.sim.advance_clock(chrono::Duration::seconds(60));
    app.sim.sim.set_portfolio_limit(&n.business_id, "TIER_2K");
    settle(&app, events + 1).await;
    let list = portfolios(&app, token, account).await;
    let shared = list
        .iter()
        .find(|p| p["id"] == n.business_id.as_str())
        .unwrap();
    assert_eq!(shared["messaging_limit"], "TIER_2K", "{shared}");
    assert_eq!(
        alert_kinds(&app, shop, "messaging_limit").await,
        ["messaging_limit_down", "messaging_limit_up"],
        "newest first"
    );

    // The same announcement again (a retry, or Meta repeating itself) alerts nobody.
    let events = app.services.stores.queue.all().await.unwrap().len();
    app.sim.sim.advance_clock(chrono::Duration::seconds(60));
    app.sim.sim.emit_webhook(
        &n.waba_id,
        "business_capability_update",
        value_of(CAPABILITY),
    );
    settle(&app, events + 1).await;
    assert_eq!(alert_kinds(&app, shop, "messaging_limit").await.len(), 2);
    assert_eq!(alert_kinds(&app, sibling, "messaging_limit").await.len(), 2);
}

#[tokio::test]
async fn metas_account_alerts_show_on_the_portfolio_alert_once_and_clear_and_agents_see_only_theirs(
) {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let agent = app.user("andy@example.com", "Acme", "agent").await;
    let (token, account) = (&admin.access_token, admin.account_id);
    let shop = create_inbox(&app, token, account, Scenario::Healthy).await;
    let other = create_inbox(&app, token, account, Scenario::PendingReview).await;
    app.add_inbox_members(token, account, other, &[agent.user_id])
        .await;
    let n = app.number(Scenario::Healthy);

    let deferred = value_of(DEFERRED);
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "account_alerts", deferred.clone());
    settle(&app, 1).await;
    let list = portfolios(&app, token, account).await;
    let shared = list
        .iter()
        .find(|p| p["id"] == n.business_id.as_str())
        .unwrap();
    let alerts = shared["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{shared}");
    assert_eq!(
        alerts[0]["alert_type"],
        "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED"
    );
    assert_eq!(alerts[0]["title"], "A higher messaging limit is deferred");
    assert_eq!(alerts[0]["severity"], "WARNING");
    assert_eq!(alerts[0]["level"], "attention");
    assert!(alerts[0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Limits cannot be increased"));
    assert_eq!(
        alert_kinds(&app, shop, "account_alert").await,
        ["account_alert"]
    );
    let stored = app
        .services
        .stores
        .alerts
        .alerts_for_inbox(shop, 10)
        .await
        .unwrap();
    let alert = stored.iter().find(|a| a.kind == "account_alert").unwrap();
    assert_eq!(alert.severity, greenlight::alerts::rules::Severity::Warning);
    assert!(
        alert.body.contains("Limits cannot be increased"),
        "{}",
        alert.body
    );
    // The other portfolio has none.
    let alone = list
        .iter()
        .find(|p| p["numbers"][0]["inbox_id"] == other)
        .unwrap();
    assert_eq!(alone["alerts"], serde_json::json!([]));

    // An agent sees only the portfolio of the inbox they belong to.
    let mine = portfolios(&app, &agent.access_token, account).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["numbers"][0]["inbox_id"], other);

    // The Portfolios page, rendered by the server for a signed-in administrator (works without
    // JavaScript): the portfolio by name, its shared limit, Meta's alert in words, its number.
    app.login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let r = app.get(&format!("/accounts/{account}/portfolios")).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let section = html
        .split(&format!("id=\"portfolio-{}\"", n.business_id))
        .nth(1)
        .expect("the shared portfolio's section");
    assert!(section.contains("Lucky Shrub Holdings"), "{section}");
    assert!(section.contains("2K customers per 24h"), "{section}");
    assert!(
        section.contains("A higher messaging limit is deferred"),
        "{section}"
    );
    assert!(section.contains("Healthy and registered"), "{section}");
    assert!(html.contains("<title>Portfolios"), "a page title");

    // Meta repeats it: still one alert.
    let events = app.services.stores.queue.all().await.unwrap().len();
    app.sim.sim.advance_clock(chrono::Duration::seconds(60));
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "account_alerts", deferred.clone());
    settle(&app, events + 1).await;
    assert_eq!(alert_kinds(&app, shop, "account_alert").await.len(), 1);

    // `alert_status: NONE` ends it: gone from the portfolio, no new alert.
    let mut ended = deferred;
    ended["alert_info"]["alert_status"] = "NONE".into();
    let events = app.services.stores.queue.all().await.unwrap().len();
    app.sim.sim.advance_clock(chrono::Duration::seconds(60));
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "account_alerts", ended);
    settle(&app, events + 1).await;
    let list = portfolios(&app, token, account).await;
    let shared = list
        .iter()
        .find(|p| p["id"] == n.business_id.as_str())
        .unwrap();
    assert_eq!(shared["alerts"], serde_json::json!([]), "{shared}");
    assert_eq!(alert_kinds(&app, shop, "account_alert").await.len(), 1);
}
