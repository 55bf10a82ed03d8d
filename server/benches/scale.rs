//! Scale (issue 10 §4): 10,000 numbers on SQLite and on PostgreSQL. For each backend it measures
//! how the background health refresh spreads its Graph reads over time (no minute above twice the
//! mean), the CPU time it costs, and the throughput of the cached health API against `/healthz`
//! of the same server.
//!
//! A measurement, not a test: it prints figures and a table and always exits 0; nothing is
//! asserted on time. Run it with `cargo bench -p greenlight --bench scale` (or `scripts/bench.sh`).
//!
//! Per backend, in a tokio runtime of its own (dropped afterwards, with the server's background
//! jobs):
//! 1. The Graph simulator with `SCALE_NUMBERS` copies of the healthy preset, 10 to a WABA of their
//!    own (`Simulator::add_copies_in_own_wabas`; one token for all, like a business's system
//!    user), Greenlight on a fresh database, one administrator, one inbox per number through
//!    `InboxService::create_inbox` (the full setup runs against the simulator, including the check
//!    that the WABA lists the number), 16 at a time. Seeding time and the Graph calls it made.
//! 2. The scheduler: `health::refresh::run_once` over SIMULATED time, one call per
//!    `refresh::TICK` for `SCALE_HOURS`, starting one maximum age (the server's default, 6 h) after
//!    now so that every snapshot is due. Reads per simulated minute (mean, max, max/mean),
//!    process CPU time and wall time of the whole window, CPU per read, and the number reads the
//!    simulator received (must equal the reads the reports count). On PostgreSQL the server's CPU
//!    is not in the process: the CPU of this database's backends is read from `/proc` separately.
//! 3. The cached health API: 200 of the inboxes, warmed, loaded round-robin by
//!    `BENCH_CONCURRENCY` keep-alive clients for `BENCH_SECS`; `GET /healthz` of the same server
//!    as the baseline; the Graph reads during the load (expected: 0).
//!
//! Knobs (environment): `SCALE_NUMBERS` (default 10000, at most 50000), `SCALE_HOURS` simulated
//! hours of scheduler (default 6, at most 48), `BENCH_SECS` (default 3, at most 60),
//! `BENCH_CONCURRENCY` (default 32, at most 256), `BENCH_POSTGRES_URL` the admin URL of a
//! PostgreSQL (e.g. what `scripts/pg.sh start DIR` prints) on which a fresh database is created
//! and dropped; unset: SQLite only. `SCALE_BACKENDS` (default `sqlite,postgres`) measures only
//! the backends it names, e.g. `postgres` alone.
//!
//! Why 10 numbers to a WABA: setup lists the number's whole WABA (100 numbers a page, at most
//! `graph::MAX_PAGES`). With all 10,000 copies in the preset's one WABA each setup read 50 pages
//! and then failed with "too many pages", about 2 inboxes a second on 2 cores (over an hour); a
//! real fleet is spread over many WABAs anyway. The simulator finds a number, a WABA's numbers and
//! a token's WABAs through maps, so its cost per call does not grow with the fleet.
//!
//! Measured at 10,000 numbers (`SCALE_NUMBERS=10000`, defaults otherwise: 6 simulated hours, API
//! load 3 s with 32 clients), bench profile, PostgreSQL 15 from `scripts/pg.sh`, 2 cores shared
//! with other builds (loadavg 5.6 at the start). Seeding and measuring both backends: 4 min 47 s.
//!
//! | figure                                 | SQLite                 | PostgreSQL              |
//! |----------------------------------------|------------------------|-------------------------|
//! | seeding 10,000 inboxes (5 Graph calls) | 23.6 s (424/s)         | 53.5 s (187/s)          |
//! | scheduler reads, 360 simulated min     | 13,420 (Meta: 13,420)  | 13,420 (Meta: 13,420)   |
//! | reads per simulated minute: mean / max | 37.3 / 38              | 37.3 / 38               |
//! | max / mean                             | 1.02                   | 1.02                    |
//! | process CPU / wall                     | 53.98 s / 48.81 s      | 24.60 s / 61.59 s       |
//! | process CPU per read                   | 4,022 µs               | 1,833 µs                |
//! | PostgreSQL backends' CPU               | —                      | 34.84 s (2,596 µs/read) |
//! | cached health API / `/healthz`, req/s  | 16,989 / 26,413 = 0.64 | 5,777 / 10,010 = 0.58   |
//! | Graph reads during the API load        | 0                      | 0                       |
//!
//! On PostgreSQL seeding slows as the tables grow: 385/s over the first 1,000 inboxes, 130–165/s
//! per 1,000 over the last 3,000 (SQLite: 300–570/s throughout). The scheduler's budget is 19
//! reads a tick (10,000 numbers over the 4.5 h target age, rounded up), so its first pass over
//! all 10,000 ends after 263 simulated minutes, 6 minutes before the first of them fall due
//! again: those 6 minutes have no read (min 0); max 38 = 2 ticks × 19. The backends ran one after
//! the other under different load from other processes (`/healthz` alone: 26,413 then 10,010
//! req/s): compare the ratios, not req/s across backends.
//!
//! Caveats: the process CPU includes the in-process simulator, the server's other background jobs
//! and, on SQLite, the database engine. Everything talks to 127.0.0.1 only; every loop is bounded
//! in time and count.
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Parser;
use futures::StreamExt;
use greenlight::accounts::service::NewUser;
use greenlight::cli::{Cli, Command};
use greenlight::health::refresh::{self, TickReport};
use greenlight::inboxes::service::{InboxView, NewInbox, SETUP_ANSWER_WITHIN, SETUP_RUNNING};
use greenlight::services::Services;
use greenlight::simulator::{RecordedCall, RunningSimulator, Scenario, SimNumber, Simulator};
use greenlight::startup::Application;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tempfile::TempDir;

