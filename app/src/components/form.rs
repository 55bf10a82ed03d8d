//! Form building blocks: a labelled field that shows its own validation message.
use leptos::prelude::*;

use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// The server-function address a form posts to: where a plain (no-JavaScript) post goes.
pub fn action_url<S>(_: ServerAction<S>) -> &'static str
where
    S: ServerFn + 'static,
    S::Output: 'static,
{
    S::url()
}

/// A form's submit handler that sends its fields to the server function of `action`, as
/// `ActionForm` does but without turning the form's content into a type-erased view: every erased
/// view carries its whole hydration code into the wasm, and islands want only what they draw.
/// Without JavaScript the form's own `action` and `method` post it instead.
pub fn submit_to<S>(action: ServerAction<S>) -> impl Fn(leptos::ev::SubmitEvent) + Clone + 'static
where
    S: leptos::form::FromFormData + ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: leptos::server_fn::error::FromServerFnError + Send + Sync + 'static,
{
    move |ev| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        match S::from_event(&ev) {
            Ok(input) => {
                action.dispatch(input);
            }
            // Fields that do not read as the function's arguments: the form says so, as the
            // server would have.
            Err(e) => {
                use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
                let why = ServerFnErrorErr::Serialization(e.to_string());
                action
                    .value()
                    .set(Some(Err(S::Error::from_server_fn_error(why))));
            }
        }
    }
}

/// The message of `error` when it belongs to `field`.
pub fn field_message(error: &Option<AppError>, field: &str) -> Option<String> {
    match error {
        Some(e) if e.field() == Some(field) => Some(e.message(crate::locale())),
        _ => None,
    }
}

/// The message of `error` when it belongs to no field shown on the form.
pub fn form_message(error: &Option<AppError>, fields: &[&str]) -> Option<String> {
    match error {
        Some(e) if e.field().is_some_and(|f| fields.contains(&f)) => None,
        Some(e) => Some(e.message(crate::locale())),
        None => None,
    }
}

/// A labelled input with its error underneath, linked for screen readers.
#[component]
pub fn Field(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(into, default = "text".to_string())] kind: String,
    #[prop(into, default = String::new())] autocomplete: String,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    let described = err_id.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                maxlength=maxlength
                required=true
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
            />
            <p class="field-error" id=err_id role="alert">
                {move || error.get()}
            </p>
        </div>
    }
}
