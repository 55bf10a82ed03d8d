//! Builds the application from its configuration: database, services, router, listener.
use std::net::SocketAddr;
use std::sync::Arc;

use app::port::SharedPort;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::csrf::same_origin_writes;
use crate::auth::middleware::{guard_pages, resolve_user};
use crate::config::ServeArgs;
use crate::crypto::SecretBox;
use crate::graph::{GraphClient, GraphConfig};
use crate::http::{api, assets, ops, security_headers};
use crate::services::Services;
use crate::sessions::Sessions;
use crate::state::{AppState, Handles};

/// Largest request body accepted anywhere (forms, JSON, webhooks).
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// Largest webhook delivery accepted from Meta (it batches several changes per POST).
pub const WEBHOOK_BODY_LIMIT_BYTES: usize = 4 * 1024 * 1024;

/// Why start-up failed; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] crate::db::DbOpenError),
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("cannot create the data directory {path}: {reason}")]
    DataDir {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error(transparent)]
    Sessions(#[from] crate::sessions::SessionStoreError),
    #[error("Graph API client: {0}")]
    Graph(String),
    #[error("sealing the stored alert webhook URLs: {0}")]
    AlertUrls(String),
    #[error("first-run setup code: {0}")]
    SetupCode(String),
    #[error("filling the verify-token digests of older inboxes: {0}")]
    VerifyTokenDigests(String),
    #[error("metrics: {0}")]
    Metrics(String),
}

/// A bound, ready-to-run Greenlight.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    /// `/metrics` on a listener of its own (`GREENLIGHT_METRICS_ADDR`).
    metrics: Option<(tokio::net::TcpListener, Router)>,
    /// The metrics listener's bound address, when it has one (port 0 resolves here).
    pub metrics_addr: Option<SocketAddr>,
    /// The address actually bound (port 0 resolves here).
    pub addr: SocketAddr,
    pub services: Services,
    /// Browser sessions, in the same database (tests look into it).
    pub sessions: Sessions,
}

fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

impl Application {
    /// Opens the database, loads the key, wires services and binds the listener.
    pub async fn build(args: &ServeArgs) -> Result<Self, StartupError> {
        crate::memory::tune();
        let data_dir = &args.db.data_dir;
        let needed = args.db.uses_data_dir() || args.secret_key.is_none();
        crate::private_files::secure_data_dir(data_dir, needed).map_err(|e| {
            StartupError::DataDir {
                path: data_dir.clone(),
                reason: e.to_string(),
            }
        })?;
        let db = crate::db::open(&args.db.url()).await?;
        let sessions = Sessions::open(&args.db.url()).await?;
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| StartupError::Bind {
                addr: args.addr,
                reason: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| StartupError::Bind {
            addr: args.addr,
            reason: e.to_string(),
        })?;
        // With port 0 the real port is known only now.
        let public_url = args.public_url.clone().unwrap_or_else(|| {
            url::Url::parse(&format!("http://{addr}")).expect("an address is a valid URL")
        });
        let secrets = SecretBox::load(args.secret_key.as_deref(), &args.db.data_dir)?;
        let graph = GraphClient::new(GraphConfig {
            base_url: args
                .graph_api_base_url
                .as_str()
                .trim_end_matches('/')
                .to_string(),
            version: args.graph_api_version.clone(),
            ..GraphConfig::default()
        })
        .map_err(|e| StartupError::Graph(e.to_string()))?;
        let services = Services::new(db, secrets, graph, public_url.clone(), args.demo)
            .with_health_cache_ttl(args.health_cache_ttl)
            .with_setup_answer_within(args.setup_answer_within)
            .with_meta_webhooks(
                crate::webhooks::MetaWebhooks::new(
                    args.meta_app_secret.as_deref(),
                    args.meta_webhook_verify_token.as_deref(),
                )
                .with_own_app(
                    args.meta_app_id.as_deref(),
                    args.registration_check_interval,
                ),
            )
            .with_alert_private_networks(args.alert_allow_private_networks)
            .with_trusted_proxies(&args.trusted_proxies);
        // While nobody can sign in, the first-run page needs a code only the operator can read.
        // (The demo seeds its own users right after this.)
        let services = if !args.demo && services.accounts.needs_first_run().await.unwrap_or(false) {
            let code = crate::auth::setup_code::SetupCode::issue(&args.db.data_dir)
                .map_err(|e| StartupError::SetupCode(e.to_string()))?;
            services.with_setup_code(code)
        } else {
            services
        };
        services
            .stores
            .inboxes
            .fill_verify_token_digests()
            .await
            .map_err(|e| StartupError::VerifyTokenDigests(e.to_string()))?;
        crate::alerts::outgoing::seal_stored_urls(&services.alert_jobs())
            .await
            .map_err(|e| StartupError::AlertUrls(e.to_string()))?;
        crate::webhooks::processor::spawn(services.webhook_processor());
        crate::alerts::evaluator::spawn(services.alert_jobs());
        crate::registration::retrier::spawn(
            services.registration.clone(),
            services.instance.clone(),
            args.registration_check_interval,
        );
        crate::health::refresh::spawn(
            services.health.clone(),
            services.instance.clone(),
            args.health_max_age,
        );
        crate::services::read_cache::spawn_follower(services.clone());
        let metrics_config = crate::metrics::MetricsConfig {
            addr: args.metrics_addr,
            token: args.metrics_token.clone(),
        };
        let scrape = if metrics_config.enabled() {
            let handle = crate::metrics::install().map_err(StartupError::Metrics)?;
            Some(crate::metrics::Scrape::new(
                handle,
                metrics_config.token.as_deref(),
                services.stores.clone(),
            ))
        } else {
            None
        };
        let (metrics, metrics_addr) = match (&scrape, metrics_config.addr) {
            (Some(scrape), Some(at)) => {
                let listener =
                    tokio::net::TcpListener::bind(at)
                        .await
                        .map_err(|e| StartupError::Bind {
                            addr: at,
                            reason: e.to_string(),
                        })?;
                let bound = listener.local_addr().map_err(|e| StartupError::Bind {
                    addr: at,
                    reason: e.to_string(),
                })?;
                (
                    Some((listener, metrics_router(scrape.clone()))),
                    Some(bound),
                )
            }
            _ => (None, None),
        };
        let main_scrape = scrape.filter(|_| metrics_config.on_main_listener());
        let secure_cookies = public_url.scheme() == "https";
        let router = build_router(
            services.clone(),
            sessions.clone(),
            addr,
            secure_cookies,
            main_scrape,
        );
        crate::jobs::prune::spawn(
            services.stores.clone(),
            sessions.clone(),
            crate::jobs::prune::Retention {
                health: args.health_retention,
            },
        );
        Ok(Application {
            listener,
            router,
            metrics,
            metrics_addr,
            addr,
            services,
            sessions,
        })
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if let Some((listener, router)) = self.metrics {
            // Stops with the process; a scrape in flight at shutdown is of no value.
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, router).await {
                    tracing::error!(error = %e, "metrics listener stopped");
                }
            });
        }
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// `/metrics` alone, for the metrics listener.
fn metrics_router(scrape: crate::metrics::Scrape) -> Router {
    Router::new().route(
        "/metrics",
        get(move |headers: HeaderMap| async move { scrape.answer(&headers).await }),
    )
}