const WARMUP: Duration = Duration::from_millis(500);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Also bounds each client in count, whatever the duration.
const MAX_REQUESTS_PER_CLIENT: u64 = 1_000_000;
const READY_WAIT: Duration = Duration::from_secs(10);
const PASSWORD: &str = "correct horse battery staple";
/// Inboxes created at the same time while seeding.
const SEED_CONCURRENCY: usize = 16;
/// Simulated numbers to a WABA (one listing page each at setup).
const NUMBERS_PER_WABA: usize = 10;
/// How long one seeding task waits for its inbox's setup to finish after `create_inbox` answered.
const SETUP_WAIT: Duration = Duration::from_secs(300);
/// After seeding, wait at most this long for the simulator to go quiet (no call in 1 s).
const QUIET_WAIT: Duration = Duration::from_secs(120);
/// Inboxes whose health the API load reads.
const HOT_INBOXES: usize = 200;
/// `sysconf(_SC_CLK_TCK)`: 100 on Linux (the unit of the CPU times in `/proc/*/stat`).
const CLK_TCK: f64 = 100.0;

struct Config {
    numbers: usize,
    hours: u64,
    secs: Duration,
    concurrency: usize,
    /// `SCALE_BACKENDS` as given (lower case), for the messages.
    backends: String,
    sqlite: bool,
    /// The admin URL, when PostgreSQL is to be measured.
    postgres: Option<String>,
}

fn env_number(name: &str, default: u64, max: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
        .min(max)
}

impl Config {
    fn from_env() -> Config {
        let backends = std::env::var("SCALE_BACKENDS")
            .ok()
            .map(|b| b.trim().to_ascii_lowercase())
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| "sqlite,postgres".into());
        Config {
            numbers: env_number("SCALE_NUMBERS", 10_000, 50_000) as usize,
            hours: env_number("SCALE_HOURS", 6, 48),
            secs: Duration::from_secs(env_number("BENCH_SECS", 3, 60)),
            concurrency: env_number("BENCH_CONCURRENCY", 32, 256) as usize,
            sqlite: backends.contains("sqlite"),
            postgres: std::env::var("BENCH_POSTGRES_URL")
                .ok()
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty() && backends.contains("postgres")),
            backends,
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (e.g. `cargo test --all-targets`) skips.
    if !std::env::args().any(|a| a == "--bench") {
        println!("scale: a measurement, not a test; run `cargo bench -p greenlight --bench scale`");
        return;
    }
    let cfg = Config::from_env();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "scale: {} numbers, {} simulated hours of scheduler, API load {} s with {} keep-alive \
         clients; {cores} cores; loadavg {}",
        cfg.numbers,
        cfg.hours,
        cfg.secs.as_secs(),
        cfg.concurrency,
        loadavg
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    );
    let mut rows = Vec::new();
    if cfg.sqlite {
        rows.push(run_backend(&cfg, Backend::Sqlite));
    } else {
        println!("SQLite: not measured (SCALE_BACKENDS={})", cfg.backends);
    }
    match &cfg.postgres {
        Some(admin) => rows.push(run_backend(&cfg, Backend::Postgres(admin.clone()))),
        None if cfg.backends.contains("postgres") => {
            println!("PostgreSQL: not measured (set BENCH_POSTGRES_URL)")
        }
        None => println!("PostgreSQL: not measured (SCALE_BACKENDS={})", cfg.backends),
    }
    print_table(&rows);
    println!(
        "note: reads/min are per SIMULATED minute; CPU is this process's (Greenlight, the \
         in-process simulator, the load generator and, on SQLite, the database engine); \
         \"DB server CPU\" is the PostgreSQL backends of the bench database. Nothing is asserted."
    );
}

enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server.
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A fresh PostgreSQL database, dropped by [`drop_database`].
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

/// One backend in a runtime of its own: dropping the runtime stops the server, its background
/// jobs and the simulator, so they do not run during the next backend's measurement.
fn run_backend(cfg: &Config, backend: Backend) -> Vec<String> {
    println!("\n=== {}", backend.name());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            println!("scale: cannot start the tokio runtime: {e}");
            return not_measured_row(backend.name());
        }
    };
    let pg = match &backend {
        Backend::Sqlite => None,
        Backend::Postgres(admin) => match runtime.block_on(create_database(admin)) {
            Ok(db) => Some(db),
            Err(e) => {
                println!("scale: PostgreSQL: cannot create a database: {e}");
                return not_measured_row(backend.name());
            }
        },
    };
    let figures = runtime.block_on(measure(cfg, pg.as_ref()));
    // Servers still run in spawned tasks; do not wait for them.
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Some(db) = pg {
        drop_database(db);
    }
    match figures {
        Ok(f) => f.row(backend.name()),
        Err(e) => {
            println!("scale: {}: not measured: {e}", backend.name());
            not_measured_row(backend.name())
        }
    }
}

async fn create_database(admin: &str) -> Result<PgDatabase, String> {
    use sqlx::Connection;
    let name = format!("gl_bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let _ = conn.close().await;
    let mut url = url::Url::parse(admin).map_err(|e| e.to_string())?;
    url.set_path(&format!("/{name}"));
    Ok(PgDatabase {
        admin: admin.to_string(),
        name,
        url: url.to_string(),
    })
}

/// Drops the bench database (FORCE ends what the stopped server may still hold).
fn drop_database(db: PgDatabase) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        println!("scale: could not drop the database {}", db.name);
        return;
    };
    rt.block_on(async {
        use sqlx::Connection;
        let dropped = match sqlx::PgConnection::connect(&db.admin).await {
            Ok(mut conn) => {
                let r = sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    db.name
                ))
                .execute(&mut conn)
                .await;
                let _ = conn.close().await;
                r.map(|_| ()).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = dropped {
            println!("scale: could not drop the database {}: {e}", db.name);
        }
    });
}

/// Everything measured on one backend.
struct Figures {
    numbers: usize,
    seed_secs: f64,
    sched: Result<Sched, String>,
    api: Result<Api, String>,
}

struct Sched {
    reads: usize,
    minutes: usize,
    max_minute: usize,
    cpu: Option<Duration>,
    wall: Duration,
    db_cpu: Option<Duration>,
    meta_reads: usize,
}

impl Sched {
    fn mean(&self) -> f64 {
        self.reads as f64 / self.minutes.max(1) as f64
    }

    fn ratio(&self) -> f64 {
        self.max_minute as f64 / self.mean().max(1e-9)
    }
}

struct Api {
    health_rps: f64,
    healthz_rps: f64,
    graph_reads: usize,
}

const HEAD: [&str; 15] = [
    "backend",
    "numbers",
    "seeding s",
    "reads",
    "mean/min",
    "max/min",
    "max/mean",
    "max<=2x",
    "CPU s",
    "wall s",
    "CPU/read us",
    "DB server CPU s",
    "Meta reads",
    "health/healthz req/s",
    "Graph reads (load)",
];

fn not_measured_row(backend: &str) -> Vec<String> {
    let mut row = vec![backend.to_string()];
    row.resize(HEAD.len(), "not measured".into());
    row
}

fn secs(d: Option<Duration>) -> String {
    d.map_or("n/a".into(), |d| format!("{:.2}", d.as_secs_f64()))
}

