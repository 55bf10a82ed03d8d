//! The Meta part of the Account Health tab: everything Meta can tell about a number
//! ([`crate::meta::MetaPicture`]), one component per question.
use leptos::prelude::*;

use crate::meta::MetaPicture;

pub mod account;
pub mod can_send;
pub mod enforcement;

/// Every Meta section of the tab, in the order a person asks: can it send, and why not. Each
/// section's view is type-erased (`into_any`): the tab's view type is already deep, and the wasm
/// build's type-layout queries have a depth limit.
#[component]
pub fn MetaSections(meta: MetaPicture) -> impl IntoView {
    view! {
        <can_send::CanSendSection data=meta.can_send/>
        <enforcement::EnforcementSection items=meta.enforcement affected=meta.affected_numbers/>
        <account::AccountDetails oba_status=meta.oba_status throughput_level=meta.throughput_level
            coexistence=meta.coexistence/>
    }
    .into_any()
}
