//! Which language a request's pages and texts speak: the one the user chose, else the browser's
//! (`Accept-Language`), else English.
use app::team::Locale;
use axum::http::{header, HeaderMap, HeaderValue};

/// The language of a request from the user's choice and its headers.
pub fn for_request(chosen: Option<Locale>, headers: &HeaderMap) -> Locale {
    chosen
        .or_else(|| {
            headers
                .get_all(header::ACCEPT_LANGUAGE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

/// Makes the request's `Accept-Language` say exactly `locale`: the UI's i18n layer (leptos_i18n)
/// picks the page's language from that header on the server, so the page is drawn in the language
/// decided here, and hydration reads it back from `<html lang>`. No cookie is involved, so a user
/// who follows the browser gets the browser's current language on every request.
pub fn pin(headers: &mut HeaderMap, locale: Locale) {
    headers.insert(
        header::ACCEPT_LANGUAGE,
        HeaderValue::from_static(locale.as_str()),
    );
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
    fn the_choice_beats_the_browser_which_beats_english() {
        let browser = headers(&[("accept-language", "es-AR,es;q=0.9")]);
        assert_eq!(for_request(None, &browser), Locale::Es);
        assert_eq!(for_request(Some(Locale::PtBr), &browser), Locale::PtBr);
        assert_eq!(for_request(None, &HeaderMap::new()), Locale::En);
        let unknown = headers(&[("accept-language", "fr-FR, de")]);
        assert_eq!(for_request(None, &unknown), Locale::En);
    }

    #[test]
    fn pinning_leaves_one_header_with_the_decided_language() {
        let mut h = headers(&[("accept-language", "es"), ("accept-language", "en")]);
        pin(&mut h, Locale::PtBr);
        let all: Vec<_> = h.get_all(header::ACCEPT_LANGUAGE).iter().collect();
        assert_eq!(all, ["pt-BR"]);
    }
}
