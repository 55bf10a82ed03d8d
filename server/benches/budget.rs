//! The performance budget (DESIGN.md, "Performance budget (2 cores)"), measured against a bare
//! axum JSON handler IN THE SAME RUN, so the figures are ratios that do not depend on the machine.
//!
//! A measurement, not a test: it prints a table and always exits 0. It is not part of the test
//! suite. Run it with `cargo bench -p greenlight --bench budget` (or `scripts/bench.sh`).
//!
//! Knobs (environment): `BENCH_SECS` seconds per throughput measurement (default 3, at most 60),
//! `BENCH_CONCURRENCY` keep-alive clients (default 32, at most 256), `BENCH_ROUNDS` rounds of
//! baseline / Greenlight's `/healthz` / health / page, interleaved so that a busy neighbour hurts all alike
//! (default 2, at most 10).
//!
//! Everything talks to 127.0.0.1 only; every loop is bounded in time and in count. The load
//! generator (reqwest) runs in the same process and on the same cores as the servers: its cost
//! per request is the same for the baseline and for Greenlight, so it pulls ratios towards 1.
//! Each round line also shows the Graph reads made during the warm-cache loads (expected: 0).
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use greenlight::accounts::service::NewUser;
use greenlight::cli::{Cli, Command};
use greenlight::services::Services;
use greenlight::simulator::{RunningSimulator, Scenario, Simulator};
use greenlight::startup::Application;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use tempfile::TempDir;

const WARMUP: Duration = Duration::from_millis(500);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Also bounds each client in count, whatever the duration.
const MAX_REQUESTS_PER_CLIENT: u64 = 1_000_000;
const READY_WAIT: Duration = Duration::from_secs(10);
const COLD_REQUESTS: usize = 100;
const COLD_WAIT: Duration = Duration::from_secs(30);
const PASSWORD: &str = "correct horse battery staple";

const HEALTH_BUDGET: f64 = 0.5;
const PAGE_BUDGET: f64 = 0.25;
const READY_BUDGET: Duration = Duration::from_millis(500);

struct Config {
    secs: Duration,
    concurrency: usize,
    rounds: usize,
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
        Config {
            secs: Duration::from_secs(env_number("BENCH_SECS", 3, 60)),
            concurrency: env_number("BENCH_CONCURRENCY", 32, 256) as usize,
            rounds: env_number("BENCH_ROUNDS", 2, 10) as usize,
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (e.g. `cargo test --all-targets`) skips.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "budget: a measurement, not a test; run `cargo bench -p greenlight --bench budget`"
        );
        return;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            println!("budget: cannot start the tokio runtime: {e}");
            return;
        }
    };
    runtime.block_on(run(Config::from_env()));
    // Servers still run in spawned tasks; do not wait for them.
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// One row of the final table.
struct Row {
    figure: &'static str,
    measured: String,
    baseline: String,
    ratio: String,
    budget: String,
    within: &'static str,
}

impl Row {
    fn not_measured(figure: &'static str, budget: &str, why: &str) -> Row {
        println!("  {figure}: not measured: {why}");
        Row {
            figure,
            measured: "not measured".into(),
            baseline: "-".into(),
            ratio: "-".into(),
            budget: budget.into(),
            within: "n/a",
        }
    }
}

fn yes_no(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "no"
    }
}

