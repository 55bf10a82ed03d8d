//! Menus drawn as `<details data-menu>`: their summary opens and closes them even without
//! JavaScript. Once hydrated they also close the way people expect a menu to: on Escape (focus
//! returns to the summary) and on a click or tap anywhere outside. A link followed inside a menu
//! loads a new page, where every menu starts closed.
use leptos::prelude::*;

/// The listeners that close the frame's menus: an island that draws nothing.
#[island]
pub fn MenuDismissal() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use leptos::ev;
        use wasm_bindgen::JsCast;

        let keys = window_event_listener(ev::keydown, |e| {
            if e.key() == "Escape" {
                close_menus(None);
            }
        });
        let pointer = window_event_listener(ev::pointerdown, |e| {
            // A press inside a menu (its summary included) leaves that menu to the browser.
            let inside = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("details[data-menu]").ok().flatten());
            close_menus(inside.as_ref());
        });
        on_cleanup(move || {
            keys.remove();
            pointer.remove();
        });
    }
}

/// Closes every open menu but `keep`; a menu that held the focus hands it to its summary, so a
/// keyboard user stays where they were.
#[cfg(feature = "hydrate")]
fn close_menus(keep: Option<&web_sys::Element>) {
    use wasm_bindgen::JsCast;

    let doc = document();
    let all = doc.get_elements_by_tag_name("details");
    let active = doc.active_element();
    for i in 0..all.length() {
        let Some(menu) = all.item(i) else { continue };
        if !menu.has_attribute("data-menu") || !menu.has_attribute("open") {
            continue;
        }
        if keep.is_some_and(|k| k == &menu) {
            continue;
        }
        let had_focus = active.as_ref().is_some_and(|a| menu.contains(Some(a)));
        let _ = menu.remove_attribute("open");
        if had_focus {
            if let Some(summary) = menu
                .query_selector("summary")
                .ok()
                .flatten()
                .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = summary.focus();
            }
        }
    }
}
