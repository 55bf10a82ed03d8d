//! `serve --demo`: the demo seeding against a simulator, and the binary in demo mode.
use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use greenlight::demo::{self, AGENT_SCENARIOS, DEMO_ACCOUNT, DEMO_USERS};
use greenlight::simulator::{Scenario, SimNumber};
use serde_json::Value;

use crate::helpers::new_client;

/// Every string value and key of a JSON document, flattened.
fn keys_and_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| keys_and_strings(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys_and_strings(v, out);
            }
        }
        _ => {}
    }
}

fn assert_no_secret(body: &str, numbers: &[SimNumber]) {
    for n in numbers {
        assert!(
            !body.contains(&n.token),
            "token of {} in {body}",
            n.scenario
        );
    }
    let json: Value = serde_json::from_str(body).unwrap();
    let mut words = Vec::new();
    keys_and_strings(&json, &mut words);
    for w in &words {
        let lower = w.to_ascii_lowercase();
        assert!(
            !matches!(
                lower.as_str(),
                "pin" | "api_key" | "access_token" | "token" | "pin_sealed"
            ),
            "secret-looking key {w} in {body}"
        );
        assert!(!lower.starts_with("eaag"), "token-like value {w}");
    }
}

#[tokio::test]
async fn demo_seeding_creates_one_inbox_per_scenario_exactly_once() {
    // The demo's enforcement arrives as Meta's signed webhooks: the app checks them with the
    // simulator's app secret, and the simulator sends them to the app.
    let app = crate::webhooks::spawn_with_webhooks().await;
    // The slow number answers within the client's timeout here, so seeding finishes quickly.
    app.sim.sim.set_slow_delay(Duration::from_millis(50));
    let numbers = app.sim.sim.numbers();
    assert_eq!(numbers.len(), Scenario::ALL.len());

    let users = demo::seed(&app.services).await.unwrap();
    let admin_token = users
        .admin_api_token
        .clone()
        .expect("a new admin has a token");
    assert_eq!(users.credentials.len(), 2);
    assert!(users.credentials.iter().all(|c| c.password.len() >= 16));
    assert_ne!(users.credentials[0].password, users.credentials[1].password);
    let seeded = demo::seed_inboxes(&app.services, &users, &numbers)
        .await
        .unwrap();
    assert_eq!(seeded.created.len(), Scenario::ALL.len());
    assert_eq!(seeded.already_present, 0);
    // The slow number is seeded last so its timeouts delay nobody.
    assert_eq!(
        seeded.created.last().unwrap().name,
        Scenario::Slow.label(),
        "slow last"
    );

    // Every scenario has its inbox, named after the scenario, connected to its number.
    let inboxes = app
        .services
        .inboxes
        .list_inboxes(&users.admin, users.account_id)
        .await
        .unwrap();
    assert_eq!(inboxes.len(), numbers.len());
    for n in &numbers {
        let inbox = inboxes
            .iter()
            .find(|i| i.phone_number_id == n.id)
            .unwrap_or_else(|| panic!("no inbox for {}", n.scenario));
        assert_eq!(inbox.name, n.scenario.label());
        assert_eq!(inbox.business_account_id, n.waba_id);
        assert_eq!(inbox.channel_type, "whatsapp_cloud");
        if n.scenario == Scenario::TokenExpired {
            // Setup ran for real and failed the way Meta would make it fail.
            let error = inbox.setup_error.as_deref().expect("setup error");
            assert!(error.contains("access token"), "{error}");
            assert!(app
                .services
                .health
                .last_good_health(inbox.id)
                .await
                .unwrap()
                .is_none());
        } else {
            assert_eq!(inbox.setup_error, None, "{}", n.scenario);
            assert_eq!(inbox.business_id.as_deref(), Some(n.business_id.as_str()));
            // The first health snapshot was taken during setup.
            let (_, health) = app
                .services
                .health
                .last_good_health(inbox.id)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("no snapshot for {}", n.scenario));
            assert_eq!(health.id.as_deref(), Some(n.id.as_str()));
        }
    }
    // Setup talked to the simulator: subscribed the app, and set no webhook override (that would
    // take the number's customer messages from the help desk).
    let healthy = app.sim.sim.number(Scenario::Healthy);
    let state = app.sim.sim.number_state(&healthy.id).unwrap();
    assert_eq!(state["state"]["webhook_override"], serde_json::Value::Null);
    assert!(!app
        .sim
        .sim
        .calls_to("POST", &format!("/{}/subscribed_apps", healthy.waba_id))
        .is_empty());

    // The agent sees exactly the chosen inboxes.
    let agent_view = app
        .services
        .inboxes
        .list_inboxes(&users.agent, users.account_id)
        .await
        .unwrap();
    let seen: BTreeSet<String> = agent_view.iter().map(|i| i.name.clone()).collect();
    let chosen: BTreeSet<String> = AGENT_SCENARIOS
        .iter()
        .map(|s| s.label().to_string())
        .collect();
    assert_eq!(seen, chosen);

    // Meta's enforcement reaches the restricted and the banned numbers the real way: signed
    // `account_update` webhooks, through the receiver, into their business accounts' state.
    let sent = demo::seed_enforcement(&app.services, &app.sim.sim, &numbers)
        .await
        .unwrap();
    assert_eq!(sent, 3, "one restriction, one ban, one account alert");
    let health_of = |scenario: Scenario| {
        let number = numbers.iter().find(|n| n.scenario == scenario).unwrap();
        let inbox = inboxes
            .iter()
            .find(|i| i.phone_number_id == number.id)
            .unwrap();
        format!(
            "/api/v1/accounts/{}/inboxes/{}/health",
            users.account_id, inbox.id
        )
    };
    let processed = crate::webhooks::eventually(20, || async {
        let events = app.services.stores.queue.all().await.unwrap();
        events.len() == 3 && events.iter().all(|e| e.status == "processed")
    })
    .await;
    assert!(processed, "{:?}", app.sim.sim.webhook_deliveries());
    let restricted: Value = app
        .get_with_token(&health_of(Scenario::WabaRestricted), &admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(restricted["verdict"]["verdict"], "blocked", "{restricted}");
    let restriction = &restricted["restrictions"][0];
    assert_eq!(
        restriction["restriction_type"],
        "RESTRICTED_BIZ_INITIATED_MESSAGING"
    );
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(restriction["expires_at"].as_str().unwrap()).unwrap();
    let left = expires_at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        left > chrono::Duration::days(2) && left <= chrono::Duration::days(3),
        "{restriction}"
    );
    let banned: Value = app
        .get_with_token(&health_of(Scenario::WabaBanned), &admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(banned["verdict"]["verdict"], "blocked", "{banned}");
    assert_eq!(banned["ban"]["state"], "DISABLE", "{banned}");
    let renamed: Value = app
        .get_with_token(&health_of(Scenario::NameChangeInReview), &admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name_status"], "APPROVED", "{renamed}");
    assert_eq!(renamed["registration"]["state"], "registered", "{renamed}");
    assert_eq!(
        renamed["display_name_change"]["new_name_status"], "PENDING_REVIEW",
        "{renamed}"
    );
    assert_eq!(
        renamed["display_name_change"]["new_display_name"],
        "Poppy Pet Supplies"
    );
    // The limited portfolio shows Meta's alert on the Portfolios view.
    let limited = numbers
        .iter()
        .find(|n| n.scenario == Scenario::BusinessLimited)
        .unwrap();
    let portfolios: Value = app
        .get_with_token(
            &format!("/api/v1/accounts/{}/portfolios", users.account_id),
            &admin_token,
        )
        .await
        .json()
        .await
        .unwrap();
    let portfolio = portfolios["portfolios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == limited.business_id.as_str())
        .unwrap_or_else(|| panic!("{portfolios}"));
    assert_eq!(
        portfolio["alerts"][0]["alert_type"], "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
        "{portfolio}"
    );
    // Enforcement stays on its own business account: the healthy number is not touched.
    let healthy: Value = app
        .get_with_token(&health_of(Scenario::Healthy), &admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(healthy["enforcement"], serde_json::json!([]), "{healthy}");

    // A second start with the same database creates nothing twice.
    let deliveries_before = app.sim.sim.webhook_deliveries().len();
    let calls_before = app.sim.sim.calls().len();
    let again = demo::seed(&app.services).await.unwrap();
    assert_eq!(again.account_id, users.account_id);
    assert_eq!(again.admin.id, users.admin.id);
    assert_eq!(again.agent.id, users.agent.id);
    assert!(
        again.admin_api_token.is_none(),
        "a token is shown only once"
    );
    // Every start makes new passwords: the previous run's no longer sign in.
    assert_ne!(again.credentials[1].password, users.credentials[1].password);
    let stale = new_client();
    app.login(&stale, DEMO_USERS[1].email, &users.credentials[1].password)
        .await;
    let r = stale.get(app.url("/api/v1/profile")).send().await.unwrap();
    assert_eq!(r.status(), 401, "the old password no longer signs in");
    let second = demo::seed_inboxes(&app.services, &again, &numbers)
        .await
        .unwrap();
    assert!(second.created.is_empty());
    assert_eq!(second.already_present, numbers.len());
    assert_eq!(
        demo::seed_enforcement(&app.services, &app.sim.sim, &numbers)
            .await
            .unwrap(),
        0,
        "the enforcement is already shown: nothing is sent again"
    );
    assert_eq!(app.sim.sim.webhook_deliveries().len(), deliveries_before);
    assert_eq!(app.sim.sim.calls().len(), calls_before, "no Graph call");
    let inboxes_after = app
        .services
        .inboxes
        .list_inboxes(&users.admin, users.account_id)
        .await
        .unwrap();
    assert_eq!(inboxes_after, inboxes);
    assert_eq!(
        app.services
            .inboxes
            .list_inboxes(&users.agent, users.account_id)
            .await
            .unwrap()
            .len(),
        AGENT_SCENARIOS.len()
    );

    // The REST API lists them for the demo administrator, without any token or PIN.
    let path = format!("/api/v1/accounts/{}/inboxes", users.account_id);
    let r = app.get_with_token(&path, &admin_token).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert_no_secret(&body, &numbers);
    let listed: Value = serde_json::from_str(&body).unwrap();
    let names: HashSet<&str> = listed["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let labels: HashSet<&str> = Scenario::ALL.iter().map(|s| s.label()).collect();
    assert_eq!(names, labels);

    // The demo agent signs in with the printed password and sees only the chosen inboxes.
    let agent = new_client();
    let r = app
        .login(&agent, DEMO_USERS[1].email, &again.credentials[1].password)
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let r = agent.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert_no_secret(&body, &numbers);
    let listed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        listed["payload"].as_array().unwrap().len(),
        AGENT_SCENARIOS.len()
    );
}

#[test]
fn the_slow_number_is_seeded_last() {
    let sim = greenlight::simulator::Simulator::with_presets();
    let order: Vec<Scenario> = demo::seeding_order(&sim.numbers())
        .into_iter()
        .map(|n| n.scenario)
        .collect();
    assert_eq!(order.len(), Scenario::ALL.len());
    assert_eq!(order.last(), Some(&Scenario::Slow));
    assert_eq!(order[0], Scenario::Healthy);
}

/// A `greenlight serve --demo` child process whose stdout lines arrive on a channel.
struct DemoServer {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl DemoServer {
    fn start(data_dir: &std::path::Path) -> DemoServer {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_greenlight"));
        cmd.args(["serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env_remove("GREENLIGHT_DATA_DIR")
            .env_remove("GREENLIGHT_ADDR")
            .env_remove("DATABASE_URL");
        Self::spawn(cmd)
    }

    /// Starts `cmd` (a `serve --demo` command line) with a clean environment for Greenlight.
    fn spawn(mut cmd: Command) -> DemoServer {
        let mut child = cmd
            // Even a configured real Meta must not be called in demo mode.
            .env("GRAPH_API_BASE_URL", "https://graph.invalid")
            .env_remove("GREENLIGHT_PUBLIC_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        DemoServer {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a stdout line containing `needle`.
    fn wait_for(&mut self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!("no line with {needle:?} in {:#?}", self.seen),
            }
        }
    }

    /// The password printed next to `email` in the banner.
    fn password_of(&mut self, email: &str) -> String {
        let line = self.wait_for(email, Duration::from_secs(60));
        let rest = &line[line.find("password:").unwrap() + "password:".len()..];
        rest.split_whitespace().next().unwrap().to_string()
    }

    /// The word after `marker` in the line containing it.
    fn value_after(&mut self, marker: &str) -> String {
        let line = self.wait_for(marker, Duration::from_secs(60));
        let rest = &line[line.find(marker).unwrap() + marker.len()..];
        rest.split_whitespace().next().unwrap().to_string()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_demo_runs_the_simulator_on_localhost_and_seeds_once_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = DemoServer::start(dir.path());
    let login = server.value_after("Sign in at");
    let base = login.trim_end_matches("/login").to_string();
    let sim_url = server.value_after("Simulated Meta Graph API:");
    let token = server.value_after("(shown once):");
    let banner = server.seen.join("\n");
    assert!(banner.contains("DEMO MODE"), "{banner}");
    let passwords: Vec<String> = DEMO_USERS
        .iter()
        .map(|u| server.password_of(u.email))
        .collect();
    assert!(passwords.iter().all(|p| p.len() >= 16), "{banner}");
    let webhook_secret = server.value_after("Meta webhook app secret (this run):");
    assert_ne!(webhook_secret, greenlight::simulator::APP_SECRET);
    // The unauthenticated control API listens on the loopback interface only.
    assert!(sim_url.starts_with("http://127.0.0.1:"), "{sim_url}");
    let client = reqwest::Client::new();
    let numbers: Value = client
        .get(format!("{sim_url}/__sim/numbers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let numbers = numbers.as_array().unwrap().clone();
    assert_eq!(numbers.len(), Scenario::ALL.len());

    let profile: Value = client
        .get(format!("{base}/api/v1/profile"))
        .header("api_access_token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let account = profile["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == DEMO_ACCOUNT)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let inboxes_url = format!("{base}/api/v1/accounts/{account}/inboxes");
    // The inboxes appear while the server is already answering (the slow number's setup may
    // still be running in the background).
    let deadline = Instant::now() + Duration::from_secs(60);
    let listed = loop {
        let r = client
            .get(&inboxes_url)
            .header("api_access_token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        let list = v["payload"].as_array().unwrap().clone();
        if list.len() == Scenario::ALL.len() || Instant::now() > deadline {
            break list;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(listed.len(), Scenario::ALL.len());
    // Every Graph call went to the simulator (a real-Meta URL was configured and ignored).
    let calls: Value = client
        .get(format!("{sim_url}/__sim/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(calls.as_array().unwrap().len() >= Scenario::ALL.len());
    // The printed password signs in.
    let browser = new_client();
    let r = browser
        .post(format!("{base}/sfn/login"))
        .form(&[("email", DEMO_USERS[0].email), ("password", &passwords[0])])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let r = browser
        .get(format!("{base}/api/v1/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "signed in with the printed password");
    drop(server);

    // Restart with the same data directory: no token shown again, nothing seeded twice, new
    // passwords and a new webhook secret.
    let mut server = DemoServer::start(dir.path());
    assert_ne!(server.password_of(DEMO_USERS[0].email), passwords[0]);
    assert_ne!(
        server.value_after("Meta webhook app secret (this run):"),
        webhook_secret
    );
    let ready = server.wait_for("Demo inboxes ready", Duration::from_secs(60));
    assert!(ready.contains(": 0 created"), "{ready}");
    assert!(
        ready.contains(&format!("{} already present", Scenario::ALL.len())),
        "{ready}"
    );
    assert!(!server.seen.iter().any(|l| l.contains("shown once")));
    let login = server.value_after("Sign in at");
    let base = login.trim_end_matches("/login").to_string();
    let r = client
        .get(format!("{base}/api/v1/accounts/{account}/inboxes"))
        .header("api_access_token", &token)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["payload"].as_array().unwrap().len(), Scenario::ALL.len());
}

#[tokio::test]
async fn serve_demo_uses_its_own_directory_and_loopback_and_refuses_a_real_database() {
    let dir = tempfile::tempdir().unwrap();
    // Without --data-dir and --addr: `<GREENLIGHT_DATA_DIR>/demo` on 127.0.0.1, whatever
    // GREENLIGHT_ADDR says.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_greenlight"));
    cmd.args(["serve", "--demo"])
        .env("GREENLIGHT_DATA_DIR", dir.path())
        .env("GREENLIGHT_ADDR", "0.0.0.0:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/prod.db", dir.path().display()),
        );
    let mut server = DemoServer::spawn(cmd);
    let login = server.value_after("Sign in at");
    assert!(login.starts_with("http://127.0.0.1:"), "{login}");
    drop(server);
    assert!(dir.path().join("demo").join("greenlight.db").exists());
    assert!(!dir.path().join("greenlight.db").exists());
    assert!(
        !dir.path().join("prod.db").exists(),
        "DATABASE_URL from the environment ignored"
    );

    // A directory holding a real database is refused: exit 2, one line, nothing started.
    let prod = tempfile::tempdir().unwrap();
    let created = Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args([
            "users",
            "create",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--password",
            "correct horse battery",
            "--account",
            "Acme",
            "--role",
            "administrator",
            "--data-dir",
        ])
        .arg(prod.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(prod.path())
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve --demo did not refuse a real database");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("non-demo database"), "{stderr}");
    let db = greenlight::db::open(&format!("sqlite://{}/greenlight.db", prod.path().display()))
        .await
        .unwrap();
    assert!(greenlight::accounts::store::AccountStore::new(db)
        .user_by_email(DEMO_USERS[0].email)
        .await
        .unwrap()
        .is_none());
}