async fn run(cfg: Config) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "budget: {} s per measurement (+{} ms warm-up), {} keep-alive clients, {} rounds; {cores} cores; loadavg {}",
        cfg.secs.as_secs(),
        WARMUP.as_millis(),
        cfg.concurrency,
        cfg.rounds,
        loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );
    let probe = match reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            println!("budget: cannot build an HTTP client: {e}");
            return;
        }
    };

    // Start-up times first, while nothing else runs in this process.
    let baseline = match start_baseline(&probe).await {
        Ok(b) => b,
        Err(e) => {
            println!("budget: the baseline server did not start: {e}; nothing to compare with");
            return;
        }
    };
    let greenlight = start_greenlight(&probe).await;
    let mut rows = Vec::new();

    match &greenlight {
        Ok(gl) => rows.push(match (gl.ready_after, baseline.ready_after) {
            (Some(g), Some(b)) => Row {
                figure: "ready after start (s)",
                measured: format!("{:.3}", g.as_secs_f64()),
                baseline: format!("{:.3}", b.as_secs_f64()),
                ratio: format!("{:.0}x", g.as_secs_f64() / b.as_secs_f64().max(1e-6)),
                budget: "<= 0.5 s".into(),
                within: yes_no(g <= READY_BUDGET),
            },
            _ => Row::not_measured(
                "ready after start (s)",
                "<= 0.5 s",
                "/readyz did not answer within 10 s",
            ),
        }),
        Err(e) => println!("budget: Greenlight did not start: {e}"),
    }

    // Throughput: rounds of baseline / cached health API / SSR page, interleaved.
    let baseline_url = format!("http://{}/", baseline.addr);
    let mut base_total = Totals::default();
    let mut health_total = Totals::default();
    let mut page_total = Totals::default();
    let mut healthz_total = Totals::default();
    let healthz_url = greenlight
        .as_ref()
        .ok()
        .map(|gl| format!("{}/healthz", gl.base));
    let targets = greenlight.as_ref().ok().map(|gl| gl.targets());
    let page_target = match &greenlight {
        Ok(gl) => gl.page_target(&probe).await,
        Err(_) => Err("Greenlight did not start".into()),
    };
    if let Err(e) = &page_target {
        println!("budget: the SSR page will not be measured: {e}");
    }
    for round in 1..=cfg.rounds {
        let b = load(&baseline_url, &HeaderMap::new(), &cfg).await;
        base_total.add(&b);
        print!(
            "round {round}: baseline {:.0} req/s{}",
            b.rps,
            b.errors_note()
        );
        if let Some(url) = &healthz_url {
            let z = load(url, &HeaderMap::new(), &cfg).await;
            healthz_total.add(&z);
            print!(", /healthz {:.0} req/s{}", z.rps, z.errors_note());
        }
        if let (Some((url, headers)), Ok(gl)) = (&targets, &greenlight) {
            // Keep the cache warm whatever happened before (TTL is long, this is a no-op then).
            gl.warm(&probe).await;
            gl.sim.sim.clear_calls();
            let h = load(url, headers, &cfg).await;
            health_total.add(&h);
            print!(
                ", health API {:.0} req/s ({:.2}, {} Graph reads){}",
                h.rps,
                h.rps / b.rps.max(1e-9),
                gl.graph_reads(),
                h.errors_note()
            );
        }
        if let (Ok((url, headers)), Ok(gl)) = (&page_target, &greenlight) {
            gl.sim.sim.clear_calls();
            let p = load(url, headers, &cfg).await;
            page_total.add(&p);
            print!(
                ", SSR page {:.0} req/s ({:.2}, {} Graph reads){}",
                p.rps,
                p.rps / b.rps.max(1e-9),
                gl.graph_reads(),
                p.errors_note()
            );
        }
        println!();
    }
    let base_rps = base_total.mean_rps();
    rows.push(throughput_row(
        "cached health API (req/s)",
        &health_total,
        base_rps,
        Some(HEALTH_BUDGET),
        targets.is_none(),
    ));
    // The yardstick for the page is Greenlight's own /healthz (same server, same
    // middleware stack), not the bare handler.
    let healthz_rps = healthz_total.mean_rps();
    rows.push(throughput_row(
        "Greenlight /healthz (req/s)",
        &healthz_total,
        base_rps,
        None,
        healthz_url.is_none(),
    ));
    let mut page_row = throughput_row(
        "SSR Account Health page vs /healthz",
        &page_total,
        healthz_rps,
        Some(PAGE_BUDGET),
        page_target.is_err() || healthz_total.rounds == 0,
    );
    page_row.baseline = format!("{healthz_rps:.0} (/healthz)");
    rows.push(page_row);
    let quantiles = [
        ("SSR page p50 latency (ms)", 0.50),
        ("SSR page p99 latency (ms)", 0.99),
    ];
    let qs = quantiles.map(|(_, q)| q);
    let (page_q, healthz_q) = (page_total.quantiles(&qs), healthz_total.quantiles(&qs));
    for (i, (figure, _)) in quantiles.into_iter().enumerate() {
        rows.push(match page_q[i] {
            Some(d) => Row {
                figure,
                measured: format!("{:.1}", d.as_secs_f64() * 1e3),
                baseline: healthz_q[i].map_or("-".into(), |z| {
                    format!("{:.1} (/healthz)", z.as_secs_f64() * 1e3)
                }),
                ratio: "-".into(),
                budget: format!("{} clients", cfg.concurrency),
                within: "-",
            },
            None => Row::not_measured(figure, "-", "no answer measured"),
        });
    }

    // Coalescing: 100 concurrent requests on a cold cache.
    rows.push(match &greenlight {
        Ok(gl) => match gl.cold_reads().await {
            Ok((reads, ok)) => Row {
                figure: "Graph reads, 100 cold requests",
                measured: format!("{reads} ({ok}/{COLD_REQUESTS} ok)"),
                baseline: "-".into(),
                ratio: "-".into(),
                budget: "exactly 1".into(),
                within: yes_no(reads == 1 && ok == COLD_REQUESTS),
            },
            Err(e) => Row::not_measured("Graph reads, 100 cold requests", "exactly 1", &e),
        },
        Err(_) => Row::not_measured(
            "Graph reads, 100 cold requests",
            "exactly 1",
            "Greenlight did not start",
        ),
    });

    print_table(&rows);
    println!(
        "note: ratios compare with the bare handler measured in this run; the in-process load \
         generator shares the cores, which pulls ratios towards 1. Static figures (binary size, \
         wasm+js, idle RSS): scripts/bench.sh."
    );
    drop(greenlight);
}

