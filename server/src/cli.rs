//! The command line: `serve`, `migrate`, `backup`, `restore`, `users create|list|set-role|disable|
//! reset-password|rotate-token|revoke-token`, `keys rotate`.
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use secrecy::{ExposeSecret, SecretString};

use crate::accounts::service::NewUser;
use crate::config::{DbArgs, ServeArgs};
use crate::demo::ExplicitFlags;

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
    /// Manage the key that seals tokens and PINs at rest.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Copy the SQLite database to PATH while the server runs, with a note naming the key it needs
    /// (PostgreSQL: use pg_dump).
    Backup(crate::backup::BackupArgs),
    /// Put a backup in place of the SQLite database (stop the server first).
    Restore(crate::backup::RestoreArgs),
}

/// `keys` subcommands.
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Re-seal every stored secret under a new key file (stop `serve` first); the old key is kept
    /// as secret.key.previous and still read.
    Rotate(RotateKeyArgs),
}

/// `keys rotate` options.
#[derive(Args, Debug)]
pub struct RotateKeyArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Rotation works on the key file; a configured key is rotated by whoever configures it.
    #[arg(long, env = "GREENLIGHT_SECRET_KEY", hide_env_values = true, value_parser = secret_arg)]
    pub secret_key: Option<SecretString>,
}

/// `users` subcommands.
#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Create a user (and the account if needed); prints one JSON line with the API token.
    Create(CreateUserArgs),
    /// Replace a user's REST API token; prints one JSON line with the new token (shown once).
    RotateToken(UserTokenArgs),
    /// Revoke a user's REST API token: no token works until the next rotation.
    RevokeToken(UserTokenArgs),
    /// List users with their accounts, roles and status; prints one JSON line per user.
    List(ListUsersArgs),
    /// Change a user's role in an account (never the last administrator's).
    SetRole(SetRoleArgs),
    /// Disable a user: they cannot sign in, their sessions and API token stop working.
    Disable(UserEmailArgs),
    /// Print a one-time link (valid 72 h) where the user chooses a new password.
    ResetPassword(ResetPasswordArgs),
}

/// `users list` options.
#[derive(Args, Debug)]
pub struct ListUsersArgs {
    #[command(flatten)]
    pub db: DbArgs,
}

/// `users disable` options.
#[derive(Args, Debug)]
pub struct UserEmailArgs {
    #[arg(long)]
    pub email: String,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `users set-role` options.
#[derive(Args, Debug)]
pub struct SetRoleArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long, value_parser = ["administrator", "agent"])]
    pub role: String,
    /// The account, when the user belongs to several.
    #[arg(long)]
    pub account_id: Option<i64>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `users reset-password` options.
#[derive(Args, Debug)]
pub struct ResetPasswordArgs {
    #[arg(long)]
    pub email: String,
    /// Where people reach Greenlight (the link starts with it); defaults to http://127.0.0.1:3000.
    #[arg(long, env = "GREENLIGHT_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `users rotate-token` / `users revoke-token` options.
#[derive(Args, Debug)]
pub struct UserTokenArgs {
    #[arg(long)]
    pub email: String,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `users create` options. `Debug` shows the password as `[REDACTED]`.
///
/// The password comes from, in this order: `--password-stdin`, `--password` (discouraged: it
/// lands in shell history and `ps`), `GREENLIGHT_USER_PASSWORD`, else a prompt at a terminal.
#[derive(Args, Debug)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// Discouraged (visible in `ps` and shell history); prefer `--password-stdin` or the prompt.
    #[arg(long, env = "GREENLIGHT_USER_PASSWORD", hide_env_values = true, value_parser = secret_arg)]
    pub password: Option<SecretString>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Account name; created when no account has it.
    #[arg(long)]
    pub account: String,
    #[arg(long, value_parser = ["administrator", "agent"])]
    pub role: String,
    #[command(flatten)]
    pub db: DbArgs,
}

fn secret_arg(s: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(s))
}

