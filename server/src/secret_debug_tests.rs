//! Every secret-bearing type prints `[redacted]` (or secrecy's `[REDACTED]`) in `Debug`.
use clap::Parser;

use crate::cli::{Cli, Command, UsersCommand};

const SECRET: &str = "s3cr3t-value-7f2a";

fn assert_hidden(what: &str, debug: String) {
    assert!(!debug.contains(SECRET), "{what} leaks: {debug}");
    assert!(
        debug.to_lowercase().contains("[redacted]"),
        "{what} shows no marker: {debug}"
    );
}

#[test]
fn serve_args_hide_the_key_the_app_secret_and_the_verify_token() {
    let cli = Cli::parse_from([
        "greenlight",
        "serve",
        "--secret-key",
        SECRET,
        "--meta-app-secret",
        SECRET,
        "--meta-webhook-verify-token",
        SECRET,
    ]);
    let Command::Serve(args) = cli.command else {
        unreachable!()
    };
    let debug = format!("{args:?}");
    assert_hidden("ServeArgs", debug.clone());
    // Everything else stays visible, so the Debug output is still worth logging.
    assert!(debug.contains("graph_api_version"), "{debug}");
}

#[test]
fn users_create_args_hide_the_password() {
    let cli = Cli::parse_from([
        "greenlight",
        "users",
        "create",
        "--email",
        "a@b.co",
        "--name",
        "A",
        "--password",
        SECRET,
        "--account",
        "X",
        "--role",
        "agent",
    ]);
    assert!(matches!(
        cli.command,
        Command::Users {
            command: UsersCommand::Create(_)
        }
    ));
    assert_hidden("CreateUserArgs", format!("{cli:?}"));
}

#[test]
fn forms_and_service_inputs_hide_tokens_and_passwords() {
    let form = app::views::InboxForm {
        name: "Sales".into(),
        api_key: SECRET.into(),
        ..Default::default()
    };
    assert_hidden("InboxForm", format!("{form:?}"));
    let new_inbox = crate::inboxes::service::NewInbox {
        api_key: SECRET.into(),
        ..Default::default()
    };
    assert_hidden("NewInbox", format!("{new_inbox:?}"));
    let patch = crate::inboxes::service::InboxPatch {
        name: None,
        api_key: Some(SECRET.into()),
    };
    assert_hidden("InboxPatch", format!("{patch:?}"));
    let user = crate::accounts::service::NewUser {
        email: "a@b.co".into(),
        name: "A".into(),
        password: SECRET.into(),
        account: "X".into(),
        role: "agent".into(),
    };
    assert_hidden("NewUser", format!("{user:?}"));
    let created = crate::accounts::service::CreatedUser {
        user_id: 1,
        account_id: 1,
        access_token: SECRET.into(),
    };
    assert_hidden("CreatedUser", format!("{created:?}"));
    let credential = crate::demo::DemoCredential {
        role: "administrator",
        email: "admin@demo",
        password: SECRET.into(),
    };
    assert_hidden("DemoCredential", format!("{credential:?}"));
}

#[test]
fn rest_bodies_and_stored_rows_hide_their_secrets() {
    let config: crate::http::api::inboxes::ProviderConfig =
        serde_json::from_value(serde_json::json!({ "api_key": SECRET })).unwrap();
    assert_hidden("ProviderConfig", format!("{config:?}"));
    let hook: crate::http::api::events::NewWebhook = serde_json::from_value(
        serde_json::json!({ "url": "https://example.com/hook", "secret": SECRET }),
    )
    .unwrap();
    assert_hidden("NewWebhook", format!("{hook:?}"));
    let row = crate::inboxes::store::InboxRow {
        id: 1,
        account_id: 1,
        name: "Sales".into(),
        channel_type: "whatsapp_cloud".into(),
        phone_number: "+15550001".into(),
        phone_number_id: "1".into(),
        business_account_id: "2".into(),
        business_id: None,
        business_name: None,
        access_token_sealed: SECRET.into(),
        webhook_verify_token: SECRET.into(),
        setup_error: None,
        access_proven_at: None,
        created_at: 0,
        updated_at: 0,
    };
    assert_hidden("InboxRow", format!("{row:?}"));
}

#[test]
fn empty_and_absent_secrets_stay_distinguishable() {
    let form = app::views::InboxForm::default();
    assert!(format!("{form:?}").contains("api_key: \"\""));
    let patch = crate::inboxes::service::InboxPatch::default();
    assert!(format!("{patch:?}").contains("api_key: None"));
}
