//! Three instances on one database behave as one (issue 10 §3): Complete-registration clicks
//! spread over them make exactly one `/register`, and a name approval that Meta delivers to
//! every instance at once also makes exactly one. They run on the suite's backend, so CI's
//! second pass proves it on PostgreSQL (where the lease and the webhook claims must hold across
//! connections from different processes' pools).
use clap::Parser;
use greenlight::cli::{Cli, Command};
use greenlight::simulator::webhooks::{envelope, name_update_value, signature};
use greenlight::simulator::{Scenario, APP_SECRET};
use greenlight::startup::Application;
use greenlight::webhooks::payload;
use serde_json::Value;

use crate::health::create_inbox;
use crate::helpers::{new_client, spawn_app, TestApp};
use crate::webhooks::{eventually, spawn_with_webhooks, VERIFY_TOKEN};

/// Another running instance on `app`'s data directory (same sealing key) and database, talking
/// to the same simulator, with `extra` flags; answers its base URL.
async fn another_instance(app: &TestApp, extra: &[&str]) -> String {
    let cli = Cli::parse_from(
        [
            "greenlight",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            app._data_dir.path().to_str().expect("utf-8 temp path"),
            "--database-url",
            &app.db_url,
            "--graph-api-base-url",
            &app.sim.base_url,
        ]
        .into_iter()
        .chain(extra.iter().copied()),
    );
    let Command::Serve(args) = cli.command else {
        unreachable!()
    };
    let other = Application::build(&args)
        .await
        .expect("another instance builds");
    let base = format!("http://{}", other.addr);
    tokio::spawn(other.run_until_stopped());
    base
}

fn registers(app: &TestApp, phone_number_id: &str) -> usize {
    app.sim
        .sim
        .calls_to("POST", &format!("{phone_number_id}/register"))
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clicks_spread_over_three_instances_make_exactly_one_register_call() {
    const CLICKS: usize = 12;
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let n = app.number(Scenario::ApprovedUnregistered);
    app.sim.sim.clear_calls();
    let bases = [
        app.address.clone(),
        another_instance(&app, &[]).await,
        another_instance(&app, &[]).await,
    ];
    // Meta holds every /register open until all clicks could have arrived, so a click that got
    // past the lease would be seen here, whatever the timing.
    let hold = app
        .sim
        .sim
        .hold("POST", &format!("/{}/register", n.id), CLICKS);
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = new_client();
    let tasks: Vec<_> = (0..CLICKS)
        .map(|i| {
            let url = format!(
                "{}/api/v1/accounts/{}/inboxes/{id}/register_phone",
                bases[i % bases.len()],
                admin.account_id
            );
            let req = client
                .post(url)
                .header("api_access_token", admin.access_token.as_str());
            let answered = answered.clone();
            tokio::spawn(async move {
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                let body = r.json::<Value>().await.unwrap();
                answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                (status, body)
            })
        })
        .collect();
    assert!(
        eventually(30, || async {
            answered.load(std::sync::atomic::Ordering::SeqCst) + hold.arrived() >= CLICKS
        })
        .await,
        "every click answered or reached /register"
    );
    assert_eq!(hold.arrived(), 1, "one click reached Meta's /register");
    hold.release();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }

    assert_eq!(registers(&app, &n.id), 1, "{answers:?}");
    let registered = answers
        .iter()
        .filter(|(s, b)| *s == 200 && b["result"] == "registered")
        .count();
    assert_eq!(registered, 1, "{answers:?}");
    for (status, body) in &answers {
        match status {
            200 => assert!(
                body["result"] == "registered" || body["result"] == "already_registered",
                "{body}"
            ),
            409 => assert!(
                body["error"].as_str().unwrap().contains("already running"),
                "{body}"
            ),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    // One attempt spent from the number's budget, whichever instance made it.
    let attempts =
        greenlight::registration::ledger::attempts_on_number(&app.services.db, &n.id, 100)
            .await
            .unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
}

#[tokio::test]
async fn a_name_approval_delivered_to_every_instance_makes_one_register_call() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::PendingReview);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::PendingReview,
    )
    .await;
    let flags = [
        "--meta-app-secret",
        APP_SECRET,
        "--meta-webhook-verify-token",
        VERIFY_TOKEN,
    ];
    let bases = [
        app.address.clone(),
        another_instance(&app, &flags).await,
        another_instance(&app, &flags).await,
    ];
    // Meta approves the name; the simulator's own delivery goes nowhere, so the only deliveries
    // are the three below, sent to the three instances at the same moment (Meta retrying a
    // delivery it thinks failed lands on whichever instance the load balancer picks).
    app.sim
        .sim
        .set_webhook_target("http://127.0.0.1:9/unreachable".into(), APP_SECRET.into());
    app.sim.sim.approve_name(&n.id);
    assert_eq!(registers(&app, &n.id), 0);
    let body = envelope(
        &n.waba_id,
        chrono::Utc::now().timestamp(),
        &[(
            "phone_number_name_update".into(),
            name_update_value(
                &payload::digits(&n.display_phone_number),
                "APPROVED",
                &n.verified_name,
                None,
            ),
        )],
    );
    let sig = signature(APP_SECRET, &body);
    let client = new_client();
    let deliveries = bases.iter().map(|base| {
        client
            .post(format!("{base}/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sig.as_str())
            .body(body.clone())
            .send()
    });
    for r in futures::future::join_all(deliveries).await {
        assert_eq!(r.unwrap().status(), 200);
    }

    let registered = eventually(15, || async {
        greenlight::health::store::latest(&app.services.db, id)
            .await
            .unwrap()
            .is_some_and(|s| s.registration_state.as_str() == "registered")
    })
    .await;
    assert!(registered, "the approval registers the number");
    // Every instance has seen the event by now (it is stored once and claimed once).
    let events = greenlight::webhooks::store::all(&app.services.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "one stored event: {events:?}");
    assert!(
        eventually(15, || async {
            greenlight::webhooks::store::all(&app.services.db)
                .await
                .unwrap()
                .iter()
                .all(|e| e.status != "pending" && e.status != "processing")
        })
        .await,
        "the event is processed"
    );
    assert_eq!(registers(&app, &n.id), 1);
}
