//! The authorization matrix: every REST route and every server function, called by every role.
//!
//! Phase one makes every call a role may NOT make and checks, after each, that no row of any table
//! changed and that Meta (the simulator) received nothing. Phase two makes the calls a role may
//! make and checks their status, so a door that refuses everybody is caught too. A guard test
//! reads the routers and the `#[server]` functions from the source, so a new door without a row
//! fails the build of this matrix.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use greenlight::simulator::{Scenario, SimNumber};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::health::create_inbox;
use crate::helpers::{spawn_app_with, TestApp, PASSWORD};
use crate::webhooks::eventually;

/// Who calls, in the order of [`Row::expect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    /// An agent of the account who is not a member of the inbox.
    NonMember,
    /// An agent of the account who is a member of the inbox.
    Member,
    Admin,
    /// The administrator of another existing account.
    OtherAdmin,
}

const ROLES: [Role; 5] = [
    Role::Anonymous,
    Role::NonMember,
    Role::Member,
    Role::Admin,
    Role::OtherAdmin,
];

/// Which of the setup's objects a row acts on, so destructive calls don't remove what later rows
/// need.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The inbox the member agent belongs to, and the first alert webhook.
    Main,
    /// An inbox (and alert webhook) only this row destroys.
    Doomed(usize),
    /// An approved but unregistered number only this row registers.
    Unregistered(usize),
    /// An inbox whose members this row changes.
    Members,
}

/// A door: a REST route (method and axum path, exactly as in the router) or a server function.
#[derive(Debug, Clone, Copy)]
enum Door {
    Rest(&'static str, &'static str),
    Sfn(&'static str),
}

/// One line of the matrix.
struct Row {
    door: Door,
    target: Target,
    /// JSON body for REST, form fields for server functions (null fields are left out).
    body: fn(&Ids) -> Value,
    /// Status per role, in [`ROLES`] order.
    expect: [u16; 5],
}

/// Ids the rows fill their paths and bodies with.
#[derive(Debug, Clone)]
struct Ids {
    account: i64,
    inbox: i64,
    hook: i64,
    member_user: i64,
    nonmember_user: i64,
    /// The team member a row acts on: the non-member agent, or a user only this row removes.
    user: i64,
    /// Two simulated numbers no inbox uses yet, for the rows that add one.
    fresh: [SimNumber; 2],
}

const OK: u16 = 200;
const CREATED: u16 = 201;
const NO_CONTENT: u16 = 204;
const UNAUTHORIZED: u16 = 401;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;
const CONFLICT: u16 = 409;
const UNPROCESSABLE: u16 = 422;
const SERVICE_UNAVAILABLE: u16 = 503;

/// Readable by everyone in the account (inbox or not).
const ACCOUNT_READ: [u16; 5] = [UNAUTHORIZED, OK, OK, OK, NOT_FOUND];
/// Readable by the inbox's members and the administrators.
const INBOX_READ: [u16; 5] = [UNAUTHORIZED, FORBIDDEN, OK, OK, NOT_FOUND];
/// Administrators of the account only.
const ADMIN_ONLY: [u16; 5] = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND];
const ADMIN_CREATES: [u16; 5] = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, CREATED, NOT_FOUND];
const ADMIN_DELETES: [u16; 5] = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, NO_CONTENT, NOT_FOUND];
/// Anybody, signed in or not.
const PUBLIC: [u16; 5] = [OK; 5];
/// Any signed-in user.
const SIGNED_IN: [u16; 5] = [UNAUTHORIZED, OK, OK, OK, OK];

fn no_body(_: &Ids) -> Value {
    Value::Null
}
fn account_only(i: &Ids) -> Value {
    json!({"account_id": i.account})
}
fn account_inbox(i: &Ids) -> Value {
    json!({"account_id": i.account, "inbox_id": i.inbox})
}
fn account_hook(i: &Ids) -> Value {
    json!({"account_id": i.account, "id": i.hook})
}

