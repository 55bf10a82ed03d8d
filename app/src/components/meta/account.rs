//! The Official Business Account (blue badge) status and what the throughput level means, saying so
//! when a coexistence number is capped lower.
use leptos::prelude::*;

use crate::components::badge::Badge;
use crate::format::throughput;
use crate::meta::{oba_label, throughput_meaning};

/// The section.
#[component]
pub fn AccountDetails(
    oba_status: Option<String>,
    throughput_level: Option<String>,
    coexistence: bool,
) -> impl IntoView {
    let (oba, oba_level) = oba_label(oba_status.as_deref());
    let (level, level_badge) = throughput(throughput_level.as_deref(), crate::locale());
    let meaning = throughput_meaning(throughput_level.as_deref(), coexistence);
    view! {
        <section class="card" id="oba-throughput" aria-label="Official Business Account and throughput">
            <h2>"Official Business Account and throughput"</h2>
            <p id="oba-status" data-oba=oba_status.clone()>
                <strong>"Official Business Account: "</strong><Badge level=oba_level text=oba/>
            </p>
            <p id="throughput-meaning" data-coexistence=coexistence.to_string()>
                <strong>"Throughput: "</strong><Badge level=level_badge text=level/>" "{meaning}
            </p>
        </section>
    }
    .into_any()
}
