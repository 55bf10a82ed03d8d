//! A badge: colour carries the meaning and the text says it too (screen readers, colour-blind users).
use leptos::prelude::*;
use stylers_macro::style;

use crate::health::BadgeLevel;

/// A value with its level, e.g. "High" in green with the hidden word "Good".
#[component]
pub fn Badge(level: BadgeLevel, #[prop(into)] text: String) -> impl IntoView {
    let word = level.word_in(crate::locale());
    let class = style! {
        .badge {
            display: inline-flex;
            align-items: center;
            gap: 0.35rem;
            padding: 0.15rem 0.55rem;
            border-radius: 999px;
            font-weight: 600;
            font-size: 0.9rem;
            border: 1px solid transparent;
        }
        .badge::before {
            content: "";
            width: 0.55rem;
            height: 0.55rem;
            border-radius: 50%;
            background: currentColor;
        }
        .good {
            background: var(--good-bg);
            color: var(--good);
        }
        .attention {
            background: var(--warn-bg);
            color: var(--warn);
        }
        .blocked {
            background: var(--bad-bg);
            color: var(--bad);
        }
        .unknown {
            background: var(--neutral-bg);
            color: var(--neutral);
        }
    };
    view! { class = class,
        <span class=format!("badge {}", level.as_str()) data-level=level.as_str() title=word.clone()>
            <span class="visually-hidden">{format!("{word}: ")}</span>
            {text}
        </span>
    }
}