/// A throughput row; `budget` is the smallest ratio to the baseline that passes, `None` for a
/// row that is itself a yardstick (it has no budget).
fn throughput_row(
    figure: &'static str,
    totals: &Totals,
    base_rps: f64,
    budget: Option<f64>,
    skipped: bool,
) -> Row {
    let budget_text = budget.map_or("-".into(), |b| format!("ratio >= {b}"));
    if skipped || totals.rounds == 0 {
        return Row::not_measured(figure, &budget_text, "see above");
    }
    let rps = totals.mean_rps();
    let ratio = rps / base_rps.max(1e-9);
    let clean = totals.failed == 0;
    Row {
        figure,
        measured: if clean {
            format!("{rps:.0}")
        } else {
            format!("{rps:.0} ({} failed)", totals.failed)
        },
        baseline: format!("{base_rps:.0}"),
        ratio: format!("{ratio:.2}"),
        budget: budget_text,
        within: match budget {
            Some(b) => yes_no(clean && ratio >= b),
            None => "-",
        },
    }
}

fn print_table(rows: &[Row]) {
    let head = Row {
        figure: "figure",
        measured: "measured".into(),
        baseline: "baseline".into(),
        ratio: "ratio".into(),
        budget: "budget".into(),
        within: "within budget",
    };
    let w = |f: fn(&Row) -> usize| rows.iter().chain([&head]).map(f).max().unwrap_or(0);
    let widths = [
        w(|r| r.figure.len()),
        w(|r| r.measured.len()),
        w(|r| r.baseline.len()),
        w(|r| r.ratio.len()),
        w(|r| r.budget.len()),
    ];
    println!();
    for (i, r) in [&head].into_iter().chain(rows).enumerate() {
        println!(
            "{:<a$}  {:>b$}  {:>c$}  {:>d$}  {:<e$}  {}",
            r.figure,
            r.measured,
            r.baseline,
            r.ratio,
            r.budget,
            r.within,
            a = widths[0],
            b = widths[1],
            c = widths[2],
            d = widths[3],
            e = widths[4],
        );
        if i == 0 {
            println!("{}", "-".repeat(widths.iter().sum::<usize>() + 10 + 13));
        }
    }
    println!();
}

/// Throughput of one measurement, and the latency of each answer completed in its window.
struct Load {
    rps: f64,
    ok: u64,
    failed: u64,
    latencies: Vec<Duration>,
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

#[derive(Default)]
struct Totals {
    rps_sum: f64,
    rounds: usize,
    failed: u64,
    latencies: Vec<Duration>,
}

impl Totals {
    fn add(&mut self, l: &Load) {
        self.rps_sum += l.rps;
        self.rounds += 1;
        self.failed += l.failed;
        self.latencies.extend_from_slice(&l.latencies);
    }

    /// The `q`-quantile (0..=1) of every latency measured, nearest rank.
    /// The latency at each quantile of `qs` (nearest rank), sorting the samples once.
    fn quantiles<const N: usize>(&self, qs: &[f64; N]) -> [Option<Duration>; N] {
        let mut all = self.latencies.clone();
        all.sort_unstable();
        qs.map(|q| {
            let rank = ((q * all.len() as f64).ceil() as usize).clamp(1, all.len().max(1));
            all.get(rank - 1).copied()
        })
    }

