//! `serve --demo`: the built-in Graph API simulator, a demo account with an administrator and an
//! agent, and one WhatsApp inbox per simulated number, so a newcomer sees real screens at once.
//!
//! - [`start_simulator`] runs the simulator in-process on `127.0.0.1` (its `/__sim/` control API
//!   is unauthenticated, so it never listens on another interface) and [`point_at_simulator`]
//!   makes sure the demo never calls the real Meta.
//! - [`seed`] creates the demo users; [`seed_inboxes`] creates the inboxes as the demo
//!   administrator through [`Services::create_inbox`], so setup and the first health snapshot run
//!   for real. Both are idempotent: a restart with the same data directory creates nothing twice.
//! - [`seed_enforcement`] has the simulator send the signed `account_update` webhooks that put
//!   the restricted and banned demo numbers' business accounts in their state, the way Meta
//!   would; they reach the account state through the webhook receiver like real ones.
//! - [`print_banner`] says where to sign in, with what, and that Meta is simulated.
//!
//! A demo must not leak into production: [`apply_demo_defaults`] gives it its own data directory
//! (`<data dir>/demo`) and the loopback interface unless told otherwise, [`claim_database`] refuses
//! a database that holds non-demo users or accounts and marks the ones it takes, and the demo
//! passwords and Meta webhook secret are random for every run (printed at start).
use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};

use rand::distributions::Alphanumeric;
use rand::Rng;

use app::auth::{CurrentUser, Role};
use app::error::AppError;

use crate::accounts::service::NewUser;
use crate::config::ServeArgs;
use crate::error::{ServiceError, ServiceResult};
use crate::inboxes::service::{InboxView, MemberChange, NewInbox};
use crate::services::Services;
use crate::simulator::{RunningSimulator, Scenario, SimNumber, Simulator};

/// The demo account's name.
pub const DEMO_ACCOUNT: &str = "Demo Company";

/// The inboxes the demo agent is a member of (the agent sees only these).
pub const AGENT_SCENARIOS: [Scenario; 3] = [
    Scenario::Healthy,
    Scenario::PendingReview,
    Scenario::QualityRed,
];

/// A demo user: who is created (the password is generated per run, see [`DemoCredential`]).
#[derive(Debug, Clone, Copy)]
pub struct DemoLogin {
    pub role: &'static str,
    pub email: &'static str,
    pub name: &'static str,
}

/// The demo users (only ever created in demo mode).
pub const DEMO_USERS: [DemoLogin; 2] = [
    DemoLogin {
        role: "administrator",
        email: "admin@greenlight.demo",
        name: "Ada Admin",
    },
    DemoLogin {
        role: "agent",
        email: "agent@greenlight.demo",
        name: "Andy Agent",
    },
];

/// A demo sign-in with this run's password. `Debug` hides the password (the banner prints it).
#[derive(Clone)]
pub struct DemoCredential {
    pub role: &'static str,
    pub email: &'static str,
    pub password: String,
}

impl std::fmt::Debug for DemoCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCredential")
            .field("role", &self.role)
            .field("email", &self.email)
            .field("password", &app::redact::Secret(&self.password))
            .finish()
    }
}

pub use crate::db::demo_mark::{DemoDbError, DEMO_APPLICATION_ID};

/// Which `serve` options were written on the command line (rather than coming from the
/// environment or a default): demo mode overrides only the others.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExplicitFlags {
    pub addr: bool,
    pub data_dir: bool,
    pub database_url: bool,
}

/// Demo defaults: `<data dir>/demo` instead of the data directory, no `DATABASE_URL` from the
/// environment, and `127.0.0.1` (same port) unless `--addr` was given.
pub fn apply_demo_defaults(args: &mut ServeArgs, explicit: ExplicitFlags) {
    if !explicit.data_dir {
        args.db.data_dir = args.db.data_dir.join("demo");
    }
    if !explicit.database_url {
        args.db.database_url = None;
    }
    if !explicit.addr {
        args.addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.addr.port()));
    }
}

