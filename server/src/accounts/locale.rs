//! Which language a request's pages and texts speak: the one the user chose, else the browser's
//! (the `i18n_pref_locale` cookie the UI keeps, then `Accept-Language`), else English.
use app::team::Locale;
use axum::http::{header, HeaderMap, HeaderValue};

/// The cookie the UI's i18n layer (leptos_i18n) reads on the server and keeps in the browser.
pub const COOKIE: &str = "i18n_pref_locale";

/// The language of a request from the user's choice and its headers.
pub fn for_request(chosen: Option<Locale>, headers: &HeaderMap) -> Locale {
    chosen
        .or_else(|| cookie(headers).and_then(|v| Locale::parse(&v)))
        .or_else(|| {
            headers
                .get_all(header::ACCEPT_LANGUAGE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    cookie_pairs(headers)
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Makes the request's cookies say `locale`, in one `Cookie` header: the UI's i18n layer reads
/// the first `Cookie` header only, and so renders the page in the language decided here.
pub fn pin_cookie(headers: &mut HeaderMap, locale: Locale) {
    let mut pairs: Vec<String> = cookie_pairs(headers)
        .filter(|(k, _)| *k != COOKIE)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.push(format!("{COOKIE}={}", locale.as_str()));
    headers.remove(header::COOKIE);
    if let Ok(v) = HeaderValue::from_str(&pairs.join("; ")) {
        headers.insert(header::COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_choice_beats_the_cookie_which_beats_the_browser() {
        let browser = headers(&[("accept-language", "es-AR,es;q=0.9")]);
        assert_eq!(for_request(None, &browser), Locale::Es);
        let with_cookie = headers(&[
            ("accept-language", "es-AR"),
            ("cookie", "a=1; i18n_pref_locale=pt-BR"),
        ]);
        assert_eq!(for_request(None, &with_cookie), Locale::PtBr);
        assert_eq!(for_request(Some(Locale::En), &with_cookie), Locale::En);
        assert_eq!(for_request(None, &HeaderMap::new()), Locale::En);
        let junk = headers(&[("cookie", "i18n_pref_locale=fr"), ("accept-language", "fr")]);
        assert_eq!(for_request(None, &junk), Locale::En);
    }

    #[test]
    fn pinning_keeps_the_other_cookies_in_one_header() {
        let mut h = headers(&[
            ("cookie", "greenlight_session=abc; i18n_pref_locale=es"),
            ("cookie", "other=2"),
        ]);
        pin_cookie(&mut h, Locale::PtBr);
        let all: Vec<_> = h.get_all(header::COOKIE).iter().collect();
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0],
            "greenlight_session=abc; other=2; i18n_pref_locale=pt-BR"
        );
        assert_eq!(for_request(None, &h), Locale::PtBr);
    }
}