    fn mean_rps(&self) -> f64 {
        self.rps_sum / self.rounds.max(1) as f64
    }
}

/// `cfg.concurrency` clients, each on its own keep-alive connection, GET `url` in a loop for the
/// warm-up then `cfg.secs`; only answers completed inside the measured window count.
async fn load(url: &str, headers: &HeaderMap, cfg: &Config) -> Load {
    let measure_from = Instant::now() + WARMUP;
    let until = measure_from + cfg.secs;
    let window = cfg.secs;
    let workers: Vec<_> = (0..cfg.concurrency)
        .map(|_| {
            let url = url.to_string();
            let client = reqwest::Client::builder()
                .default_headers(headers.clone())
                .timeout(REQUEST_TIMEOUT)
                .pool_max_idle_per_host(1)
                .build();
            tokio::spawn(async move {
                let Ok(client) = client else {
                    return (0.0, 0, 1, Vec::new());
                };
                let (mut ok, mut failed, mut sent) = (0u64, 0u64, 0u64);
                let mut latencies = Vec::new();
                let mut last = measure_from;
                while Instant::now() < until && sent < MAX_REQUESTS_PER_CLIENT {
                    sent += 1;
                    let started = Instant::now();
                    let good = match client.get(&url).send().await {
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
                            latencies.push(done.duration_since(started));
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
                (ok as f64 / secs.max(1e-3), ok, failed, latencies)
            })
        })
        .collect();
    let mut total = Load {
        rps: 0.0,
        ok: 0,
        failed: 0,
        latencies: Vec::new(),
    };
    let answers = tokio::time::timeout(
        WARMUP + window + REQUEST_TIMEOUT + Duration::from_secs(5),
        futures::future::join_all(workers),
    )
    .await;
    for (rps, ok, failed, latencies) in answers.into_iter().flatten().flatten() {
        total.rps += rps;
        total.ok += ok;
        total.failed += failed;
        total.latencies.extend(latencies);
    }
    total
}

/// Polls `url` until it answers 2xx; the time since `t0`, or `None` after `READY_WAIT`.
async fn ready_after(probe: &reqwest::Client, url: &str, t0: Instant) -> Option<Duration> {
    while t0.elapsed() < READY_WAIT {
        if let Ok(r) = probe.get(url).send().await {
            if r.status().is_success() {
                return Some(t0.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    None
}

struct Baseline {
    addr: SocketAddr,
    ready_after: Option<Duration>,
}

/// The bare axum handler: a small JSON on 127.0.0.1:0.
async fn start_baseline(probe: &reqwest::Client) -> Result<Baseline, String> {
    let t0 = Instant::now();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let router = Router::new().route(
        "/",
        get(|| async { Json(json!({"status": "ok", "service": "baseline"})) }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let ready_after = ready_after(probe, &format!("http://{addr}/"), t0).await;
    Ok(Baseline { addr, ready_after })
}

struct Greenlight {
    base: String,
    services: Services,
    sim: RunningSimulator,
    _data_dir: TempDir,
    ready_after: Option<Duration>,
    account_id: i64,
    email: String,
    token: String,
    inbox_id: i64,
    phone_number_id: String,
}

/// Greenlight against a fresh simulator, with one administrator and one healthy inbox. The start-up
/// time runs from `Application::build` (fresh database: migrations included) to `/readyz` = 200.
async fn start_greenlight(probe: &reqwest::Client) -> Result<Greenlight, String> {
    let simulator = Simulator::with_presets();
    simulator.set_provisioning_delay(Duration::ZERO);
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
    let db_url = format!("sqlite://{dir}/greenlight.db");
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
    let t0 = Instant::now();
    let app = Application::build(&args)
        .await
        .map_err(|e| format!("build: {e}"))?;
    let base = format!("http://{}", app.addr);
    let services = app.services.clone();
    tokio::spawn(app.run_until_stopped());
    let ready_after = ready_after(probe, &format!("{base}/readyz"), t0).await;

    let email = "bench@example.com".to_string();
    let user = services
        .accounts
        .create_user(NewUser {
            email: email.clone(),
            name: "Bench Admin".into(),
            password: PASSWORD.into(),
            account: "Bench".into(),
            role: "administrator".into(),
        })
        .await
        .map_err(|e| format!("create user: {e:?}"))?;
    let n = sim.sim.number(Scenario::Healthy);
    let r = probe
        .post(format!("{base}/api/v1/accounts/{}/inboxes", user.account_id))
        .timeout(REQUEST_TIMEOUT)
        .header("api_access_token", &user.access_token)
        .json(&json!({
            "name": "Bench",
            "channel": {"type": "whatsapp", "phone_number": "+16315550100", "provider": "whatsapp_cloud",
                "provider_config": {"api_key": n.token, "phone_number_id": n.id, "business_account_id": n.waba_id}}
        }))
        .send()
        .await
        .map_err(|e| format!("create inbox: {e}"))?;
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    let inbox_id = body["id"]
        .as_i64()
        .ok_or_else(|| format!("create inbox: {status} {body}"))?;
    let gl = Greenlight {
        base,
        services,
        sim,
        _data_dir: data_dir,
        ready_after,
        account_id: user.account_id,
        email,
        token: user.access_token,
        inbox_id,
        phone_number_id: n.id,
    };
    gl.warm(probe).await;
    Ok(gl)
}

impl Greenlight {
    fn health_url(&self) -> String {
        format!(
            "{}/api/v1/accounts/{}/inboxes/{}/health",
            self.base, self.account_id, self.inbox_id
        )
    }

    fn targets(&self) -> (String, HeaderMap) {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&self.token) {
            headers.insert(HeaderName::from_static("api_access_token"), v);
        }
        (self.health_url(), headers)
    }

    /// One health read, so the cache holds the inbox.
    async fn warm(&self, probe: &reqwest::Client) {
        let r = probe
            .get(self.health_url())
            .timeout(REQUEST_TIMEOUT)
            .header("api_access_token", &self.token)
            .send()
            .await;
        if let Err(e) = r.and_then(|r| r.error_for_status()) {
            println!("budget: warming the health cache failed: {e}");
        }
    }

    /// Signs in as a browser without JavaScript would; the page URL and the headers (session
    /// cookie, `Accept: text/html`) that render it.
    async fn page_target(&self, probe: &reqwest::Client) -> Result<(String, HeaderMap), String> {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        let login = browser
            .post(format!("{}/sfn/login", self.base))
            .header("accept", "text/html")
            // A browser's form post names its origin; the CSRF check refuses one that does not.
            .header("origin", &self.base)
            .form(&[("email", self.email.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .map_err(|e| format!("sign in: {e}"))?;
        let cookie = login
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("greenlight_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
            .ok_or_else(|| format!("sign in: {} and no session cookie", login.status()))?;
        let mut headers = HeaderMap::new();
        headers.insert("accept", HeaderValue::from_static("text/html"));
        headers.insert(
            "cookie",
            HeaderValue::from_str(&cookie).map_err(|e| e.to_string())?,
        );
        let url = format!(
            "{}/accounts/{}/inboxes/{}/health",
            self.base, self.account_id, self.inbox_id
        );
        let r = probe
            .get(&url)
            .timeout(REQUEST_TIMEOUT)
            .headers(headers.clone())
            .send()
            .await
            .map_err(|e| format!("page: {e}"))?;
        let status = r.status();
        let html = r.text().await.unwrap_or_default();
        if !status.is_success() || !html.contains("<html") {
            return Err(format!("page: {status}, {} bytes", html.len()));
        }
        println!(
            "budget: SSR page {url}: {status}, {} bytes of HTML",
            html.len()
        );
        Ok((url, headers))
    }

    /// Empties the cache and the simulator's log, sends `COLD_REQUESTS` concurrent health
    /// requests; the Graph reads of the phone node, and how many requests answered 2xx.
    async fn cold_reads(&self) -> Result<(usize, usize), String> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        self.services.health.invalidate_health(self.inbox_id).await;
        self.sim.sim.clear_calls();
        let url = self.health_url();
        let requests = (0..COLD_REQUESTS).map(|_| {
            client
                .get(&url)
                .header("api_access_token", &self.token)
                .send()
        });
        let answers = tokio::time::timeout(COLD_WAIT, futures::future::join_all(requests))
            .await
            .map_err(|_| format!("no answer within {} s", COLD_WAIT.as_secs()))?;
        let ok = answers
            .iter()
            .filter(|r| r.as_ref().is_ok_and(|r| r.status().is_success()))
            .count();
        Ok((self.graph_reads(), ok))
    }

    /// Reads of the phone node the simulator saw since its log was last cleared.
    fn graph_reads(&self) -> usize {
        self.sim
            .sim
            .calls_to("GET", &format!("/{}", self.phone_number_id))
            .len()
    }
}