/// Opens (creating it when missing) the SQLite database at `url` before anything is migrated
/// into it, and takes it for the demo: a database already marked as a demo one, or without any
/// user or account outside the demo, is marked with [`DEMO_APPLICATION_ID`]; any other is refused.
pub async fn claim_database(url: &str) -> Result<(), DemoDbError> {
    crate::db::demo_mark::claim(url, DEMO_ACCOUNT, "%@greenlight.demo").await
}

/// A random secret of `len` letters and digits (demo passwords, the demo's Meta app secret).
pub fn random_secret(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// The demo account and its two users, as [`seed`] left them. `Debug` hides the API token.
#[derive(Clone)]
pub struct DemoUsers {
    pub account_id: i64,
    pub admin: CurrentUser,
    pub agent: CurrentUser,
    /// The administrator's REST API token when the administrator was created by this call (it is
    /// stored only as a digest, so a later start cannot show it again).
    pub admin_api_token: Option<String>,
    pub credentials: Vec<DemoCredential>,
}

impl std::fmt::Debug for DemoUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoUsers")
            .field("account_id", &self.account_id)
            .field("admin", &self.admin)
            .field("agent", &self.agent)
            .field(
                "admin_api_token",
                &app::redact::OptSecret(&self.admin_api_token),
            )
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// What [`seed_inboxes`] did.
#[derive(Debug, Clone, Default)]
pub struct SeededInboxes {
    /// Inboxes created by this call, in the order they were created.
    pub created: Vec<InboxView>,
    /// Simulated numbers that already had an inbox in the demo account.
    pub already_present: usize,
}

/// Starts the Graph API simulator with every preset number on `127.0.0.1` (a free port). Keep the
/// handle alive as long as the server runs: dropping it stops the simulator.
pub async fn start_simulator() -> std::io::Result<RunningSimulator> {
    Simulator::with_presets()
        .spawn(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
}

/// Points the Graph client at the simulator, whatever `GRAPH_API_BASE_URL` says: a demo must
/// never call the real Meta. The simulator signs its webhooks with a secret made for this run.
pub fn point_at_simulator(
    args: &mut ServeArgs,
    simulator: &RunningSimulator,
) -> Result<(), String> {
    let url = url::Url::parse(&simulator.base_url).map_err(|e| {
        format!(
            "the simulator's URL {} is not valid: {e}",
            simulator.base_url
        )
    })?;
    if args.graph_api_base_url != url {
        tracing::info!(
            configured = %args.graph_api_base_url,
            simulator = %url,
            "demo mode: Graph API calls go to the built-in simulator"
        );
    }
    args.graph_api_base_url = url;
    args.meta_app_secret = Some(random_secret(32));
    // Every simulated token belongs to the simulator's app: Greenlight's own in the demo.
    args.meta_app_id = Some(crate::simulator::APP_ID.to_string());
    Ok(())
}

/// Sends the simulator's Meta-style webhooks to this server's receiver, signed with `app_secret`
/// (the one [`point_at_simulator`] configured).
pub fn send_webhooks_to(simulator: &RunningSimulator, public_url: &url::Url, app_secret: &str) {
    if let Ok(target) = public_url.join("/webhooks/whatsapp") {
        simulator
            .sim
            .set_webhook_target(target.to_string(), app_secret.to_string());
    }
}

/// Creates the demo users when missing, with passwords generated for this run (existing demo
/// users get the new ones); safe to run at every start.
pub async fn seed(services: &Services) -> ServiceResult<DemoUsers> {
    let mut admin_api_token = None;
    let mut ids = Vec::with_capacity(DEMO_USERS.len());
    let mut credentials = Vec::with_capacity(DEMO_USERS.len());
    for login in DEMO_USERS.iter() {
        let password = random_secret(20);
        let created = services
            .accounts
            .create_user(NewUser {
                email: login.email.into(),
                name: login.name.into(),
                password: password.clone(),
                account: DEMO_ACCOUNT.into(),
                role: login.role.into(),
            })
            .await;
        let user_id = match created {
            Ok(created) => {
                if login.role == "administrator" {
                    admin_api_token = Some(created.access_token);
                }
                created.user_id
            }
            Err(ServiceError::App(AppError::Invalid { field, .. })) if field == "email" => {
                let id = services
                    .accounts
                    .store()
                    .user_by_email(login.email)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::Internal(format!("demo user {} vanished", login.email))
                    })?
                    .id;
                let hash = crate::auth::password::hash(password.clone()).await;
                services
                    .accounts
                    .store()
                    .set_password_hash(id, &hash)
                    .await?;
                id
            }
            Err(e) => return Err(e),
        };
        ids.push(user_id);
        credentials.push(DemoCredential {
            role: login.role,
            email: login.email,
            password,
        });
    }
    let admin = services.accounts.user(ids[0]).await?;
    let agent = services.accounts.user(ids[1]).await?;
    let account_id = admin
        .accounts
        .iter()
        .find(|m| m.account_name == DEMO_ACCOUNT && m.role == Role::Administrator)
        .map(|m| m.account_id)
        .ok_or_else(|| {
            ServiceError::Internal(format!(
                "{} exists but is not an administrator of {DEMO_ACCOUNT}",
                DEMO_USERS[0].email
            ))
        })?;
    if agent.role_in(account_id).is_none() {
        return Err(ServiceError::Internal(format!(
            "{} exists but is not a member of {DEMO_ACCOUNT}",
            DEMO_USERS[1].email
        )));
    }
    Ok(DemoUsers {
        account_id,
        admin,
        agent,
        admin_api_token,
        credentials,
    })
}

