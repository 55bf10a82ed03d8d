//! The site (wasm, js, css, `public/`) embedded in the binary, served with ETags.
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// `target/site` as `scripts/build.sh` leaves it. Debug builds read it from disk; release builds
/// carry it inside the binary.
#[derive(RustEmbed)]
#[folder = "../target/site"]
struct Site;

/// The embedded file at `path`, or `None`.
pub fn serve(path: &str, headers: &HeaderMap) -> Option<Response> {
    let key = path.trim_start_matches('/');
    if key.is_empty() {
        return None;
    }
    let file = Site::get(key)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = if key.starts_with("pkg/") {
        "public, max-age=3600, must-revalidate"
    } else {
        "public, max-age=86400"
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mime = mime_guess::from_path(key).first_or_octet_stream();
        let mut r = Response::new(Body::from(file.data.into_owned()));
        if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        r
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Some(resp)
}
