//! Three instances on one database behave as one (issue 10 §3): Complete-registration clicks
//! spread over them make exactly one `/register`, and a name approval that Meta delivers to
//! every instance at once also makes exactly one. They run on the suite's backend, so CI's
//! second pass proves it on PostgreSQL (where the lease and the webhook claims must hold across
//! connections from different processes' pools).
use clap::Parser;
use greenlight::cli::{Cli, Command};
use greenlight::services::Services;
use greenlight::simulator::webhooks::{envelope, name_update_value, signature};
use greenlight::simulator::SimNumber;
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
    another_instance_with_services(app, extra).await.0
}

/// [`another_instance`], with the instance's services (to run its background jobs by hand).
async fn another_instance_with_services(app: &TestApp, extra: &[&str]) -> (String, Services) {
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
    let services = other.services.clone();
    tokio::spawn(other.run_until_stopped());
    (base, services)
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
    let attempts = app
        .services
        .stores
        .ledger
        .attempts_on_number(&n.id, 100)
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
        app.services
            .stores
            .snapshots
            .latest(id)
            .await
            .unwrap()
            .is_some_and(|s| s.registration_state.as_str() == "registered")
    })
    .await;
    assert!(registered, "the approval registers the number");
    // Every instance has seen the event by now (it is stored once and claimed once).
    let events = app.services.stores.queue.all().await.unwrap();
    assert_eq!(events.len(), 1, "one stored event: {events:?}");
    assert!(
        eventually(15, || async {
            app.services
                .stores
                .queue
                .all()
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

/// Adds every number of `fleet` to the account through the REST API (8 at a time); answers
/// (inbox id, number) pairs.
async fn add_fleet(
    app: &TestApp,
    admin_token: &str,
    account_id: i64,
    fleet: &[SimNumber],
) -> Vec<(i64, SimNumber)> {
    use futures::StreamExt;
    let client = new_client();
    futures::stream::iter(fleet.iter().cloned().enumerate())
        .map(|(i, n)| {
            let req = client
                .post(app.url(&format!("/api/v1/accounts/{account_id}/inboxes")))
                .header("api_access_token", admin_token)
                .json(&serde_json::json!({
                    "name": format!("Fleet {i}"),
                    "channel": {"type": "whatsapp", "phone_number": n.display_phone_number,
                        "provider": "whatsapp_cloud",
                        "provider_config": {"api_key": n.token, "phone_number_id": n.id,
                            "business_account_id": n.waba_id}}
                }));
            async move {
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
                let body: Value = r.json().await.unwrap();
                (body["id"].as_i64().unwrap(), n)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await
}

/// Reads of each number's node Meta received since the last `clear_calls`, by phone number id.
fn reads_per_number(app: &TestApp, fleet: &[(i64, SimNumber)]) -> Vec<(String, usize)> {
    let calls = app.sim.sim.calls();
    fleet
        .iter()
        .map(|(_, n)| {
            let path = format!("/{}", n.id);
            let count = calls
                .iter()
                .filter(|c| c.method == "GET" && c.path.ends_with(&path))
                .count();
            (n.id.clone(), count)
        })
        .collect()
}

/// Issue 10 §4: 300 numbers, three instances on one database. One health-refresh cycle run by
/// all three at once reads every number exactly once; an instance that dies in the middle of the
/// next cycle (its read of one number hangs, then its job is gone) leaves that number to the
/// others, who read it in the cycle after its claim ran out, and everything else in that cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_read_each_of_300_numbers_once_per_refresh_cycle_and_cover_a_dead_one() {
    use greenlight::health::refresh;
    const FLEET: usize = 300;
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let numbers = app.sim.sim.add_copies(Scenario::Healthy, FLEET);
    let fleet = add_fleet(&app, &admin.access_token, admin.account_id, &numbers).await;
    let (_, second) = another_instance_with_services(&app, &[]).await;
    let (_, third) = another_instance_with_services(&app, &[]).await;
    let instances = [app.services.clone(), second, third];
    // With this maximum age one tick's budget covers the whole fleet and every snapshot read
    // in one cycle is due again in the next (cycles are an hour apart on the jobs' clock).
    let max_age = std::time::Duration::from_secs(40);
    assert!(refresh::budget_per_tick(FLEET, refresh::TICK, max_age) >= FLEET);
    let cycle = |now: chrono::DateTime<chrono::Utc>, who: Vec<Services>| async move {
        let runs = who
            .iter()
            .map(|s| refresh::run_once(&s.health, &s.instance, now, max_age))
            .collect::<Vec<_>>();
        futures::future::join_all(runs)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect::<Vec<_>>()
    };

    // One cycle, all three at once.
    app.sim.sim.clear_calls();
    let now1 = chrono::Utc::now() + chrono::Duration::hours(1);
    let reports = cycle(now1, instances.to_vec()).await;
    assert_eq!(
        reports.iter().map(|r| r.read).sum::<usize>(),
        FLEET,
        "{reports:?}"
    );
    let reads = reads_per_number(&app, &fleet);
    assert!(reads.iter().all(|(_, n)| *n == 1), "{reads:?}");

    // The next cycle: the third instance starts first and hangs on its first number (the
    // lowest inbox id: all were read at the same time), then dies.
    let now2 = now1 + chrono::Duration::hours(1);
    let (_, first) = fleet.iter().min_by_key(|(id, _)| *id).unwrap().clone();
    let hold = app.sim.sim.hold("GET", &format!("/{}", first.id), 2);
    app.sim.sim.clear_calls();
    let dying = {
        let third = instances[2].clone();
        tokio::spawn(async move {
            refresh::run_once(&third.health, &third.instance, now2, max_age).await
        })
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), hold.wait_arrived(1))
        .await
        .expect("the third instance reached its first read");
    dying.abort();
    let _ = dying.await;
    let reports = cycle(now2, instances[..2].to_vec()).await;
    assert_eq!(
        reports.iter().map(|r| r.read).sum::<usize>(),
        FLEET - 1,
        "the living instances read everything but the dead one's claimed number: {reports:?}"
    );
    let reads = reads_per_number(&app, &fleet);
    assert!(
        reads
            .iter()
            .all(|(id, n)| *n == usize::from(*id != first.id)),
        "{reads:?}"
    );
    // Let the dead instance's call go (Meta answers a closed connection), then count afresh.
    hold.release();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.sim.sim.clear_calls();

    // The cycle after the dead instance's claim ran out: its number is read, once.
    let now3 = now2
        + chrono::Duration::from_std(refresh::CLAIM_TTL).unwrap()
        + chrono::Duration::seconds(1);
    let reports = cycle(now3, instances[..2].to_vec()).await;
    assert_eq!(
        reports.iter().map(|r| r.read).sum::<usize>(),
        FLEET,
        "{reports:?}"
    );
    let reads = reads_per_number(&app, &fleet);
    assert!(reads.iter().all(|(_, n)| *n == 1), "{reads:?}");
}

/// The registration retrier on three instances: numbers waiting for Meta are each read by one
/// instance per interval, whichever runs first; the others leave them alone until the interval
/// has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_retriers_read_each_waiting_number_once_per_interval() {
    use greenlight::registration::retrier;
    const FLEET: usize = 40;
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let numbers = app.sim.sim.add_copies(Scenario::PendingReview, FLEET);
    let fleet = add_fleet(&app, &admin.access_token, admin.account_id, &numbers).await;
    let (_, second) = another_instance_with_services(&app, &[]).await;
    let (_, third) = another_instance_with_services(&app, &[]).await;
    let instances = [app.services.clone(), second, third];
    let pass = |now: chrono::DateTime<chrono::Utc>| {
        let instances = instances.clone();
        async move {
            futures::future::join_all(
                instances
                    .iter()
                    .map(|s| retrier::run_once(&s.registration, &s.instance, now, retrier::EVERY)),
            )
            .await
        }
    };

    app.sim.sim.clear_calls();
    let now = chrono::Utc::now();
    let reports = pass(now).await;
    let reads = reads_per_number(&app, &fleet);
    assert!(reads.iter().all(|(_, n)| *n == 1), "{reads:?} {reports:?}");
    assert_eq!(
        reports.iter().map(|r| r.claimed_elsewhere).sum::<usize>(),
        2 * FLEET,
        "{reports:?}"
    );

    // A minute later each number still belongs to the instance that read it: only that one
    // may read it within the interval (here it does, having been asked to run again early).
    app.sim.sim.clear_calls();
    let reports = pass(now + chrono::Duration::minutes(1)).await;
    let reads = reads_per_number(&app, &fleet);
    assert!(reads.iter().all(|(_, n)| *n == 1), "{reads:?} {reports:?}");
    assert_eq!(
        reports.iter().map(|r| r.claimed_elsewhere).sum::<usize>(),
        2 * FLEET,
        "{reports:?}"
    );

    // The next interval: each is read once again.
    app.sim.sim.clear_calls();
    let reports = pass(now + chrono::Duration::from_std(retrier::EVERY).unwrap()).await;
    let reads = reads_per_number(&app, &fleet);
    assert!(reads.iter().all(|(_, n)| *n == 1), "{reads:?} {reports:?}");
}

/// A write on one instance reaches the others' caches with their next poll of the cache events
/// (every second), not after the caches' time-to-live: an API token rotated on one instance
/// stops working on another that had it cached.
#[tokio::test]
async fn a_token_rotated_on_one_instance_stops_working_on_another_after_one_poll() {
    use greenlight::cache_events::Follower;
    use greenlight::services::read_cache::apply_new_events;
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", "Acme", "administrator").await;
    let (other, other_services) = another_instance_with_services(&app, &[]).await;
    let client = new_client();
    let profile = |token: String| {
        client
            .get(format!("{other}/api/v1/profile"))
            .header("api_access_token", token)
            .send()
    };
    // The other instance now has the token cached.
    assert_eq!(
        profile(ada.access_token.clone()).await.unwrap().status(),
        200
    );
    let mut follower = Follower::start(&other_services.stores.events)
        .await
        .unwrap();

    let r = client
        .post(app.url("/api/v1/profile/access_token"))
        .header("api_access_token", &ada.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let new_token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let applied = apply_new_events(
        &other_services,
        &mut follower,
        chrono::Utc::now().timestamp(),
    )
    .await
    .unwrap();
    assert!(
        applied >= 1,
        "the rotation was recorded for the other instances"
    );
    assert_eq!(
        profile(ada.access_token.clone()).await.unwrap().status(),
        401,
        "the old token is refused on the other instance"
    );
    assert_eq!(profile(new_token).await.unwrap().status(), 200);
}

/// Meta sends each `business_capability_update` with only the keys that changed. Two of them for
/// one WABA applied at the same moment (by two instances' workers) must each keep the other's
/// key: the merge happens where the state is stored, one event after the other.
#[tokio::test]
async fn capability_events_applied_at_once_keep_each_others_keys() {
    use greenlight::signals::model::{capability, updates_from_capability};
    let app = spawn_app().await;
    let (_, other) = another_instance_with_services(&app, &[]).await;
    let mine = app.services.stores.signals.clone();
    let theirs = other.stores.signals.clone();
    for round in 0..12 {
        let waba = format!("10229012934{round:04}");
        let cap = updates_from_capability(&serde_json::json!({"max_phone_numbers_per_waba": 25}));
        let tier = updates_from_capability(
            &serde_json::json!({"max_daily_conversations_per_business": 10000}),
        );
        // A write SQLite refused (a reader that went stale) is applied again, as the webhook
        // queue does with an event whose processing failed.
        let apply = |store: greenlight::signals::SignalStore, update| {
            let waba = waba.clone();
            async move {
                for _ in 0..20 {
                    if store
                        .apply(&waba, &update, 1_700_000_000, 1_700_000_000)
                        .await
                        .is_ok()
                    {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                panic!("the update never applied");
            }
        };
        tokio::join!(
            apply(mine.clone(), cap[0].clone()),
            apply(theirs.clone(), tier[0].clone())
        );
        let stored = capability(&mine.of_waba(&waba).await.unwrap()).expect("kept");
        assert_eq!(stored.tier.as_deref(), Some("TIER_10K"), "round {round}");
        assert_eq!(stored.max_phone_numbers, Some(25), "round {round}");
    }
}
