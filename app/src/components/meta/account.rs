//! The Official Business Account (blue badge) status and what the throughput level means, saying so
//! when a coexistence number is capped lower.
use leptos::prelude::*;

use crate::components::badge::Badge;
use crate::format::throughput;
use crate::meta::{oba_label, throughput_meaning};
use crate::tr;

/// The section.
#[component]
pub fn AccountDetails(
    oba_status: Option<String>,
    throughput_level: Option<String>,
    coexistence: bool,
) -> impl IntoView {
    let l = crate::locale();
    let (oba, oba_level) = oba_label(oba_status.as_deref(), l);
    let (level, level_badge) = throughput(throughput_level.as_deref(), l);
    let meaning = throughput_meaning(throughput_level.as_deref(), coexistence, l);
    let heading = tr!(l, meta.account.heading);
    let label = heading.clone();
    view! {
        <section class="card" id="oba-throughput" aria-label=label>
            <h2>{heading}</h2>
            <p id="oba-status" data-oba=oba_status.clone()>
                <strong>{format!("{}: ", tr!(l, meta.account.oba))}</strong><Badge level=oba_level text=oba/>
            </p>
            <p id="throughput-meaning" data-coexistence=coexistence.to_string()>
                <strong>{format!("{}: ", tr!(l, meta.account.throughput))}</strong><Badge level=level_badge text=level/>" "{meaning}
            </p>
        </section>
    }
    .into_any()
}