/// The order inboxes are seeded in: the scenarios' order, with the slow number last so that
/// its timeouts delay nothing else.
pub fn seeding_order(numbers: &[SimNumber]) -> Vec<SimNumber> {
    let mut ordered: Vec<SimNumber> = numbers.to_vec();
    ordered.sort_by_key(|n| (n.scenario == Scenario::Slow, n.scenario));
    ordered
}

/// Creates one WhatsApp inbox per simulated number in the demo account, named after the
/// scenario, as the demo administrator (setup and the first health snapshot run against the
/// simulator). Numbers that already have an inbox in the account are skipped. The demo agent
/// becomes a member of the new inboxes of [`AGENT_SCENARIOS`].
pub async fn seed_inboxes(
    services: &Services,
    users: &DemoUsers,
    numbers: &[SimNumber],
) -> ServiceResult<SeededInboxes> {
    let existing: HashSet<String> = services
        .inboxes
        .list_inboxes(&users.admin, users.account_id)
        .await?
        .into_iter()
        .map(|inbox| inbox.phone_number_id)
        .collect();
    let mut report = SeededInboxes::default();
    for number in seeding_order(numbers) {
        if existing.contains(&number.id) {
            report.already_present += 1;
            continue;
        }
        let created = services
            .inboxes
            .create_inbox(
                &users.admin,
                users.account_id,
                NewInbox {
                    name: number.scenario.label().to_string(),
                    phone_number: number.display_phone_number.clone(),
                    phone_number_id: number.id.clone(),
                    business_account_id: number.waba_id.clone(),
                    api_key: number.token.clone(),
                },
            )
            .await;
        let inbox = match created {
            Ok(inbox) => inbox,
            // Another instance seeding the same database got there first.
            Err(ServiceError::App(AppError::Invalid { field, .. }))
                if field == "phone_number_id" =>
            {
                report.already_present += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        if AGENT_SCENARIOS.contains(&number.scenario) {
            services
                .inboxes
                .change_members(
                    &users.admin,
                    users.account_id,
                    inbox.id,
                    &[users.agent.id],
                    MemberChange::Add,
                )
                .await?;
        }
        if number.scenario == Scenario::PinMismatch {
            // The number's PIN was set elsewhere: show it as Meta's `security` webhook would leave
            // it (possibly stale), with Set the PIN beside it.
            services
                .stores
                .pins
                .ensure(&services.secrets, &number.id, app::i18n::Locale::en)
                .await?;
            let now = crate::db::now_secs();
            services
                .stores
                .pins
                .mark_stale(
                    &number.id,
                    "PIN_CHANGED",
                    now + crate::registration::pin::OWN_CHANGE_SLACK_SECS + 1,
                    now,
                )
                .await?;
            services.reads.forget_number(&number.id).await;
        }
        tracing::info!(
            inbox_id = inbox.id,
            scenario = %number.scenario,
            setup_ok = inbox.setup_error.is_none(),
            "demo inbox created"
        );
        report.created.push(inbox);
    }
    Ok(report)
}

/// Has the simulator send, as signed webhooks to this server, the enforcement its presets start
/// with (`account_update`: a restricted WABA, a banned one) for each WABA of `numbers` that does
/// not show anything in force in Greenlight yet, and Meta's `account_alerts` (the limited
/// portfolio's "higher limit deferred") for each WABA that shows none yet. Run after [`seed_inboxes`]: an event for a WABA
/// without an inbox is ignored. Safe at every start: a WABA that already shows its enforcement
/// is sent nothing (and a repeated event would change nothing anyway); one whose restriction has
/// run out since is restricted again. Answers how many events were sent.
pub async fn seed_enforcement(
    services: &Services,
    simulator: &Simulator,
    numbers: &[SimNumber],
) -> ServiceResult<usize> {
    let now = chrono::Utc::now();
    let mut wabas: Vec<&str> = numbers.iter().map(|n| n.waba_id.as_str()).collect();
    wabas.sort_unstable();
    wabas.dedup();
    let mut sent = 0;
    for waba_id in wabas {
        let updates = !simulator.account_updates(waba_id).is_empty();
        let alerts = !simulator.account_alerts(waba_id).is_empty();
        if !updates && !alerts {
            continue;
        }
        let stored = services.stores.signals.of_waba(waba_id).await?;
        if updates && crate::signals::model::active(&stored, now).is_empty() {
            sent += simulator.replay_account_updates(waba_id);
        }
        if alerts && crate::signals::model::account_alerts(&stored).is_empty() {
            sent += simulator.replay_account_alerts(waba_id);
        }
    }
    Ok(sent)
}

/// Prints where to sign in, with what (this run's passwords), and that Meta is simulated.
pub fn print_banner(
    addr: &SocketAddr,
    users: &DemoUsers,
    simulator_url: &str,
    meta_app_secret: &str,
) {
    println!("Greenlight DEMO MODE: simulated Meta, demo data. Nothing is sent to the real Meta.");
    println!("  Sign in at        http://{addr}/login");
    for c in &users.credentials {
        println!("  {:<17} {:<24} password: {}", c.role, c.email, c.password);
    }
    if let Some(token) = &users.admin_api_token {
        println!(
            "  REST API token of {} (shown once): {token}",
            DEMO_USERS[0].email
        );
    }
    println!(
        "  Simulated Meta Graph API: {simulator_url} (control API: {simulator_url}/__sim/numbers)"
    );
    println!("  Meta webhook app secret (this run): {meta_app_secret}");
    println!("  Passwords and the webhook secret are new at every start.");
}

/// Prints the outcome of [`seed_inboxes`].
pub fn print_inboxes_ready(seeded: &SeededInboxes) {
    let failed = seeded
        .created
        .iter()
        .filter(|inbox| inbox.setup_error.is_some())
        .count();
    println!(
        "Demo inboxes ready in {DEMO_ACCOUNT}: {} created ({failed} with a setup problem, as simulated), {} already present.",
        seeded.created.len(),
        seeded.already_present
    );
}