/// Why `users create` has no password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordSourceError {
    #[error("--password-stdin: cannot read standard input: {0}")]
    Stdin(std::io::Error),
    #[error("cannot read the password from the terminal: {0}")]
    Prompt(std::io::Error),
    #[error("--password: the two passwords differ")]
    Mismatch,
    #[error(
        "--password: none given; use --password-stdin, GREENLIGHT_USER_PASSWORD or run at a terminal"
    )]
    Missing,
}

/// The password of `users create`, from the first source that has one.
fn password_of(args: &CreateUserArgs) -> Result<SecretString, PasswordSourceError> {
    use std::io::{BufRead, IsTerminal};
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(PasswordSourceError::Stdin)?;
        let secret = SecretString::from(line.trim_end_matches(['\n', '\r']));
        secrecy::zeroize::Zeroize::zeroize(&mut line);
        return Ok(secret);
    }
    if let Some(p) = &args.password {
        return Ok(p.clone());
    }
    if !std::io::stdin().is_terminal() {
        return Err(PasswordSourceError::Missing);
    }
    let first = SecretString::from(
        rpassword::prompt_password(format!("Password for {}: ", args.email))
            .map_err(PasswordSourceError::Prompt)?,
    );
    let again = SecretString::from(
        rpassword::prompt_password("Repeat the password: ").map_err(PasswordSourceError::Prompt)?,
    );
    if first.expose_secret() != again.expose_secret() {
        return Err(PasswordSourceError::Mismatch);
    }
    Ok(first)
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
                    println!("migrations applied to {}", crate::db::describe(&db.url()));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Keys {
            command: KeysCommand::Rotate(a),
        } => rotate_keys(a).await,
        Command::Backup(a) => backup_command(a).await,
        Command::Restore(a) => restore_command(a).await,
        Command::Users {
            command: UsersCommand::RotateToken(a),
        } => token_command(a, TokenAction::Rotate).await,
        Command::Users {
            command: UsersCommand::RevokeToken(a),
        } => token_command(a, TokenAction::Revoke).await,
        Command::Users {
            command: UsersCommand::List(a),
        } => team_command(&a.db, TeamAction::List).await,
        Command::Users {
            command: UsersCommand::SetRole(a),
        } => {
            team_command(
                &a.db,
                TeamAction::SetRole {
                    email: a.email,
                    role: a.role,
                    account_id: a.account_id,
                },
            )
            .await
        }
        Command::Users {
            command: UsersCommand::Disable(a),
        } => team_command(&a.db, TeamAction::Disable { email: a.email }).await,
        Command::Users {
            command: UsersCommand::ResetPassword(a),
        } => {
            let public_url = a
                .public_url
                .unwrap_or_else(|| url::Url::parse("http://127.0.0.1:3000").expect("a valid URL"));
            team_command(
                &a.db,
                TeamAction::ResetPassword {
                    email: a.email,
                    public_url,
                },
            )
            .await
        }
        Command::Users {
            command: UsersCommand::Create(a),
        } => {
            let password = match password_of(&a) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
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
                .accounts
                .create_user(NewUser {
                    email: a.email,
                    name: a.name,
                    password: password.expose_secret().to_owned(),
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

async fn backup_command(a: crate::backup::BackupArgs) -> ExitCode {
    match crate::backup::backup(&a).await {
        Ok(done) => {
            println!("{}", serde_json::to_string(&done).expect("serializable"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("backup: {e}")),
    }
}

async fn restore_command(a: crate::backup::RestoreArgs) -> ExitCode {
    match crate::backup::restore(&a).await {
        Ok(done) => {
            println!("{}", serde_json::to_string(&done).expect("serializable"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("restore: {e}")),
    }
}

/// What a team command does (`users list|set-role|disable|reset-password`).
#[derive(Debug)]
enum TeamAction {
    List,
    SetRole {
        email: String,
        role: String,
        account_id: Option<i64>,
    },
    Disable {
        email: String,
    },
    ResetPassword {
        email: String,
        public_url: url::Url,
    },
}

/// The accounts service over the database, for commands that touch no secret and call no Graph.
async fn account_service(
    db: &DbArgs,
) -> Result<crate::accounts::service::AccountService, ExitCode> {
    let db = crate::db::open(&db.url()).await.map_err(fail)?;
    let stores = crate::services::stores::Stores::new(&db);
    Ok(crate::accounts::service::AccountService::new(
        stores.account_service(),
        crate::auth::login_limiter::LoginLimiter::default(),
    ))
}

async fn team_command(db: &DbArgs, action: TeamAction) -> ExitCode {
    let accounts = match account_service(db).await {
        Ok(a) => a,
        Err(code) => return code,
    };
    let result = match action {
        TeamAction::List => accounts.list_users().await.map(|users| {
            for u in users {
                println!("{}", serde_json::to_string(&u).expect("serializable"));
            }
        }),
        TeamAction::SetRole {
            email,
            role,
            account_id,
        } => accounts
            .set_role_by_email(&email, account_id, &role)
            .await
            .map(|()| println!("{}", serde_json::json!({"email": email, "role": role}))),
        TeamAction::Disable { email } => accounts
            .disable_by_email(&email)
            .await
            .map(|()| println!("{}", serde_json::json!({"email": email, "disabled": true}))),
        TeamAction::ResetPassword { email, public_url } => {
            accounts.reset_link(&email).await.map(|link| {
                let url =
                    crate::accounts::team::link_url(&public_url, link.token.expose_secret());
                println!(
                    "{}",
                    serde_json::json!({"email": link.email, "reset_url": url, "expires_at": link.expires_at})
                );
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let e: app::error::AppError = e.into();
            match e.field() {
                Some(f) => fail(format!("--{}: {e}", f.replace('_', "-"))),
                None => fail(e),
            }
        }
    }
}

async fn rotate_keys(a: RotateKeyArgs) -> ExitCode {
    if a.secret_key.is_some() {
        return fail(
            "keys rotate works on the key file; GREENLIGHT_SECRET_KEY is set, so the key is yours to rotate",
        );
    }
    let db = match crate::db::open(&a.db.url()).await {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    match crate::key_rotation::rotate(&db, &a.db.data_dir).await {
        Ok(done) => {
            println!("{}", serde_json::to_string(&done).expect("serializable"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("keys rotate: {e}")),
    }
}

/// What `users rotate-token|revoke-token` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenAction {
    Rotate,
    Revoke,
}

async fn token_command(a: UserTokenArgs, action: TokenAction) -> ExitCode {
    let db = match crate::db::open(&a.db.url()).await {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    let result = match action {
        TokenAction::Rotate => crate::accounts::api_tokens::rotate_by_email(
            &crate::accounts::store::AccountStore::new(db.clone()),
            &a.email,
        )
        .await
        .map(Some),
        TokenAction::Revoke => crate::accounts::api_tokens::revoke_by_email(
            &crate::accounts::store::AccountStore::new(db.clone()),
            &a.email,
        )
        .await
        .map(|()| None),
    };
    match result {
        Ok(Some(token)) => {
            let line =
                serde_json::json!({ "email": a.email, "access_token": token.expose_secret() });
            println!("{line}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!(
                "{}",
                serde_json::json!({ "email": a.email, "revoked": true })
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("--email: {e}")),
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
        let simulator = sim.sim.clone();
        tokio::spawn(async move {
            match crate::demo::seed_inboxes(&services, &users, &numbers).await {
                Ok(seeded) => crate::demo::print_inboxes_ready(&seeded),
                Err(e) => {
                    let e = app::error::AppError::from(e);
                    tracing::error!(error = %e, "demo: seeding the inboxes failed");
                    eprintln!("greenlight: demo: seeding the inboxes failed: {e}");
                    return;
                }
            }
            // Meta's enforcement arrives as webhooks, once the inboxes they concern exist.
            if let Err(e) = crate::demo::seed_enforcement(&services, &simulator, &numbers).await {
                let e = app::error::AppError::from(e);
                tracing::error!(error = %e, "demo: sending the enforcement webhooks failed");
                eprintln!("greenlight: demo: sending the enforcement webhooks failed: {e}");
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
