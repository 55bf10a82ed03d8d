//! Cross-site request forgery defence for cookie-authenticated writes (server functions, forms).
//!
//! An unsafe request is accepted only when the browser proves it comes from Greenlight's own
//! origin (the origin of `GREENLIGHT_PUBLIC_URL`): by `Origin`, else by `Referer`, else by
//! `Sec-Fetch-Site: same-origin`. The first of these present decides; none present → refused.
//! Requests carrying an `api_access_token` header are exempt: a page on another site cannot
//! add that header without a CORS preflight, which Greenlight never grants. Meta's webhooks are
//! exempt too: they carry no cookie and are checked by their signature.
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::{Origin, Url};

use crate::state::AppState;

/// Meta's deliveries (their own router today; kept here so a future merge cannot refuse them).
const WEBHOOKS: &str = "/webhooks/";

/// Why a request was taken as cross-site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CrossSite {
    #[error("Origin is another site")]
    Origin,
    #[error("Referer is another site")]
    Referer,
    #[error("Sec-Fetch-Site is not same-origin")]
    FetchSite,
    #[error("no Origin, Referer or Sec-Fetch-Site")]
    Unproven,
}

/// Decides whether an unsafe request with these headers comes from `own` origin.
pub fn check(own: &Origin, headers: &HeaderMap) -> Result<(), CrossSite> {
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    if let Some(origin) = text(header::ORIGIN) {
        // `Origin: null` (sandboxed frames, some redirects) does not parse: refused.
        return same(own, origin).then_some(()).ok_or(CrossSite::Origin);
    }
    if let Some(referer) = text(header::REFERER) {
        return same(own, referer).then_some(()).ok_or(CrossSite::Referer);
    }
    match text(header::HeaderName::from_static("sec-fetch-site")) {
        Some("same-origin") => Ok(()),
        Some(_) => Err(CrossSite::FetchSite),
        None => Err(CrossSite::Unproven),
    }
}

fn same(own: &Origin, url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| u.origin() == *own)
}

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Refuses cross-site unsafe requests with 403 JSON.
pub async fn same_origin_writes(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let exempt = is_safe(req.method())
        || path.starts_with(WEBHOOKS)
        || req.headers().contains_key("api_access_token");
    if exempt {
        return next.run(req).await;
    }
    if let Err(why) = check(&state.services.public_url.origin(), req.headers()) {
        tracing::warn!(reason = %why, "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"error": "Cross-site request refused.", "field": null})),
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> Origin {
        Url::parse("https://gl.example.com/").unwrap().origin()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn origin_decides_first() {
        assert_eq!(
            check(&own(), &headers(&[("origin", "https://gl.example.com")])),
            Ok(())
        );
        assert_eq!(
            check(
                &own(),
                &headers(&[("origin", "https://gl.example.com:443")])
            ),
            Ok(())
        );
        for bad in [
            "https://evil.example",
            "http://gl.example.com",
            "https://gl.example.com:8443",
            "https://sub.gl.example.com",
            "null",
            "",
        ] {
            // A matching Referer or Sec-Fetch-Site does not rescue a foreign Origin.
            let h = headers(&[
                ("origin", bad),
                ("referer", "https://gl.example.com/login"),
                ("sec-fetch-site", "same-origin"),
            ]);
            assert_eq!(check(&own(), &h), Err(CrossSite::Origin), "{bad:?}");
        }
    }

    #[test]
    fn referer_then_fetch_site_decide_without_origin() {
        let ok = headers(&[("referer", "https://gl.example.com/accounts/1?x=1")]);
        assert_eq!(check(&own(), &ok), Ok(()));
        let bad = headers(&[
            ("referer", "https://evil.example/gl.example.com"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(check(&own(), &bad), Err(CrossSite::Referer));
        let fetch = |v| check(&own(), &headers(&[("sec-fetch-site", v)]));
        assert_eq!(fetch("same-origin"), Ok(()));
        assert_eq!(fetch("same-site"), Err(CrossSite::FetchSite));
        assert_eq!(fetch("cross-site"), Err(CrossSite::FetchSite));
        assert_eq!(fetch("none"), Err(CrossSite::FetchSite));
        assert_eq!(check(&own(), &HeaderMap::new()), Err(CrossSite::Unproven));
    }
}
