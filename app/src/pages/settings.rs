//! `/accounts/:id/settings`: the account and its team (administrators invite, change roles,
//! remove and rename), and every user's own profile (name, language, password, API token).
use leptos::either::Either;
use leptos::prelude::*;

use crate::components::form::{action_url, submit_to};

use crate::api::{
    get_account_settings, ChangePassword, InviteMember, RemoveMember, RenameAccount,
    RotateApiToken, SetMemberRole, UpdateProfile,
};
use crate::auth::Role;
use crate::components::form::{field_message, form_message, Field};
use crate::components::shell::use_account_id;
use crate::components::status::{page_title, ErrorNotice, Loading};
use crate::error::AppError;
use crate::team::{Locale, ProfileView, TeamMember};
use crate::tr;
use crate::views::AccountSettings;

/// Account settings: the team page for administrators, the profile for everyone.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let account_id = use_account_id();
    // Renaming, roles and removals are plain form posts: the server answers with this page again,
    // drawn from what they changed, or with their error. The forms whose answer must show where
    // the person typed (an invitation link, a new token, "Saved.") are islands.
    let rename = ServerAction::<RenameAccount>::new();
    let set_role = ServerAction::<SetMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let data = Resource::new(
        move || account_id.get(),
        |id| async move {
            match id {
                Some(id) => get_account_settings(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let l = crate::locale();
    view! {
        <leptos_meta::Title text=page_title(&tr!(l, settings.title))/>
        <h1>{tr!(l, settings.title)}</h1>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(s) => {
                        let admin = s.your_role == Role::Administrator;
                        let profile_view = s.profile.clone();
                        // Each section type-erased: the whole page as one view type is deeper
                        // than the wasm build's layout limit.
                        view! {
                            {view! { <AccountCard s=s.clone() admin=admin action=rename/> }.into_any()}
                            {view! { <Members s=s.clone() admin=admin set_role=set_role remove=remove/> }.into_any()}
                            {admin.then(|| view! { <InviteForm account_id=s.account_id/> }.into_any())}
                            {view! { <ProfileForm profile=profile_view/> }.into_any()}
                            {view! { <PasswordForm/> }.into_any()}
                            {view! { <ApiToken/> }.into_any()}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The account's name; administrators rename it.
#[component]
fn AccountCard(
    s: AccountSettings,
    admin: bool,
    action: ServerAction<RenameAccount>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let l = crate::locale();
    view! {
        <section class="card" id="account">
            <h2>{tr!(l, settings.account.heading)}</h2>
            <p>{format!("{} ", tr!(l, settings.account.name))}<strong id="account-name">{s.account_name.clone()}</strong></p>
            <p>{tr!(l, settings.account.your_role, role = s.your_role.label(l))}</p>
            {admin.then(|| view! {
                <form action=action_url(action) method="post" id="rename-account-form">
                    <input type="hidden" name="account_id" value=s.account_id/>
                    <div class="field">
                        <label for="field-account-name">{tr!(l, settings.account.new_name)}</label>
                        <input id="field-account-name" name="name" required=true maxlength=100
                            value=s.account_name.clone()
                            aria-invalid=move || field_message(&error.get(), "name").is_some().to_string()
                            aria-describedby="field-account-name-error"/>
                        <p class="field-error" id="field-account-name-error" role="alert">
                            {move || field_message(&error.get(), "name")}
                        </p>
                    </div>
                    <p class="form-error" role="alert">{move || form_message(&error.get(), &["name"])}</p>
                    <button type="submit">{tr!(l, settings.account.rename)}</button>
                </form>
            })}
        </section>
    }
}

/// The members table; administrators change roles and remove (after a confirmation).
#[component]
fn Members(
    s: AccountSettings,
    admin: bool,
    set_role: ServerAction<SetMemberRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let account_id = s.account_id;
    let you = s.profile.user_id;
    let rows = s
        .members
        .into_iter()
        .map(|m| view! { <MemberRow m=m account_id=account_id admin=admin you=you set_role=set_role remove=remove/> })
        .collect_view();
    let pending = s.invitations;
    let l = crate::locale();
    view! {
        <section class="card" id="team">
            <h2>{tr!(l, settings.members.heading)}</h2>
            {set_role.value().get_untracked().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            {remove.value().get_untracked().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <table class="table" id="members">
                <thead><tr>
                    <th scope="col">{tr!(l, common.name)}</th><th scope="col">{tr!(l, common.email)}</th>
                    <th scope="col">{tr!(l, common.role_heading)}</th><th scope="col">{tr!(l, settings.members.status)}</th>
                    {admin.then(|| view! { <th scope="col">{tr!(l, settings.members.actions)}</th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {(!pending.is_empty()).then(|| view! {
                <h3>{tr!(l, settings.members.invitations_waiting)}</h3>
                <ul id="pending-invitations">
                    {pending.into_iter().map(|p| view! {
                        <li>{tr!(l, settings.members.pending, email = p.email, role = p.role.label(l))}</li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
fn MemberRow(
    m: TeamMember,
    account_id: i64,
    admin: bool,
    you: i64,
    set_role: ServerAction<SetMemberRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let other_role = match m.role {
        Role::Administrator => Role::Agent,
        Role::Agent => Role::Administrator,
    };
    let user_id = m.user_id;
    let l = crate::locale();
    let who = if user_id == you {
        tr!(l, settings.members.yourself)
    } else {
        m.name.clone()
    };
    let actions = admin.then(|| {
        // The person's name is in the accessible name but hidden from sight: a row already shows
        // it, and an aria-label that differs from the visible words fails voice control users.
        let hidden_who = format!("{} ", tr!(l, settings.members.make_who, who = who));
        let remove_who = format!(" {}", tr!(l, settings.members.remove_who, who = who));
        let confirm_label = if user_id == you {
            tr!(l, settings.members.confirm_remove_self)
        } else {
            tr!(l, settings.members.confirm_remove, who = who)
        };
        let role_words = tr!(l, settings.members.make_role, role = other_role.label(l).to_lowercase());
        view! {
            <td>
                <form action=action_url(set_role) method="post" class="inline-form">
                    <input type="hidden" name="account_id" value=account_id/>
                    <input type="hidden" name="user_id" value=user_id/>
                    <input type="hidden" name="role" value=other_role.as_str()/>
                    <button type="submit" class="set-role">
                        {format!("{} ", tr!(l, settings.members.make))}<span class="visually-hidden">{hidden_who}</span>
                        {role_words}
                    </button>
                </form>
                <details class="remove-member">
                    <summary>{tr!(l, common.remove)}<span class="visually-hidden">{remove_who}</span>"…"</summary>
                    <p>{tr!(l, settings.members.sessions_end)}</p>
                    <form action=action_url(remove) method="post" class="inline-form">
                        <input type="hidden" name="account_id" value=account_id/>
                        <input type="hidden" name="user_id" value=user_id/>
                        <button type="submit" class="danger confirm-remove">{confirm_label}</button>
                    </form>
                </details>
            </td>
        }
    });
    let email = m.email.clone();
    view! {
        <tr data-email=email>
            <td>{m.name}</td>
            <td>{m.email}</td>
            <td class="member-role">{m.role.label(l)}</td>
            <td>{m.status.label(l)}</td>
            {actions}
        </tr>
    }
}

/// Invite by e-mail and role; the one-time link is shown once, with a copy button (an island).
#[island]
fn InviteForm(account_id: i64) -> impl IntoView {
    let action = ServerAction::<InviteMember>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let l = crate::locale();
    view! {
        <section class="card" id="invite">
            <h2>{tr!(l, settings.invite.heading)}</h2>
            <p class="muted">{tr!(l, settings.invite.intro)}</p>
            <form action=action_url(action) method="post" on:submit=submit_to(action) id="invite-form">
                <input type="hidden" name="account_id" value=account_id/>
                <Field name="email" label=tr!(l, common.email) kind="email" autocomplete="off" maxlength=254
                    error=Signal::derive(move || field_message(&error.get(), "email"))/>
                <div class="field">
                    <label for="field-role">{tr!(l, common.role_heading)}</label>
                    <select id="field-role" name="role">
                        <option value="agent" selected=true>{Role::Agent.label(l)}</option>
                        <option value="administrator">{Role::Administrator.label(l)}</option>
                    </select>
                </div>
                <p class="form-error" role="alert">{move || form_message(&error.get(), &["email"])}</p>
                <button type="submit" class="primary" disabled=move || action.pending().get()>{tr!(l, settings.invite.submit)}</button>
            </form>
            {move || action.value().get().and_then(|r| r.ok()).map(|inv| view! {
                <div role="status" id="invitation-created">
                    <p>{format!("{} ", tr!(l, settings.invite.created_for))}<strong>{inv.email.clone()}</strong>{format!(". {}", tr!(l, settings.invite.copy_now))}</p>
                    <label for="invitation-url">{tr!(l, settings.invite.link)}</label>
                    <input id="invitation-url" readonly=true value=inv.invitation_url.clone()/>
                    <CopyButton target="invitation-url"/>
                </div>
            })}
        </section>
    }
}

/// Copies the value of the input `target` to the clipboard (once hydrated; without JavaScript
/// the field can be selected and copied by hand).
#[component]
fn CopyButton(target: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(target))
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                let _ =
                    web_sys::window().map(|w| w.navigator().clipboard().write_text(&input.value()));
                input.select();
                copied.set(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = target;
    };
    let l = crate::locale();
    view! {
        <button type="button" id="copy-invitation" on:click=copy>{tr!(l, settings.invite.copy)}</button>
        <span role="status">{move || copied.get().then(|| format!(" {}", tr!(l, settings.invite.copied)))}</span>
    }
}

/// The language chooser's value for a profile: `auto` while the user follows the browser's
/// language, else the chosen language's tag.
pub fn locale_choice(profile: &ProfileView) -> &'static str {
    if profile.locale_chosen {
        profile.locale.as_str()
    } else {
        "auto"
    }
}

/// The user's name and language (an island).
#[island]
fn ProfileForm(profile: ProfileView) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let l = crate::locale();
    let initial = locale_choice(&profile);
    let choice = RwSignal::new(initial.to_string());
    // A saved change of language redraws the whole page in it (the header and navigation too).
    // Without JavaScript the form's redirect back does the same. Effects run in the browser only.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) && choice.get_untracked() != initial {
            crate::components::reload_page();
        }
    });
    view! {
        <section class="card" id="profile">
            <h2>{tr!(l, settings.profile.heading)}</h2>
            <p>{tr!(l, settings.profile.email, email = profile.email)}</p>
            <form action=action_url(action) method="post" on:submit=submit_to(action) id="profile-form">
                <div class="field">
                    <label for="field-profile-name">{tr!(l, common.name)}</label>
                    <input id="field-profile-name" name="name" required=true maxlength=100 autocomplete="name"
                        value=profile.name.clone()
                        aria-invalid=move || field_message(&error.get(), "name").is_some().to_string()
                        aria-describedby="field-profile-name-error"/>
                    <p class="field-error" id="field-profile-name-error" role="alert">
                        {move || field_message(&error.get(), "name")}
                    </p>
                </div>
                <div class="field">
                    <label for="field-locale">{tr!(l, settings.profile.language)}</label>
                    <select id="field-locale" name="locale" on:change=move |ev| choice.set(event_target_value(&ev))>
                        <option value="auto" selected=initial == "auto">{tr!(l, settings.profile.automatic)}</option>
                        // Each language in its own words: people look for their own.
                        {Locale::ALL.into_iter().map(|lang| view! {
                            <option value=lang.as_str() selected=lang.as_str() == initial>{lang.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <p class="form-error" role="alert">{move || form_message(&error.get(), &["name"])}</p>
                <button type="submit" disabled=move || action.pending().get()>{tr!(l, settings.profile.save)}</button>
                {move || matches!(action.value().get(), Some(Ok(()))).then(|| view! { <span role="status">{format!(" {}", tr!(l, common.saved))}</span> })}
            </form>
        </section>
    }
}

/// Change the password: the current one is required; other sessions end, this one stays (an island).
#[island]
fn PasswordForm() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let l = crate::locale();
    view! {
        <section class="card" id="password">
            <h2>{tr!(l, settings.password.heading)}</h2>
            <p class="muted">{tr!(l, settings.password.intro)}</p>
            <form action=action_url(action) method="post" on:submit=submit_to(action) id="password-form">
                <Field name="current_password" label=tr!(l, settings.password.current) kind="password" autocomplete="current-password" maxlength=1024
                    error=Signal::derive(move || field_message(&error.get(), "current_password"))/>
                <Field name="password" label=tr!(l, settings.password.new) kind="password" autocomplete="new-password" maxlength=1024
                    error=Signal::derive(move || field_message(&error.get(), "password"))/>
                <p class="form-error" role="alert">{move || form_message(&error.get(), &["current_password", "password"])}</p>
                <button type="submit" disabled=move || action.pending().get()>{tr!(l, settings.password.submit)}</button>
                {move || matches!(action.value().get(), Some(Ok(()))).then(|| view! { <span role="status" id="password-changed">{format!(" {}", tr!(l, settings.password.changed))}</span> })}
            </form>
        </section>
    }
}

/// The user's REST API token: a new one on request, shown once (Greenlight keeps only its digest).
/// An island: the token exists only in this answer.
#[island]
fn ApiToken() -> impl IntoView {
    let rotate = ServerAction::<RotateApiToken>::new();
    let l = crate::locale();
    view! {
        <section class="card" id="api-token">
            <h2>{tr!(l, settings.token.heading)}</h2>
            <p class="muted">{tr!(l, settings.token.intro)}</p>
            <form action=action_url(rotate) method="post" on:submit=submit_to(rotate) id="rotate-token-form">
                <button type="submit" disabled=move || rotate.pending().get()>{tr!(l, settings.token.create)}</button>
            </form>
            {move || match rotate.value().get() {
                None => None,
                Some(Ok(token)) => Some(Either::Left(view! {
                    <p role="status">{format!("{} ", tr!(l, settings.token.new))}
                        <code id="new-api-token">{token}</code></p>
                })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNotice error=e/> })),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::locale_choice;
    use crate::team::{Locale, ProfileView};

    #[test]
    fn the_language_chooser_says_automatic_until_a_language_is_chosen() {
        let mut p = ProfileView {
            user_id: 1,
            name: "Ada".into(),
            email: "ada@example.com".into(),
            locale: Locale::Es,
            locale_chosen: false,
        };
        assert_eq!(locale_choice(&p), "auto");
        p.locale_chosen = true;
        assert_eq!(locale_choice(&p), "es");
    }
}
