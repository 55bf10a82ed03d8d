//! Inbox and member endpoints: Chatwoot shapes, validation, setup errors, and who may do what.
use greenlight::simulator::Scenario;
use serde_json::{json, Value};

use crate::health::create_inbox;
use crate::helpers::{spawn_app, spawn_app_with, TestApp};

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = app.client.request(method, app.url(path));
    if let Some(t) = token {
        r = r.header("api_access_token", t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn inbox_body(app: &TestApp, scenario: Scenario, name: &str) -> Value {
    let n = app.number(scenario);
    json!({"name": name, "channel": {"type": "whatsapp", "phone_number": "+1 631 555 0101", "provider": "whatsapp_cloud",
        "provider_config": {"api_key": n.token, "phone_number_id": n.id, "business_account_id": n.waba_id}}})
}

#[tokio::test]
async fn the_authorization_matrix_of_the_inbox_endpoints() {
    use reqwest::Method;
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let member = app.user("mia@example.com", "Acme", "agent").await;
    let outsider = app.user("olly@example.com", "Acme", "agent").await;
    let other = app.user("eve@example.com", "Other", "administrator").await;
    let a = admin.account_id;
    let id = create_inbox(&app, &admin.access_token, a, Scenario::Healthy).await;
    let (s, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/accounts/{a}/inbox_members"),
        Some(&admin.access_token),
        Some(json!({"inbox_id": id, "user_ids": [member.user_id]})),
    )
    .await;
    assert_eq!(s, 200);

    let one = format!("/api/v1/accounts/{a}/inboxes/{id}");
    let list = format!("/api/v1/accounts/{a}/inboxes");
    // Reads: admin and member agent yes; non-member agent 403 on the inbox and an empty list;
    // another account's admin 404; anonymous 401.
    assert_eq!(
        call(&app, Method::GET, &one, Some(&admin.access_token), None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, Method::GET, &one, Some(&member.access_token), None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, Method::GET, &one, Some(&outsider.access_token), None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&app, Method::GET, &one, Some(&other.access_token), None)
            .await
            .0,
        404
    );
    assert_eq!(call(&app, Method::GET, &one, None, None).await.0, 401);
    let (_, l) = call(&app, Method::GET, &list, Some(&outsider.access_token), None).await;
    assert_eq!(l["payload"], json!([]));
    let (_, l) = call(&app, Method::GET, &list, Some(&member.access_token), None).await;
    assert_eq!(l["payload"].as_array().unwrap().len(), 1);
    assert_eq!(
        call(&app, Method::GET, &list, Some(&other.access_token), None)
            .await
            .0,
        404
    );

    // Writes: agents 403 (member or not), another account 404, anonymous 401.
    let patch = json!({"name": "Renamed"});
    for (token, want) in [
        (Some(&member.access_token), 403),
        (Some(&outsider.access_token), 403),
        (Some(&other.access_token), 404),
        (None, 401),
    ] {
        let t = token.map(|s| s.as_str());
        assert_eq!(
            call(&app, Method::PATCH, &one, t, Some(patch.clone()))
                .await
                .0,
            want
        );
        assert_eq!(call(&app, Method::DELETE, &one, t, None).await.0, want);
        assert_eq!(
            call(
                &app,
                Method::POST,
                &list,
                t,
                Some(inbox_body(&app, Scenario::QualityRed, "X"))
            )
            .await
            .0,
            if want == 403 { 403 } else { want }
        );
        assert_eq!(
            call(
                &app,
                Method::POST,
                &format!("/api/v1/accounts/{a}/inbox_members"),
                t,
                Some(json!({"inbox_id": id, "user_ids": [outsider.user_id]}))
            )
            .await
            .0,
            want
        );
    }
    let (s, v) = call(
        &app,
        Method::PATCH,
        &one,
        Some(&admin.access_token),
        Some(patch),
    )
    .await;
    assert_eq!((s, v["name"].as_str()), (200, Some("Renamed")));
    assert_eq!(
        call(&app, Method::DELETE, &one, Some(&admin.access_token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        call(&app, Method::GET, &one, Some(&admin.access_token), None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn answers_never_carry_the_token_and_bad_input_names_the_field() {
    use reqwest::Method;
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let a = admin.account_id;
    let list = format!("/api/v1/accounts/{a}/inboxes");
    let n = app.number(Scenario::Healthy);
    let (s, v) = call(
        &app,
        Method::POST,
        &list,
        Some(&admin.access_token),
        Some(inbox_body(&app, Scenario::Healthy, "Support")),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["channel_type"], "Channel::Whatsapp");
    assert_eq!(v["provider_config"]["phone_number_id"], n.id.as_str());
    assert_eq!(
        v["business_id"],
        n.business_id.as_str(),
        "portfolio read from the WABA"
    );
    assert_eq!(v["setup_error"], Value::Null);
    assert!(!v.to_string().contains(&n.token));
    // Setup reached Meta: app subscribed, and no webhook override set.
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}/subscribed_apps", n.waba_id))
            .len(),
        1
    );
    assert_eq!(app.sim.sim.calls_to("POST", &format!("/{}", n.id)).len(), 0);

    let (s, v) = call(
        &app,
        Method::POST,
        &list,
        Some(&admin.access_token),
        Some(inbox_body(&app, Scenario::Healthy, "Again")),
    )
    .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (422, Some("phone_number_id")),
        "duplicate number: {v}"
    );
    let mut bad = inbox_body(&app, Scenario::QualityRed, "");
    assert_eq!(
        call(
            &app,
            Method::POST,
            &list,
            Some(&admin.access_token),
            Some(bad.clone())
        )
        .await
        .1["field"],
        "name"
    );
    bad["name"] = json!("<b>Sales</b>");
    bad["channel"]["provider_config"]["phone_number_id"] = json!("12ab5");
    assert_eq!(
        call(
            &app,
            Method::POST,
            &list,
            Some(&admin.access_token),
            Some(bad.clone())
        )
        .await
        .1["field"],
        "phone_number_id"
    );
    bad["channel"]["provider"] = json!("twilio");
    assert_eq!(
        call(
            &app,
            Method::POST,
            &list,
            Some(&admin.access_token),
            Some(bad)
        )
        .await
        .1["field"],
        "channel"
    );
    let (s, v) = call(&app, Method::POST, &list, Some(&admin.access_token), None).await;
    assert_eq!((s, v["field"].as_str()), (422, Some("body")));
    let (_, l) = call(&app, Method::GET, &list, Some(&admin.access_token), None).await;
    assert_eq!(
        l["payload"].as_array().unwrap().len(),
        1,
        "nothing half-written"
    );
}

#[tokio::test]
async fn a_refused_token_leaves_the_inbox_with_a_setup_error_and_retry_fixes_it() {
    use reqwest::Method;
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let a = admin.account_id;
    let mut body = inbox_body(&app, Scenario::Healthy, "Support");
    body["channel"]["provider_config"]["api_key"] = json!("EAAG-not-a-real-token");
    let (s, v) = call(
        &app,
        Method::POST,
        &format!("/api/v1/accounts/{a}/inboxes"),
        Some(&admin.access_token),
        Some(body),
    )
    .await;
    assert_eq!(s, 201);
    let id = v["id"].as_i64().unwrap();
    let err = v["setup_error"].as_str().unwrap();
    assert!(err.contains("access token"), "{err}");
    assert!(!err.contains("fbtrace"), "{err}");
    let n = app.number(Scenario::Healthy);
    let (s, v) = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/accounts/{a}/inboxes/{id}"),
        Some(&admin.access_token),
        Some(json!({"channel": {"provider_config": {"api_key": n.token}}})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        v["setup_error"],
        Value::Null,
        "rotating the token re-runs setup: {v}"
    );
    let (s, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/accounts/{a}/inboxes/{id}/setup"),
        Some(&admin.access_token),
        None,
    )
    .await;
    assert_eq!(s, 200);
}

/// A pasted token is proven against the number and its WABA before it replaces the stored one:
/// a token Meta refuses, or one for another business's number, is a field error and the working
/// token stays.
#[tokio::test]
async fn a_new_token_is_checked_with_meta_before_it_is_saved() {
    use reqwest::Method;
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let a = admin.account_id;
    let id = create_inbox(&app, &admin.access_token, a, Scenario::Healthy).await;
    let path = format!("/api/v1/accounts/{a}/inboxes/{id}");
    // A number of another WABA (Healthy and QualityRed share one, so their tokens are interchangeable).
    let other = app.number(Scenario::HtmlName);
    for (token, says) in [
        ("EAAGnotatokenSimKnowsZDZD", "Meta refused this token"),
        // Another business's token: Meta refuses the number to it, or its WABA does not list it.
        (other.token.as_str(), "The stored token is unchanged."),
    ] {
        let before = app.sim.sim.calls().len();
        let (s, v) = call(
            &app,
            Method::PATCH,
            &path,
            Some(&admin.access_token),
            Some(json!({"channel": {"provider_config": {"api_key": token}}})),
        )
        .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("api_key")), "{v}");
        let said = v["error"].as_str().unwrap();
        assert!(said.contains(says) && said.contains("unchanged"), "{said}");
        assert!(!said.contains(token), "{said}");
        // Meta was asked (the check is real), and with the pasted token, in a header.
        let calls = app.sim.sim.calls();
        assert!(calls.len() > before, "no Graph call made");
        assert!(calls[before..].iter().all(|c| !c.token_in_query));
    }
    // The working token stayed: a fresh read still succeeds.
    let (s, h) = call(
        &app,
        Method::GET,
        &format!("{path}/health?refresh=true"),
        Some(&admin.access_token),
        None,
    )
    .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["registration"]["state"], "registered", "{h}");
    // The right token is saved and setup runs again.
    let n = app.number(Scenario::Healthy);
    let (s, v) = call(
        &app,
        Method::PATCH,
        &path,
        Some(&admin.access_token),
        Some(json!({"channel": {"provider_config": {"api_key": n.token}}})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["setup_error"], Value::Null, "{v}");
}

#[tokio::test]
async fn creating_an_inbox_answers_while_meta_hangs_and_setup_finishes_in_the_background() {
    use greenlight::inboxes::service::{SETUP_ANSWER_WITHIN, SETUP_RUNNING};
    // The product's default wait, not the tests' longer one.
    let within = humantime::format_duration(SETUP_ANSWER_WITHIN).to_string();
    let app = spawn_app_with(&["--setup-answer-within", &within]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::Healthy);
    // Meta does not answer the first read of the number until released.
    let hold = app.sim.sim.hold("GET", &format!("/{}", n.id), usize::MAX);
    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/accounts/{}/inboxes", admin.account_id),
        Some(&admin.access_token),
        Some(json!({
            "name": "Slow Meta",
            "channel": {"type": "whatsapp", "phone_number": "+16315550100", "provider": "whatsapp_cloud",
                "provider_config": {"api_key": n.token, "phone_number_id": n.id, "business_account_id": n.waba_id}}
        })),
    )
    .await;
    // The answer came while Meta still held the read: the inbox is saved, setup runs on.
    assert_eq!(status, 201, "{body}");
    assert!(hold.arrived() >= 1, "setup asked Meta");
    assert!(
        app.sim
            .sim
            .calls_to("GET", &format!("/{}", n.id))
            .is_empty(),
        "the read is still held"
    );
    assert_eq!(body["setup_error"], SETUP_RUNNING, "{body}");
    let id = body["id"].as_i64().unwrap();
    let (_, shown) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/accounts/{}/inboxes/{id}", admin.account_id),
        Some(&admin.access_token),
        None,
    )
    .await;
    assert_eq!(
        shown["setup_error"], SETUP_RUNNING,
        "the page shows it running"
    );
    // The pages follow it with the narrow server function (one read, the status alone).
    app.login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let setup_status = || async {
        let r = app
            .client
            .post(app.url("/sfn/setup_status"))
            .header("origin", &app.address)
            .header("accept", "application/json")
            .form(&[
                ("account_id", admin.account_id.to_string()),
                ("inbox_id", id.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.json::<app::views::SetupStatus>().await.unwrap()
    };
    assert_eq!(setup_status().await, app::views::SetupStatus::Running);

    hold.release();
    let row = || async {
        app.services
            .stores
            .inboxes
            .get(admin.account_id, id)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(
        crate::webhooks::eventually(20, || async {
            let r = row().await;
            r.setup_error.is_none() && r.business_id.is_some()
        })
        .await,
        "setup finished in the background: {:?}",
        row().await.setup_error
    );
    assert_eq!(setup_status().await, app::views::SetupStatus::Done);
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}/subscribed_apps", n.waba_id))
            .len(),
        1,
        "the app was subscribed once"
    );
}

#[tokio::test]
async fn the_overview_shows_a_bounded_page_worst_first_and_links_the_next() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    // 130 inboxes straight in the store (the simulator has far fewer numbers).
    for n in 0..130 {
        app.services
            .stores
            .inboxes
            .insert(
                greenlight::inboxes::store::NewInboxRow {
                    account_id: admin.account_id,
                    name: &format!("Number {n:03}"),
                    phone_number: "+15550000000",
                    phone_number_id: &format!("90000000000{n:03}"),
                    business_account_id: "102290129340398",
                    webhook_verify_token: &format!("verify-{n}"),
                },
                0,
                |id| {
                    app.services
                        .secrets
                        .seal_bound("EAAtoken", greenlight::crypto::INBOX_ACCESS_TOKEN.at(id))
                },
            )
            .await
            .unwrap();
    }
    let user = app.services.accounts.user(admin.user_id).await.unwrap();
    let first = app
        .services
        .inbox_overview(&user, admin.account_id, 1)
        .await
        .unwrap();
    assert_eq!((first.rows.len(), first.total, first.page), (100, 130, 1));
    let second = app
        .services
        .inbox_overview(&user, admin.account_id, 2)
        .await
        .unwrap();
    assert_eq!((second.rows.len(), second.page), (30, 2));
    let names = |o: &app::views::InboxOverview| -> Vec<String> {
        o.rows.iter().map(|r| r.name.clone()).collect()
    };
    assert!(
        names(&first).iter().all(|n| !names(&second).contains(n)),
        "no number on two pages"
    );
    // A page past the end shows the last one.
    let past = app
        .services
        .inbox_overview(&user, admin.account_id, 9)
        .await
        .unwrap();
    assert_eq!(past.page, 2);

    // The server-rendered page carries one page of rows and a plain link to the next.
    app.login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let html = app
        .get(&format!("/accounts/{}/inboxes", admin.account_id))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-inbox=").count(), 100, "one page of rows");
    assert!(html.contains("Numbers 1–100 of 130"), "{html}");
    assert!(html.contains(&format!(
        "href=\"/accounts/{}/inboxes?page=2\"",
        admin.account_id
    )));
    let html = app
        .get(&format!("/accounts/{}/inboxes?page=2", admin.account_id))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-inbox=").count(), 30);
    assert!(html.contains("Numbers 101–130 of 130"), "{html}");
}

/// The overview says how long ago each number was checked, with the exact UTC time on hover; the
/// server computes the words, so the hydrated page reads the same.
#[tokio::test]
async fn the_overview_says_how_long_ago_with_the_time_on_hover() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let user = app.services.accounts.user(admin.user_id).await.unwrap();
    let o = app
        .services
        .inbox_overview(&user, admin.account_id, 1)
        .await
        .unwrap();
    assert_eq!(o.rows[0].checked_ago.as_deref(), Some("just now"));
    app.login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let html = app
        .get(&format!("/accounts/{}/inboxes", admin.account_id))
        .await
        .text()
        .await
        .unwrap();
    let at = o.rows[0].checked_at.clone().unwrap();
    assert!(
        html.contains(&format!(
            "<time datetime=\"{at}\" title=\"{}\">just now</time>",
            app::format::short_time(&at, app::i18n::Locale::en)
        )),
        "{html}"
    );
}
