//! `spawn_app()` and request helpers shared by the integration tests.
use clap::Parser;
use greenlight::accounts::service::{CreatedUser, NewUser};
use greenlight::cli::{Cli, Command};
use greenlight::services::Services;
use greenlight::simulator::{RunningSimulator, Scenario, SimNumber, Simulator};
use greenlight::startup::Application;
use reqwest::redirect::Policy;
use tempfile::TempDir;

/// A running Greenlight and a cookie-keeping client that does not follow redirects.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub services: Services,
    /// Kept so the temporary directory lives as long as the app.
    pub _data_dir: TempDir,
    /// The Graph simulator this app talks to (on its own random port).
    pub sim: RunningSimulator,
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

/// Starts Greenlight with extra `serve` flags, against a fresh simulator on a random port.
/// The simulator provisions registered numbers at once (no 1.5 s demo delay).
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    let simulator = Simulator::with_presets();
    simulator.set_provisioning_delay(std::time::Duration::ZERO);
    simulator.set_slow_delay(std::time::Duration::from_secs(30));
    let sim = simulator
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/greenlight.db", data_dir.path().display());
    let cli = Cli::parse_from(
        [
            "greenlight",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            data_dir.path().to_str().unwrap(),
            "--database-url",
            &db_url,
            "--graph-api-base-url",
            &sim.base_url,
        ]
        .into_iter()
        .chain(extra.iter().copied()),
    );
    let Command::Serve(args) = cli.command else {
        unreachable!()
    };
    let app = Application::build(&args).await.expect("app builds");
    let address = format!("http://{}", app.addr);
    let services = app.services.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: new_client(),
        services,
        _data_dir: data_dir,
        sim,
    }
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
