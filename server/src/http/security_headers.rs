//! Security headers on every answer: a Content-Security-Policy with a fresh nonce per request
//! (the hydration script and the server-rendered resource scripts carry it), no framing, no
//! MIME sniffing, and no Referer sent to other sites.
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

/// The policy for one nonce. `wasm-unsafe-eval` lets the page compile its own WebAssembly (it
/// does not allow `eval`); `style-src-attr` allows the `style=` attributes the server renders
/// (e.g. rows hidden by a filter), which a nonce cannot cover.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Puts a fresh nonce in the request (for the Leptos renderer) and the headers on the answer.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Same-origin Referers stay: the CSRF check may rely on them when Origin is absent.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// Inside a Leptos render: uses the request's nonce (the one in the CSP header) instead of the
/// one leptos_axum made up, so the page's inline scripts match the policy.
pub fn provide_request_nonce() {
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_only_nonced_inline_scripts_and_no_framing() {
        let p = content_security_policy("abc");
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(p.contains("frame-ancestors 'none'"));
        let script_src = p
            .split(';')
            .find(|d| d.trim().starts_with("script-src "))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    }
}
