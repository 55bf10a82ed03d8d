//! `spawn_app()` and request helpers shared by the integration tests.
use clap::Parser;
use greenlight::accounts::service::{CreatedUser, NewUser};
use greenlight::cli::{Cli, Command};
use greenlight::services::Services;
use greenlight::sessions::Sessions;
use greenlight::simulator::{RunningSimulator, Scenario, SimNumber, Simulator};
use greenlight::startup::Application;
use reqwest::redirect::Policy;
use tempfile::TempDir;

/// A running Greenlight and a cookie-keeping client that does not follow redirects.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub services: Services,
    /// The app's session store (the `sessions` table of its database).
    pub sessions: Sessions,
    /// The database URL the app was started with (a second instance may share it).
    pub db_url: String,
    /// Kept so the temporary directory lives as long as the app.
    pub _data_dir: TempDir,
    /// The Graph simulator this app talks to (on its own random port).
    pub sim: RunningSimulator,
    /// Kept so a PostgreSQL test database lives as long as the app (dropped after it).
    pub _database: TestDatabase,
    /// `http://` address of the separate metrics listener, when `--metrics-addr` was given.
    pub metrics_address: Option<String>,
}

/// The admin URL of the PostgreSQL the suite runs against (`GREENLIGHT_TEST_POSTGRES_URL`, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`); `None`: the suite runs on SQLite.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("GREENLIGHT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// Tells the log that a test ran on SQLite although the suite runs on PostgreSQL, and why.
pub fn note_sqlite_only(why: &str) {
    if postgres_admin_url().is_some() {
        println!("runs on SQLite only: {why}");
    }
}

/// The database of one test app: a SQLite file in its data directory, or a database of its own
/// on the test PostgreSQL (created empty, dropped when this is dropped).
pub struct TestDatabase {
    pub url: String,
    /// Admin URL and database name, to drop it.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// `greenlight.db` in `dir`.
    pub fn sqlite(dir: &std::path::Path) -> TestDatabase {
        TestDatabase {
            url: format!("sqlite://{}/greenlight.db", dir.display()),
            postgres: None,
        }
    }

    /// A fresh PostgreSQL database when the suite runs on PostgreSQL, else `greenlight.db` in `dir`.
    pub async fn fresh(dir: &std::path::Path) -> TestDatabase {
        match postgres_admin_url() {
            Some(admin) => TestDatabase::postgres(&admin).await,
            None => TestDatabase::sqlite(dir),
        }
    }

