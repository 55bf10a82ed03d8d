//! The browser entry: hydrates the islands (`#[island]` components of the `app` crate) of the
//! server-rendered page; everything else on the page is plain HTML.
// The app's view types are deep (a page is one nested type); computing their layout for the wasm
// build goes past the default query depth of 128.
#![recursion_limit = "256"]

// Links the app's islands: each exports its own hydration function, found by the page's script.
use app as _;

/// Called by the generated JS once the wasm is loaded; the islands hydrate right after it.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic's message in the console (development builds: the hook's formatting code is a
    // noticeable part of a release wasm that must stay small).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // A server function that redirects (sign-out, deleting an inbox) sends the browser there: no
    // client-side router runs on these pages.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(to);
        }
    });
    leptos::mount::hydrate_islands();
    // The page's script hydrates the islands after this returns, without waiting on any timer;
    // a zero timer fires once they are all done. It lets end-to-end tests wait for hydration
    // instead of sleeping.
    leptos::prelude::set_timeout(
        || {
            if let Some(w) = web_sys::window() {
                let _ = js_sys::Reflect::set(&w, &"__greenlight_hydrated".into(), &true.into());
            }
        },
        std::time::Duration::ZERO,
    );
}