impl Figures {
    fn row(&self, backend: &str) -> Vec<String> {
        let mut row = vec![
            backend.to_string(),
            self.numbers.to_string(),
            format!("{:.1}", self.seed_secs),
        ];
        match &self.sched {
            Ok(s) => row.extend([
                s.reads.to_string(),
                format!("{:.1}", s.mean()),
                s.max_minute.to_string(),
                format!("{:.2}", s.ratio()),
                yes_no(s.reads > 0 && s.max_minute as f64 <= 2.0 * s.mean()).into(),
                secs(s.cpu),
                format!("{:.2}", s.wall.as_secs_f64()),
                s.cpu.map_or("n/a".into(), |c| {
                    format!("{:.0}", c.as_secs_f64() * 1e6 / s.reads.max(1) as f64)
                }),
                secs(s.db_cpu),
                format!("{} (reports {})", s.meta_reads, s.reads),
            ]),
            Err(_) => row.extend(std::iter::repeat_n("not measured".to_string(), 10)),
        }
        match &self.api {
            Ok(a) => row.extend([
                format!(
                    "{:.0}/{:.0} = {:.2}",
                    a.health_rps,
                    a.healthz_rps,
                    a.health_rps / a.healthz_rps.max(1e-9)
                ),
                a.graph_reads.to_string(),
            ]),
            Err(_) => row.extend(std::iter::repeat_n("not measured".to_string(), 2)),
        }
        row
    }
}

fn yes_no(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "no"
    }
}

fn print_table(rows: &[Vec<String>]) {
    let head: Vec<String> = HEAD.iter().map(|h| h.to_string()).collect();
    let widths: Vec<usize> = (0..HEAD.len())
        .map(|i| {
            rows.iter()
                .chain([&head])
                .map(|r| r.get(i).map_or(0, String::len))
                .max()
                .unwrap_or(0)
        })
        .collect();
    println!();
    for (n, r) in [&head].into_iter().chain(rows).enumerate() {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let cell = r.get(i).map_or("", String::as_str);
                if i == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        println!("{}", cells.join("  "));
        if n == 0 {
            println!(
                "{}",
                "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
            );
        }
    }
    println!();
}

/// utime + stime, in clock ticks, of a `/proc/*/stat` line.
fn cpu_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

fn ticks_to_duration(ticks: u64) -> Duration {
    Duration::from_secs_f64(ticks as f64 / CLK_TCK)
}

/// CPU time of this process so far (all threads).
fn process_cpu() -> Option<u64> {
    cpu_ticks(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// CPU ticks of every backend of the database `db` (PostgreSQL on this host), by pid.
async fn pg_backend_ticks(db: &PgDatabase) -> Result<HashMap<i32, u64>, String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&db.admin)
        .await
        .map_err(|e| e.to_string())?;
    let pids: Vec<i32> = sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE datname = $1")
        .bind(&db.name)
        .fetch_all(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let _ = conn.close().await;
    let ticks: HashMap<i32, u64> = pids
        .iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            Some((*pid, cpu_ticks(&stat)?))
        })
        .collect();
    if ticks.is_empty() && !pids.is_empty() {
        return Err("the backends are not readable in /proc (another host?)".into());
    }
    Ok(ticks)
}

/// The phone number id a call read, when it is a `GET /{version}/{phone_number_id}`.
fn read_number<'a>(call: &'a RecordedCall, ids: &HashSet<String>) -> Option<&'a str> {
    if !call.method.eq_ignore_ascii_case("GET") {
        return None;
    }
    let last = call.path.rsplit('/').next()?;
    ids.contains(last).then_some(last)
}

fn number_reads(calls: &[RecordedCall], ids: &HashSet<String>) -> usize {
    calls
        .iter()
        .filter(|c| read_number(c, ids).is_some())
        .count()
}

/// Graph calls by kind, while seeding.
#[derive(Default)]
struct CallCount {
    number_reads: usize,
    list_pages: usize,
    other: usize,
}

impl CallCount {
    fn add(&mut self, calls: &[RecordedCall], ids: &HashSet<String>) {
        for c in calls {
            if read_number(c, ids).is_some() {
                self.number_reads += 1;
            } else if c.method.eq_ignore_ascii_case("GET") && c.path.ends_with("/phone_numbers") {
                self.list_pages += 1;
            } else {
                self.other += 1;
            }
        }
    }

    fn total(&self) -> usize {
        self.number_reads + self.list_pages + self.other
    }
}

