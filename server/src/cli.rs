//! The command line: `serve`, `migrate`, `users create`.
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{DbArgs, ServeArgs};
use crate::demo::ExplicitFlags;
use crate::services::accounts::NewUser;

/// Greenlight keeps WhatsApp Business Cloud API numbers healthy.
#[derive(Parser, Debug)]
#[command(name = "greenlight", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web console (applies migrations first).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Manage users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

/// `users` subcommands.
#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Create a user (and the account if needed); prints one JSON line with the API token.
    Create(CreateUserArgs),
}

/// `users create` options.
#[derive(Args, Debug)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub password: String,
    /// Account name; created when no account has it.
    #[arg(long)]
    pub account: String,
    #[arg(long, value_parser = ["administrator", "agent"])]
    pub role: String,
    #[command(flatten)]
    pub db: DbArgs,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("greenlight: {message}");
    ExitCode::from(2)
}

/// Parses the command line and runs it. Bad flags or configuration: one line, exit code 2.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let explicit = explicit_flags(&matches);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(run(cli, explicit))
}

/// Which `serve` options were written on the command line (demo mode overrides the others).
fn explicit_flags(matches: &clap::ArgMatches) -> ExplicitFlags {
    let Some(("serve", m)) = matches.subcommand() else {
        return ExplicitFlags::default();
    };
    let given = |id: &str| m.value_source(id) == Some(ValueSource::CommandLine);
    ExplicitFlags {
        addr: given("addr"),
        data_dir: given("data_dir"),
        database_url: given("database_url"),
    }
}

async fn run(cli: Cli, explicit: ExplicitFlags) -> ExitCode {
    if !matches!(cli.command, Command::Serve(_)) {
        // Warnings (such as loose file permissions) must reach the operator here too.
        crate::telemetry::init(crate::config::LogFormat::Text);
    }
    match cli.command {
        Command::Serve(args) => serve(*args, explicit).await,
        Command::Migrate(db) => {
            if let Err(e) = crate::private_files::secure_data_dir(&db.data_dir, db.uses_data_dir())
            {
                return fail(format!(
                    "cannot create the data directory {}: {e}",
                    db.data_dir.display()
                ));
            }
            match crate::db::open(&db.url()).await {
                Ok(_) => {
                    println!("migrations applied to {}", db.url());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Users {
            command: UsersCommand::Create(a),
        } => {
            let db = match crate::db::open(&a.db.url()).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            // Creating a user touches no secret and no Graph call: placeholders suffice.
            let secrets = crate::crypto::SecretBox::from_key([0; 32]);
            let graph = match crate::graph::GraphClient::new(crate::graph::GraphConfig::default()) {
                Ok(g) => g,
                Err(e) => return fail(e),
            };
            let public = url::Url::parse("http://127.0.0.1").expect("valid");
            let services = crate::services::Services::new(db, secrets, graph, public, false);
            match services
                .create_user(NewUser {
                    email: a.email,
                    name: a.name,
                    password: a.password,
                    account: a.account,
                    role: a.role,
                })
                .await
            {
                Ok(created) => {
                    println!("{}", serde_json::to_string(&created).expect("serializable"));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    let e: app::error::AppError = e.into();
                    match e.field() {
                        Some(f) => fail(format!("--{f}: {e}")),
                        None => fail(e),
                    }
                }
            }
        }
    }
}

async fn serve(mut args: ServeArgs, explicit: ExplicitFlags) -> ExitCode {
    crate::telemetry::init(args.log_format);
    // Demo: the simulated Meta runs in-process for the whole run (dropping it stops it).
    let simulator = if args.demo {
        crate::demo::apply_demo_defaults(&mut args, explicit);
        if let Err(e) = crate::demo::claim_database(&args.db.url()).await {
            return fail(format!("demo: {e}"));
        }
        let sim = match crate::demo::start_simulator().await {
            Ok(sim) => sim,
            Err(e) => return fail(format!("demo: cannot start the Graph API simulator: {e}")),
        };
        if let Err(e) = crate::demo::point_at_simulator(&mut args, &sim) {
            return fail(format!("demo: {e}"));
        }
        Some(sim)
    } else {
        None
    };
    let app = match crate::startup::Application::build(&args).await {
        Ok(app) => app,
        Err(e) => return fail(e),
    };
    if let Some(sim) = &simulator {
        let users = match crate::demo::seed(&app.services).await {
            Ok(users) => users,
            Err(e) => return fail(format!("demo: {}", app::error::AppError::from(e))),
        };
        let app_secret = args.meta_app_secret.clone().unwrap_or_default();
        crate::demo::print_banner(&app.addr, &users, &sim.base_url, &app_secret);
        crate::demo::send_webhooks_to(sim, &app.services.public_url, &app_secret);
        // Inboxes are seeded while the server already answers: the slow number's timeouts must
        // not delay readiness (it is seeded last anyway).
        let services = app.services.clone();
        let numbers = sim.sim.numbers();
        tokio::spawn(async move {
            match crate::demo::seed_inboxes(&services, &users, &numbers).await {
                Ok(seeded) => crate::demo::print_inboxes_ready(&seeded),
                Err(e) => {
                    let e = app::error::AppError::from(e);
                    tracing::error!(error = %e, "demo: seeding the inboxes failed");
                    eprintln!("greenlight: demo: seeding the inboxes failed: {e}");
                }
            }
        });
    }
    tracing::info!(addr = %app.addr, "Greenlight listening on http://{}", app.addr);
    let result = app.run_until_stopped().await;
    drop(simulator);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("server stopped: {e}")),
    }
}