fn build_router(
    services: Services,
    store: Sessions,
    addr: SocketAddr,
    secure_cookies: bool,
    scrape: Option<crate::metrics::Scrape>,
) -> Router {
    let leptos_options = leptos_options(addr);
    let port: SharedPort = Arc::new(services.clone());
    let state = AppState::new(Handles {
        services: services.clone(),
        leptos_options: leptos_options.clone(),
        port: port.clone(),
    });

    spawn_expired_session_deletion(store.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name(session_cookie_name(secure_cookies))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(7),
        ));

    let routes = generate_route_list(App);
    let context = {
        let port = port.clone();
        move || {
            provide_context(port.clone());
            security_headers::provide_request_nonce();
        }
    };
    let app_routes = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .route("/sfn/{*name}", get(server_fn).post(server_fn))
        .merge(api::routes())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .fallback(fallback)
        // One `layer` call for the whole stack, outermost first: each `Router::layer` boxes every
        // route's service again, and each middleware clones what it wraps on every request.
        .layer(
            ServiceBuilder::new()
                .layer(sessions)
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    same_origin_writes,
                ))
                .layer(middleware::from_fn_with_state(state.clone(), resolve_user))
                .layer(middleware::from_fn_with_state(state.clone(), guard_pages)),
        )
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn(security_headers::security_headers));
    // Meta's webhooks need no session or user, and batch up to a few MB per delivery.
    let webhook_routes = Router::new()
        .route(
            "/webhooks/whatsapp",
            get(crate::webhooks::receiver::verify).post(crate::webhooks::receiver::receive),
        )
        .layer(RequestBodyLimitLayer::new(WEBHOOK_BODY_LIMIT_BYTES));
    // Scrapers have no session or user either: the bearer token is their credential.
    let webhook_routes = match scrape {
        Some(scrape) => webhook_routes.route(
            "/metrics",
            get(move |headers: HeaderMap| async move { scrape.answer(&headers).await }),
        ),
        // Off here (or on its own address): a plain 404, not the pages' sign-in redirect, so a
        // misdirected scraper fails clearly.
        None => webhook_routes.route(
            "/metrics",
            get(|| async { (axum::http::StatusCode::NOT_FOUND, "Not found") }),
        ),
    };
    webhook_routes
        .merge(app_routes)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id, user_id = tracing::field::Empty)
                    }),
                )
                .layer(middleware::from_fn(crate::metrics::track_http)),
        )
        .with_state(state)
}

/// Over https the cookie is `__Host-` prefixed: browsers then refuse it unless it is Secure,
/// for this host only and for every path, so a sibling subdomain cannot plant or shadow it.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-greenlight_session"
    } else {
        "greenlight_session"
    }
}

/// Deletes expired sessions from the store every hour (they are otherwise only ignored).
fn spawn_expired_session_deletion(store: Sessions) {
    use tower_sessions::session_store::ExpiredDeletion;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions");
            }
        }
    });
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let port = state.port.clone();
    handle_server_fns_with_context(move || provide_context(port.clone()), req).await
}

/// Embedded assets, else the app's 404 page.
async fn fallback(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: Request<Body>,
) -> Response {
    if let Some(resp) = assets::serve(req.uri().path(), &headers) {
        return resp;
    }
    // REST clients get JSON for every error, an unknown path included.
    if req.uri().path() == "/api" || req.uri().path().starts_with("/api/") {
        return (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": "No such API endpoint.", "field": null})),
        )
            .into_response();
    }
    let port = state.port.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(port.clone());
            security_headers::provide_request_nonce();
        },
        move || shell(options.clone()),
    );
    handler(req).await.into_response()
}
