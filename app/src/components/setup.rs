//! An inbox's setup while Meta answers slowly: the pages show "still running" and follow the
//! setup until it ends, without redrawing anything else (a half-typed form stays as it is).
use leptos::prelude::*;

use crate::views::SetupStatus;

/// How many times a page checks again on its own while a setup runs (every 2 s: about a minute).
pub const SETUP_RECHECKS: u32 = 30;

/// Follows the inbox's setup status: while it is running, the browser reads it again every 2 s, at
/// most [`SETUP_RECHECKS`] times in a row, and sets `status`. A new run (a saved token, a retry)
/// set from outside is followed the same way. Effects do not run on the server.
pub fn follow_setup(status: RwSignal<SetupStatus>, account_id: i64, inbox_id: i64) {
    let rechecks = StoredValue::new(0u32);
    Effect::new(move |_| {
        if !status.with(SetupStatus::running) {
            rechecks.set_value(0);
        } else if rechecks.get_value() < SETUP_RECHECKS {
            rechecks.update_value(|n| *n += 1);
            set_timeout(
                move || read_setup(status, account_id, inbox_id),
                std::time::Duration::from_secs(2),
            );
        }
    });
}

/// Reads the inbox's setup status now and sets `status` (to the same value when it cannot be
/// read for now, a network blip: a running setup is then read again).
pub fn read_setup(status: RwSignal<SetupStatus>, account_id: i64, inbox_id: i64) {
    leptos::task::spawn_local(async move {
        match crate::api::get_setup_status(account_id, inbox_id).await {
            Ok(s) => status.set(s),
            Err(_) => status.update(|_| {}),
        }
    })
}