    /// A new, empty database `gl_test_<uuid>` on the PostgreSQL at `admin`.
    pub async fn postgres(admin: &str) -> TestDatabase {
        use sqlx::Connection;
        let name = format!("gl_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .expect("GREENLIGHT_TEST_POSTGRES_URL reachable");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("a test database can be created");
        let _ = conn.close().await;
        let mut url = url::Url::parse(admin).expect("GREENLIGHT_TEST_POSTGRES_URL is a URL");
        url.set_path(&format!("/{name}"));
        TestDatabase {
            url: url.to_string(),
            postgres: Some((admin.to_owned(), name)),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // On a thread of its own: this may run inside the test's runtime, which cannot block on
        // itself. FORCE ends the connections the app still holds.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

/// A browser-like client: keeps cookies, accepts HTML (so server functions answer form posts
/// with redirects, as for a browser without JavaScript), says its requests are same-origin, shows
/// redirects instead of following them.
pub fn new_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("accept", "text/html,application/xhtml+xml".parse().unwrap());
    // What a browser sends on its own site's requests; writes without it are refused (CSRF).
    headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Starts Greenlight on 127.0.0.1:0 with a fresh data directory.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts Greenlight with extra `serve` flags, against a fresh simulator on a random port, on
/// the suite's backend (PostgreSQL when `GREENLIGHT_TEST_POSTGRES_URL` is set, else SQLite).
/// The simulator provisions registered numbers at once (no 1.5 s demo delay).
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(data_dir.path()).await;
    spawn_app_on(data_dir, database, extra).await
}

/// As [`spawn_app_with`], always on a SQLite file in the data directory (for tests about SQLite
/// itself or about commands that find the database through the data directory).
pub async fn spawn_sqlite_app_with(extra: &[&str]) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::sqlite(data_dir.path());
    spawn_app_on(data_dir, database, extra).await
}

/// Starts Greenlight on this data directory and database (e.g. one a test restored a backup into).
pub async fn spawn_app_on(data_dir: TempDir, database: TestDatabase, extra: &[&str]) -> TestApp {
    let simulator = Simulator::with_presets();
    simulator.set_provisioning_delay(std::time::Duration::ZERO);
    simulator.set_slow_delay(std::time::Duration::from_secs(30));
    let sim = simulator
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let cli = Cli::parse_from(
        [
            "greenlight",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            data_dir.path().to_str().unwrap(),
            "--database-url",
            &database.url,
            "--graph-api-base-url",
            &sim.base_url,
        ]
        .into_iter()
        // Tests read an inbox's state right after creating it: on a loaded 2-core runner the
        // local simulator's setup can outlast the 1 s product default, so tests wait longer
        // unless they test the background setup itself.
        .chain(
            (!extra.contains(&"--setup-answer-within"))
                .then_some(["--setup-answer-within", "20s"])
                .into_iter()
                .flatten(),
        )
        .chain(extra.iter().copied()),
    );
    let Command::Serve(args) = cli.command else {
        unreachable!()
    };
    let app = Application::build(&args).await.expect("app builds");
    let address = format!("http://{}", app.addr);
    let services = app.services.clone();
    let sessions = app.sessions.clone();
    let metrics_address = app.metrics_addr.map(|a| format!("http://{a}"));
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: new_client(),
        services,
        sessions,
        db_url: database.url.clone(),
        _data_dir: data_dir,
        sim,
        _database: database,
        metrics_address,
    }
}

/// Every row of every table (`skip` aside), rendered as text and sorted, by table: for checks
/// that look at everything stored, on either backend. The migrator's bookkeeping
/// (`_sqlx_migrations`: versions and checksums, no data) is left out: `Any` cannot read its
/// PostgreSQL timestamp.
pub async fn all_rows(
    db: &greenlight::db::Db,
    skip: &[&str],
) -> std::collections::BTreeMap<String, Vec<String>> {
    use greenlight::db::Backend;
    use sqlx::Row;
    let backend = Backend::of(db);
    let tables: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        Backend::Postgres => sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        ),
    }
    .fetch_all(db)
    .await
    .unwrap();
    let mut out = std::collections::BTreeMap::new();
    for table in tables
        .into_iter()
        .filter(|t| t != "_sqlx_migrations" && !skip.contains(&t.as_str()))
    {
        // `Any` reads no PostgreSQL timestamp: the session store's expiry is read as text.
        let query = if backend == Backend::Postgres && table == "sessions" {
            "SELECT id, data, CAST(expiry_date AS TEXT) AS expiry_date FROM sessions".to_string()
        } else {
            format!("SELECT * FROM \"{table}\"")
        };
        let rows = sqlx::query(&query).fetch_all(db).await.unwrap();
        let mut rendered: Vec<String> = rows
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                            v.map_or("NULL".into(), |v| v.to_string())
                        } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                            v.map_or("NULL".into(), |v| format!("{v:?}"))
                        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
                            v.map_or("NULL".into(), |v| v.to_string())
                        } else {
                            let v: Option<Vec<u8>> = row.try_get(i).unwrap();
                            v.map_or("NULL".into(), |v| String::from_utf8_lossy(&v).into_owned())
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        rendered.sort();
        out.insert(table, rendered);
    }
    out
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Creates a user directly through the service.
    pub async fn user(&self, email: &str, account: &str, role: &str) -> CreatedUser {
        self.services
            .accounts
            .create_user(NewUser {
                email: email.into(),
                name: format!("User {email}"),
                password: PASSWORD.into(),
                account: account.into(),
                role: role.into(),
            })
            .await
            .unwrap()
    }

    /// Posts the sign-in server function as a browser form would.
    pub async fn login(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/sfn/login"))
            // A browser's form post names its origin (writes without it are refused: CSRF).
            .header(
                "origin",
                self.services.public_url.origin().ascii_serialization(),
            )
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// The first-run setup code `serve` wrote to the data directory (while no user exists).
    pub fn setup_code(&self) -> String {
        std::fs::read_to_string(self._data_dir.path().join("setup-code"))
            .expect("a fresh instance writes its setup code")
            .trim()
            .to_owned()
    }

    /// Adds the scenario's number to an account through the REST API with the given access token
    /// and WABA id (e.g. someone else's number with a junk token); returns the inbox id and its
    /// setup error, which setup leaves when the token cannot prove it manages the number.
    pub async fn add_number_as(
        &self,
        admin_token: &str,
        account_id: i64,
        scenario: Scenario,
        token: &str,
        waba_id: &str,
    ) -> (i64, serde_json::Value) {
        let n = self.number(scenario);
        let r = self
            .client
            .post(self.url(&format!("/api/v1/accounts/{account_id}/inboxes")))
            .header("api_access_token", admin_token)
            .json(&serde_json::json!({
                "name": "Someone else's number",
                "channel": {"type": "whatsapp", "phone_number": "+16315550101", "provider": "whatsapp_cloud",
                    "provider_config": {"api_key": token, "phone_number_id": n.id, "business_account_id": waba_id}}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let body: serde_json::Value = r.json().await.unwrap();
        (body["id"].as_i64().unwrap(), body["setup_error"].clone())
    }

    /// A simulated number of this scenario.
    /// Makes users members of an inbox through the API, as an administrator would.
    pub async fn add_inbox_members(
        &self,
        token: &str,
        account_id: i64,
        inbox_id: i64,
        user_ids: &[i64],
    ) {
        let r = self
            .client
            .post(self.url(&format!("/api/v1/accounts/{account_id}/inbox_members")))
            .header("api_access_token", token)
            .json(&serde_json::json!({"inbox_id": inbox_id, "user_ids": user_ids}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "adding inbox members");
    }

    pub fn number(&self, scenario: Scenario) -> SimNumber {
        self.sim.sim.number(scenario)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("api_access_token", token)
            .send()
            .await
            .unwrap()
    }
}

/// The `Set-Cookie` headers of a response.
pub fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}
