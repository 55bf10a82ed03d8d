//! Every language says everything: the same keys in every namespace file of every locale, the same
//! `{placeholders}` in each text, and no empty text. (leptos_i18n would silently fall back to
//! English for a missing key; this test names it instead.)
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const LOCALES: [&str; 3] = ["en", "pt-BR", "es"];

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

/// `ns.a.b` -> text, for one locale.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => panic!("{prefix}: only texts and objects belong in a locale file, found {other}"),
    }
}

fn texts(locale: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let dir = locales_dir().join(locale);
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let ns = path.file_stem().unwrap().to_string_lossy().to_string();
        let raw = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&raw)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        flatten(&ns, &v, &mut out);
    }
    out
}

/// The `{name}` placeholders of a text, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if after[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out.sort();
    out
}

#[test]
fn every_language_has_every_key_with_the_same_placeholders() {
    let english = texts("en");
    assert!(english.len() > 10, "the English texts were not found");
    let mut problems = Vec::new();
    for locale in &LOCALES[1..] {
        let other = texts(locale);
        for (key, text) in &english {
            match other.get(key) {
                None => problems.push(format!("{locale}: missing {key}")),
                Some(t) if placeholders(t) != placeholders(text) => problems.push(format!(
                    "{locale}: {key} has placeholders {:?}, English has {:?}",
                    placeholders(t),
                    placeholders(text)
                )),
                Some(_) => {}
            }
        }
        for key in other.keys().filter(|k| !english.contains_key(*k)) {
            problems.push(format!("{locale}: {key} is not an English key"));
        }
    }
    for locale in LOCALES {
        for (key, text) in texts(locale) {
            if text.trim().is_empty() {
                problems.push(format!("{locale}: {key} is empty"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_itself_notices_a_missing_key_and_a_lost_placeholder() {
    assert_eq!(placeholders("{n} min ago, {name}"), ["n", "name"]);
    assert_eq!(placeholders("a { b } {c}"), ["c"]);
    let mut a = BTreeMap::new();
    flatten(
        "ns",
        &serde_json::json!({"x": {"y": "Y"}, "z": "Z"}),
        &mut a,
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), ["ns.x.y", "ns.z"]);
}