/// Every door. The guard test below fails when a route or server function has no row here.
fn matrix() -> Vec<Row> {
    use Door::{Rest, Sfn};
    use Target::*;
    vec![
        // Probes and Meta's webhook door: no session involved, same answer for everyone.
        Row {
            door: Rest("GET", "/healthz"),
            target: Main,
            body: no_body,
            expect: PUBLIC,
        },
        Row {
            door: Rest("GET", "/readyz"),
            target: Main,
            body: no_body,
            expect: PUBLIC,
        },
        // The API's description holds no data.
        Row {
            door: Rest("GET", "/api/v1/openapi.json"),
            target: Main,
            body: no_body,
            expect: PUBLIC,
        },
        // Metrics are off by default; a session, of any role, opens nothing (scrapers use
        // GREENLIGHT_METRICS_TOKEN or GREENLIGHT_METRICS_ADDR, see metrics.rs).
        Row {
            door: Rest("GET", "/metrics"),
            target: Main,
            body: no_body,
            expect: [NOT_FOUND; 5],
        },
        // Without a configured verify token the handshake is refused for everybody.
        Row {
            door: Rest("GET", "/webhooks/whatsapp"),
            target: Main,
            body: no_body,
            expect: [FORBIDDEN; 5],
        },
        // Deliveries are refused for everybody while no app secret is configured to check them.
        Row {
            door: Rest("POST", "/webhooks/whatsapp"),
            target: Main,
            body: |_| json!({"object": "whatsapp_business_account", "entry": []}),
            expect: [SERVICE_UNAVAILABLE; 5],
        },
        // REST API.
        Row {
            door: Rest("GET", "/api/v1/profile"),
            target: Main,
            body: no_body,
            expect: SIGNED_IN,
        },
        // Rotates the caller's own API token; the matrix signs in with sessions, which it leaves.
        // Leaves the locale as it is: allowed for everybody signed in.
        Row {
            door: Rest("PATCH", "/api/v1/profile"),
            target: Main,
            body: |_| json!({"locale": "en"}),
            expect: SIGNED_IN,
        },
        Row {
            door: Rest("GET", "/api/v1/accounts/{account_id}/agents"),
            target: Main,
            body: no_body,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Rest("POST", "/api/v1/accounts/{account_id}/agents"),
            target: Main,
            body: |_| json!({"name": "Ivy", "email": "ivy-rest@example.com", "role": "agent"}),
            expect: ADMIN_CREATES,
        },
        Row {
            door: Rest("PATCH", "/api/v1/accounts/{account_id}/agents/{user_id}"),
            target: Main,
            body: |_| json!({"role": "agent"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest("DELETE", "/api/v1/accounts/{account_id}/agents/{user_id}"),
            target: Doomed(0),
            body: no_body,
            expect: ADMIN_DELETES,
        },
        Row {
            door: Rest("POST", "/api/v1/profile/access_token"),
            target: Main,
            body: no_body,
            expect: SIGNED_IN,
        },
        Row {
            door: Sfn("rotate_api_token"),
            target: Main,
            body: no_body,
            expect: SIGNED_IN,
        },
        Row {
            door: Rest("GET", "/api/v1/accounts/{account_id}/inboxes"),
            target: Main,
            body: no_body,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Rest("GET", "/api/v1/accounts/{account_id}/portfolios"),
            target: Main,
            body: no_body,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Sfn("portfolios"),
            target: Main,
            body: account_only,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Rest("POST", "/api/v1/accounts/{account_id}/inboxes"),
            target: Main,
            body: |i| {
                json!({"name": "Matrix REST", "channel": {"type": "whatsapp", "phone_number": "+16315550199",
                "provider": "whatsapp_cloud", "provider_config": {"api_key": i.fresh[0].token,
                "phone_number_id": i.fresh[0].id, "business_account_id": i.fresh[0].waba_id}}})
            },
            expect: ADMIN_CREATES,
        },
        Row {
            door: Rest("GET", "/api/v1/accounts/{account_id}/inboxes/{inbox_id}"),
            target: Main,
            body: no_body,
            expect: INBOX_READ,
        },
        Row {
            door: Rest("PATCH", "/api/v1/accounts/{account_id}/inboxes/{inbox_id}"),
            target: Main,
            body: |_| json!({"name": "Renamed by the matrix"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/setup",
            ),
            target: Main,
            body: no_body,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "GET",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/members",
            ),
            target: Main,
            body: no_body,
            expect: INBOX_READ,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/register_phone",
            ),
            target: Unregistered(0),
            body: no_body,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/two_step_pin",
            ),
            target: Main,
            body: no_body,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/verification/request",
            ),
            target: Unregistered(0),
            body: |_| json!({"code_method": "SMS", "language": "en_US"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/verification/verify",
            ),
            target: Main,
            body: |_| json!({"code": "123456"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/display_name",
            ),
            target: Main,
            body: |_| json!({"new_display_name": "Matrix Rest Name"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "GET",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health",
            ),
            target: Main,
            body: no_body,
            expect: INBOX_READ,
        },
        Row {
            door: Rest(
                "GET",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health/history",
            ),
            target: Main,
            body: no_body,
            expect: INBOX_READ,
        },
        Row {
            door: Rest(
                "GET",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/events",
            ),
            target: Main,
            body: no_body,
            expect: INBOX_READ,
        },
        Row {
            door: Rest(
                "GET",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/webhook_check",
            ),
            target: Main,
            body: no_body,
            expect: INBOX_READ,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/webhook_check/repair",
            ),
            target: Main,
            body: no_body,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest("GET", "/api/v1/accounts/{account_id}/notifications"),
            target: Main,
            body: no_body,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Rest("POST", "/api/v1/accounts/{account_id}/notifications/read"),
            target: Main,
            body: |_| json!({}),
            expect: ACCOUNT_READ,
        },
        Row {
            door: Rest("GET", "/api/v1/accounts/{account_id}/alert_webhooks"),
            target: Main,
            body: no_body,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest("POST", "/api/v1/accounts/{account_id}/alert_webhooks"),
            target: Main,
            body: |_| json!({"url": "https://hooks.example.com/matrix-rest", "secret": "matrix-secret-0123456789"}),
            expect: ADMIN_CREATES,
        },
        Row {
            door: Rest(
                "POST",
                "/api/v1/accounts/{account_id}/alert_webhooks/{id}/test",
            ),
            target: Main,
            body: no_body,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "GET",
                "/api/v1/accounts/{account_id}/alert_webhooks/{id}/deliveries",
            ),
            target: Main,
            body: no_body,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest("POST", "/api/v1/accounts/{account_id}/inbox_members"),
            target: Members,
            body: |i| json!({"inbox_id": i.inbox, "user_ids": [i.nonmember_user]}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest("PATCH", "/api/v1/accounts/{account_id}/inbox_members"),
            target: Members,
            body: |i| json!({"inbox_id": i.inbox, "user_ids": [i.member_user, i.nonmember_user]}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest("DELETE", "/api/v1/accounts/{account_id}/inbox_members"),
            target: Members,
            body: |i| json!({"inbox_id": i.inbox, "user_ids": [i.member_user]}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Rest(
                "DELETE",
                "/api/v1/accounts/{account_id}/alert_webhooks/{id}",
            ),
            target: Doomed(0),
            body: no_body,
            expect: ADMIN_DELETES,
        },
        Row {
            door: Rest("DELETE", "/api/v1/accounts/{account_id}/inboxes/{inbox_id}"),
            target: Doomed(0),
            body: no_body,
            expect: ADMIN_DELETES,
        },
        // Server functions.
        Row {
            door: Sfn("current_user"),
            target: Main,
            body: no_body,
            expect: PUBLIC,
        },
        Row {
            door: Sfn("needs_first_run"),
            target: Main,
            body: no_body,
            expect: PUBLIC,
        },
        Row {
            door: Sfn("is_demo"),
            target: Main,
            body: no_body,
            expect: PUBLIC,
        },
        Row {
            door: Sfn("login"),
            target: Main,
            body: |_| json!({"email": "nobody@example.com", "password": "not the password"}),
            // Refused as a form error on the password field, whoever asks.
            expect: [UNPROCESSABLE; 5],
        },
        Row {
            door: Sfn("first_run"),
            target: Main,
            body: |_| json!({"name": "Eve", "email": "eve@example.com", "password": PASSWORD, "account_name": "Evil", "setup_code": "2345-6789-ABCD"}),
            // Users exist: first run is over for everybody, administrators included.
            expect: [CONFLICT; 5],
        },
        Row {
            door: Sfn("account_settings"),
            target: Main,
            body: account_only,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Sfn("inbox_overview"),
            target: Main,
            body: account_only,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Sfn("create_inbox"),
            target: Main,
            body: |i| {
                json!({"account_id": i.account, "name": "Matrix SFN", "phone_number": "+16315550198",
                "phone_number_id": i.fresh[1].id, "business_account_id": i.fresh[1].waba_id, "api_key": i.fresh[1].token})
            },
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("inbox_settings"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("setup_status"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("update_inbox"),
            target: Main,
            body: |i| json!({"account_id": i.account, "inbox_id": i.inbox, "name": "Renamed by a form", "api_key": ""}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("retry_setup"),
            target: Main,
            body: account_inbox,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("change_inbox_member"),
            target: Members,
            body: |i| json!({"account_id": i.account, "inbox_id": i.inbox, "user_id": i.nonmember_user, "add": true}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("inbox_health"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("inbox_banner"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("refresh_health"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("complete_registration"),
            target: Unregistered(1),
            body: account_inbox,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("set_two_step_pin"),
            target: Main,
            body: account_inbox,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("request_verification_code"),
            target: Unregistered(1),
            body: |i| json!({"account_id": i.account, "inbox_id": i.inbox, "code_method": "SMS", "language": "en_US"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("verify_code"),
            target: Main,
            body: |i| json!({"account_id": i.account, "inbox_id": i.inbox, "code": "123456"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("request_display_name"),
            target: Unregistered(0),
            body: |i| json!({"account_id": i.account, "inbox_id": i.inbox, "new_display_name": "Matrix Form Name"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("inbox_history"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("inbox_activity"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("notifications"),
            target: Main,
            body: account_only,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Sfn("mark_notifications_read"),
            target: Main,
            body: account_only,
            expect: ACCOUNT_READ,
        },
        Row {
            door: Sfn("webhook_check"),
            target: Main,
            body: account_inbox,
            expect: INBOX_READ,
        },
        Row {
            door: Sfn("repair_webhooks"),
            target: Main,
            body: account_inbox,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("alert_webhooks"),
            target: Main,
            body: account_only,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("create_alert_webhook"),
            target: Main,
            body: |i| {
                json!({"account_id": i.account, "url": "https://hooks.example.com/matrix-sfn",
                "secret": "matrix-secret-9876543210", "format": "json"})
            },
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("test_alert_webhook"),
            // Not the REST row's webhook: "Send test" is rate-limited per webhook (once per 10 s).
            target: Doomed(1),
            body: account_hook,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("delete_alert_webhook"),
            target: Doomed(1),
            body: account_hook,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("delete_inbox"),
            target: Doomed(1),
            body: account_inbox,
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("invite_member"),
            target: Main,
            body: |i| json!({"account_id": i.account, "email": "ivy-sfn@example.com", "role": "agent"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("set_member_role"),
            target: Main,
            body: |i| json!({"account_id": i.account, "user_id": i.user, "role": "agent"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("remove_member"),
            target: Doomed(1),
            body: |i| json!({"account_id": i.account, "user_id": i.user}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("rename_account"),
            target: Main,
            body: |i| json!({"account_id": i.account, "name": "Acme"}),
            expect: ADMIN_ONLY,
        },
        Row {
            door: Sfn("update_profile"),
            target: Main,
            body: |_| json!({"name": "Named by the matrix", "locale": "en"}),
            expect: SIGNED_IN,
        },
        // The same password again: allowed for everybody signed in; the caller's session stays.
        Row {
            door: Sfn("change_password"),
            target: Main,
            body: |_| json!({"current_password": PASSWORD, "password": PASSWORD}),
            expect: SIGNED_IN,
        },
        // The invitation page is public: an unknown link is refused alike for everybody.
        Row {
            door: Sfn("invitation"),
            target: Main,
            body: |_| json!({"token": "0".repeat(64)}),
            expect: [UNPROCESSABLE; 5],
        },
        Row {
            door: Sfn("accept_invitation"),
            target: Main,
            body: |_| json!({"token": "0".repeat(64), "name": "Eve", "password": PASSWORD}),
            expect: [UNPROCESSABLE; 5],
        },
        // Last: it ends the caller's session.
        Row {
            door: Sfn("logout"),
            target: Main,
            body: no_body,
            expect: PUBLIC,
        },
    ]
}

/// The setup: two accounts, four signed-in users, inboxes and alert webhooks to act on.
struct World {
    app: TestApp,
    clients: Vec<(Role, reqwest::Client)>,
    account: i64,
    member_user: i64,
    nonmember_user: i64,
    main_inbox: i64,
    doomed_inboxes: [i64; 2],
    unregistered_inboxes: [i64; 2],
    members_inbox: i64,
    main_hook: i64,
    doomed_hooks: [i64; 2],
    doomed_users: [i64; 2],
}

impl World {
    fn ids(&self, target: Target) -> Ids {
        let (inbox, hook, user) = match target {
            Target::Main => (self.main_inbox, self.main_hook, self.nonmember_user),
            Target::Doomed(n) => (
                self.doomed_inboxes[n],
                self.doomed_hooks[n],
                self.doomed_users[n],
            ),
            Target::Unregistered(n) => (
                self.unregistered_inboxes[n],
                self.main_hook,
                self.nonmember_user,
            ),
            Target::Members => (self.members_inbox, self.main_hook, self.nonmember_user),
        };
        Ids {
            account: self.account,
            inbox,
            hook,
            member_user: self.member_user,
            nonmember_user: self.nonmember_user,
            user,
            fresh: [
                self.app.number(Scenario::NotVerified),
                self.app.number(Scenario::NameDeclined),
            ],
        }
    }

    fn client(&self, role: Role) -> &reqwest::Client {
        &self
            .clients
            .iter()
            .find(|(r, _)| *r == role)
            .expect("a client per role")
            .1
    }
}

/// A cookie-keeping client that asks for JSON, so refused server functions answer their status
/// instead of redirecting a browser form back.
fn json_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
}

async fn add_alert_webhook(app: &TestApp, token: &str, account: i64, url: &str) -> i64 {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account}/alert_webhooks")))
        .header("api_access_token", token)
        .json(&json!({"url": url, "secret": "setup-secret-0123456789"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "alert webhook for the matrix");
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn add_member(app: &TestApp, token: &str, account: i64, inbox: i64, user: i64) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account}/inbox_members")))
        .header("api_access_token", token)
        .json(&json!({"inbox_id": inbox, "user_ids": [user]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "membership for the matrix");
}

/// A receiver that answers 200 to everything, for the alert webhooks' test sends.
async fn sink() -> String {
    let router = axum::Router::new().route("/hook", axum::routing::post(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/hook")
}

async fn world() -> World {
    // Alert deliveries go to a receiver on loopback.
    let app = spawn_app_with(&["--alert-allow-private-networks"]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let member = app.user("mia@example.com", "Acme", "agent").await;
    let nonmember = app.user("nat@example.com", "Acme", "agent").await;
    let other = app.user("oz@example.com", "Other", "administrator").await;
    let doomed_users = [
        app.user("dee@example.com", "Acme", "agent").await.user_id,
        app.user("dom@example.com", "Acme", "agent").await.user_id,
    ];
    assert_ne!(admin.account_id, other.account_id);
    let account = admin.account_id;
    let token = admin.access_token.clone();
    let main_inbox = create_inbox(&app, &token, account, Scenario::Healthy).await;
    add_member(&app, &token, account, main_inbox, member.user_id).await;
    // The simulator has one number per scenario, and an account holds a number once.
    let doomed_inboxes = [
        create_inbox(&app, &token, account, Scenario::HtmlName).await,
        create_inbox(&app, &token, account, Scenario::ConnectedExpired).await,
    ];
    let unregistered_inboxes = [
        create_inbox(&app, &token, account, Scenario::ApprovedUnregistered).await,
        create_inbox(&app, &token, account, Scenario::ThroughputNotApplicable).await,
    ];
    let members_inbox = create_inbox(&app, &token, account, Scenario::QualityRed).await;
    add_member(&app, &token, account, members_inbox, member.user_id).await;
    // The other account has data of its own, which must not change either.
    create_inbox(
        &app,
        &other.access_token,
        other.account_id,
        Scenario::Healthy,
    )
    .await;
    let url = sink().await;
    let main_hook = add_alert_webhook(&app, &token, account, &url).await;
    let doomed_hooks = [
        add_alert_webhook(&app, &token, account, &url).await,
        add_alert_webhook(&app, &token, account, &url).await,
    ];

    let mut clients = Vec::new();
    for (role, email) in [
        (Role::Anonymous, None),
        (Role::NonMember, Some("nat@example.com")),
        (Role::Member, Some("mia@example.com")),
        (Role::Admin, Some("ada@example.com")),
        (Role::OtherAdmin, Some("oz@example.com")),
    ] {
        let client = json_client();
        if let Some(email) = email {
            app.login(&client, email, PASSWORD).await;
            let r = client.get(app.url("/api/v1/profile")).send().await.unwrap();
            assert_eq!(r.status(), 200, "{email} is signed in");
        }
        clients.push((role, client));
    }
    World {
        app,
        clients,
        account,
        member_user: member.user_id,
        nonmember_user: nonmember.user_id,
        main_inbox,
        doomed_inboxes,
        unregistered_inboxes,
        members_inbox,
        main_hook,
        doomed_hooks,
        doomed_users,
    }
}

/// Every table's rows (sessions aside: every request slides its expiry) and the number of calls
/// Meta received.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    tables: BTreeMap<String, String>,
    graph_calls: usize,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    let tables = crate::helpers::all_rows(&app.services.db, &["sessions", "_sqlx_migrations"])
        .await
        .into_iter()
        .map(|(name, rows)| (name, rows.join("\n")))
        .collect();
    Snapshot {
        tables,
        graph_calls: app.sim.sim.calls().len(),
    }
}

/// True once the alert evaluator has walked every health snapshot and delivered what it queued,
/// so the tables only change when a request changes them.
async fn settled(app: &TestApp) -> bool {
    // 0/1, not a boolean: SQLite has no boolean type to decode.
    sqlx::query_scalar::<_, i64>(
        "SELECT CASE WHEN (SELECT COALESCE(MAX(id), 0) FROM health_snapshots)
                  <= (SELECT COALESCE(MIN(last_snapshot_id), 0) FROM alert_cursor)
            AND NOT EXISTS (SELECT 1 FROM outgoing_deliveries WHERE status = 'pending')
            THEN 1 ELSE 0 END",
    )
    .fetch_one(&app.services.db)
    .await
    .unwrap()
        == 1
}

fn fill(path: &str, ids: &Ids) -> String {
    path.replace("{account_id}", &ids.account.to_string())
        .replace("{inbox_id}", &ids.inbox.to_string())
        .replace("{id}", &ids.hook.to_string())
        .replace("{user_id}", &ids.user.to_string())
}

/// Form fields of a server function from a JSON object (null fields are left out).
fn form_fields(body: &Value) -> Vec<(String, String)> {
    body.as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn call(w: &World, row: &Row, role: Role) -> (StatusCode, String) {
    let ids = w.ids(row.target);
    let body = (row.body)(&ids);
    let client = w.client(role);
    let app = &w.app;
    // Same-origin like the UI, so the matrix tests authorization, not the CSRF defence.
    let req = match row.door {
        Door::Rest(method, path) => {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let req = client
                .request(method, app.url(&fill(path, &ids)))
                .header("origin", &app.address);
            if body.is_null() {
                req
            } else {
                req.json(&body)
            }
        }
        Door::Sfn(name) => client
            .post(app.url(&format!("/sfn/{name}")))
            .header("origin", &app.address)
            .header("accept", "application/json")
            .form(&form_fields(&body)),
    };
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.text().await.unwrap_or_default())
}

fn describe(door: Door) -> String {
    match door {
        Door::Rest(m, p) => format!("{m} {p}"),
        Door::Sfn(n) => format!("/sfn/{n}"),
    }
}

fn is_refusal(status: u16) -> bool {
    status >= 400
}

#[tokio::test]
async fn every_door_answers_every_role_as_the_matrix_says_and_refusals_change_nothing() {
    let w = world().await;
    let rows = matrix();
    assert!(
        eventually(20, || settled(&w.app)).await,
        "the alert evaluator never caught up with the setup"
    );
    let mut wrong = Vec::new();

    // Phase one: every refused call leaves every table and Meta alone.
    let before = snapshot(&w.app).await;
    assert_eq!(
        before.tables["inboxes"].lines().count(),
        7,
        "the snapshot sees the setup's rows"
    );
    assert!(
        before.graph_calls > 0,
        "the snapshot sees the setup's Graph calls"
    );
    for row in &rows {
        for (role, expected) in ROLES.iter().zip(row.expect) {
            if !is_refusal(expected) {
                continue;
            }
            let (status, text) = call(&w, row, *role).await;
            if status.as_u16() != expected {
                wrong.push(format!(
                    "{} as {role:?}: {status}, expected {expected}: {text}",
                    describe(row.door)
                ));
            }
            let after = snapshot(&w.app).await;
            if after != before {
                let changed: Vec<_> = after
                    .tables
                    .iter()
                    .filter(|(t, rows)| before.tables.get(*t) != Some(rows))
                    .map(|(t, _)| t.clone())
                    .collect();
                panic!(
                    "{} as {role:?} was refused ({status}) but changed {changed:?}, Graph calls {} -> {}",
                    describe(row.door),
                    before.graph_calls,
                    after.graph_calls
                );
            }
        }
    }

    // Phase two: the calls each role may make succeed (destructive rows act on their own objects).
    for row in &rows {
        for (role, expected) in ROLES.iter().zip(row.expect) {
            if is_refusal(expected) {
                continue;
            }
            let (status, text) = call(&w, row, *role).await;
            if status.as_u16() != expected {
                wrong.push(format!(
                    "{} as {role:?}: {status}, expected {expected}: {text}",
                    describe(row.door)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // The allowed destructive calls did what they say, on their own objects only.
    let inboxes: Vec<i64> = sqlx::query_scalar("SELECT id FROM inboxes ORDER BY id")
        .fetch_all(&w.app.services.db)
        .await
        .unwrap();
    for gone in w.doomed_inboxes {
        assert!(!inboxes.contains(&gone), "inbox {gone} deleted");
    }
    assert!(inboxes.contains(&w.main_inbox));
    let hooks: Vec<i64> = sqlx::query_scalar("SELECT id FROM outgoing_webhooks ORDER BY id")
        .fetch_all(&w.app.services.db)
        .await
        .unwrap();
    for gone in w.doomed_hooks {
        assert!(!hooks.contains(&gone), "alert webhook {gone} deleted");
    }
    assert!(hooks.contains(&w.main_hook));
    let users: Vec<i64> = sqlx::query_scalar("SELECT id FROM users ORDER BY id")
        .fetch_all(&w.app.services.db)
        .await
        .unwrap();
    for gone in w.doomed_users {
        assert!(!users.contains(&gone), "user {gone} removed");
    }
    assert!(users.contains(&w.nonmember_user));
}

// --- The guard: no door without a row. ---

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `endpoint = "..."` of every `#[server(...)]` attribute in the app crate.
fn server_functions_in_source() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&manifest_dir().join("../app/src"), &mut files);
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("#[server") {
            let attr = &text[at..at + text[at..].find(']').unwrap()];
            let name = attr
                .split("endpoint = \"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("{}: #[server] without an endpoint", file.display()));
            names.insert(name.to_string());
        }
    }
    names
}

/// (METHOD, path) of every REST route (from the OpenAPI document, which the REST router is built
/// from) and of every `.route("path", ...)` in the startup router.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let doc: Value = serde_json::from_str(&greenlight::http::api::openapi_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    for file in ["src/http/api/mod.rs", "src/startup.rs"] {
        let text = std::fs::read_to_string(manifest_dir().join(file)).unwrap();
        for part in text.split(".route(").skip(1) {
            let path = part.split('"').nth(1).unwrap().to_string();
            // The handlers of this route run up to the next `.route(`, `.merge(`, `.layer(` or `;`.
            let end = ["\n        .", ";"]
                .iter()
                .filter_map(|m| part.find(m))
                .min()
                .unwrap_or(part.len());
            let handlers = &part[..end];
            if path == "/sfn/{*name}" {
                continue; // The server functions, listed one by one above.
            }
            for method in ["get", "post", "patch", "put", "delete"] {
                let used = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                    i == 0
                        || !handlers.as_bytes()[i - 1].is_ascii_alphanumeric()
                            && handlers.as_bytes()[i - 1] != b'_'
                });
                if used {
                    routes.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    routes
}

#[test]
fn the_matrix_has_a_row_for_every_route_and_every_server_function() {
    let rows = matrix();
    let mut rest = BTreeSet::new();
    let mut sfn = BTreeSet::new();
    for row in &rows {
        match row.door {
            Door::Rest(m, p) => {
                assert!(rest.insert((m.to_string(), p.to_string())), "{m} {p} twice")
            }
            Door::Sfn(n) => assert!(sfn.insert(n.to_string()), "{n} twice"),
        }
    }
    let source_routes = routes_in_source();
    assert!(
        source_routes.len() > 20,
        "the route parser found {source_routes:?}"
    );
    assert_eq!(
        source_routes, rest,
        "REST routes in the source (left) vs the matrix (right)"
    );
    let source_fns = server_functions_in_source();
    assert!(
        source_fns.len() > 20,
        "the #[server] parser found {source_fns:?}"
    );
    assert_eq!(
        source_fns, sfn,
        "server functions in the source (left) vs the matrix (right)"
    );
}
