//! An inbox's setup while Meta answers slowly: the pages show "still running" and follow the
//! setup until it ends, without redrawing anything else (a half-typed form stays as it is).
use leptos::prelude::*;

use crate::views::SetupStatus;

/// How many times a page checks again on its own while a setup runs (every 2 s: about a minute).
pub const SETUP_RECHECKS: u32 = 30;

/// The inbox's setup status, starting from `initial` (as the page was drawn). While it is
/// running, the browser reads it again every 2 s, at most [`SETUP_RECHECKS`] times; on the server
/// (effects do not run there) it stays `initial`.
pub fn use_setup_status(
    initial: SetupStatus,
    account_id: i64,
    inbox_id: i64,
) -> ReadSignal<SetupStatus> {
    let (status, set_status) = signal(initial);
    let rechecks = StoredValue::new(0u32);
    Effect::new(move |_| {
        let running = status.with(SetupStatus::running);
        if running && rechecks.get_value() < SETUP_RECHECKS {
            rechecks.update_value(|n| *n += 1);
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        match crate::api::get_inbox_settings(account_id, inbox_id).await {
                            Ok(s) => set_status.set(s.setup),
                            // Unreadable for now (a network blip): the same status, read again.
                            Err(_) => set_status.update(|_| {}),
                        }
                    })
                },
                std::time::Duration::from_secs(2),
            );
        }
    });
    status
}