/// Polls `url` until it answers 2xx; `false` after `READY_WAIT`.
async fn wait_ready(probe: &reqwest::Client, url: &str) -> bool {
    let t0 = Instant::now();
    while t0.elapsed() < READY_WAIT {
        if let Ok(r) = probe.get(url).send().await {
            if r.status().is_success() {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

struct Greenlight {
    base: String,
    services: Services,
    sim: RunningSimulator,
    max_age: Duration,
    _data_dir: TempDir,
}

/// The simulator with `n` healthy copies ([`NUMBERS_PER_WABA`] to a WABA), and Greenlight on
/// `db_url` (SQLite in the data directory when `None`).
async fn start(n: usize, pg: Option<&PgDatabase>) -> Result<(Greenlight, Vec<SimNumber>), String> {
    let simulator = Simulator::with_presets();
    simulator.set_provisioning_delay(Duration::ZERO);
    let numbers = simulator.add_copies_in_own_wabas(Scenario::Healthy, n, NUMBERS_PER_WABA);
    let sim = simulator
        .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| format!("simulator: {e}"))?;
    let data_dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let dir = data_dir
        .path()
        .to_str()
        .ok_or("the temporary directory is not UTF-8")?
        .to_string();
    let db_url = match pg {
        Some(db) => db.url.clone(),
        None => format!("sqlite://{dir}/greenlight.db"),
    };
    // A long cache TTL: the warm-cache figure must not include an expiry in the middle of a run.
    let cli = Cli::try_parse_from([
        "greenlight",
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        &dir,
        "--database-url",
        &db_url,
        "--graph-api-base-url",
        &sim.base_url,
        "--health-cache-ttl",
        "10m",
    ])
    .map_err(|e| e.to_string())?;
    let Command::Serve(args) = cli.command else {
        return Err("the command line did not parse as `serve`".into());
    };
    let app = Application::build(&args)
        .await
        .map_err(|e| format!("build: {e}"))?;
    let base = format!("http://{}", app.addr);
    let services = app.services.clone();
    tokio::spawn(app.run_until_stopped());
    Ok((
        Greenlight {
            base,
            services,
            sim,
            max_age: args.health_max_age,
            _data_dir: data_dir,
        },
        numbers,
    ))
}

async fn measure(cfg: &Config, pg: Option<&PgDatabase>) -> Result<Figures, String> {
    let probe = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let (gl, numbers) = start(cfg.numbers, pg).await?;
    if !wait_ready(&probe, &format!("{}/readyz", gl.base)).await {
        return Err("/readyz did not answer within 10 s".into());
    }
    let ids: HashSet<String> = numbers.iter().map(|n| n.id.clone()).collect();
    let user = gl
        .services
        .accounts
        .create_user(NewUser {
            email: "scale@example.com".into(),
            name: "Scale Admin".into(),
            password: PASSWORD.into(),
            account: "Scale".into(),
            role: "administrator".into(),
        })
        .await
        .map_err(|e| format!("create user: {e:?}"))?;
    let admin = gl
        .services
        .accounts
        .user(user.user_id)
        .await
        .map_err(|e| format!("the new user: {e}"))?;

    let account_id = user.account_id;

    // 1. Seeding.
    let t0 = Instant::now();
    let mut calls = CallCount::default();
    let chunk = (cfg.numbers / 10).clamp(100, 1000);
    let mut created = 0usize;
    let mut refused = 0usize;
    let mut background = 0usize;
    let mut first_refusal = None;
    for (i, part) in numbers.chunks(chunk).enumerate() {
        let answers: Vec<_> = futures::stream::iter(part.iter().enumerate())
            .map(|(j, n)| {
                let services = gl.services.clone();
                let admin = admin.clone();
                let input = NewInbox {
                    name: format!("Scale {}", i * chunk + j + 1),
                    phone_number: n.display_phone_number.clone(),
                    phone_number_id: n.id.clone(),
                    business_account_id: n.waba_id.clone(),
                    api_key: n.token.clone(),
                };
                async move {
                    let view = services
                        .inboxes
                        .create_inbox(&admin, account_id, input)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<bool, String>(setup_went_on(&services, &view).await)
                }
            })
            .buffer_unordered(SEED_CONCURRENCY)
            .collect()
            .await;
        for a in answers {
            match a {
                Ok(went_on) => {
                    created += 1;
                    background += usize::from(went_on);
                }
                Err(e) => {
                    refused += 1;
                    first_refusal.get_or_insert(e);
                }
            }
        }
        // The log of this chunk, then forget it (10,000 setups make a large log).
        calls.add(&gl.sim.sim.calls(), &ids);
        gl.sim.sim.clear_calls();
        let done = created + refused;
        let el = t0.elapsed().as_secs_f64();
        println!(
            "  seeding: {done}/{} inboxes after {el:.1} s ({:.0}/s), {} Graph calls so far",
            numbers.len(),
            done as f64 / el.max(1e-9),
            calls.total(),
        );
    }
    let answered = t0.elapsed();
    // A safety net: a setup still going on (see `setup_went_on`) would overlap the scheduler.
    let mut quiet = 0;
    let wait_from = Instant::now();
    while quiet < 2 && wait_from.elapsed() < QUIET_WAIT {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let log = gl.sim.sim.calls();
        gl.sim.sim.clear_calls();
        if log.is_empty() {
            quiet += 1;
        } else {
            quiet = 0;
            calls.add(&log, &ids);
        }
    }
    // The quiet wait itself is not seeding.
    let seed_secs = (t0.elapsed() - Duration::from_millis(500 * quiet)).as_secs_f64();
    let inboxes = gl
        .services
        .inboxes
        .list_inboxes(&admin, user.account_id)
        .await
        .map_err(|e| format!("list inboxes: {e}"))?;
    let mut setup_errors: HashMap<String, usize> = HashMap::new();
    for inbox in &inboxes {
        if let Some(e) = &inbox.setup_error {
            *setup_errors.entry(e.clone()).or_default() += 1;
        }
    }
    println!(
        "  seeding: {} inboxes in {seed_secs:.1} s ({:.0}/s; all setups done after {:.1} s; {} \
         setups outlasted their {} s answer and were waited for), {} refused{}",
        inboxes.len(),
        inboxes.len() as f64 / seed_secs.max(1e-9),
        answered.as_secs_f64(),
        background,
        SETUP_ANSWER_WITHIN.as_secs(),
        refused,
        first_refusal.map_or(String::new(), |e| format!(" (first: {e})")),
    );
    println!(
        "  seeding Graph calls: {} ({} number reads, {} phone_numbers list pages, {} other; \
         {:.1} per inbox)",
        calls.total(),
        calls.number_reads,
        calls.list_pages,
        calls.other,
        calls.total() as f64 / inboxes.len().max(1) as f64,
    );
    let mut errors: Vec<_> = setup_errors.into_iter().collect();
    errors.sort_by_key(|e| std::cmp::Reverse(e.1));
    for (e, count) in errors.iter().take(3) {
        println!("  setup error on {count} inboxes: {e}");
    }
    if inboxes.is_empty() {
        return Err("no inbox was created".into());
    }

    // 2. The scheduler over simulated time.
    let sched = scheduler(cfg, &gl, pg, &ids).await;
    if let Err(e) = &sched {
        println!("  scheduler: not measured: {e}");
    }

    // 3. The cached health API.
    let mut inbox_ids: Vec<i64> = inboxes.iter().map(|i| i.id).collect();
    inbox_ids.sort_unstable();
    let step = (inbox_ids.len() / HOT_INBOXES).max(1);
    let hot: Vec<i64> = inbox_ids
        .iter()
        .step_by(step)
        .take(HOT_INBOXES)
        .copied()
        .collect();
    let api = health_api(
        cfg,
        &gl,
        &probe,
        user.account_id,
        &user.access_token,
        &hot,
        &ids,
    )
    .await;
    if let Err(e) = &api {
        println!("  cached health API: not measured: {e}");
    }
    Ok(Figures {
        numbers: inboxes.len(),
        seed_secs,
        sched,
        api,
    })
}

/// `create_inbox` answers within [`SETUP_ANSWER_WITHIN`] and lets a longer setup go on in the
/// background; waits (at most [`SETUP_WAIT`]) until it is done, so that no more than
/// [`SEED_CONCURRENCY`] setups run at once. `true` when the setup went on after the answer.
async fn setup_went_on(services: &Services, view: &InboxView) -> bool {
    if view.setup_error.as_deref() != Some(SETUP_RUNNING) {
        return false;
    }
    let until = Instant::now() + SETUP_WAIT;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
        match services.stores.inboxes.get_unscoped(view.id).await {
            Ok(Some(row)) if row.setup_error.as_deref() == Some(SETUP_RUNNING) => {}
            _ => break,
        }
    }
    true
}

async fn scheduler(
    cfg: &Config,
    gl: &Greenlight,
    pg: Option<&PgDatabase>,
    ids: &HashSet<String>,
) -> Result<Sched, String> {
    let tick = refresh::TICK;
    let ticks = (cfg.hours * 3600 / tick.as_secs()) as usize;
    let minutes = (ticks * tick.as_secs() as usize).div_ceil(60);
    let start =
        Utc::now() + chrono::Duration::from_std(gl.max_age).map_err(|e| format!("max age: {e}"))?;
    println!(
        "  scheduler: {ticks} ticks of {} s (max age {} h, at most {} reads per tick), simulated \
         from now + max age",
        tick.as_secs(),
        gl.max_age.as_secs_f64() / 3600.0,
        refresh::budget_per_tick(ids.len(), tick, gl.max_age),
    );
    gl.sim.sim.clear_calls();
    let db_before = match pg {
        Some(db) => Some(pg_backend_ticks(db).await),
        None => None,
    };
    let mut per_minute = vec![0usize; minutes.max(1)];
    let mut total = TickReport::default();
    let mut slowest = Duration::ZERO;
    let mut hour_reads = 0usize;
    let cpu0 = process_cpu();
    let wall0 = Instant::now();
    let mut hour_wall = wall0;
    for i in 0..ticks {
        let offset = tick * i as u32;
        let now = start
            + chrono::Duration::from_std(offset).map_err(|e| format!("simulated time: {e}"))?;
        let t = Instant::now();
        let r = refresh::run_once(&gl.services.health, &gl.services.instance, now, gl.max_age)
            .await
            .map_err(|e| format!("tick {i}: {e}"))?;
        slowest = slowest.max(t.elapsed());
        per_minute[offset.as_secs() as usize / 60] += r.read;
        hour_reads += r.read;
        total.read += r.read;
        total.claimed_elsewhere += r.claimed_elsewhere;
        total.already_fresh += r.already_fresh;
        total.failed += r.failed;
        let next = tick * (i as u32 + 1);
        if next.as_secs().is_multiple_of(3600) {
            println!(
                "  scheduler: simulated hour {}: {hour_reads} reads, {:.1} s wall",
                next.as_secs() / 3600,
                hour_wall.elapsed().as_secs_f64()
            );
            hour_reads = 0;
            hour_wall = Instant::now();
        }
    }
    let wall = wall0.elapsed();
    let cpu = match (cpu0, process_cpu()) {
        (Some(a), Some(b)) => Some(ticks_to_duration(b.saturating_sub(a))),
        _ => None,
    };
    let db_cpu = match (pg, db_before) {
        (Some(db), Some(Ok(before))) => match pg_backend_ticks(db).await {
            Ok(after) => {
                let gone = before.keys().filter(|p| !after.contains_key(p)).count();
                if gone > 0 {
                    println!(
                        "  scheduler: {gone} PostgreSQL backends ended during the window; their \
                         CPU is not counted"
                    );
                }
                let ticks: u64 = after
                    .iter()
                    .map(|(pid, t)| t.saturating_sub(*before.get(pid).unwrap_or(&0)))
                    .sum();
                Some(ticks_to_duration(ticks))
            }
            Err(e) => {
                println!("  scheduler: PostgreSQL server CPU not measured: {e}");
                None
            }
        },
        (Some(_), Some(Err(e))) => {
            println!("  scheduler: PostgreSQL server CPU not measured: {e}");
            None
        }
        _ => None,
    };
    let meta_reads = number_reads(&gl.sim.sim.calls(), ids);
    gl.sim.sim.clear_calls();
    let max_minute = per_minute.iter().copied().max().unwrap_or(0);
    let min_minute = per_minute.iter().copied().min().unwrap_or(0);
    let idle_minutes = per_minute.iter().filter(|m| **m == 0).count();
    let s = Sched {
        reads: total.read,
        minutes,
        max_minute,
        cpu,
        wall,
        db_cpu,
        meta_reads,
    };
    println!(
        "  scheduler: {} reads over {minutes} simulated minutes: mean {:.1}/min, max {max_minute}, \
         min {min_minute} ({idle_minutes} minutes without a read), max/mean {:.2}, max <= 2x mean: \
         {}",
        s.reads,
        s.mean(),
        s.ratio(),
        yes_no(s.reads > 0 && max_minute as f64 <= 2.0 * s.mean()),
    );
    println!(
        "  scheduler: claimed elsewhere {}, already fresh {}, failed {}; Meta received {} number \
         reads, the reports say {} ({})",
        total.claimed_elsewhere,
        total.already_fresh,
        total.failed,
        meta_reads,
        s.reads,
        if meta_reads == s.reads {
            "equal"
        } else {
            "DIFFERENT"
        },
    );
    println!(
        "  scheduler: process CPU {} s, wall {:.2} s, {} us CPU per read, slowest tick {} ms{}",
        secs(cpu),
        wall.as_secs_f64(),
        cpu.map_or("n/a".into(), |c| format!(
            "{:.0}",
            c.as_secs_f64() * 1e6 / s.reads.max(1) as f64
        )),
        slowest.as_millis(),
        match (pg, db_cpu) {
            (Some(_), Some(d)) => format!(
                "; PostgreSQL backends {:.2} s ({:.0} us per read)",
                d.as_secs_f64(),
                d.as_secs_f64() * 1e6 / s.reads.max(1) as f64
            ),
            _ => String::new(),
        },
    );
    Ok(s)
}

async fn health_api(
    cfg: &Config,
    gl: &Greenlight,
    probe: &reqwest::Client,
    account_id: i64,
    token: &str,
    hot: &[i64],
    ids: &HashSet<String>,
) -> Result<Api, String> {
    let urls: Vec<String> = hot
        .iter()
        .map(|id| {
            format!(
                "{}/api/v1/accounts/{account_id}/inboxes/{id}/health",
                gl.base
            )
        })
        .collect();
    let mut headers = HeaderMap::new();
    headers.insert(
        HeaderName::from_static("api_access_token"),
        HeaderValue::from_str(token).map_err(|e| e.to_string())?,
    );
    // Warm: one read each, so the cache holds them.
    gl.sim.sim.clear_calls();
    for url in &urls {
        let r = probe
            .get(url)
            .headers(headers.clone())
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| format!("warming {url}: {e}"))?;
        let _ = r.bytes().await;
    }
    let warm_reads = number_reads(&gl.sim.sim.calls(), ids);
    let healthz = load(
        Arc::new(vec![format!("{}/healthz", gl.base)]),
        &HeaderMap::new(),
        cfg,
    )
    .await;
    gl.sim.sim.clear_calls();
    let health = load(Arc::new(urls), &headers, cfg).await;
    let graph_reads = number_reads(&gl.sim.sim.calls(), ids);
    println!(
        "  cached health API ({} inboxes round-robin): {:.0} req/s{}; /healthz {:.0} req/s{}; \
         ratio {:.2}; Graph reads while warming {warm_reads}, during the load {graph_reads}",
        hot.len(),
        health.rps,
        health.errors_note(),
        healthz.rps,
        healthz.errors_note(),
        health.rps / healthz.rps.max(1e-9),
    );
    if health.ok == 0 || healthz.ok == 0 {
        return Err("no request succeeded".into());
    }
    Ok(Api {
        health_rps: health.rps,
        healthz_rps: healthz.rps,
        graph_reads,
    })
}

/// Throughput of one measurement.
struct Load {
    rps: f64,
    ok: u64,
    failed: u64,
}

impl Load {
    fn errors_note(&self) -> String {
        if self.failed == 0 {
            String::new()
        } else {
            format!(" [{} of {} failed]", self.failed, self.ok + self.failed)
        }
    }
}

/// `cfg.concurrency` clients, each on its own keep-alive connection, GET the `urls` round-robin
/// for the warm-up then `cfg.secs`; only answers completed inside the measured window count.
async fn load(urls: Arc<Vec<String>>, headers: &HeaderMap, cfg: &Config) -> Load {
    let measure_from = Instant::now() + WARMUP;
    let until = measure_from + cfg.secs;
    let window = cfg.secs;
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..cfg.concurrency)
        .map(|_| {
            let urls = urls.clone();
            let next = next.clone();
            let client = reqwest::Client::builder()
                .default_headers(headers.clone())
                .timeout(REQUEST_TIMEOUT)
                .pool_max_idle_per_host(1)
                .build();
            tokio::spawn(async move {
                let Ok(client) = client else {
                    return (0.0, 0, 1);
                };
                let (mut ok, mut failed, mut sent) = (0u64, 0u64, 0u64);
                let mut last = measure_from;
                while Instant::now() < until && sent < MAX_REQUESTS_PER_CLIENT {
                    sent += 1;
                    let url = &urls[next.fetch_add(1, Ordering::Relaxed) % urls.len().max(1)];
                    let good = match client.get(url).send().await {
                        Ok(r) => {
                            let status = r.status();
                            r.bytes().await.is_ok() && status.is_success()
                        }
                        Err(_) => false,
                    };
                    let done = Instant::now();
                    if done >= measure_from && done <= until {
                        last = done;
                        if good {
                            ok += 1;
                        } else {
                            failed += 1;
                        }
                    }
                }
                // A client stopped by the count bound measured a shorter window.
                let secs = if sent >= MAX_REQUESTS_PER_CLIENT {
                    last.duration_since(measure_from).as_secs_f64()
                } else {
                    window.as_secs_f64()
                };
                (ok as f64 / secs.max(1e-3), ok, failed)
            })
        })
        .collect();
    let mut total = Load {
        rps: 0.0,
        ok: 0,
        failed: 0,
    };
    let answers = tokio::time::timeout(
        WARMUP + window + REQUEST_TIMEOUT + Duration::from_secs(5),
        futures::future::join_all(workers),
    )
    .await;
    for (rps, ok, failed) in answers.into_iter().flatten().flatten() {
        total.rps += rps;
        total.ok += ok;
        total.failed += failed;
    }
    total
}
