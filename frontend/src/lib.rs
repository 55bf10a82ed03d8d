//! The browser entry: hydrates the server-rendered page with the `app` crate.
// The app's view types are deep (a page is one nested type); computing their layout for the wasm
// build goes past the default query depth of 128.
#![recursion_limit = "256"]

/// Called by the generated JS once the wasm is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets end-to-end tests wait for hydration instead of sleeping.
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"__greenlight_hydrated".into(), &true.into());
    }
}
