//! "Can this number send?": Meta's `health_status` answer with every entity it names, each blocked
//! entity's errors (code, what it means, what to do) and each limited entity's explanations.
use leptos::prelude::*;
use stylers_macro::style;

use crate::components::badge::Badge;
use crate::meta::{can_send_label, can_send_sentence, entity_label_in, CanSendView, EntityView};
use crate::tr;

/// The section.
#[component]
pub fn CanSendSection(data: CanSendView) -> impl IntoView {
    let class = style! {
        .entities {
            list-style: none;
            padding: 0;
            margin: 0.6rem 0 0;
            display: grid;
            gap: 0.5rem;
        }
    };
    let l = crate::locale();
    let (answer, level) = can_send_label(&data.can_send_message, l);
    let sentence = can_send_sentence(&data.can_send_message, l);
    let checked = tr!(l, meta.can_send.checked);
    view! { class = class,
        <section class="card" id="can-send" aria-labelledby="can-send-title"
            data-can-send=data.can_send_message.clone()>
            <h2 id="can-send-title">{tr!(l, meta.can_send.heading)}</h2>
            <p><Badge level=level text=answer/>" "{sentence}</p>
            {(!data.entities.is_empty()).then(|| view! { class = class,
                <ul class="entities" aria-label=checked>
                    {data.entities.into_iter().map(|e| view! { class = class, <Entity entity=e/> }.into_any()).collect_view()}
                </ul>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn Entity(entity: EntityView) -> impl IntoView {
    let class = style! {
        .entity {
            border: 1px solid var(--line);
            border-radius: var(--radius);
            padding: 0.5rem 0.75rem;
        }
        .entity-head {
            display: flex;
            flex-wrap: wrap;
            gap: 0.5rem;
            align-items: center;
        }
        .entity-id {
            color: var(--muted);
            font-size: 0.85rem;
            overflow-wrap: anywhere;
        }
        .entity-notes {
            margin: 0.4rem 0 0;
            padding-left: 1.1rem;
        }
    };
    let l = crate::locale();
    let raw = entity.can_send_message.clone().unwrap_or_default();
    let (answer, level) = can_send_label(&raw, l);
    let errors = entity.errors.clone();
    let info = entity.additional_info.clone();
    view! { class = class,
        <li class="entity" data-entity=entity.entity_type.clone() data-can-send=raw>
            <div class="entity-head">
                <strong>{entity_label_in(&entity.entity_type, l)}</strong>
                <Badge level=level text=answer/>
                {entity.id.clone().map(|id| view! { class = class, <span class="entity-id">{id}</span> })}
            </div>
            {(!errors.is_empty() || !info.is_empty()).then(|| view! { class = class,
                <ul class="entity-notes">
                    {errors.into_iter().map(|e| view! { class = class,
                        <li class="entity-error" data-error-code=e.error_code.map(|c| c.to_string())>
                            {e.error_code.map(|c| format!("{} ", tr!(l, meta.can_send.error, code = c)))}
                            {e.error_description.unwrap_or_else(|| tr!(l, meta.can_send.no_description))}
                            {e.possible_solution.map(|s| view! { class = class,
                                <br/><span class="solution"><strong>{format!("{} ", tr!(l, meta.can_send.what_to_do))}</strong>{s}</span>
                            })}
                        </li>
                    }).collect_view()}
                    {info.into_iter().map(|i| view! { class = class, <li class="entity-info">{i}</li> }).collect_view()}
                </ul>
            })}
        </li>
    }
    .into_any()
}
