//! The site (wasm, js, css, `public/`) embedded in the binary, served with ETags.
//!
//! `scripts/build.sh` stores the big files gzipped (`pkg/greenlight.wasm.gz`): the binary is
//! smaller, and a browser's download costs a copy instead of compressing megabytes per request
//! (about 0.3 s of CPU for the wasm). The rare client that refuses gzip gets them unpacked.
use std::io::Read;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// `target/site` as `scripts/build.sh` leaves it. Debug builds read it from disk; release builds
/// carry it inside the binary.
#[derive(RustEmbed)]
#[folder = "../target/site"]
struct Site;

/// True when the request's `Accept-Encoding` takes gzip (named or `*`, with a weight above 0).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let weight = parts
                .find_map(|p| p.strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && weight > 0.0
        })
}

/// The embedded file at `path`, or `None`.
pub fn serve(path: &str, headers: &HeaderMap) -> Option<Response> {
    let key = path.trim_start_matches('/');
    if key.is_empty() || key.ends_with(".gz") {
        return None;
    }
    let (file, gzipped) = match Site::get(key) {
        Some(file) => (file, false),
        None => (Site::get(&format!("{key}.gz"))?, true),
    };
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
        let send_gzip = gzipped && accepts_gzip(headers);
        let body = if gzipped && !send_gzip {
            let mut plain = Vec::new();
            if let Err(e) = flate2::read::GzDecoder::new(&file.data[..]).read_to_end(&mut plain) {
                tracing::error!(%key, error = %e, "an embedded gzipped asset does not unpack");
                return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
            }
            plain
        } else {
            file.data.into_owned()
        };
        let mime = mime_guess::from_path(key).first_or_octet_stream();
        let mut r = Response::new(Body::from(body));
        if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        if send_gzip {
            // Already compressed: the compression layer leaves a response with an encoding alone.
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if gzipped {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;
    use axum::http::{header, HeaderMap, HeaderValue};

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_take_it() {
        assert!(accepts_gzip(&with("gzip, deflate, br, zstd")));
        assert!(accepts_gzip(&with("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&with("*")));
        assert!(!accepts_gzip(&with("gzip;q=0")));
        assert!(!accepts_gzip(&with("br, identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
